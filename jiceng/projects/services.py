"""Writes of the key-project module: projects and their stages, milestones (planned backwards from
the production target), problems reported as cases, meetings and their decisions, contest scores.
Everything is validated before anything is written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.cases.services.intake import case_report
from jiceng.core.errors import Changed, Refused
from jiceng.core.models import Region
from jiceng.core.scope import code_in_scope, code_within
from jiceng.core.transitions import StateMachine, Transition, transition_check
from jiceng.planning.schedule import ScheduleError, cpm
from jiceng.projects import access
from jiceng.projects.models import (
    STAGE_ORDER,
    ContestScore,
    Decision,
    Kind,
    Meeting,
    Milestone,
    MonthlyInvestment,
    Problem,
    Project,
    Stage,
    StageChange,
)
from jiceng.projects.reference_data import default_chain, problem_category_codes
from jiceng.projects.workdays import workdays_around

if TYPE_CHECKING:
    from jiceng.cases.models import Case
    from jiceng.core.models import User

MAX_MILESTONES = 200


class ProjectRefused(Refused):
    pass


class ProjectChanged(Changed):
    pass


def _next_stage(project: Project) -> str:
    return STAGE_ORDER[STAGE_ORDER.index(project.stage) + 1]


def _previous_stage(project: Project) -> str:
    return STAGE_ORDER[STAGE_ORDER.index(project.stage) - 1]


STAGE_MACHINE: StateMachine[Project] = StateMachine(
    "projects.stage",
    [
        Transition(
            "advance",
            set(STAGE_ORDER[:-1]),
            _next_stage,
            access.stage_who,
            label=gettext_lazy("move to the next stage"),
        ),
        Transition(
            "revert",
            set(STAGE_ORDER[1:]),
            _previous_stage,
            access.stage_who,
            label=gettext_lazy("move back a stage"),
        ),
    ],
    field="stage",
    refused=ProjectRefused,
    refused_message=gettext_lazy("Cannot %(action)s: the project is at %(status)s."),
    denied_message=gettext_lazy("Only the region's office and the project's lead may do this."),
)


def _text(value: str, *, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("NUL characters are not allowed.")})
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %d characters.") % limit})
    return value


def project_create(
    *,
    actor: User,
    name: str,
    stage: str,
    region_code: str,
    kind: str,
    production_target: date | None = None,
    start_target: date | None = None,
    owner_enterprise: str = "",
    planned_investment: Decimal | int = 0,
    lead: User | None = None,
    task_force: Sequence[User] = (),
    chain: list[dict[str, Any]] | None = None,
    today: date | None = None,
) -> Project:
    """A project with the default approval chain as its milestones, planned backwards from the
    production target."""
    name = _text(name, field="name", limit=200, required=True)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage: %s") % stage})
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind: %s") % kind})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region: %s") % region_code})
    if not access.is_office(actor, region.code):
        raise PermissionDenied(_("Only the region's office may create projects."))
    if production_target and start_target and start_target > production_target:
        raise ValidationError({"start_target": _("The start target is after production.")})
    with transaction.atomic():
        project = Project.objects.create(
            name=name,
            stage=stage,
            region=region,
            kind=kind,
            owner_enterprise=_text(owner_enterprise, field="owner_enterprise", limit=200),
            planned_investment=Decimal(planned_investment),
            lead=lead,
            start_target=start_target,
            production_target=production_target,
        )
        if task_force:
            project.task_force.set(task_force)
        StageChange.objects.create(
            project=project,
            from_stage="",
            to_stage=stage,
            on=today or timezone.localdate(),
            by=actor,
        )
        _milestones_store(project, chain if chain is not None else default_chain(), today=today)
    return project


def project_stage_change(
    *,
    actor: User,
    project_id: int,
    action: str,
    expected_version: int | None = None,
    on: date | None = None,
) -> Project:
    """Move a project a stage forwards ("advance") or back ("revert"), with the date and who."""
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=project_id).first()
        if project is None or not access.may_see(actor, project):
            raise Project.DoesNotExist(_("No such project."))
        if expected_version is not None and project.version != expected_version:
            raise ProjectChanged(_("The project was changed meanwhile; reload and try again."))
        rule = transition_check(STAGE_MACHINE, project, action, actor)
        previous = project.stage
        project.stage = rule.target_for(project, previous)
        project.version += 1
        project.save(update_fields=["stage", "version"])
        StageChange.objects.create(
            project=project,
            from_stage=previous,
            to_stage=project.stage,
            on=on or timezone.localdate(),
            by=actor,
        )
    return project


PROJECT_FIELDS = (
    "name",
    "region",
    "kind",
    "owner_enterprise",
    "lead",
    "start_target",
    "production_target",
)


def project_update(
    *,
    actor: User,
    project_id: int,
    expected_version: int,
    name: str,
    region_code: str,
    kind: str,
    owner_enterprise: str = "",
    lead: User | None = None,
    start_target: date | None = None,
    production_target: date | None = None,
    today: date | None = None,
) -> Project:
    """Change a project's name, region, kind, owner, lead and target dates (its stage moves
    through `project_stage_change`); the schedule is computed again for the new target."""
    name = _text(name, field="name", limit=200, required=True)
    owner_enterprise = _text(owner_enterprise, field="owner_enterprise", limit=200)
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind: %s") % kind})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region: %s") % region_code})
    if production_target and start_target and start_target > production_target:
        raise ValidationError({"start_target": _("The start target is after production.")})
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=project_id).first()
        if project is None or not access.may_see(actor, project):
            raise Project.DoesNotExist(_("No such project."))
        if not access.may_manage(actor, project):
            raise PermissionDenied(
                _("Only the region's office and the project's lead may do this.")
            )
        if region.code != project.region_id and not access.is_office(actor, region.code):
            raise ValidationError({"region": _("Not a region of your scope.")})
        if project.version != expected_version:
            raise ProjectChanged(_("The project was changed meanwhile; reload and try again."))
        project.name = name
        project.region = region
        project.kind = kind
        project.owner_enterprise = owner_enterprise
        project.lead = lead
        project.start_target = start_target
        project.production_target = production_target
        project.version += 1
        project.save(update_fields=[*PROJECT_FIELDS, "version"])
        schedule_refresh(project, today=today)
    return project


def investment_record(
    *, actor: User, project: Project, month: date, planned: Decimal, completed: Decimal
) -> MonthlyInvestment:
    if not access.may_manage(actor, project):
        raise PermissionDenied(_("Only the region's office and the project's lead may do this."))
    if planned < 0 or completed < 0:
        raise ValidationError({"investment": _("Investment cannot be negative.")})
    row, _created = MonthlyInvestment.objects.update_or_create(
        project=project,
        month=month.replace(day=1),
        defaults={"planned": planned, "completed": completed},
    )
    return row


def task_force_add(*, actor: User, project: Project, username: str) -> User:
    """Put a user of the project's region on its task force (突击队)."""
    from jiceng.core.models import User as UserModel

    if not access.may_manage(actor, project):
        raise PermissionDenied(_("Only the region's office and the project's lead may do this."))
    member = UserModel.objects.filter(username=username, is_active=True).first()
    if member is None or not (
        code_in_scope(member, project.region_id)
        or (member.region_id and code_within(member.region_id, project.region_id))
    ):
        raise ValidationError({"username": _("No user of the project's region: %s") % username})
    project.task_force.add(member)
    return member


