"""Key projects (党建+项目): projects through their stages, milestones planned backwards from the
production target, problems that become cases, weekly meetings and the reviews (monthly ranking,
quarterly contest, annual evaluation)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    """七个一批 (jiceng/reference/projects.json)."""

    PLANNING = "planning", pgettext_lazy("project stage", "Planning (谋划)")
    NEGOTIATING = "negotiating", pgettext_lazy("project stage", "Negotiating (洽谈)")
    SIGNED = "signed", pgettext_lazy("project stage", "Signed (签约)")
    STARTED = "started", pgettext_lazy("project stage", "Started (开工)")
    BUILDING = "building", pgettext_lazy("project stage", "Building (建设)")
    PRODUCING = "producing", pgettext_lazy("project stage", "Producing (投产)")
    FULL_PRODUCTION = "full_production", pgettext_lazy("project stage", "Full production (达产)")


STAGE_ORDER = [s.value for s in Stage]


class Kind(models.TextChoices):
    INDUSTRIAL = "industrial", _("Industrial")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    VILLAGE_COLLECTIVE = "village_collective", _("Village collective")


class Project(models.Model):
    name = models.CharField(_("name"), max_length=200)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner_enterprise = models.CharField(_("owner enterprise"), max_length=200, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_projects",
    )
    task_force = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("task force"),
        blank=True,
        related_name="task_force_projects",
    )
    planned_investment = models.DecimalField(
        _("planned investment (10,000 yuan)"), max_digits=14, decimal_places=2, default=0
    )
    start_target = models.DateField(_("start target"), null=True, blank=True)
    production_target = models.DateField(_("production target"), null=True, blank=True)
    # The last schedule's verdict: the production target cannot be met (negative float).
    at_risk = models.BooleanField(_("deadline at risk"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        indexes = [models.Index(fields=["region", "stage"])]

    def __str__(self) -> str:
        return self.name


class StageChange(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=20, blank=True)
    to_stage = models.CharField(_("to"), max_length=20)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return str(f"{self.project} {self.from_stage} → {self.to_stage}")

    @property
    def from_label(self) -> str:
        """The stage it left, by name ("" for a project's first stage)."""
        return str(Stage(self.from_stage).label) if self.from_stage in Stage.values else ""

    @property
    def to_label(self) -> str:
        return str(Stage(self.to_stage).label) if self.to_stage in Stage.values else self.to_stage


class MonthlyInvestment(models.Model):
    """Planned and completed investment of one month (10,000 yuan)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="investments")
    month = models.DateField(_("month (first day)"))
    planned = models.DecimalField(_("planned"), max_digits=14, decimal_places=2, default=0)
    completed = models.DecimalField(_("completed"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="projects_investment_month")
        ]

    def __str__(self) -> str:
        return str(f"{self.project} {self.month:%Y-%m}")


class Milestone(models.Model):
    """One milestone of the project's approval chain: working days, predecessors, done date.
    `due_on` is its late finish against the production target (kept when the schedule is
    computed, for the monthly ranking)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveIntegerField(default=0)
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=100)
    duration_days = models.PositiveIntegerField(_("duration (working days)"))
    after = models.JSONField(_("after"), default=list, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    due_on = models.DateField(_("late finish"), null=True, blank=True)

    class Meta:
        ordering = ["project", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="projects_milestone_code")
        ]

    def __str__(self) -> str:
        return self.name


class Problem(models.Model):
    """A problem of a project (问题清单), handled as a case; the member who took it on."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="project_problem"
    )
    category = models.CharField(_("category"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("task-force member"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="project_problems",
    )
    due_at = models.DateTimeField(_("due"), null=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return str(self.title)


class Meeting(models.Model):
    """A weekly dispatch meeting (周例会/调度会) of a region, with its minutes."""

    region = models.ForeignKey("core.Region", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField(_("date"))
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return str(f"{self.region_id} {self.held_on}")


class Decision(models.Model):
    """A decision of a meeting: an assignment with a due date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    text = models.CharField(_("decision"), max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return str(self.text)


class ContestScore(models.Model):
    """One judge's score of one criterion of a project's roadshow in a quarter (季打擂)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="contest_scores")
    year = models.PositiveIntegerField()
    quarter = models.PositiveSmallIntegerField()
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    criterion = models.SlugField(max_length=40)
    score = models.DecimalField(max_digits=6, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "quarter", "judge", "criterion"],
                name="projects_contest_score",
            )
        ]

    def __str__(self) -> str:
        return str(f"{self.project} {self.year}Q{self.quarter} {self.criterion}")


class ReviewSetting(models.Model):
    """Review rules as data (indicators and weights, boards, contest criteria, annual weights),
    loaded from jiceng/reference/projects.json; a county edits them in the admin."""

    key = models.SlugField(unique=True, max_length=40)
    value = models.JSONField()

    def __str__(self) -> str:
        return self.key
