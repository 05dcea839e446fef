"""The rules (splits, tax, fund) are data an administrator corrects in the admin: a changed rule
is a new row with the date it applies from, so the figures of earlier days do not move."""

from django.contrib import admin

from jiceng.lottery import models


@admin.register(models.Game)
class GameAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")


@admin.register(models.GameSplit)
class GameSplitAdmin(admin.ModelAdmin):
    list_display = (
        "game",
        "effective_from",
        "prize_share",
        "fee_share",
        "fund_share",
        "verified",
        "confidence",
    )
    list_filter = ("game", "verified")


@admin.register(models.TaxRule)
class TaxRuleAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "exempt_up_to", "rate", "confidence")


@admin.register(models.FundRule)
class FundRuleAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "central_share", "claim_days")


@admin.register(models.Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "staff_count", "opened_on", "closed_on")
    search_fields = ("code", "name", "licence")
    raw_id_fields = ("region",)