# --- milestones ------------------------------------------------------------------------------


def milestones_check(items: list[dict[str, Any]], *, today: date) -> list[dict[str, Any]]:
    """Milestones as given, checked: codes unique, durations not negative, predecessors known and
    without cycles, done dates not in the future nor before a predecessor's done date. A
    ValidationError names the milestone (its code) at fault."""
    if len(items) > MAX_MILESTONES:
        raise ValidationError({"milestones": _("At most %d milestones.") % MAX_MILESTONES})
    clean: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in items:
        code = _text(str(item.get("code", "")), field="code", limit=50, required=True)
        if code in seen:
            raise ValidationError({code: _("Milestone %s is given twice.") % code})
        seen.add(code)
        duration = item.get("duration_days")
        if not isinstance(duration, int) or duration < 0:
            raise ValidationError(
                {code: _("Milestone %s: the duration must be 0 or more working days.") % code}
            )
        done_on = item.get("done_on")
        if done_on is not None and done_on > today:
            raise ValidationError({code: _("Milestone %s: the done date is in the future.") % code})
        clean.append(
            {
                "code": code,
                "name": _text(str(item.get("name") or code), field=code, limit=100),
                "duration_days": duration,
                "after": [str(a) for a in item.get("after") or []],
                "done_on": done_on,
            }
        )
    by_code = {m["code"]: m for m in clean}
    for m in clean:
        for predecessor in m["after"]:
            before = by_code.get(predecessor)
            if before is None:
                continue  # named by cpm below
            if m["done_on"] and before["done_on"] and m["done_on"] < before["done_on"]:
                raise ValidationError(
                    {
                        m["code"]: _(
                            "Milestone %(m)s is done on %(d)s, before %(p)s (done on %(pd)s)."
                        )
                        % {
                            "m": m["code"],
                            "d": m["done_on"],
                            "p": predecessor,
                            "pd": before["done_on"],
                        }
                    }
                )
    try:
        cpm([{"id": m["code"], "duration": m["duration_days"], "after": m["after"]} for m in clean])
    except ScheduleError as error:
        if error.cycle:
            message = _("Milestone %(m)s is in a dependency cycle: %(c)s.") % {
                "m": error.task,
                "c": " → ".join(str(c) for c in [*error.cycle, error.cycle[0]]),
            }
        else:
            message = _("Milestone %(m)s: %(e)s") % {"m": error.task, "e": error}
        raise ValidationError({str(error.task): message}) from None
    return clean


