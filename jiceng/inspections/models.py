"""The records of inspections (检查): checklists as data, patrol rounds, inspections of a target
(a gas user site, a shop, a building, a lottery outlet …), their findings item by item and
photos. A failed item is an open finding with a case; a later inspection that passes the item
marks it rectified.

Targets belong to the modules: an inspection names its target by kind and id ("gas_site",
"42") and keeps a label and the target's region for scope and roll-ups; the module that
registered the kind (jiceng/inspections/hooks.py) resolves it."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Region


def _in_english() -> bool:
    return (get_language() or "").startswith("en")


class Severity(models.TextChoices):
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")


class Checklist(models.Model):
    """A checklist (检查表): its items are data the county edits. `deadline_days` says how many
    days a failed item of each severity has to be put right ({"major": 3, "minor": 7})."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    module = models.CharField(_("module"), max_length=20, db_index=True)
    deadline_days = models.JSONField(_("days to rectify"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["module", "code"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the page's language (the English one on English pages, if given)."""
        return self.name_en if self.name_en and _in_english() else self.name


class ChecklistItem(models.Model):
    """One item of a checklist. `category` is a free code the module maps to a case category
    (fire, market, registration, property; a gas hazard kind). An item once answered is never
    deleted, only deactivated."""

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(_("code"), max_length=40)
    text = models.CharField(_("text"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=40, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["checklist", "position", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="inspections_item_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The text in the page's language (the English one on English pages, if given)."""
        return self.text_en if self.text_en and _in_english() else self.text


class Round(models.Model):
    """A patrol round (夜巡夜查): who went, when, along which route, and what they noted; the
    inspections made on the way point at it."""

    kind = models.CharField(_("kind"), max_length=30, default="night_patrol")
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.CharField(_("members"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # [[lat, lon], ...] or place names
    route = models.JSONField(_("route"), default=list, blank=True)
    note = models.TextField(_("findings"), blank=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.started_at:%Y-%m-%d %H:%M}"


class Inspection(models.Model):
    """One inspection of one target against one checklist, every active item answered."""

    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT, related_name="+"
    )
    target_kind = models.CharField(_("target kind"), max_length=30)
    target_id = models.CharField(_("target"), max_length=60)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("inspected"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    round = models.ForeignKey(
        Round,
        verbose_name=_("patrol round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    is_reinspection = models.BooleanField(_("re-inspection"), default=False)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["-inspected_at", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(
                fields=["target_kind", "target_id", "inspected_at"], name="inspections_target"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target_label or self.target_id} @ {self.inspected_at:%Y-%m-%d}"


class Finding(models.Model):
    """The answer to one item. A failed item is open until a later inspection passes it or its
    case closes; `target_kind`/`target_id` repeat the inspection's, so that the open findings
    of a target are one indexed lookup."""

    class Status(models.TextChoices):
        OK = "ok", _("Fine")
        OPEN = "open", _("Open")
        RECTIFIED = "rectified", _("Rectified")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="findings"
    )
    target_kind = models.CharField(max_length=30)
    target_id = models.CharField(max_length=60)
    ok = models.BooleanField(_("fine"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_findings",
    )
    rectified_at = models.DateTimeField(_("rectified"), null=True, blank=True)
    rectified_by = models.ForeignKey(
        Inspection,
        verbose_name=_("rectified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectified_findings",
    )

    class Meta:
        ordering = ["inspection", "item__position", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["target_kind", "status", "target_id"], name="inspections_open"),
        ]

    def __str__(self) -> str:
        return f"{self.item} ({self.get_status_display()})"


class InspectionPhoto(models.Model):
    """A photo taken during an inspection, of the whole or of one item's finding."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="photos"
    )
    token = models.CharField(max_length=40, unique=True)
    file = models.FileField(upload_to="inspections/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.token
