"""The medical-insurance service network: the catalogue of service items and its delegation to
service points; halls with windows, weekly session plans (regular and tidal) and tidal rules; the
queue of tickets with appointments and ratings; handling records at every point; daily summaries
for the KPIs; and the travel-time model of the ten-minute service circle.

Region scope: a service point has a region; halls, windows and tickets are in their point's
region (`region_field` names the path), so `jiceng.core.scope` limits every read and write.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import Organisation, Person, Region, Site

# --- the catalogue --------------------------------------------------------------------------


class Audience(models.TextChoices):
    PERSON = "person", _("Person")
    ENTERPRISE = "enterprise", _("Enterprise")


class PointKind(models.TextChoices):
    COUNTY_CENTER = "county_center", _("County service centre")
    TOWN_CENTER = "town_center", _("Town service centre")
    VILLAGE_STATION = "village_station", _("Village service station")
    BANK_OUTLET = "bank_outlet", _("Bank outlet (医银一体化)")
    CARE_POST = "care_post", _("Care post (幸福医保驿站)")
    ENTERPRISE_STATION = "enterprise_station", _("Enterprise station (企业医保服务站)")


class ItemGroup(models.Model):
    """A queue of a hall: items of one group share a number series (A001, A002, ...)."""

    code = models.CharField(
        _("code"),
        max_length=2,
        primary_key=True,
        validators=[RegexValidator(r"^[A-Z]{1,2}$", _("One or two capital letters."))],
    )
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("item group")
        verbose_name_plural = _("item groups")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceItem(models.Model):
    """A service item (经办事项) of the catalogue, with where it may be handled."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    audience = models.CharField(_("for"), max_length=10, choices=Audience.choices)
    high_frequency = models.BooleanField(_("high-frequency"), default=False)
    standard_minutes = models.PositiveSmallIntegerField(_("standard handling minutes"))
    promised_workdays = models.PositiveSmallIntegerField(_("promised working days"), default=0)
    materials = models.JSONField(_("required materials"), default=list, blank=True)
    # PointKind values of the points that may handle the item.
    point_kinds = models.JSONField(_("point types that may handle it"), default=list)
    group = models.ForeignKey(
        ItemGroup, verbose_name=_("queue group"), on_delete=models.PROTECT, related_name="items"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- the network ----------------------------------------------------------------------------


class ServicePoint(models.Model):
    """A place where items are handled: a county or town centre, a village station, a bank
    outlet, a care post or an enterprise station."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=PointKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    items = models.ManyToManyField(
        ServiceItem, verbose_name=_("items handled"), blank=True, related_name="points"
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), blank=True, related_name="hall_points"
    )
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "kind", "name"]
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        indexes = [models.Index(fields=["kind", "region"], name="hall_point_kind_region")]

    def __str__(self) -> str:
        return self.name


def new_key() -> str:
    return secrets.token_urlsafe(24)


class Hall(models.Model):
    """A service hall of a point: windows, a queue, a kiosk and a display board.

    Kiosks and the display board are devices of the hall: they authenticate with the hall's
    kiosk key (never shown to the public). A resident's phone reaches the hall through the QR
    code on the board, whose key changes every day (derived from `qr_secret`).
    """

    point = models.ForeignKey(
        ServicePoint,
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="halls",
    )
    name = models.CharField(_("name"), max_length=200)
    kiosk_key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    qr_secret = models.CharField(max_length=64, default=new_key, editable=False)
    opens_before_minutes = models.PositiveSmallIntegerField(
        _("takes tickets this many minutes before a session"), default=30
    )
    appointment_slot_minutes = models.PositiveSmallIntegerField(
        _("appointment slot (minutes)"), default=30, validators=[MinValueValidator(5)]
    )
    appointment_capacity = models.PositiveSmallIntegerField(
        _("appointments per slot and group"), default=4
    )
    # What the board reads aloud (speech synthesis) for a call: {number} and {window}.
    announcement = models.CharField(
        _("announcement"), max_length=100, default="请{number}号到{window}号窗口"
    )
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "point__region"

    class Meta:
        ordering = ["point_id", "name"]
        verbose_name = _("hall")
        verbose_name_plural = _("halls")

    def __str__(self) -> str:
        return self.name


class TidalRule(models.Model):
    """When more than `waiting_more_than` tickets of `group` wait and all the open windows
    serving it are busy, an open tidal window of the hall serves the group."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="tidal_rules")
    group = models.ForeignKey(
        ItemGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="+"
    )
    waiting_more_than = models.PositiveSmallIntegerField(_("when more than this many wait"))
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "hall__point__region"

    class Meta:
        ordering = ["hall_id", "group_id"]
        verbose_name = _("tidal rule")
        verbose_name_plural = _("tidal rules")
        constraints = [
            models.UniqueConstraint(fields=["hall", "group"], name="hall_one_rule_per_group")
        ]

    def __str__(self) -> str:
        return f"{self.hall} {self.group_id} > {self.waiting_more_than}"


class Window(models.Model):
    """A counter of a hall. It serves its current groups (`groups`), which a manager or a tidal
    rule may switch away from its usual groups (`default_groups`) while it is open."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    default_groups = models.JSONField(_("usual groups"), default=list)
    groups = models.JSONField(_("groups served now"), default=list)
    is_tidal = models.BooleanField(_("tidal window"), default=False)
    is_open = models.BooleanField(_("open"), default=False)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("clerk signed in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    switched_by_rule = models.ForeignKey(
        TidalRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    region_field: ClassVar[str] = "hall__point__region"

    class Meta:
        ordering = ["hall_id", "number"]
        verbose_name = _("window")
        verbose_name_plural = _("windows")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="hall_window_number_once")
        ]

    def __str__(self) -> str:
        return self.name or str(_("Window %d") % self.number)


class WindowEvent(models.Model):
    """A window's log: sign-in, sign-out, switches of its groups."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        CLOSED = "closed", pgettext_lazy("window event", "Closed")
        SWITCHED = "switched", _("Switched")
        REVERTED = "reverted", _("Back to its usual groups")

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    groups = models.JSONField(default=list)
    rule = models.ForeignKey(
        TidalRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["window", "at"], name="hall_window_event_at")]

    def __str__(self) -> str:
        return f"{self.window_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class SessionKind(models.TextChoices):
    REGULAR = "regular", _("Regular hours")
    EARLY = "early", _("Early session (tidal)")
    LATE = "late", _("Late session (tidal)")
    NOON = "noon", _("Noon session (tidal)")
    SATURDAY = "saturday", _("Saturday session (tidal)")


