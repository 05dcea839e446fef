"""The records of the youth talent reserve (青苗计划).

- `Step`: the 25 steps of developing a party member (《中国共产党发展党员工作细则》), loaded as
  data from jiceng/reference/party-development.json with their rules and articles, so that an
  administrator adjusts a rule when the text changes.
- `Branch`: a party or youth branch (支部) of a village or community, with its secretary.
- `Talent`: a young person of the reserve, on the core registry's `Person` (ID number sealed and
  masked there). Their current stage, the next deadline and their tags are kept on the record
  (denormalised) so that the pipeline is one GROUP BY.
- `StepRecord`: one step taken, with its date and its facts (mentors, introducers, review result,
  training days and hours, votes).
- `Mentorship`: a mentor (结对导师 or 培养联系人) with start and end.
- `ReservePolicy`, `ReserveCadre`, `ReserveRecord`: the reserve cadres (后备干部) of a village,
  their criteria and target, and their training, practice and evaluations.
- `Platform`, `Activity`, `Participation`: practice platforms (the mediation studio, patrols,
  anti-fraud publicity …) and the volunteer hours their organisers record and certify.
- `Mediation`: a dispute brought to the youth mediation studio, run as a case of the case loop;
  its closing credits hours to its mediators.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stage(models.TextChoices):
    """The stages of jiceng/reference/party-development.json, before and after them."""

    NONE = "none", pgettext_lazy("youth stage", "Not applied")
    APPLICANT = "applicant", pgettext_lazy("youth stage", "Applicant (入党申请人)")
    ACTIVIST = "activist", pgettext_lazy("youth stage", "Activist (入党积极分子)")
    DEVELOPMENT_OBJECT = (
        "development_object",
        pgettext_lazy("youth stage", "Development object (发展对象)"),
    )
    ADMISSION = "admission", pgettext_lazy("youth stage", "Admission (预备党员的接收)")
    PROBATION = "probation", pgettext_lazy("youth stage", "Probationary member (预备党员)")
    MEMBER = "member", pgettext_lazy("youth stage", "Full member (正式党员)")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR_HIGH = "junior_high", _("Junior high school")
    HIGH_SCHOOL = "high_school", _("High school")
    VOCATIONAL = "vocational", _("Vocational school")
    COLLEGE = "college", _("College (大专)")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctorate")


class Background(models.TextChoices):
    RETURNED_GRADUATE = "returned_graduate", _("Returned graduate (返乡大学生)")
    VILLAGER = "villager", _("Villager")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff")
    VETERAN = "veteran", _("Veteran (退役军人)")


class Step(models.Model):
    """One of the 25 steps, with the rules checked when it is recorded (as data)."""

    n = models.PositiveSmallIntegerField(_("number"), unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    name = models.CharField(_("name"), max_length=60)
    rules = models.JSONField(_("rules"), default=list, blank=True)

    class Meta:
        ordering = ["n"]
        verbose_name = _("development step")
        verbose_name_plural = _("development steps")

    def __str__(self) -> str:
        return f"{self.n}. {self.name}"


class Branch(models.Model):
    """A party or youth branch (支部) of a village, community or enterprise, with its secretary."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("secretary"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="youth_branches",
    )

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name


