"""Reads of the key-project module: visible projects, the pipeline board, the weekly agenda and
the reviews (monthly ranking with red and blue boards, quarterly contest, annual evaluation)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from jiceng.core import roles
from jiceng.core.scope import scope_queryset
from jiceng.projects.access import READER_ROLES
from jiceng.projects.models import (
    STAGE_ORDER,
    ContestScore,
    Decision,
    Milestone,
    MonthlyInvestment,
    Problem,
    Project,
    ReviewSetting,
    Stage,
)
from jiceng.projects.reference_data import review_defaults

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User


def review_setting(key: str) -> dict[str, Any]:
    row = ReviewSetting.objects.filter(key=key).first()
    value: dict[str, Any] = row.value if row is not None else review_defaults()[key]
    return value


def projects_visible_to(user: User | AnonymousUser) -> QuerySet[Project]:
    """Projects of the user's region (office and regulator) and those they lead or serve on."""
    if not user.is_authenticated:
        return Project.objects.none()
    own = Q(lead=user) | Q(task_force=user)
    if roles.roles_of(user) & READER_ROLES:
        in_scope = scope_queryset(Project.objects.all(), user).values("pk")
        return Project.objects.filter(Q(pk__in=in_scope) | own).distinct()
    return Project.objects.filter(own).distinct()


def pipeline_board(user: User | AnonymousUser) -> list[tuple[str, str, list[Project]]]:
    """Projects by stage, in the stages' order: (stage, its name, projects), empty stages too."""
    columns: dict[str, list[Project]] = {s: [] for s in STAGE_ORDER}
    for project in projects_visible_to(user).select_related("lead").order_by("name"):
        columns[project.stage].append(project)
    return [(stage, str(Stage(stage).label), projects) for stage, projects in columns.items()]


# --- the monthly ranking (月晾晒) -------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def _indicators(projects: list[Project], month: date) -> dict[int, dict[str, float]]:
    """Each project's indicators at the end of the month, from 0 to 1 (investment up to 1.2)."""
    first, last = month_bounds(month)
    ids = [p.pk for p in projects]
    invest = {
        row["project"]: row
        for row in MonthlyInvestment.objects.filter(project__in=ids, month__lte=first)
        .values("project")
        .annotate(planned=Sum("planned"), completed=Sum("completed"))
    }
    due = {
        row["project"]: row
        for row in Milestone.objects.filter(project__in=ids, due_on__lte=last)
        .values("project")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(done_on__isnull=False, done_on__lte=F("due_on"))),
        )
    }
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    problems = {
        row["project"]: row
        for row in Problem.objects.filter(project__in=ids, due_at__lt=end)
        .values("project")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(closed_at__isnull=False, closed_at__lte=F("due_at"))),
        )
    }
    started = STAGE_ORDER.index("started")
    result = {}
    for p in projects:
        if STAGE_ORDER.index(p.stage) >= started:
            start_rate = 1.0
        elif p.start_target is not None and p.start_target <= last:
            start_rate = 0.0
        else:
            start_rate = 1.0
        inv = invest.get(p.pk) or {"planned": Decimal(0), "completed": Decimal(0)}
        planned = inv["planned"] or Decimal(0)
        investment = min(float(inv["completed"] / planned), 1.2) if planned > 0 else 1.0
        m = due.get(p.pk)
        milestones = m["on_time"] / m["due"] if m and m["due"] else 1.0
        q = problems.get(p.pk)
        closed = q["on_time"] / q["due"] if q and q["due"] else 1.0
        result[p.pk] = {
            "start_rate": round(start_rate, 4),
            "investment": round(investment, 4),
            "milestones_on_time": round(milestones, 4),
            "problems_closed_on_time": round(closed, 4),
        }
    return result


