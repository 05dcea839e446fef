"""Bottled gas (瓶装燃气): the "1+18+X" network of stations, cylinders, user sites, delivery
workers and vehicles, orders taken by phone, safety checks and their hazards.

The lifecycle events of cylinders live in the ledger (EPCIS); a cylinder's `state` and location
here are what the events so far say, updated in the capture transaction."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import KeyHolder, Region, Site

STATION_URN = "urn:jiceng:station:"
SITE_URN = "urn:jiceng:site:"
CYLINDER_URN = "urn:jiceng:cylinder:"


class Station(models.Model):
    """A node of the "1+18+X" network: the storage and filling station, a supply station, or a
    delivery point."""

    class Kind(models.TextChoices):
        FILLING = "filling", _("Storage and filling station")
        SUPPLY = "supply", _("Supply station")
        DELIVERY_POINT = "delivery_point", _("Delivery point")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("supplied by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), blank=True, related_name="gas_stations"
    )
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("gas station")
        verbose_name_plural = _("gas stations")

    def __str__(self) -> str:
        return self.name

    @property
    def identifier(self) -> str:
        return f"{STATION_URN}{self.code}"


class ScaleDevice(KeyHolder):
    """A filling scale (or another capturing device) bound to one station. It captures EPCIS
    events with its key (`X-Device-Key`) in that station's service area. Only the key's SHA-256
    is stored; the plain key is shown once, when the device is created."""

    name = models.CharField(_("name"), max_length=100)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="devices"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    region_field: ClassVar[str] = "station__region"

    class Meta:
        ordering = ["station_id", "name"]
        verbose_name = _("scale device")
        verbose_name_plural = _("scale devices")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def capture_label(self) -> str:
        """How the ledger's capture jobs name this device (the ledger knows no gas models)."""
        return f"gas.scale:{self.pk}"