TIDAL_SESSION_KINDS = frozenset(
    {SessionKind.EARLY, SessionKind.LATE, SessionKind.NOON, SessionKind.SATURDAY}
)


class SessionPlan(models.Model):
    """One session of a window's weekly plan, in force from `valid_from` to `valid_until`."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField(
        _("weekday (0 = Monday)"), validators=[MaxValueValidator(6)]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SessionKind.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    region_field: ClassVar[str] = "window__hall__point__region"

    class Meta:
        ordering = ["window_id", "weekday", "starts"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="hall_session_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hall_session_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} {self.weekday} {self.kind} {self.starts:%H:%M}-{self.ends:%H:%M}"


class HallDay(models.Model):
    """An exception to a hall's weekly plan: closed on a day it would open, or open on a public
    holiday (then with the plan of `plan_weekday`)."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    is_open = models.BooleanField(_("open"))
    plan_weekday = models.PositiveSmallIntegerField(
        _("follows the plan of weekday"), null=True, blank=True, validators=[MaxValueValidator(6)]
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["hall_id", "date"]
        verbose_name = _("day of exception")
        verbose_name_plural = _("days of exception")
        constraints = [
            models.UniqueConstraint(fields=["hall", "date"], name="hall_one_exception_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.date} {'open' if self.is_open else 'closed'}"


# --- the queue ------------------------------------------------------------------------------


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHECKED_IN = "checked_in", _("Checked in")
        CANCELLED = "cancelled", _("Cancelled")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="appointments")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    slot_start = models.TimeField(_("slot starts"))
    slot_end = models.TimeField(_("slot ends"))
    group = models.ForeignKey(ItemGroup, on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(_("phone"), max_length=20)
    code = models.CharField(_("booking code"), max_length=8)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)

    region_field: ClassVar[str] = "hall__point__region"

    class Meta:
        ordering = ["day", "slot_start"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "day", "code"], name="hall_appointment_code_once"
            )
        ]
        indexes = [models.Index(fields=["hall", "day", "slot_start"], name="hall_appointment_slot")]

    def __str__(self) -> str:
        return f"{self.day} {self.slot_start:%H:%M} {self.code}"