def _rank(projects: list[Project], month: date, settings: dict[str, Any]) -> list[dict[str, Any]]:
    weights: dict[str, float] = settings["indicators"]
    total = sum(weights.values()) or 1.0
    indicators = _indicators(projects, month)
    rows: list[dict[str, Any]] = []
    for p in projects:
        values = indicators[p.pk]
        score = 100 * sum(w * values.get(k, 0.0) for k, w in weights.items()) / total
        rows.append({"project": p, "score": round(score, 2), "indicators": values})
    rows.sort(key=lambda r: (-r["score"], r["project"].name, r["project"].pk))
    n = len(rows)
    red = math.ceil(n * settings["red_share"]) if n else 0
    blue = math.ceil(n * settings["blue_share"]) if n else 0
    rank = 0
    for i, row in enumerate(rows):
        if i == 0 or row["score"] != rows[i - 1]["score"]:
            rank = i + 1
        row["rank"] = rank
        row["board"] = "red" if i < red else ("blue" if i >= n - blue else "")
    return rows


def monthly_ranking(user: User | AnonymousUser, month: date) -> list[dict[str, Any]]:
    """The month's ranking of the projects the user sees: score, rank, board (red: top share,
    blue: bottom share, from the review settings) and indicators; `blue_again` flags a project
    on the blue board this month and the months before (the settings' `blue_months_flag`)."""
    settings = review_setting("ranking")
    month = month.replace(day=1)
    projects = list(projects_visible_to(user))
    rows = _rank(projects, month, settings)
    months = int(settings.get("blue_months_flag", 2))
    blue = {r["project"].pk for r in rows if r["board"] == "blue"}
    streak = set(blue)
    earlier = month
    for _ in range(months - 1):
        earlier = previous_month(earlier)
        if not streak:
            break
        before = _rank(projects, earlier, settings)
        streak &= {r["project"].pk for r in before if r["board"] == "blue"}
    for row in rows:
        row["blue_again"] = row["project"].pk in streak
    return rows


# --- the quarterly contest (季打擂) and the annual evaluation (年考评) --------------------------


def trimmed_mean(values: list[float]) -> float:
    """The mean with the highest and the lowest dropped (all of them when fewer than three)."""
    if not values:
        return 0.0
    if len(values) >= 3:
        values = sorted(values)[1:-1]
    return sum(values) / len(values)


def contest_results(user: User | AnonymousUser, year: int, quarter: int) -> list[dict[str, Any]]:
    """Each project's roadshow: the judges' totals, and the score with the highest and lowest
    totals dropped; ranked."""
    projects = {p.pk: p for p in projects_visible_to(user)}
    totals: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for score in ContestScore.objects.filter(
        project__in=list(projects), year=year, quarter=quarter
    ).values("project", "judge", "score"):
        totals[score["project"]][score["judge"]] += float(score["score"])
    rows: list[dict[str, Any]] = [
        {
            "project": projects[pk],
            "judges": sorted(by_judge.values(), reverse=True),
            "score": round(trimmed_mean(list(by_judge.values())), 2),
        }
        for pk, by_judge in totals.items()
    ]
    rows.sort(key=lambda r: (-r["score"], r["project"].name))
    for i, row in enumerate(rows):
        row["rank"] = i + 1
    return rows


def annual_evaluation(user: User | AnonymousUser, year: int) -> dict[str, Any]:
    """Per project: the mean of its monthly scores and of its quarterly contest scores, combined
    by the annual weights; and the problems each task-force member closed in the year."""
    weights = review_setting("annual")["weights"]
    today = timezone.localdate()
    monthly: dict[int, list[float]] = defaultdict(list)
    for m in range(1, 13):
        month = date(year, m, 1)
        if month > today:
            break
        for row in monthly_ranking(user, month):
            monthly[row["project"].pk].append(row["score"])
    quarterly: dict[int, list[float]] = defaultdict(list)
    for q in range(1, 5):
        for row in contest_results(user, year, q):
            quarterly[row["project"].pk].append(row["score"])
    total = sum(weights.values()) or 1.0
    projects = []
    for p in projects_visible_to(user):
        month_mean = sum(monthly[p.pk]) / len(monthly[p.pk]) if monthly[p.pk] else 0.0
        quarter_mean = sum(quarterly[p.pk]) / len(quarterly[p.pk]) if quarterly[p.pk] else 0.0
        score = (weights["monthly"] * month_mean + weights["quarterly"] * quarter_mean) / total
        projects.append(
            {
                "project": p,
                "monthly": round(month_mean, 2),
                "quarterly": round(quarter_mean, 2),
                "score": round(score, 2),
            }
        )
    projects.sort(key=lambda r: -r["score"])
    return {"projects": projects, "members": problems_closed_by_member(user, year)}