class UserSite(models.Model):
    """A place that uses bottled gas: a household, a restaurant, an enterprise. Its address,
    region, coordinates and QR token are those of its core site (same id)."""

    class Kind(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        RESTAURANT = "restaurant", _("Restaurant")
        ENTERPRISE = "enterprise", _("Enterprise")

    site = models.OneToOneField(
        Site, verbose_name=_("site"), primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Denormalised from the core site for scope and the colour map (the site's region never moves).
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True, db_index=True)
    station = models.ForeignKey(
        Station,
        verbose_name=_("serving station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sites",
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "site_id"]
        verbose_name = _("gas user site")
        verbose_name_plural = _("gas user sites")

    def __str__(self) -> str:
        return f"{SITE_URN}{self.pk}"

    @property
    def identifier(self) -> str:
        return f"{SITE_URN}{self.pk}"


class CylinderState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    FILLED = "filled", _("Filled")
    AT_USER = "at_user", _("At a user")
    EMPTY_RETURNED = "empty_returned", _("Empty, returned")
    IN_INSPECTION = "in_inspection", _("In inspection")
    SCRAPPED = "scrapped", _("Scrapped")


class Cylinder(models.Model):
    """An LPG cylinder. `identifier` is its EPC URI (a GRAI URN, or urn:jiceng:cylinder:<serial>).
    A cylinder seen in an event but never registered is kept with `registered=False`."""

    identifier = models.CharField(_("identifier"), max_length=120, unique=True)
    registered = models.BooleanField(_("registered"), default=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=100, blank=True)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    nominal_kg = models.PositiveSmallIntegerField(_("nominal size (kg)"), null=True, blank=True)
    design_life_years = models.PositiveSmallIntegerField(_("design life (years)"), default=8)
    inspection_interval_years = models.PositiveSmallIntegerField(
        _("inspection interval (years)"), default=4
    )
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True)
    next_inspection_due = models.DateField(_("next inspection due"), null=True, blank=True)
    end_of_life = models.DateField(_("end of design life"), null=True, blank=True)
    owner = models.ForeignKey(
        Station,
        verbose_name=_("owner station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cylinders",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=CylinderState.choices, default=CylinderState.IN_STOCK
    )
    location_station = models.ForeignKey(
        Station,
        verbose_name=_("at station"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    location_site = models.ForeignKey(
        UserSite,
        verbose_name=_("at user site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cylinders",
    )
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    last_filled_at = models.DateTimeField(_("last filled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "owner__region"

    class Meta:
        ordering = ["identifier"]
        verbose_name = _("gas cylinder")
        verbose_name_plural = _("gas cylinders")
        indexes = [
            models.Index(fields=["location_site", "state"], name="gas_cyl_at_site"),
            models.Index(fields=["location_station", "state", "nominal_kg"], name="gas_cyl_stock"),
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def serial(self) -> str:
        return self.identifier.removeprefix(CYLINDER_URN)


class CylinderFlag(models.Model):
    """Something wrong seen in the events of a cylinder: filled though the fill check refuses it,
    seen at two sites at once, or never registered. Kept as evidence with its event id."""

    class Kind(models.TextChoices):
        ILLEGAL_FILLING = "illegal_filling", _("Filled against the fill check")
        TWO_SITES = "two_sites", _("Seen at two sites at once")
        UNREGISTERED = "unregistered", _("Unregistered cylinder")

    cylinder = models.ForeignKey(Cylinder, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    event_id = models.CharField(_("event"), max_length=200)
    reasons = models.JSONField(_("reasons"), default=list)
    station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    site = models.ForeignKey(
        UserSite, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("cylinder flag")
        verbose_name_plural = _("cylinder flags")

    def __str__(self) -> str:
        return f"{self.cylinder} {self.kind}"


class DeliveryWorker(models.Model):
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="workers"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gas_worker",
    )
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "station__region"

    class Meta:
        ordering = ["station_id", "name"]
        verbose_name = _("delivery worker")
        verbose_name_plural = _("delivery workers")

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    plate = models.CharField(_("plate"), max_length=20, unique=True)
    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.PROTECT, related_name="vehicles"
    )
    worker = models.ForeignKey(
        DeliveryWorker,
        verbose_name=_("driver"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vehicles",
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (cylinders)"), default=40)

    region_field: ClassVar[str] = "station__region"

    class Meta:
        ordering = ["plate"]
        verbose_name = _("delivery vehicle")
        verbose_name_plural = _("delivery vehicles")

    def __str__(self) -> str:
        return self.plate


class Order(models.Model):
    """An order of full cylinders, mostly taken by phone; delivered by scanning."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DELIVERED = "delivered", _("Delivered")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=30, unique=True)
    site = models.ForeignKey(
        UserSite, verbose_name=_("site"), on_delete=models.PROTECT, related_name="orders"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    caller_phone = models.CharField(_("caller's phone"), max_length=30, blank=True)
    nominal_kg = models.PositiveSmallIntegerField(_("size (kg)"))
    count = models.PositiveSmallIntegerField(_("count"))
    station = models.ForeignKey(
        Station, verbose_name=_("supply station"), on_delete=models.PROTECT, related_name="orders"
    )
    worker = models.ForeignKey(
        DeliveryWorker,
        verbose_name=_("delivery worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    taken_at = models.DateTimeField(_("taken"))
    window_start = models.DateTimeField(_("delivery from"))
    window_end = models.DateTimeField(_("delivery by"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered = models.JSONField(_("cylinders delivered"), default=list)
    collected = models.JSONField(_("empties collected"), default=list)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["window_end", "id"]
        verbose_name = _("gas order")
        verbose_name_plural = _("gas orders")
        indexes = [models.Index(fields=["state", "window_end"], name="gas_order_due")]

    def __str__(self) -> str:
        return self.number


# Safety checks (安检) are inspections of target kind "gas_site" on the shared inspections
# engine (jiceng/inspections): the checklist "gas_site" is data, and a hazard is a failed
# finding with its severity (grade), deadline and case (jiceng/gas/services/checks.py).
