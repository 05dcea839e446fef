"""The case loop (问题销号): categories and departments as data, cases and their timeline."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Organisation, Region


class CalendarDay(models.Model):
    """An exception to the working week: a public holiday on a weekday, or a make-up working day
    (调休上班) on a weekend. Loaded per year from reference data."""

    date = models.DateField(_("date"), primary_key=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Department(models.Model):
    """A body that handles cases: a town's 综合执法队, the county 医保中心, a gas company."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    # The kind of body (e.g. "enforcement", "fire"); routes name a kind, not a department.
    kind = models.SlugField(_("kind"), max_length=40)
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
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="departments"
    )
    is_active = models.BooleanField(_("active"), default=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind"], name="one_department_kind_per_region"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What a case is about, with its deadlines and routing (an Open311 service)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    group = models.CharField(_("group"), max_length=60)
    group_en = models.CharField(_("English group"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    accept_hours = models.PositiveIntegerField(_("accept within (working hours)"), default=4)
    resolve_days = models.PositiveIntegerField(_("resolve within (working days)"), default=5)
    needs_reporter_confirmation = models.BooleanField(
        _("closing needs the reporter's confirmation"), default=False
    )
    # Escalation rule: an overdue case climbs one level (grid/village → town → county) after
    # this many working hours past its deadline, up to `escalate_up_to`.
    escalate_after_hours = models.PositiveIntegerField(
        _("escalate after (working hours overdue)"), default=0
    )
    escalate_up_to = models.CharField(_("escalate up to level"), max_length=10, default="county")
    is_active = models.BooleanField(_("active"), default=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    # Cases about one person's own affairs (care, insurance, disputes) are left out of the
    # keyless Open311 view; a signed-in caller still sees them within their scope.
    public = models.BooleanField(_("shown in the public Open311 view"), default=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class CategoryRoute(models.Model):
    """Which kind of department handles a category at a region level (area → body → category)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    level = models.CharField(_("region level"), max_length=10)
    department_kind = models.SlugField(_("department kind"), max_length=40)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        constraints = [
            models.UniqueConstraint(fields=["category", "level"], name="one_route_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}@{self.level} → {self.department_kind}"


class CategoryAttribute(models.Model):
    """An extra question a category asks (an Open311 service-definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Text (one line)")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Text")
        SINGLEVALUELIST = "singlevaluelist", _("One of a list")
        MULTIVALUELIST = "multivaluelist", _("Several of a list")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(_("code"), max_length=40)
    description = models.CharField(_("question"), max_length=200)
    description_en = models.CharField(_("English question"), max_length=200, blank=True)
    datatype = models.CharField(_("type"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # For list types: [{"key": "...", "name": "...", "name_en": "..."}]
    values = models.JSONField(_("values"), default=list, blank=True)

    class Meta:
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="one_attribute_code_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category.code}.{self.code}"


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned by department")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, awaiting verification")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed (销号)")
    MERGED = "merged", _("Merged as duplicate")


CLOSED_STATUSES = frozenset({Status.CLOSED, Status.MERGED})
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)


class Source(models.TextChoices):
    GRID_WORKER = "grid", _("Grid worker")
    RESIDENT = "resident", _("Resident")
    HOTLINE = "hotline", _("Hotline 12345")
    INSPECTION = "inspection", _("Inspection")
    MODULE = "module", _("Another module")
    API = "api", _("API / Open311")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved and verified")
    DISMISSED = "dismissed", _("Dismissed")
    MERGED = "merged", _("Merged as duplicate")


class Case(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True)
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    # The region whose officers own the case now: the case's town at first, the county after
    # an escalation. Scope still follows `region`; escalation adds who is notified and ranked.
    owner_region = models.ForeignKey(
        Region, verbose_name=_("responsible region"), on_delete=models.PROTECT, related_name="+"
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"))
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REPORTED
    )
    is_open = models.BooleanField(default=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("handling department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=30, blank=True)
    reporter_email = models.CharField(_("reporter e-mail"), max_length=200, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    reported_at = models.DateTimeField(_("reported"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    accept_deadline = models.DateTimeField(_("accept by"))
    resolve_deadline = models.DateTimeField(_("resolve by"), null=True, blank=True)
    # The running clock, for colours and escalation: when the current deadline started, when it
    # turns yellow (80 % used) and when it is due. Null once the case is closed or suspended.
    clock_started_at = models.DateTimeField(null=True, blank=True)
    clock_yellow_at = models.DateTimeField(null=True, blank=True)
    clock_due_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)
    suspended_from = models.CharField(max_length=12, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_on_time = models.BooleanField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    reporter_confirmed = models.BooleanField(_("reporter confirmed"), default=False)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["region", "reported_at"], name="case_region_reported"),
            models.Index(fields=["department", "is_open", "clock_due_at"], name="case_dept_inbox"),
            models.Index(
                fields=["owner_region", "is_open", "clock_due_at"], name="case_owner_inbox"
            ),
            models.Index(fields=["is_open", "clock_due_at"], name="case_open_due"),
            # Covering (on PostgreSQL) for the monthly scorecards: a month's rows are read from
            # the index alone.
            models.Index(
                fields=["reported_at"], include=["region", "department"], name="case_reported_cover"
            ),
            models.Index(
                fields=["closed_at"],
                include=[
                    "region",
                    "department",
                    "outcome",
                    "resolved_on_time",
                    "reported_at",
                    "reopen_count",
                    "satisfaction",
                ],
                name="case_closed_cover",
            ),
            models.Index(fields=["category", "reported_at"], name="case_category_reported"),
            models.Index(fields=["updated_at"], name="case_updated"),
        ]

    def __str__(self) -> str:
        return self.number


class EventKind(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned")
    STARTED = "started", _("Started")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by reporter")
    VERIFIED = "verified", _("Verified and closed")
    VERIFICATION_FAILED = "verification_failed", _("Verification failed")
    REOPENED = "reopened", _("Reopened")
    ESCALATED = "escalated", _("Escalated")
    SUSPENDED = "suspended", _("Suspended")
    RESUMED = "resumed", _("Resumed")
    MERGED = "merged", _("Merged as duplicate")
    COMMENTED = "commented", _("Commented")
    RATED = "rated", _("Rated")


class CaseEvent(models.Model):
    """One immutable step of a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("step"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Timeline entries are immutable.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def photo_path(instance: CasePhoto, filename: str) -> str:
    return (
        f"cases/{instance.case.year}/{instance.case.number}/{instance.token}.{instance.extension}"
    )


class CasePhoto(models.Model):
    class Kind(models.TextChoices):
        BEFORE = "before", _("When reported")
        AFTER = "after", _("After handling")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=5)
    file = models.FileField(upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.token}.{self.extension}"


class IntakeKey(models.Model):
    """An Idempotency-Key a client sent with a create: a retried create returns the first case."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="intake_key_once")]

    def __str__(self) -> str:
        return self.key


class CaseCounter(models.Model):
    """The last case sequence number per county and year."""

    county_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "year"], name="one_counter_per_county_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county_code}-{self.year}: {self.last}"


class Notification(models.Model):
    """An in-app notice to a user about a case."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text
