"""E-bike fire safety (电动自行车全链条监管): residential buildings and their grid's live counts,
e-bikes and their batteries, shops that sell, repair or recycle, charging and parking places,
smart lift blockers and their alerts, converted ground-floor spaces, and the flags raised by the
chain (sales of non-compliant products, modifications).

The lifecycle events of bikes and batteries live in the ledger (EPCIS); a bike's `state` here is
what the events so far say, updated in the capture transaction. Building colours live in the risk
engine (scheme "ebike-building"); inspections in the inspections engine (target kinds "building"
and "shop")."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import KeyHolder, Organisation, Region

EBIKE_URN = "urn:jiceng:ebike:"
BATTERY_URN = "urn:jiceng:battery:"
SHOP_URN = "urn:jiceng:shop:"
RECYCLER_URN = "urn:jiceng:recycler:"
BUILDING_URN = "urn:jiceng:building:"

# A building above this height is high-rise (高层民用建筑, GB 50016: residential > 27 m).
HIGH_RISE_METRES = 27


class Building(models.Model):
    """A residential building: a building of a compound (小区) or a self-built house (自建房).
    Its region is its grid (or the finest region known)."""

    class Kind(models.TextChoices):
        COMPOUND = "compound", _("Compound building")
        SELF_BUILT = "self_built", _("Self-built house")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMPOUND)
    compound = models.CharField(_("compound"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    households = models.PositiveIntegerField(_("households"), default=0)
    height_m = models.DecimalField(
        _("height (m)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    high_rise = models.BooleanField(_("high-rise (over 27 m)"), default=False)
    property_company = models.CharField(_("property company"), max_length=200, blank=True)
    property_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("property manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ebike_buildings",
    )
    # The grid's latest live count (动态排摸) of e-bikes kept in the building; history in LiveCount.
    counted = models.PositiveIntegerField(_("e-bikes counted"), null=True, blank=True)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name", "id"]
        verbose_name = _("residential building")
        verbose_name_plural = _("residential buildings")

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return f"{BUILDING_URN}{self.pk}"


class LiveCount(models.Model):
    """One live count (动态排摸) of the e-bikes kept in a building, entered by a grid worker."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="counts"
    )
    counted = models.PositiveIntegerField(_("e-bikes counted"))
    counted_at = models.DateTimeField(_("counted"))
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    region_field: ClassVar[str] = "building__region"

    class Meta:
        ordering = ["-counted_at", "-id"]
        verbose_name = _("live count")
        verbose_name_plural = _("live counts")

    def __str__(self) -> str:
        return f"{self.building} {self.counted} @ {self.counted_at:%Y-%m-%d}"