class QueueCounter(models.Model):
    """The last number given in a group of a hall on a day."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    group = models.ForeignKey(ItemGroup, on_delete=models.PROTECT, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "day", "group"], name="hall_one_counter_per_group_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.day} {self.group_id}: {self.last}"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    EXPIRED = "expired", _("Not called by closing time")


CURRENT_STATUSES = (TicketStatus.CALLED, TicketStatus.SERVING)
FINISHED_STATUSES = frozenset({TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.EXPIRED})


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    PHONE = "phone", _("Phone (QR code)")
    APPOINTMENT = "appointment", _("Appointment")
    COUNTER = "counter", _("Taken by a clerk")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    GREEN = "green", _("Green channel (绿色通道)")


class GreenReason(models.TextChoices):
    ELDERLY = "elderly", _("Aged 70 or over")
    DISABLED = "disabled", _("Disabled")
    PREGNANT = "pregnant", _("Pregnant")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    DONE = "done", _("Done")
    MORE_MATERIALS = "more_materials", _("Needs more materials")
    REFERRED = "referred", _("Referred")


class Rating(models.IntegerChoices):
    """The five levels of Zhejiang's 好差评; the first three count as satisfied (好评)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    BASICALLY_SATISFIED = 3, _("Basically satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


SATISFIED_FROM = 3  # a rating of 3 or more is a good rating (好评)


class Ticket(models.Model):
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets")
    service_day = models.DateField(_("day"))
    number = models.CharField(_("number"), max_length=8)
    sequence = models.PositiveIntegerField()
    # The group whose queue the ticket is in now (a transfer moves it; its number stays).
    group = models.ForeignKey(
        ItemGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="+"
    )
    transferred_from = models.CharField(max_length=2, blank=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.NORMAL
    )
    green_reason = models.CharField(max_length=10, choices=GreenReason.choices, blank=True)
    source = models.CharField(_("taken at"), max_length=12, choices=TicketSource.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # A capability for the resident's phone: see the ticket, rate it.
    key = models.CharField(max_length=32, default=new_key, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    # First come, first served by this moment (the slot start for appointments).
    queue_at = models.DateTimeField()
    appointment_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(_("taken"))
    hour = models.PositiveSmallIntegerField()  # local hour of taking, for KPIs by hour
    first_called_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    window = models.ForeignKey(
        Window,
        verbose_name=_("window"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recalls = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    session_kind = models.CharField(max_length=10, choices=SessionKind.choices, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=Rating.choices, null=True, blank=True
    )
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    region_field: ClassVar[str] = "hall__point__region"

    class Meta:
        ordering = ["-taken_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "service_day", "number"], name="hall_ticket_number_once"
            ),
            # A window has one current ticket at most: calling twice never holds two.
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status__in=["called", "serving"]),
                name="hall_one_current_ticket_per_window",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="hall_ticket_rating_range",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "service_day", "status"], name="hall_ticket_queue"),
            models.Index(fields=["service_day", "hall"], name="hall_ticket_day"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.service_day})"


class HandlingRecord(models.Model):
    """An item handled at a point, from a ticket or recorded at the counter: the network's work
    counted in one place."""

    class Channel(models.TextChoices):
        QUEUE = "queue", _("Hall queue")
        COUNTER = "counter", _("At the counter")

    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="records")
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="record"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField(_("day"))
    hour = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"))
    seconds = models.PositiveIntegerField()
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    session_kind = models.CharField(max_length=10, choices=SessionKind.choices, blank=True)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    region_field: ClassVar[str] = "point__region"

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("handling record")
        verbose_name_plural = _("handling records")
        indexes = [
            models.Index(fields=["point", "day"], name="hall_record_point_day"),
            models.Index(fields=["day"], name="hall_record_day"),
        ]

    def __str__(self) -> str:
        return f"{self.point_id} {self.item_id} {self.started_at:%Y-%m-%d %H:%M}"


# --- daily summaries for the KPIs -------------------------------------------------------------


