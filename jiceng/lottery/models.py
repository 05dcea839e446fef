"""Welfare lottery (福利彩票) records.

Rules are data with effective dates: a game's split of sales into prize, fee and fund
(`GameSplit`), the prize tax (`TaxRule`) and the fund's allocation (`FundRule`) each apply from
their `effective_from` until the next row of the same kind; loaded from
jiceng/reference/lottery-rules.json by a data migration and editable in the admin. What the data
file marks unverified stays marked (`confidence`) and the pages say so.

Every money amount is yuan with two decimals. Computed figures (the fund raised, a category's
share, the tax withheld on a prize) are computed from these rows, never typed: `selectors`
computes them and `services` stores the tax withheld when a prize is paid.

Records that belong to a region (outlets and what happens at them, grants, supervisors) carry the
region code, so that scope (jiceng/core/scope.py) and roll-ups are prefix matches; sales and
prizes copy their outlet's region, since an outlet never moves.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Region


def _region(verbose: str = "region") -> models.ForeignKey[Region, Region]:
    return models.ForeignKey(
        Region, verbose_name=_(verbose), on_delete=models.PROTECT, related_name="+"
    )


class Game(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("lottery game")
        verbose_name_plural = _("lottery games")

    def __str__(self) -> str:
        return self.name


class GameSplit(models.Model):
    """How a game's sales divide into prizes, the issuing fee and the welfare fund, from a date."""

    game = models.ForeignKey(
        Game, verbose_name=_("game"), on_delete=models.CASCADE, related_name="splits"
    )
    effective_from = models.DateField(_("effective from"))
    prize_share = models.DecimalField(_("prize share"), max_digits=6, decimal_places=4)
    fee_share = models.DecimalField(_("fee share"), max_digits=6, decimal_places=4)
    fund_share = models.DecimalField(_("fund share"), max_digits=6, decimal_places=4)
    confidence = models.CharField(_("confidence"), max_length=200, blank=True)
    verified = models.BooleanField(_("verified"), default=False)
    source = models.URLField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["game_id", "effective_from"]
        verbose_name = _("game split")
        verbose_name_plural = _("game splits")
        constraints = [
            models.UniqueConstraint(fields=["game", "effective_from"], name="lottery_split_once"),
            models.CheckConstraint(
                condition=models.Q(prize_share__gte=0, fee_share__gte=0, fund_share__gte=0),
                name="lottery_split_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(f"{self.game_id} {self.effective_from}")


class TaxRule(models.Model):
    """Income tax on a single prize: none up to `exempt_up_to`, above it `rate` of the whole."""

    effective_from = models.DateField(_("effective from"), unique=True)
    exempt_up_to = models.DecimalField(_("exempt up to (yuan)"), max_digits=16, decimal_places=2)
    rate = models.DecimalField(pgettext_lazy("tax", "rate"), max_digits=6, decimal_places=4)
    document = models.CharField(_("document"), max_length=200, blank=True)
    confidence = models.CharField(_("confidence"), max_length=200, blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("prize tax rule")
        verbose_name_plural = _("prize tax rules")

    def __str__(self) -> str:
        return str(f"{self.rate} > {self.exempt_up_to} ({self.effective_from})")


class FundRule(models.Model):
    """The fund's halves (central, local), the central half's allocation, and how long a prize
    may be claimed before it goes to the local fund."""

    effective_from = models.DateField(_("effective from"), unique=True)
    central_share = models.DecimalField(_("central share"), max_digits=6, decimal_places=4)
    social_security_share = models.DecimalField(
        _("of the central half: social security"), max_digits=6, decimal_places=4
    )
    special_fund_share = models.DecimalField(
        _("of the central half: special fund"), max_digits=6, decimal_places=4
    )
    civil_affairs_share = models.DecimalField(
        _("of the central half: civil affairs"), max_digits=6, decimal_places=4
    )
    sport_share = models.DecimalField(
        _("of the central half: sport"), max_digits=6, decimal_places=4
    )
    claim_days = models.PositiveIntegerField(_("claim period (days)"), default=60)
    document = models.CharField(_("document"), max_length=200, blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("fund rule")
        verbose_name_plural = _("fund rules")

    def __str__(self) -> str:
        return str(f"{self.central_share} ({self.effective_from})")


class Outlet(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    licence = models.CharField(_("licence"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = _region()
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    staff_count = models.PositiveIntegerField(_("staff"), default=1)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["code"]
        verbose_name = _("lottery outlet")
        verbose_name_plural = _("lottery outlets")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SalesStaff(models.Model):
    """A person who sells at an outlet; the date they signed the outlets' responsibility pledge
    (《销售网点社会责任倡议书》)."""

    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), on_delete=models.CASCADE, related_name="sellers"
    )
    name = models.CharField(_("name"), max_length=50)
    pledge_signed_on = models.DateField(_("pledge signed on"), null=True, blank=True)
    # The day they stopped selling here: they no longer count in the outlet's staff.
    left_on = models.DateField(_("left on"), null=True, blank=True)

    region_field: ClassVar[str] = "outlet__region"

    class Meta:
        ordering = ["outlet_id", "id"]
        verbose_name = _("sales staff")
        verbose_name_plural = _("sales staff")

    def __str__(self) -> str:
        return str(self.name)


class Training(models.Model):
    staff = models.ForeignKey(
        SalesStaff, verbose_name=_("staff"), on_delete=models.CASCADE, related_name="trainings"
    )
    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("held on"))

    region_field: ClassVar[str] = "staff__outlet__region"

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")

    def __str__(self) -> str:
        return str(f"{self.topic} {self.held_on}")


class DailySale(models.Model):
    """One outlet's sales of one game on one day (yuan)."""

    outlet = models.ForeignKey(Outlet, verbose_name=_("outlet"), on_delete=models.PROTECT)
    game = models.ForeignKey(Game, verbose_name=_("game"), on_delete=models.PROTECT)
    sold_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    region = _region()

    region_field: ClassVar[str] = "region"

    class Meta:
        verbose_name = _("daily sale")
        verbose_name_plural = _("daily sales")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "sold_on", "game"], name="lottery_sale_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="lottery_sale_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["sold_on", "game"], name="lottery_sale_day_game")]

    def __str__(self) -> str:
        return str(f"{self.outlet_id} {self.sold_on} {self.game_id} {self.amount}")


class Prize(models.Model):
    """A prize paid, at an outlet or at the centre (no outlet), with the tax withheld on it."""

    game = models.ForeignKey(Game, verbose_name=_("game"), on_delete=models.PROTECT)
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.PROTECT
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    tax_withheld = models.DecimalField(_("tax withheld"), max_digits=16, decimal_places=2)
    region = _region()

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("prize")
        verbose_name_plural = _("prizes")
        indexes = [models.Index(fields=["paid_on"], name="lottery_prize_paid_on")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, tax_withheld__gte=0),
                name="lottery_prize_positive",
            )
        ]

    def __str__(self) -> str:
        return str(f"{self.game_id} {self.amount} {self.paid_on}")


