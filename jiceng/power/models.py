"""Summer peak load (迎峰度夏) records.

- `TariffVersion`: a time-of-use tariff (分时电价) as data with its effective date: periods by
  season (months), the holiday deep valleys and the ratios to the flat price by category. Loaded
  from jiceng/reference/power-tariffs.json by a data migration; a version applies from its
  `effective_from` until the next version's.
- `Meter`: an enterprise's metering point (计量点) with its tariff category, voltage and demand;
  its flat price (平段电价, which moves monthly with the agency purchase price 代理购电价格) is a
  dated history (`MeterPrice`).
- `MeterDay`: one meter's 15-minute load of one local day, 96 values in one row (a year of 2,000
  meters is 730,000 rows; a meter-month is 31). Values are whole watts, little-endian int32, with
  `MISSING` where no reading came (a gap).
- `DailyTemperature`: a county's daily maximum temperature; heat days (高温日) marked.
- `Machine`: an enterprise's load (a production line, a furnace, a compressor ...) with what the
  plan may move: power, run length, the window it must run in, its current start, crews.
- `Plan`: one plan per enterprise (一企一策) for a day type, versioned: the schedule computed by
  jiceng.planning.loadshift against the tariff, and what it saves.
- `DrEvent`, `DrParticipation`: demand-response events (需求响应) with the enterprises invited
  and their commitments; results are computed with jiceng.planning.baseline.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Organisation, Region

QUARTERS = 96  # 15-minute intervals in a day
MISSING = -1  # stored value of an interval without a reading


class Category(models.TextChoices):
    """Tariff category (用电类别)."""

    LARGE_INDUSTRY = "large_industry", _("Large industry")
    GENERAL = "general_industry_commerce", _("General industry and commerce")


class PeriodKind(models.TextChoices):
    SHARP = "sharp", _("Sharp peak")
    PEAK = "peak", pgettext_lazy("tariff period", "Peak")
    FLAT = "flat", pgettext_lazy("tariff period", "Flat")
    VALLEY = "valley", pgettext_lazy("tariff period", "Valley")
    DEEP_VALLEY = "deep_valley", _("Deep valley")


class TariffVersion(models.Model):
    """A time-of-use tariff from a date. `seasons`: [{name, months, periods: {kind: [[start,
    end], ...]}}] with "HH:MM" local times, half-open, "24:00" for midnight; `holiday_periods`:
    [[start, end], ...] that are deep valley on `holidays` (keys of the reference file's holiday
    names, e.g. "labour_day_first_3_days"); `ratios`: {category: {kind: ratio to flat}}."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    document = models.CharField(_("document"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"), unique=True)
    seasons = models.JSONField(_("seasons"))
    holidays = models.JSONField(_("holidays with deep valleys"), default=list, blank=True)
    holiday_periods = models.JSONField(_("deep-valley periods"), default=list, blank=True)
    ratios = models.JSONField(_("ratios to the flat price"))
    confidence = models.TextField(_("confidence"), blank=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("time-of-use tariff")
        verbose_name_plural = _("time-of-use tariffs")

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from})"


