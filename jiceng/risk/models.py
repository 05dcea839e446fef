"""Rule-based colours (三色码): rule sets with dated rules, the current colour of each subject
and the history of its changes. The engine knows subjects only by a scheme and an integer id;
what a subject is (a gas user site, an e-bike charging shed) is its module's business."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


# Worst first: a subject takes the colour of the worst rule that holds.
SEVERITY = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


class ConditionKind(models.TextChoices):
    # The fact (a date) lies before as_of + days.
    DATE_BEFORE = "date_before", _("date before")
    # The fact (a date) is missing or lies before as_of + days (days is usually negative).
    DATE_MISSING_OR_BEFORE = "date_missing_or_before", _("date missing or before")
    # The fact (a count) is at least `min`.
    COUNT_AT_LEAST = "count_at_least", _("count at least")


class RuleSet(models.Model):
    """The rules of one scheme, e.g. "gas-site" for the colours of gas user sites."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """One condition that gives a colour, valid from one date to another (both as data)."""

    ruleset = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules")
    code = models.SlugField(_("code"), max_length=60)
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)
    kind = models.CharField(_("condition"), max_length=30, choices=ConditionKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    reason = models.CharField(_("reason"), max_length=200)
    reason_en = models.CharField(_("English reason"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until (exclusive)"), null=True, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ruleset_id", "order", "code", "effective_from"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(
                fields=["ruleset", "code", "effective_from"], name="risk_rule_once_per_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ruleset.code}:{self.code} → {self.colour}"


class SubjectColour(models.Model):
    """The current colour of a subject, with its reasons."""

    scheme = models.SlugField(_("scheme"), max_length=40)
    subject = models.BigIntegerField(_("subject"))
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)
    # [{"rule": code, "text": zh, "text_en": en, "value": "2026-01-02"}, ...]
    reasons = models.JSONField(_("reasons"), default=list)
    since = models.DateTimeField(_("colour since"))
    evaluated_at = models.DateTimeField(_("evaluated"))

    class Meta:
        verbose_name = _("subject colour")
        verbose_name_plural = _("subject colours")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "subject"], name="risk_colour_once")
        ]
        indexes = [models.Index(fields=["scheme", "colour"], name="risk_colour_by_colour")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.subject} {self.colour}"


class ColourChange(models.Model):
    """A change of a subject's colour (only changes are kept, not every evaluation)."""

    scheme = models.SlugField(_("scheme"), max_length=40)
    subject = models.BigIntegerField(_("subject"))
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)
    previous = models.CharField(_("previous colour"), max_length=10, blank=True)
    reasons = models.JSONField(_("reasons"), default=list)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["scheme", "subject", "-at", "-id"]
        verbose_name = _("colour change")
        verbose_name_plural = _("colour changes")
        indexes = [models.Index(fields=["scheme", "subject", "at"], name="risk_change_subject")]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.subject} {self.previous}→{self.colour} @ {self.at:%Y-%m-%d}"