class UnclaimedPrize(models.Model):
    """Prize money of a draw nobody claimed; it goes to the local fund when the claim period
    ends (`claim_ends_on`, from the fund rule's claim period)."""

    game = models.ForeignKey(Game, verbose_name=_("game"), on_delete=models.PROTECT)
    drawn_on = models.DateField(_("draw date"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    claim_ends_on = models.DateField(_("claim period ends"))
    region = _region()

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-claim_ends_on"]
        verbose_name = _("unclaimed prize")
        verbose_name_plural = _("unclaimed prizes")

    def __str__(self) -> str:
        return str(f"{self.game_id} {self.drawn_on} {self.amount}")


class GrantCategory(models.TextChoices):
    ELDERLY = "elderly", _("Elderly")
    DISABLED = "disabled", _("Disabled")
    CHILDREN = "children", _("Children")
    PUBLIC_GOOD = "public_good", _("Public good")


class Grant(models.Model):
    """A project funded from the welfare fund (公益金资助项目)."""

    title = models.CharField(_("project"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=GrantCategory.choices)
    recipient = models.CharField(_("recipient organisation"), max_length=200)
    region = _region()
    approved_amount = models.DecimalField(_("amount approved"), max_digits=16, decimal_places=2)
    approved_on = models.DateField(_("approved on"))
    outcome = models.TextField(pgettext_lazy("grant", "outcome"), blank=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-approved_on", "id"]
        verbose_name = _("grant")
        verbose_name_plural = _("grants")

    def __str__(self) -> str:
        return str(self.title)


class Disbursement(models.Model):
    """Money paid out on a grant: the fund used in a year is what was paid out in it."""

    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="disbursements"
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    paid_on = models.DateField(_("paid on"))

    region_field: ClassVar[str] = "grant__region"

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        indexes = [models.Index(fields=["paid_on"], name="lottery_disbursed_on")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="lottery_disbursement_positive"
            )
        ]

    def __str__(self) -> str:
        return str(f"{self.grant_id} {self.amount} {self.paid_on}")


class GrantPhoto(models.Model):
    grant = models.ForeignKey(
        Grant, verbose_name=_("grant"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="lottery/grants/%Y/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)

    region_field: ClassVar[str] = "grant__region"

    def __str__(self) -> str:
        return str(self.caption or self.image.name)


class Supervisor(models.Model):
    """A conduct supervisor (行风监督员): a deputy, a committee member or a journalist."""

    name = models.CharField(_("name"), max_length=50)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    appointed_on = models.DateField(_("appointed on"))
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    region = _region()

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-appointed_on", "id"]
        verbose_name = _("conduct supervisor")
        verbose_name_plural = _("conduct supervisors")

    def __str__(self) -> str:
        return str(self.name)


class SupervisorVisit(models.Model):
    supervisor = models.ForeignKey(
        Supervisor, verbose_name=_("supervisor"), on_delete=models.CASCADE, related_name="visits"
    )
    outlet = models.ForeignKey(
        Outlet, verbose_name=_("outlet"), null=True, blank=True, on_delete=models.SET_NULL
    )
    visited_on = models.DateField(_("visited on"))
    findings = models.TextField(_("findings"), blank=True)

    region_field: ClassVar[str] = "supervisor__region"

    class Meta:
        ordering = ["-visited_on"]
        verbose_name = _("supervisor visit")
        verbose_name_plural = _("supervisor visits")

    def __str__(self) -> str:
        return str(f"{self.supervisor_id} {self.visited_on}")


class PublicityActivity(models.Model):
    """An activity of the responsibility publicity month, by the "six ones" (六个一)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Publish a responsibility report")
        CHARITY = "charity", _("A series of public-welfare activities")
        OFFLINE = "offline", _("An offline promotion")
        ONLINE = "online", _("An online promotion")
        TRAINING = "training", _("A responsibility training")
        SURVEY = "survey", _("A responsibility survey")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    region = _region()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("publicity activity")
        verbose_name_plural = _("publicity activities")

    def __str__(self) -> str:
        return str(self.title)