class Dimension(models.TextChoices):
    TOTAL = "total", _("Total")
    ITEM = "item", _("Item")
    WINDOW = "window", _("Window")
    HOUR = "hour", _("Hour")
    GROUP = "group", _("Group")


class SummaryDay(models.Model):
    """A past day whose summaries are built. A change to that day's tickets or records afterwards
    (a late rating, a record entered late) marks it stale until it is summarised again; KPIs read
    the summaries of built days and aggregate the raw rows of the others."""

    day = models.DateField(primary_key=True)
    stale = models.BooleanField(default=True)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.day} {'stale' if self.stale else 'built'}"


class TicketDayStat(models.Model):
    """Additive queue figures of one hall and day, in total and by item, window, hour, group."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=6, choices=Dimension.choices)
    key = models.CharField(max_length=20, blank=True)
    tickets = models.PositiveIntegerField(default=0)
    called = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    green = models.PositiveIntegerField(default=0)
    appointments = models.PositiveIntegerField(default=0)
    wait_n = models.PositiveIntegerField(default=0)
    wait_sum = models.BigIntegerField(default=0)
    handle_n = models.PositiveIntegerField(default=0)
    handle_sum = models.BigIntegerField(default=0)
    tidal_served = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    ratings_good = models.PositiveIntegerField(default=0)
    ratings_sum = models.PositiveIntegerField(default=0)
    # Waits by whole minute (the last bucket holds the longer ones), total rows only.
    wait_histogram = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "day", "dimension", "key"], name="hall_ticket_stat_once"
            )
        ]
        indexes = [models.Index(fields=["region", "day"], name="hall_ticket_stat_region_day")]

    def __str__(self) -> str:
        return f"{self.hall_id} {self.day} {self.dimension}:{self.key}"


class HandlingDayStat(models.Model):
    """Additive handling figures of a day for an area: the total of each town and point type
    (dimension "total"), and by item and by hour for each town and for the county (`kind`
    empty). A town's rows hold the points whose code starts with its nine digits (the county's
    own points are the "town" of the county code). Roll-ups read these; one point's figures
    come from its records."""

    class Area(models.TextChoices):
        TOWN = "town", _("Town")
        COUNTY = "county", _("County")

    area = models.CharField(max_length=6, choices=Area.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=PointKind.choices, blank=True)
    day = models.DateField()
    dimension = models.CharField(max_length=6, choices=Dimension.choices)
    key = models.CharField(max_length=20, blank=True)
    records = models.PositiveIntegerField(default=0)
    seconds_sum = models.BigIntegerField(default=0)
    tidal = models.PositiveIntegerField(default=0)
    from_queue = models.PositiveIntegerField(default=0)
    more_materials = models.PositiveIntegerField(default=0)
    referred = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "region", "day", "dimension", "kind", "key"],
                name="hall_handling_stat_once",
            ),
        ]
        indexes = [models.Index(fields=["day", "dimension"], name="hall_handling_stat_day")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.kind} {self.day} {self.dimension}:{self.key}"


# --- the ten-minute service circle ------------------------------------------------------------


class TravelModel(models.Model):
    """How travel time is estimated where no routing-engine time is imported: straight-line
    distance × detour factor at a speed; a village is covered within `threshold_minutes`.
    The row in force on a day is the latest whose `valid_from` is not after it."""

    valid_from = models.DateField(_("valid from"), unique=True)
    detour_factor = models.FloatField(_("detour factor"), validators=[MinValueValidator(1.0)])
    speed_kmh = models.FloatField(_("speed (km/h)"), validators=[MinValueValidator(1.0)])
    threshold_minutes = models.FloatField(
        _("service circle (minutes)"), validators=[MinValueValidator(1.0)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("travel model")
        verbose_name_plural = _("travel models")

    def __str__(self) -> str:
        return (
            f"{self.valid_from}: ×{self.detour_factor} @ {self.speed_kmh} km/h,"
            f" {self.threshold_minutes} min"
        )


class TravelTime(models.Model):
    """A travel time from a village to a point, imported from a routing engine."""

    village = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    point = models.ForeignKey(ServicePoint, on_delete=models.CASCADE, related_name="+")
    minutes = models.FloatField()
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village", "point"], name="hall_travel_time_once")
        ]

    def __str__(self) -> str:
        return f"{self.village_id} → {self.point_id}: {self.minutes:.1f} min"
