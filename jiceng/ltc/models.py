"""Long-term-care insurance (长期护理保险): the insured, applications and their workflow,
assessments by the 2021 national standard, designated care institutions (own and the peer
region's), recognitions of the peer region's assessments, person-status queries and the services
delivered each month.

Region scope: applications, assessments and the insured are in the person's region;
institutions in their own region; recognitions in the region where the person lives here (the
county when that is not known). `jiceng.core.scope` limits every read and write.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Person, Region


class CareMode(models.TextChoices):
    HOME = "home", _("Home care (居家护理)")
    INSTITUTION = "institution", _("Institution care (机构护理)")
    VISIT = "visit", _("Home visits (上门护理)")


class Institution(models.Model):
    """A designated care institution (定点护理机构) of this region."""

    class Status(models.TextChoices):
        DESIGNATED = "designated", _("Designated")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Designation ended")

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    care_modes = models.JSONField(_("care modes"), default=list)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    capacity = models.PositiveIntegerField(_("home-care capacity (persons)"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DESIGNATED
    )
    designated_on = models.DateField(_("designated on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("designated care institution")
        verbose_name_plural = _("designated care institutions")

    def __str__(self) -> str:
        return self.name


class SharedInstitution(models.Model):
    """A designated care institution of a peer region, imported from its signed list (互享)."""

    peer_code = models.CharField(_("peer region"), max_length=6)
    origin_id = models.PositiveIntegerField(_("id in the peer region"))
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    region_code = models.CharField(_("region code"), max_length=15)
    region_name = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    care_modes = models.JSONField(_("care modes"), default=list)
    beds = models.PositiveIntegerField(_("beds"), default=0)
    capacity = models.PositiveIntegerField(_("home-care capacity (persons)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=Institution.Status.choices)
    listed = models.BooleanField(_("in the latest list"), default=True)
    imported_at = models.DateTimeField(_("imported"))

    class Meta:
        ordering = ["peer_code", "region_code", "name"]
        verbose_name = _("peer region's care institution")
        verbose_name_plural = _("peer region's care institutions")
        constraints = [
            models.UniqueConstraint(fields=["peer_code", "origin_id"], name="ltc_shared_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.peer_code})"


class InsuredPerson(models.Model):
    """A person insured by this region's long-term-care insurance, with their care arrangement.

    `residence_code` is where they live when that is outside this county (a region of the peer),
    so that they may choose the peer's institutions."""

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="ltc_insured"
    )
    insured_since = models.DateField(_("insured since"))
    active = models.BooleanField(_("insured"), default=True)
    residence_code = models.CharField(_("lives in (region code)"), max_length=15, blank=True)
    residence_name = models.CharField(_("lives in"), max_length=100, blank=True)
    care_mode = models.CharField(
        _("care mode"), max_length=12, choices=CareMode.choices, blank=True
    )
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("care institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="insured",
    )
    shared_institution = models.ForeignKey(
        SharedInstitution,
        verbose_name=_("care institution of the peer region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="insured",
    )

    region_field: ClassVar[str] = "person__region"

    class Meta:
        verbose_name = _("insured person")
        verbose_name_plural = _("insured persons")
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=True) | Q(shared_institution__isnull=True),
                name="ltc_insured_one_institution",
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class Assessment(models.Model):
    """One assessment of a person by the standard: the 17 scores and what they give."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="ltc_assessments"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        "Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    standard = models.CharField(_("standard"), max_length=10)
    scores = models.JSONField(_("scores"))
    adl_total = models.PositiveSmallIntegerField(_("ADL score"))
    cognition_total = models.PositiveSmallIntegerField(_("cognition score"))
    sensory_total = models.PositiveSmallIntegerField(_("sensory and communication score"))
    adl_grade = models.CharField(_("ADL grade"), max_length=10)
    cognition_grade = models.CharField(_("cognition grade"), max_length=10)
    sensory_grade = models.CharField(_("sensory and communication grade"), max_length=10)
    level = models.PositiveSmallIntegerField(_("level"))
    assessed_on = models.DateField(_("assessed on"))
    assessor = models.CharField(_("assessor"), max_length=100)
    institution = models.CharField(_("assessing institution"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"))
    reviewer = models.CharField(_("reviewed by"), max_length=100, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The client's Idempotency-Key (API) or the form's key: a retry returns the first record.
    intake_key = models.CharField(max_length=100, blank=True, editable=False)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        indexes = [models.Index(fields=["person", "superseded_at"], name="ltc_assessment_current")]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "intake_key"],
                condition=~Q(intake_key=""),
                name="ltc_assessment_intake_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.level} · {self.assessed_on}"

    @property
    def grades(self) -> dict[str, str]:
        return {
            "adl": self.adl_grade,
            "cognition": self.cognition_grade,
            "sensory": self.sensory_grade,
        }


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACCEPTED = "accepted", _("Accepted")
    ASSIGNED = "assigned", _("Assessors assigned")
    ASSESSED = "assessed", _("Assessed")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published (公示)")
    APPEALED = "appealed", _("Appealed")
    EFFECTIVE = "effective", _("Effective")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """An application for long-term-care benefits, from the request to the effective level."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    care_mode = models.CharField(_("care mode asked for"), max_length=12, choices=CareMode.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.APPLIED,
    )
    applied_at = models.DateTimeField(_("applied at"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    assessor = models.CharField(_("assessor"), max_length=100, blank=True)
    second_assessor = models.CharField(_("second assessor (reviewer)"), max_length=100, blank=True)
    assessment_institution = models.CharField(
        _("assessing institution"), max_length=200, blank=True
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publication_starts = models.DateField(_("publication starts"), null=True, blank=True)
    publication_ends = models.DateField(_("publication ends"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    appeal_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("appeal case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("care insurance application")
        verbose_name_plural = _("care insurance applications")
        indexes = [models.Index(fields=["status", "region"], name="ltc_application_status")]

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(models.Model):
    """One step of an application, in order: who did what and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.action}"


class Recognition(models.Model):
    """A peer region's assessment recognised here (互认): the person is eligible without a new
    assessment while it is valid. A superseding assessment shared later replaces it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Recognised")
        REPLACED = "replaced", _("Replaced by a later assessment")

    origin_region = models.CharField(_("origin region"), max_length=6)
    origin_id = models.PositiveIntegerField(_("assessment id in the origin region"))
    id_digest = models.CharField(max_length=64, editable=False)
    id_sealed = models.CharField(max_length=80, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    name = models.CharField(_("name"), max_length=50)
    level = models.PositiveSmallIntegerField(_("level"))
    grades = models.JSONField(_("grades"), default=dict)
    assessed_on = models.DateField(_("assessed on"))
    valid_until = models.DateField(_("valid until"))
    assessor = models.CharField(_("assessor"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    received_at = models.DateTimeField(_("received at"))
    nonce = models.CharField(max_length=64, blank=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("recognised assessment")
        verbose_name_plural = _("recognised assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["origin_region", "origin_id"], name="ltc_recognition_once"
            )
        ]
        indexes = [models.Index(fields=["id_digest", "status"], name="ltc_recognition_person")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked}) · {self.origin_region}"


class StatusQuery(models.Model):
    """A person-status query (互通), asked of a peer or answered for one: the audit of who asked
    what about whom, and which fields the answer held."""

    class Direction(models.TextChoices):
        OUT = "out", _("Asked of the peer")
        IN = "in", _("Answered for the peer")

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    peer_code = models.CharField(_("peer region"), max_length=6)
    id_digest = models.CharField(max_length=64, editable=False)
    id_masked = models.CharField(_("ID number"), max_length=18)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    fields = models.JSONField(_("fields answered"), default=list)
    answer = models.JSONField(_("answer"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("person-status query")
        verbose_name_plural = _("person-status queries")

    def __str__(self) -> str:
        return f"{self.direction} {self.peer_code} {self.id_masked}"


class AssessmentShare(models.Model):
    """An assessment sent to a peer region (互认): who sent which, when, and what came back."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="shares"
    )
    peer_code = models.CharField(_("peer region"), max_length=6)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    recognition_id = models.PositiveIntegerField(_("recognition in the peer region"), null=True)
    outcome = models.CharField(_("outcome"), max_length=200)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("assessment shared")
        verbose_name_plural = _("assessments shared")

    def __str__(self) -> str:
        return f"{self.assessment_id} → {self.peer_code}"


class ServiceRecord(models.Model):
    """Care delivered to one person by one institution in one month, with its amount.

    The person is insured here (`insured`) or recognised from a peer (`recognition`); the
    institution is one of ours or the peer's. Across the border (`peer_code` set) the record
    enters the monthly settlement statement between the two bureaus."""

    month = models.DateField(_("month"))  # the first day of the month
    care_mode = models.CharField(_("care mode"), max_length=12, choices=CareMode.choices)
    units = models.PositiveSmallIntegerField(_("days or visits"))
    unit = models.CharField(_("unit"), max_length=8)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    level = models.PositiveSmallIntegerField(_("level"))
    insured = models.ForeignKey(
        InsuredPerson, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    recognition = models.ForeignKey(
        Recognition, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    shared_institution = models.ForeignKey(
        SharedInstitution, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    peer_code = models.CharField(_("settled with"), max_length=6, blank=True)
    subject_key = models.CharField(max_length=20, editable=False)
    provider_key = models.CharField(max_length=20, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("care service record")
        verbose_name_plural = _("care service records")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "care_mode", "subject_key", "provider_key"],
                name="ltc_service_once_a_month",
            ),
            models.CheckConstraint(
                condition=(Q(insured__isnull=True) ^ Q(recognition__isnull=True))
                & (Q(institution__isnull=True) ^ Q(shared_institution__isnull=True)),
                name="ltc_service_one_subject_one_provider",
            ),
        ]
        indexes = [models.Index(fields=["peer_code", "month"], name="ltc_service_settlement")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.subject_key} {self.provider_key}"