def problems_closed_by_member(user: User | AnonymousUser, year: int) -> list[dict[str, Any]]:
    """Task-force members by the problems they took on that closed in the year (评先评优)."""
    rows = (
        Problem.objects.filter(
            project__in=projects_visible_to(user).values("pk"),
            closed_at__year=year,
            member__isnull=False,
        )
        .values("member", "member__username", "member__first_name", "member__last_name")
        .annotate(closed=Count("id"))
        .order_by("-closed", "member__username")
    )
    return [
        {
            "member": r["member"],
            "name": f"{r['member__last_name']}{r['member__first_name']}" or r["member__username"],
            "username": r["member__username"],
            "closed": r["closed"],
        }
        for r in rows
    ]


# --- the weekly meeting's agenda ---------------------------------------------------------------


def meeting_agenda(user: User | AnonymousUser, on: date) -> dict[str, Any]:
    """For a meeting on `on`: milestones that slipped (late start passed) or must start this
    week, problems past their deadline, and last week's decisions."""
    from jiceng.projects.services import project_schedule

    slipped, must_start = [], []
    projects = list(
        projects_visible_to(user)
        .exclude(stage="full_production")
        .filter(production_target__isnull=False)
    )
    for project in projects:
        for m in project_schedule(project, today=on)["milestones"]:
            if m["status"] == "late":
                slipped.append((project, m))
            elif m["status"] == "start_this_week":
                must_start.append((project, m))
    moment = timezone.make_aware(datetime.combine(on, time.min))
    overdue = list(
        Problem.objects.filter(
            project__in=[p.pk for p in projects], closed_at__isnull=True, due_at__lt=moment
        ).select_related("project", "case", "member")
    )
    decisions = list(
        Decision.objects.filter(
            meeting__held_on__gte=on - timedelta(days=7),
            meeting__held_on__lt=on,
            meeting__region__in=scope_queryset_regions(user),
        ).select_related("project", "assignee", "meeting")
    )
    return {
        "date": on,
        "slipped": slipped,
        "must_start": must_start,
        "overdue_problems": overdue,
        "last_decisions": decisions,
    }


def scope_queryset_regions(user: User | AnonymousUser) -> QuerySet[Any]:
    from jiceng.core.models import Region

    return scope_queryset(Region.objects.all(), user).values("code")


# --- choices and look-ups of the module's forms ------------------------------------------------


def regions_for_projects(user: User | AnonymousUser) -> QuerySet[Any]:
    """The regions the user may put a project in (their scope), in code order."""
    from jiceng.core.models import Region

    return scope_queryset(Region.objects.all(), user).order_by("code")


def enterprise_by_credit_code(code: str) -> Any:
    """The registered organisation with this unified social credit code, or None."""
    from jiceng.core.models import Organisation

    return Organisation.objects.filter(credit_code=code.strip().upper()).first()


def user_of_region(username: str, region_code: str) -> User | None:
    """An active user whose scope holds the region or who works inside it (a project's lead)."""
    from jiceng.core.models import User as UserModel
    from jiceng.core.scope import code_in_scope, code_within

    user = UserModel.objects.filter(username=username, is_active=True).first()
    if user is None:
        return None
    if code_in_scope(user, region_code) or (
        user.region_id and code_within(user.region_id, region_code)
    ):
        return user
    return None


def active_user(username: str) -> User | None:
    """An active user by username (a contest judge: a panel may include outside experts)."""
    from jiceng.core.models import User as UserModel

    return UserModel.objects.filter(username=username, is_active=True).first()


def projects_managed_by(user: User | AnonymousUser) -> list[Project]:
    """The projects whose region's office the user is (who may score them in the contest)."""
    from jiceng.projects.access import is_office

    return [p for p in projects_visible_to(user).order_by("name") if is_office(user, p.region_id)]