class Talent(models.Model):
    """A young person of the reserve. Stage, next deadline, birth date and tags are copies kept
    here by the services so that the pipeline of a county is one GROUP BY on one table."""

    person = models.OneToOneField(
        "core.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="talent"
    )
    # The village or community the person belongs to (their person record's region at entry).
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    birth_date = models.DateField(_("birth date"))
    education = models.CharField(_("education"), max_length=20, choices=Education.choices)
    background = models.CharField(_("background"), max_length=20, choices=Background.choices)
    skills = models.CharField(_("skills"), max_length=300, blank=True)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="talents",
    )
    # The young person's own account (role youth): they see their own record.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="youth_talent",
    )
    # Tags (致富带头人, 后备干部, 村委委员).
    wealth_leader = models.BooleanField(_("wealth leader (致富带头人)"), default=False)
    reserve_cadre = models.BooleanField(_("reserve cadre (后备干部)"), default=False)
    committee_member = models.BooleanField(_("village committee member (村委委员)"), default=False)
    # Denormalised by the step services.
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.NONE)
    stage_since = models.DateField(_("in stage since"), null=True, blank=True)
    last_step = models.PositiveSmallIntegerField(_("last step"), default=0)
    due_step = models.CharField(_("next deadline's step"), max_length=40, blank=True)
    due_on = models.DateField(_("next deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "id"]
        verbose_name = _("young talent")
        verbose_name_plural = _("young talents")
        indexes = [
            # Covers the pipeline: a scope's range on region, grouped by stage, counting the
            # tags, the young and the overdue without reading the table (bench/youth_funnel.py).
            models.Index(
                fields=[
                    "region",
                    "stage",
                    "birth_date",
                    "reserve_cadre",
                    "wealth_leader",
                    "due_on",
                ],
                name="youth_talent_pipeline",
            ),
            models.Index(fields=["due_on"], name="youth_talent_due"),
        ]

    def __str__(self) -> str:
        return str(self.person)


class StepRecord(models.Model):
    """A step taken on a date, with its facts. `late` marks a step recorded after its deadline."""

    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="steps")
    step = models.ForeignKey(
        Step, verbose_name=_("step"), on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField(_("date"))
    facts = models.JSONField(_("facts"), default=dict, blank=True)
    late = models.BooleanField(_("late"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["talent_id", "on", "step__n", "id"]
        verbose_name = _("step record")
        verbose_name_plural = _("step records")
        indexes = [models.Index(fields=["talent", "on"], name="youth_step_talent_on")]

    def __str__(self) -> str:
        return f"{self.talent_id} · {self.step_id} · {self.on}"


class Mentorship(models.Model):
    """A mentor of a young person: a pairing (结对) or the party's contact person (培养联系人)."""

    class Kind(models.TextChoices):
        PAIRING = "pairing", _("Pairing mentor (结对)")
        CONTACT = "contact", _("Contact person (培养联系人)")

    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="mentorships")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50)
    mentor_person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mentor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="youth_mentorships",
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        ordering = ["talent_id", "start", "id"]
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")

    def __str__(self) -> str:
        return f"{self.name} → {self.talent_id}"


class ReservePolicy(models.Model):
    """Criteria and target of a region's reserve cadres (data; the nearest region up applies)."""

    region = models.OneToOneField(
        "core.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    max_age = models.PositiveSmallIntegerField(_("maximum age"), default=35)
    min_education = models.CharField(
        _("minimum education"), max_length=20, choices=Education.choices, blank=True
    )
    # Reserve cadres each village should have (0: no target).
    target = models.PositiveSmallIntegerField(_("target per village"), default=0)

    region_field: ClassVar[str] = "region"

    class Meta:
        verbose_name = _("reserve-cadre policy")
        verbose_name_plural = _("reserve-cadre policies")

    def __str__(self) -> str:
        return f"{self.region_id}: ≤{self.max_age}"


class ReserveCadre(models.Model):
    """A young person in a village's reserve of cadres (后备干部), from a date until one."""

    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="reserve_terms")
    region = models.ForeignKey(
        "core.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "since", "id"]
        verbose_name = _("reserve cadre")
        verbose_name_plural = _("reserve cadres")

    def __str__(self) -> str:
        return f"{self.talent_id} @ {self.region_id}"


class ReserveRecord(models.Model):
    """A reserve cadre's training, practice post or evaluation."""

    class Kind(models.TextChoices):
        TRAINING = "training", pgettext_lazy("reserve record", "Training")
        PRACTICE = "practice", pgettext_lazy("reserve record", "Practice")
        EVALUATION = "evaluation", pgettext_lazy("reserve record", "Evaluation")

    cadre = models.ForeignKey(ReserveCadre, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)
    result = models.CharField(_("result"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["cadre_id", "on", "id"]
        verbose_name = _("reserve-cadre record")
        verbose_name_plural = _("reserve-cadre records")

    def __str__(self) -> str:
        return f"{self.cadre_id} · {self.kind} · {self.on}"


class Platform(models.Model):
    """A practice platform (实践平台) whose organisers record activities and certify hours."""

    class Kind(models.TextChoices):
        MEDIATION_STUDIO = "mediation_studio", _("Youth mediation studio (青年调解工作室)")
        PATROL = "patrol", _("Patrol (巡逻)")
        ANTI_FRAUD = "anti_fraud", _("Anti-fraud publicity (反诈宣传)")
        OTHER = "other", pgettext_lazy("platform kind", "Other")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisers"),
        blank=True,
        related_name="youth_platforms",
    )
    # A mediation studio: the case loop's department its disputes go to, and the volunteer hours
    # each closed mediation gives each of its mediators.
    department = models.OneToOneField(
        "cases.Department",
        verbose_name=_("case department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="youth_platform",
    )
    hours_per_case = models.DecimalField(
        _("hours per closed mediation"), max_digits=5, decimal_places=1, default=2
    )

    region_field: ClassVar[str] = "region"

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("practice platform")
        verbose_name_plural = _("practice platforms")

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    """A volunteer activity on a platform. Whoever records it certifies the hours
    (民政部令第67号: whoever organises records, whoever records certifies)."""

    platform = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="activities")
    name = models.CharField(_("name"), max_length=200)
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded and certified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    participants: models.ManyToManyField[Talent, Participation] = models.ManyToManyField(
        Talent, through="Participation", related_name="activities"
    )

    region_field: ClassVar[str] = "platform__region"

    class Meta:
        ordering = ["-on", "id"]
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")

    def __str__(self) -> str:
        return f"{self.name} ({self.on})"


class Participation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    talent = models.ForeignKey(Talent, on_delete=models.CASCADE, related_name="participations")
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "talent"], name="youth_participation_once")
        ]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")

    def __str__(self) -> str:
        return f"{self.talent_id} @ {self.activity_id}"


class Mediation(models.Model):
    """A dispute brought to a youth mediation studio: a case of the dispute-mediation category
    handled by the studio's department. Its closing credits each mediator with volunteer hours
    (`activity`); a reopening takes them back."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="youth_mediation"
    )
    studio = models.ForeignKey(Platform, on_delete=models.PROTECT, related_name="mediations")
    mediators = models.ManyToManyField(Talent, related_name="mediations")
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="mediation"
    )

    region_field: ClassVar[str] = "studio__region"

    class Meta:
        ordering = ["-id"]
        verbose_name = _("mediation")
        verbose_name_plural = _("mediations")

    def __str__(self) -> str:
        return f"{self.studio_id} · {self.case_id}"