class Shop(models.Model):
    """A shop that sells or repairs e-bikes, or a recycling point for bikes and batteries. Its
    EPCIS identifier is built from its unified social credit code."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Sales shop")
        REPAIR = "repair", _("Repair shop")
        RECYCLER = "recycler", _("Recycling point")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("owners"), blank=True, related_name="ebike_shops"
    )
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name", "id"]
        verbose_name = _("e-bike shop")
        verbose_name_plural = _("e-bike shops")

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        prefix = RECYCLER_URN if self.kind == self.Kind.RECYCLER else SHOP_URN
        return f"{prefix}{self.credit_code}"


class Standard(models.TextChoices):
    GB2024 = "GB17761-2024", _("GB 17761-2024")
    GB2018 = "GB17761-2018", _("GB 17761-2018")
    NONSTANDARD = "nonstandard", _("Non-standard (filed)")


class EbikeState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    IN_USE = "in_use", _("In use")
    TRADED_IN = "traded_in", _("Traded in")
    SCRAPPED = "scrapped", _("Scrapped")


class Ebike(models.Model):
    """An e-bike. `identifier` is `urn:jiceng:ebike:<plate>`, or `<frame number>` for a bike
    without a plate (sold but not yet registered). A bike first seen in an event is kept with
    `registered=False`."""

    identifier = models.CharField(_("identifier"), max_length=120, unique=True)
    plate = models.CharField(_("plate"), max_length=20, unique=True, null=True, blank=True)
    frame_number = models.CharField(
        _("frame number"), max_length=30, unique=True, null=True, blank=True
    )
    registered = models.BooleanField(_("registered"), default=True)
    # Blank for a bike seen in the chain whose standard no event has said.
    standard = models.CharField(
        _("standard"), max_length=20, choices=Standard.choices, default=Standard.GB2024, blank=True
    )
    bought_on = models.DateField(_("bought on"), null=True, blank=True)
    owner_name = models.CharField(_("owner"), max_length=50, blank=True)
    owner_phone = models.CharField(_("owner's phone"), max_length=30, blank=True)
    building = models.ForeignKey(
        Building,
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ebikes",
    )
    # Denormalised from the building (or the selling shop) for scope.
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    shop = models.ForeignKey(
        Shop,
        verbose_name=_("sold by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sold",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=EbikeState.choices, default=EbikeState.IN_USE
    )
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["identifier"]
        verbose_name = _("e-bike")
        verbose_name_plural = _("e-bikes")
        indexes = [models.Index(fields=["building", "state"], name="ebike_at_building")]

    def __str__(self) -> str:
        return self.plate or self.frame_number or self.identifier


class Battery(models.Model):
    """A traction battery with its permanent unique code (CCC rules from 2025-11-01)."""

    class Chemistry(models.TextChoices):
        LITHIUM = "lithium", _("Lithium-ion")
        LEAD_ACID = "lead_acid", _("Lead-acid")

    class State(models.TextChoices):
        IN_USE = "in_use", _("In use")
        REMOVED = "removed", _("Removed")
        RECYCLED = "recycled", _("Recycled")

    code = models.CharField(_("code"), max_length=40, unique=True)
    chemistry = models.CharField(_("chemistry"), max_length=20, choices=Chemistry.choices)
    voltage_v = models.DecimalField(_("voltage (V)"), max_digits=5, decimal_places=1)
    capacity_ah = models.DecimalField(_("capacity (Ah)"), max_digits=6, decimal_places=1)
    ccc = models.BooleanField(_("CCC certified"), default=False)
    ebike = models.ForeignKey(
        Ebike,
        verbose_name=_("e-bike"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batteries",
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.IN_USE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "ebike__region"

    class Meta:
        ordering = ["code"]
        verbose_name = _("battery")
        verbose_name_plural = _("batteries")

    def __str__(self) -> str:
        return self.code

    @property
    def identifier(self) -> str:
        return f"{BATTERY_URN}{self.code}"


class EbikeFlag(models.Model):
    """Something wrong seen in the chain: a sale of an old-standard bike after its sales end, a
    sale of a lithium battery without CCC, a modification. Kept as evidence with its event id;
    the case is the department's."""

    class Kind(models.TextChoices):
        OLD_STANDARD_SALE = "old_standard_sale", _("Old-standard bike sold after sales ended")
        NONCOMPLIANT_BATTERY = "noncompliant_battery", _("Lithium battery sold without CCC")
        MODIFICATION = "modification", _("Modification")

    ebike = models.ForeignKey(
        Ebike, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    battery = models.ForeignKey(
        Battery, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    event_id = models.CharField(_("event"), max_length=200)
    reasons = models.JSONField(_("reasons"), default=list)
    shop = models.ForeignKey(
        Shop, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("e-bike flag")
        verbose_name_plural = _("e-bike flags")

    def __str__(self) -> str:
        return f"{self.ebike or self.battery} {self.kind}"


class ChargingPlace(models.Model):
    """A central charging and parking place (集中充电停放场所): a shed, a room, a yard. Its ports
    count for the building it serves (or, without one, for its region)."""

    class Kind(models.TextChoices):
        SHED = "shed", _("Shed")
        ROOM = "room", _("Separate room")
        OPEN_AIR = "open_air", _("Open air")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHED)
    building = models.ForeignKey(
        Building,
        verbose_name=_("serves building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="charging_places",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    parking_spaces = models.PositiveIntegerField(_("parking spaces"), default=0)
    ports = models.PositiveIntegerField(_("charging ports"), default=0)
    timed_cutoff = models.BooleanField(_("timed cut-off"), default=False)
    stop_when_full = models.BooleanField(_("stops when full"), default=False)
    electrical_protection = models.BooleanField(
        _("overload, short-circuit and leakage protection"), default=False
    )
    sprinklers = models.BooleanField(_("sprinklers"), default=False)
    alarm = models.BooleanField(_("fire alarm"), default=False)
    cctv = models.BooleanField(_("CCTV"), default=False)
    upgraded_on = models.DateField(_("upgraded on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name", "id"]
        verbose_name = _("charging place")
        verbose_name_plural = _("charging places")

    def __str__(self) -> str:
        return self.name


class LiftBlocker(KeyHolder):
    """A smart lift-blocking system (电梯智能阻车) of a building. It reports alerts with its key
    (`X-Device-Key`); only the key's SHA-256 is stored, the plain key is shown once."""

    name = models.CharField(_("name"), max_length=100)
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="lift_blockers"
    )
    lifts = models.PositiveSmallIntegerField(_("lifts"), default=1)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    region_field: ClassVar[str] = "building__region"

    class Meta:
        ordering = ["building_id", "name"]
        verbose_name = _("lift blocker")
        verbose_name_plural = _("lift blockers")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class GroundFloorSpace(models.Model):
    """A ground-floor space (架空层) converted for e-bike parking: fire separation, equipment,
    parking in groups."""

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="ground_floors"
    )
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=1, default=0)
    parking_spaces = models.PositiveIntegerField(_("parking spaces"), default=0)
    ports = models.PositiveIntegerField(_("charging ports"), default=0)
    fire_separated = models.BooleanField(_("fire-separated"), default=False)
    fire_equipment = models.BooleanField(_("fire equipment"), default=False)
    grouped_parking = models.BooleanField(_("parked in groups"), default=False)
    converted_on = models.DateField(_("converted on"), null=True, blank=True)

    region_field: ClassVar[str] = "building__region"

    class Meta:
        ordering = ["building_id", "id"]
        verbose_name = _("converted ground-floor space")
        verbose_name_plural = _("converted ground-floor spaces")

    def __str__(self) -> str:
        return f"{self.building} ({self.area_m2} m²)"


class AlertRule(models.Model):
    """When alerts of one kind open a case: the `count`-th alert of a building within
    `window_hours` opens one case of `case_category`; later alerts attach to the open case.
    Rules as data with effective dates (a county may tighten them)."""

    kind = models.CharField(_("alert kind"), max_length=30)
    count = models.PositiveSmallIntegerField(_("alerts"))
    window_hours = models.PositiveIntegerField(_("within (hours)"))
    case_category = models.CharField(_("case category"), max_length=60)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until (exclusive)"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-effective_from"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "effective_from"], name="ebike_alert_rule_once_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.count} in {self.window_hours} h"


class LiftAlert(models.Model):
    """An alert from a lift blocker: an e-bike was pushed into a lift (违规进梯)."""

    class Kind(models.TextChoices):
        LIFT_ENTRY = "lift_entry", _("E-bike entered a lift")

    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    lift = models.CharField(_("lift"), max_length=40)
    at = models.DateTimeField(_("at"))
    device = models.ForeignKey(
        LiftBlocker, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    region_field: ClassVar[str] = "building__region"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lift alert")
        verbose_name_plural = _("lift alerts")
        indexes = [models.Index(fields=["building", "kind", "at"], name="ebike_alert_window")]

    def __str__(self) -> str:
        return f"{self.building} {self.kind} @ {self.at:%Y-%m-%d %H:%M}"
