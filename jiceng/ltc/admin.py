from django.contrib import admin

from jiceng.ltc import models


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "credit_code", "region", "status", "beds", "capacity")
    list_filter = ("status",)
    search_fields = ("name", "credit_code")


@admin.register(models.SharedInstitution)
class SharedInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "peer_code", "region_name", "status", "listed", "imported_at")
    list_filter = ("peer_code", "status", "listed")