def milestones_replace(
    *, actor: User, project_id: int, items: list[dict[str, Any]], today: date | None = None
) -> Project:
    """Replace the project's milestones (add, remove, durations, dependencies, done dates)."""
    today = today or timezone.localdate()
    project = Project.objects.filter(pk=project_id).select_related("region").first()
    if project is None or not access.may_see(actor, project):
        raise Project.DoesNotExist(_("No such project."))
    if not access.may_manage(actor, project):
        raise PermissionDenied(_("Only the region's office and the project's lead may do this."))
    clean = milestones_check(items, today=today)
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).first()
        project.milestones.all().delete()
        _milestones_store(project, clean, today=today)
        Project.objects.filter(pk=project.pk).update(version=project.version + 1)
    project.refresh_from_db()
    return project


def _milestones_store(project: Project, items: list[dict[str, Any]], *, today: date | None) -> None:
    Milestone.objects.bulk_create(
        Milestone(
            project=project,
            order=i,
            code=m["code"],
            name=m["name"],
            duration_days=m["duration_days"],
            after=m["after"],
            done_on=m.get("done_on"),
        )
        for i, m in enumerate(items)
    )
    schedule_refresh(project, today=today)


def project_schedule(project: Project, *, today: date | None = None) -> dict[str, Any]:
    """The project's schedule (a read, computed): early dates forwards from today and from done
    milestones, late dates backwards from the production target, float in working days."""
    today = today or timezone.localdate()
    milestones = list(project.milestones.all())
    deadline = project.production_target
    if not milestones:
        return {"deadline": deadline, "feasible": True, "milestones": []}
    anchors = [today] + [m.done_on for m in milestones if m.done_on]
    if deadline:
        anchors.append(deadline)
    workdays = workdays_around(min(anchors), max(anchors))
    result = cpm(
        [
            {"id": m.code, "duration": m.duration_days, "after": m.after, "done": m.done_on}
            for m in milestones
        ],
        start=today,
        deadline=deadline,
        workdays=workdays,
    )
    week_end = date.fromordinal(today.toordinal() + 6 - today.weekday())
    rows = []
    for m in milestones:
        r = result[m.code]
        if m.done_on:
            status = "done"
        elif deadline and r["late_start"] < today:
            status = "late"
        elif deadline and r["late_start"] <= week_end:
            status = "start_this_week"
        else:
            status = "on_track"
        rows.append(
            {
                "code": m.code,
                "name": m.name,
                "duration_days": m.duration_days,
                "after": m.after,
                "done_on": m.done_on,
                "early_start": r["early_start"],
                "early_finish": r["early_finish"],
                "late_start": r["late_start"] if deadline else None,
                "late_finish": r["late_finish"] if deadline else None,
                "float_days": r["float"] if deadline else None,
                "critical": r["critical"] and not m.done_on,
                "status": status,
            }
        )
    feasible = result.feasible if deadline else True
    if deadline:
        # Done milestones have no float left to lose: feasibility is about what remains.
        feasible = all(r["float_days"] >= 0 for r in rows if not r["done_on"])
    return {"deadline": deadline, "feasible": feasible, "milestones": rows}


def schedule_refresh(project: Project, *, today: date | None = None) -> dict[str, Any]:
    """Compute the schedule and keep its verdict: each milestone's late finish (`due_on`) and
    the project's `at_risk` flag."""
    schedule = project_schedule(project, today=today)
    due = {r["code"]: r["late_finish"] for r in schedule["milestones"]}
    for m in project.milestones.all():
        if m.due_on != due.get(m.code):
            Milestone.objects.filter(pk=m.pk).update(due_on=due.get(m.code))
    at_risk = not schedule["feasible"]
    if project.at_risk != at_risk:
        Project.objects.filter(pk=project.pk).update(at_risk=at_risk)
        project.at_risk = at_risk
    return schedule


# --- problems -> cases -----------------------------------------------------------------------