class Meter(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    category = models.CharField(_("tariff category"), max_length=30, choices=Category.choices)
    voltage_kv = models.DecimalField(
        _("voltage (kV)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    contracted_kw = models.DecimalField(
        _("contracted demand (kW)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_demand_kw = models.DecimalField(
        _("maximum demand (kW)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["code"]
        verbose_name = _("meter")
        verbose_name_plural = _("meters")
        indexes = [models.Index(fields=["enterprise"], name="power_meter_enterprise")]

    def __str__(self) -> str:
        return str(self.code)


class MeterPrice(models.Model):
    """A meter's flat price (yuan/kWh) from a date until its next price."""

    meter = models.ForeignKey(
        Meter, verbose_name=_("meter"), on_delete=models.CASCADE, related_name="prices"
    )
    effective_from = models.DateField(_("effective from"))
    yuan_per_kwh = models.DecimalField(_("flat price (yuan/kWh)"), max_digits=8, decimal_places=5)

    region_field: ClassVar[str] = "meter__region"

    class Meta:
        ordering = ["meter_id", "effective_from"]
        verbose_name = _("flat price")
        verbose_name_plural = _("flat prices")
        constraints = [
            models.UniqueConstraint(fields=["meter", "effective_from"], name="power_price_once"),
            models.CheckConstraint(
                condition=models.Q(yuan_per_kwh__gt=0), name="power_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.yuan_per_kwh} ({self.effective_from})"


class MeterDay(models.Model):
    """One meter's 96 quarter-hour loads (kW) of one local day, as whole watts (int32, little-
    endian; `MISSING` for a gap). `kwh` and `max_kw` summarise the readings present."""

    meter = models.ForeignKey(
        Meter, verbose_name=_("meter"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("day"))
    watts = models.BinaryField(_("quarter-hour loads (W)"))
    readings = models.PositiveSmallIntegerField(_("readings"))
    kwh = models.FloatField(_("energy (kWh)"))
    max_kw = models.FloatField(_("maximum load (kW)"))

    region_field: ClassVar[str] = "meter__region"

    class Meta:
        ordering = ["meter_id", "day"]
        verbose_name = _("meter day")
        verbose_name_plural = _("meter days")
        constraints = [
            models.UniqueConstraint(fields=["meter", "day"], name="power_meter_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.day}"


class DailyTemperature(models.Model):
    region = models.ForeignKey(
        Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    max_c = models.DecimalField(_("maximum (°C)"), max_digits=4, decimal_places=1)
    min_c = models.DecimalField(
        _("minimum (°C)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    heat_day = models.BooleanField(_("heat day"), default=False)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "day"]
        verbose_name = _("daily temperature")
        verbose_name_plural = _("daily temperatures")
        constraints = [
            models.UniqueConstraint(fields=["region", "day"], name="power_temperature_once"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.day} {self.max_c}"


class Machine(models.Model):
    """A load of an enterprise that a plan schedules. The window is local time of day
    (`window_end` before `window_start` means the window runs past midnight, equal means all
    day); `current_start` is when it starts today; the kinds are jiceng.planning.loadshift's:
    `inflexible` machines stay where they are."""

    class Kind(models.TextChoices):
        SHIFTABLE = "shiftable", _("Shiftable (runs in one block in its window)")
        BREAKABLE = "breakable", _("Breakable (may run in parts)")
        INFLEXIBLE = "inflexible", _("Inflexible (keeps its current time)")

    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SHIFTABLE)
    power_kw = models.DecimalField(_("power (kW)"), max_digits=10, decimal_places=2)
    run_minutes = models.PositiveIntegerField(_("run length (minutes)"))
    window_start = models.TimeField(_("window from"))
    window_end = models.TimeField(_("window until"))
    current_start = models.TimeField(_("current start"))
    crew = models.CharField(
        _("crew"),
        max_length=50,
        blank=True,
        help_text=_("Machines of one crew (班组) never run at the same time."),
    )
    shifts = models.CharField(_("shifts"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    region_field: ClassVar[str] = "enterprise__region"

    class Meta:
        ordering = ["enterprise_id", "name"]
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        constraints = [
            models.CheckConstraint(condition=models.Q(power_kw__gt=0), name="power_machine_kw"),
            models.CheckConstraint(
                condition=models.Q(run_minutes__gt=0, run_minutes__lte=1440),
                name="power_machine_run",
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)


class DayType(models.TextChoices):
    WORKDAY = "workday", _("Working day")
    REST = "rest", _("Rest day")


class Plan(models.Model):
    """One version of an enterprise's plan (一企一策) for a day type. `schedule` is the computed
    result (runs per machine, the current and planned load curves, costs); the figures are
    copied into columns for lists and roll-ups."""

    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    day_type = models.CharField(_("day type"), max_length=10, choices=DayType.choices)
    version = models.PositiveIntegerField(_("version"))
    tariff = models.ForeignKey(
        TariffVersion, verbose_name=_("tariff"), on_delete=models.PROTECT, related_name="+"
    )
    priced_on = models.DateField(_("priced on"))
    schedule = models.JSONField(_("schedule"))
    current_yuan = models.DecimalField(_("current cost per day"), max_digits=14, decimal_places=2)
    planned_yuan = models.DecimalField(_("planned cost per day"), max_digits=14, decimal_places=2)
    saved_per_day = models.DecimalField(_("saved per day"), max_digits=14, decimal_places=2)
    saved_per_summer = models.DecimalField(_("saved per summer"), max_digits=14, decimal_places=2)
    peak_removed_kw = models.DecimalField(
        _("peak load removed (kW)"), max_digits=12, decimal_places=2
    )
    after_23_kwh = models.DecimalField(
        _("energy moved after 23:00 (kWh)"), max_digits=14, decimal_places=2
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "enterprise__region"

    class Meta:
        ordering = ["enterprise_id", "day_type", "-version"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "day_type", "version"], name="power_plan_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.day_type} v{self.version}"


class DrEvent(models.Model):
    """A demand-response event (需求响应): a day and window of local time, what is asked for,
    how the baseline is computed, and the price per kWh of effective response."""

    class Kind(models.TextChoices):
        PEAK_SHAVING = "peak_shaving", _("Peak shaving (削峰)")
        VALLEY_FILLING = "valley_filling", _("Valley filling (填谷)")
        AIR_CONDITIONING = "air_conditioning", _("Air-conditioning control")
        LIGHTING = "lighting", _("Lighting limits for public buildings")

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField(_("day"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    baseline = models.CharField(_("baseline method"), max_length=30)
    price_yuan_per_kwh = models.DecimalField(_("price (yuan/kWh)"), max_digits=8, decimal_places=4)
    target_kw = models.DecimalField(
        _("target (kW)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-day", "start"]
        verbose_name = _("demand-response event")
        verbose_name_plural = _("demand-response events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_yuan_per_kwh__gte=0), name="power_dr_price"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.start}-{self.end} {self.kind}"


class DrParticipation(models.Model):
    """A meter invited to an event, and its commitment (kW) once the enterprise gives one."""

    event = models.ForeignKey(
        DrEvent, verbose_name=_("event"), on_delete=models.CASCADE, related_name="participants"
    )
    meter = models.ForeignKey(
        Meter, verbose_name=_("meter"), on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    committed_kw = models.DecimalField(
        _("committed (kW)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    committed_at = models.DateTimeField(_("committed"), null=True, blank=True)

    region_field: ClassVar[str] = "meter__region"

    class Meta:
        ordering = ["event_id", "meter_id"]
        verbose_name = _("demand-response participation")
        verbose_name_plural = _("demand-response participations")
        constraints = [
            models.UniqueConstraint(fields=["event", "meter"], name="power_dr_meter_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.meter_id}"