def problem_report(
    *,
    actor: User,
    project_id: int,
    title: str,
    category: str,
    description: str = "",
    member: User | None = None,
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Problem:
    """A problem of the project, taken in as a case of its category (routed to a department,
    with the case loop's deadlines); the member who takes it on is recorded (the reporter if
    they are on the task force)."""
    project = Project.objects.filter(pk=project_id).select_related("region").first()
    if project is None or not access.may_see(actor, project):
        raise Project.DoesNotExist(_("No such project."))
    if not access.may_report_problem(actor, project):
        raise PermissionDenied(_("Only the project's office, lead and task force may do this."))
    title = _text(title, field="title", limit=200, required=True)
    description = _text(description, field="description", limit=2000)
    if category not in problem_category_codes():
        raise ValidationError({"category": _("Unknown category: %s") % category})
    if member is None and access.is_member(actor, project):
        member = actor
    if member is not None and not access.is_member(member, project):
        raise ValidationError({"member": _("Not a member of the project's task force.")})
    with transaction.atomic():
        case = case_report(
            actor=actor,
            category=category,
            description=f"【{project.name}】{title}" + (f"\n{description}" if description else ""),
            region_code=project.region_id,
            source_ref=f"project:{project.pk}",
            idempotency_key=idempotency_key,
            at=at,
        )
        existing = Problem.objects.filter(case=case).first()
        if existing is not None:
            return existing
        return Problem.objects.create(
            project=project,
            case=case,
            category=category,
            title=title,
            member=member,
            due_at=case.resolve_deadline or case.accept_deadline,
        )


def problem_case_closed(case: Case) -> None:
    """The case of a project problem closed (registered in apps.ready)."""
    Problem.objects.filter(case=case).update(
        closed_at=case.closed_at or timezone.now(),
        due_at=case.resolve_deadline or case.accept_deadline,
    )


def problem_case_reopened(case: Case) -> None:
    Problem.objects.filter(case=case).update(closed_at=None)


# --- meetings --------------------------------------------------------------------------------


def meeting_record(
    *,
    actor: User,
    region_code: str,
    held_on: date,
    minutes: str,
    decisions: Sequence[dict[str, Any]] = (),
) -> Meeting:
    """The minutes of a weekly meeting; each decision becomes an assignment with a due date."""
    if not access.is_office(actor, region_code):
        raise PermissionDenied(_("Only the region's office may record meetings."))
    minutes = _text(minutes, field="minutes", limit=20000)
    rows = []
    for i, d in enumerate(decisions):
        text = _text(d.get("text", ""), field=f"decisions.{i}.text", limit=500, required=True)
        due_on = d.get("due_on")
        if not isinstance(due_on, date) or due_on < held_on:
            raise ValidationError({f"decisions.{i}.due_on": _("Due on or after the meeting.")})
        project = d.get("project")
        if project is not None and not code_in_scope(actor, project.region_id):
            raise ValidationError({f"decisions.{i}.project": _("Not a project of your region.")})
        rows.append((text, due_on, project, d.get("assignee")))
    with transaction.atomic():
        meeting = Meeting.objects.create(
            region_id=region_code, held_on=held_on, minutes=minutes, created_by=actor
        )
        Decision.objects.bulk_create(
            Decision(meeting=meeting, text=t, due_on=due, project=p, assignee=a)
            for t, due, p, a in rows
        )
    return meeting


def decision_done(*, actor: User, decision_id: int, on: date | None = None) -> Decision:
    decision = Decision.objects.select_related("meeting").filter(pk=decision_id).first()
    if decision is None or not code_in_scope(actor, decision.meeting.region_id):
        raise Decision.DoesNotExist(_("No such decision."))
    if not access.may_mark_decision(actor, decision):
        raise PermissionDenied(_("Only the office and the assignee may do this."))
    decision.done_on = on or timezone.localdate()
    decision.save(update_fields=["done_on"])
    return decision


# --- the quarterly contest -------------------------------------------------------------------


def contest_score(
    *,
    actor: User,
    project: Project,
    year: int,
    quarter: int,
    scores: dict[str, Decimal],
    judge: User | None = None,
) -> None:
    """One judge's scores of a project's roadshow, by criterion (at most each criterion's
    points, from the review settings)."""
    from jiceng.projects.selectors import review_setting

    if not access.is_office(actor, project.region_id):
        raise PermissionDenied(_("Only the region's office may record contest scores."))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("A quarter is 1 to 4.")})
    criteria = {c[0]: c[2] for c in review_setting("contest")["criteria"]}
    for criterion, score in scores.items():
        if criterion not in criteria:
            raise ValidationError({criterion: _("Unknown criterion: %s") % criterion})
        if not 0 <= score <= criteria[criterion]:
            raise ValidationError({criterion: _("A score from 0 to %s.") % criteria[criterion]})
    with transaction.atomic():
        for criterion, score in scores.items():
            ContestScore.objects.update_or_create(
                project=project,
                year=year,
                quarter=quarter,
                judge=judge or actor,
                criterion=criterion,
                defaults={"score": score},
            )
