"""Reads of the youth talent reserve. Every selector that takes a user shows only what the user
may see (jiceng/youth/access.py): organisers their region, a branch secretary their branch's
members, a mentor their mentees, a young person themself.

- `talents_visible(user)`, `talent_get_visible(user, pk)`: the records a user may see.
- `talent_card(talent)`: stage, steps, next steps, overdue deadlines, tags, hours, stars.
- `volunteer_hours(talent)`, `star_level(hours)`, `volunteer_record(talent)`.
- `overdue_alerts(user)`: deadlines passed (a talk, an approval, a half-yearly assessment),
  the branch secretary's alerts.
- `funnel(user, region_code)`: counts per stage, reserve cadres, under 35, leaders (one GROUP BY).
- `pipeline(user, region_code, level)`: the same by town or village, with overdue steps.
- `stage_durations(user, region_code)`: how long each stage took, conversions by year.
- `reserve_gaps(user, region_code)`: each village's reserve against its target.
- `platforms_visible(user)`, `activities_visible(user)`, `mediations_visible(user)`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet, Sum
from django.http import Http404

from jiceng.core import region_codes
from jiceng.core.models import Region
from jiceng.core.scope import (
    region_field,
    region_prefix_q,
    scope_queryset,
    town_of,
    village_of,
)
from jiceng.youth import access
from jiceng.youth.models import (
    Activity,
    Mediation,
    Participation,
    Platform,
    ReserveCadre,
    ReservePolicy,
    Stage,
    StepRecord,
    Talent,
)
from jiceng.youth.reference_data import default_max_age, star_thresholds
from jiceng.youth.rules import add_years, deadlines
from jiceng.youth.services.steps import history_of, ladder
from jiceng.youth.services.talents import today as local_today

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

M = TypeVar("M", bound=Model)

FUNNEL: dict[str, str] = {
    Stage.APPLICANT: "applicant",
    Stage.ACTIVIST: "activist",
    # Until the upper committee approves, someone in the admission steps is a development object.
    Stage.DEVELOPMENT_OBJECT: "development_object",
    Stage.ADMISSION: "development_object",
    Stage.PROBATION: "probationary",
    Stage.MEMBER: "member",
}
FUNNEL_KEYS = ("applicant", "activist", "development_object", "probationary", "member")


def talents_visible(
    user: User | AnonymousUser | None, *, today: date | None = None
) -> QuerySet[Talent]:
    condition = access.visible_q(user, today=today or local_today())
    qs = Talent.objects.select_related("person", "region", "branch")
    return qs.filter(condition) if condition is not None else qs.none()


def talent_get_visible(user: User | AnonymousUser | None, pk: int) -> Talent:
    """One record the user may see; any other is as absent as a missing one (404)."""
    talent = talents_visible(user).filter(pk=pk).first()
    if talent is None:
        raise Http404("No young talent matches the given query.")
    return talent


def star_level(hours: Decimal | float) -> int:
    """Stars by hours from the data file (100 hours: one star …)."""
    return sum(1 for threshold in star_thresholds() if hours >= threshold)


def volunteer_hours(talent: Talent) -> Decimal:
    total = Participation.objects.filter(talent=talent).aggregate(h=Sum("hours"))["h"]
    return total or Decimal(0)


def volunteer_record(talent: Talent) -> QuerySet[Participation]:
    """The person's certified volunteer service, latest first (for the certificate)."""
    return (
        Participation.objects.filter(talent=talent)
        .select_related("activity", "activity__platform", "activity__recorded_by")
        .order_by("-activity__on", "-activity_id")
    )


def tags_of(talent: Talent) -> list[str]:
    return [
        tag
        for tag, on in (
            ("wealth_leader", talent.wealth_leader),
            ("reserve_cadre", talent.reserve_cadre),
            ("committee_member", talent.committee_member),
        )
        if on
    ]


def talent_card(talent: Talent, *, today: date | None = None) -> dict[str, Any]:
    """A person's whole state: stage, steps taken, what may come next, overdue deadlines, tags,
    volunteer hours and stars."""
    from jiceng.youth.rules import next_steps

    today = today or local_today()
    steps = ladder()
    history = history_of(talent)
    records = list(
        StepRecord.objects.filter(talent=talent).select_related("step").order_by("on", "step__n")
    )
    hours = volunteer_hours(talent)
    return {
        "stage": steps.stage_after(history),
        "steps": [
            {
                "step": r.step.code,
                "n": r.step.n,
                "name": r.step.name,
                "on": r.on,
                "facts": r.facts,
                "late": r.late,
            }
            for r in records
        ],
        "next": [
            {"step": p.step, "earliest": p.earliest, "latest": p.latest}
            for p in next_steps(steps, history, birth_date=talent.birth_date)
        ],
        "overdue": [
            {"step": d.step, "due": d.due, "article": d.article}
            for d in deadlines(steps, history)
            if d.due < today
        ],
        "tags": tags_of(talent),
        "volunteer_hours": hours,
        "star": star_level(hours),
    }


def overdue_alerts(
    user: User | AnonymousUser | None, *, today: date | None = None
) -> QuerySet[Talent]:
    """People with a deadline passed, most overdue first: each carries `due_step` and `due_on`.
    A branch secretary sees their branch's; an organiser their region's."""
    today = today or local_today()
    return talents_visible(user, today=today).filter(due_on__lt=today).order_by("due_on", "pk")


def _in_region(qs: QuerySet[M], region_code: str | None) -> QuerySet[M]:
    region_code = (region_code or "").strip()
    if not region_code:
        return qs
    if not region_codes.is_well_formed(region_code):
        return qs.none()
    return qs.filter(
        region_prefix_q(region_codes.scope_prefix(region_code), region_field(qs.model))
    )


def _base(user: User | AnonymousUser | None, region_code: str | None, today: date) -> QuerySet:
    # Organisers read their scope with a plain prefix range (the index answers it); others the
    # records they may see.
    if access.is_organiser(user):
        assert user is not None
        qs = scope_queryset(Talent.objects.all(), user)
    else:
        condition = access.visible_q(user, today=today)
        qs = Talent.objects.filter(condition) if condition is not None else Talent.objects.none()
    return _in_region(qs, region_code)


def _counts(qs: QuerySet[Talent], today: date) -> list[dict[str, Any]]:
    """Counts by village and stage: grouped in the order of the pipeline index (region, stage,
    birth date, tags, deadline), so that the database reads the index alone and sorts nothing;
    the caller folds the few hundred rows into towns or the whole."""
    young = add_years(today, -35)
    return list(
        qs.values("region_id", "stage")
        .annotate(
            n=Count("*"),
            reserve=Count("region_id", filter=Q(reserve_cadre=True)),
            under_35=Count("region_id", filter=Q(birth_date__gt=young)),
            leaders=Count("region_id", filter=Q(wealth_leader=True)),
            overdue=Count("region_id", filter=Q(due_on__lt=today)),
        )
        .order_by("region_id", "stage")
    )


def _fold(rows: list[dict[str, Any]]) -> dict[str, int]:
    totals = dict.fromkeys(
        (*FUNNEL_KEYS, "reserve_cadre", "under_35", "leaders", "overdue", "none"), 0
    )
    for row in rows:
        key = FUNNEL.get(row["stage"], "none")
        totals[key] += row["n"]
        totals["reserve_cadre"] += row["reserve"]
        totals["under_35"] += row["under_35"]
        totals["leaders"] += row["leaders"]
        totals["overdue"] += row["overdue"]
    return totals


def funnel(
    user: User | AnonymousUser | None, region_code: str | None = None, *, today: date | None = None
) -> dict[str, int]:
    """Counts per stage (admission counted with development objects, probation as
    probationary), reserve cadres, people under 35, wealth leaders (致富带头人) and overdue
    steps, from one GROUP BY on the talents' denormalised stage. `none` counts people without an
    application."""
    today = today or local_today()
    return _fold(_counts(_base(user, region_code, today), today))


def pipeline(
    user: User | AnonymousUser | None,
    region_code: str | None = None,
    *,
    level: str = "town",
    today: date | None = None,
) -> dict[str, dict[str, int]]:
    """The funnel by town or village, keyed by region code (the same GROUP BY, folded)."""
    today = today or local_today()
    area_of = village_of if level == "village" else town_of
    by_area: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _counts(_base(user, region_code, today), today):
        by_area[area_of(row["region_id"]) or row["region_id"]].append(row)
    return {area: _fold(rows) for area, rows in sorted(by_area.items())}


def stage_durations(
    user: User | AnonymousUser | None, region_code: str | None = None
) -> dict[str, Any]:
    """How long each stage took (average days from entering it to entering the next, over the
    people who went through it) and conversions to full member by year."""
    today = local_today()
    steps = ladder()
    stage_of_step = {s.code: s.stage for s in steps.steps}
    entries: dict[int, dict[str, date]] = defaultdict(dict)
    records = StepRecord.objects.filter(
        talent__in=_base(user, region_code, today).values("pk")
    ).values_list("talent_id", "step__code", "on")
    for talent_id, code, on in records.iterator(chunk_size=5000):
        stage = "member" if code == "conversion_approval" else stage_of_step[code]
        known = entries[talent_id].get(stage)
        if known is None or on < known:
            entries[talent_id][stage] = on
    order = [s.value for s in Stage if s != Stage.NONE]
    spans: dict[str, list[int]] = defaultdict(list)
    conversions: dict[int, int] = defaultdict(int)
    for stages in entries.values():
        for current, following in itertools.pairwise(order):
            if current in stages and following in stages:
                spans[current].append((stages[following] - stages[current]).days)
        if "member" in stages:
            conversions[stages["member"].year] += 1
    return {
        "average_days": {
            stage: round(sum(days) / len(days)) for stage, days in spans.items() if days
        },
        "conversions_by_year": dict(sorted(conversions.items())),
    }


def reserve_gaps(
    user: User | AnonymousUser | None, region_code: str | None = None
) -> list[dict[str, Any]]:
    """Each village of the user's scope (within `region_code`) with its reserve cadres now, the
    criteria that apply (the nearest policy up the tree), the target and the gap (target less
    cadres, not below zero). Villages with neither cadres nor a target are left out."""
    if not access.is_organiser(user):
        return []
    assert user is not None
    cadres = _in_region(
        scope_queryset(ReserveCadre.objects.filter(until__isnull=True), user), region_code
    )
    counts = dict(cadres.values_list("region_id").annotate(n=Count("pk")).order_by())
    policies = {p.region_id: p for p in ReservePolicy.objects.all()}
    villages = _in_region(scope_queryset(Region.objects.filter(level="village"), user), region_code)
    result = []
    for code, name in villages.values_list("code", "name"):
        policy = next(
            (policies[c] for c in region_codes.ancestor_codes(code) if c in policies),
            None,
        )
        target = policy.target if policy else 0
        have = counts.get(code, 0)
        if not have and not target:
            continue
        result.append(
            {
                "region": code,
                "name": name,
                "cadres": have,
                "max_age": policy.max_age if policy else default_max_age(),
                "target": target,
                "gap": max(target - have, 0),
            }
        )
    return result


def platforms_visible(user: User | AnonymousUser | None) -> QuerySet[Platform]:
    """Platforms of the user's region, and those they organise."""
    if user is None or not user.is_authenticated:
        return Platform.objects.none()
    return (
        Platform.objects.filter(
            Q(pk__in=scope_queryset(Platform.objects.all(), user).values("pk")) | Q(organisers=user)
        )
        .distinct()
        .select_related("region")
    )


def activities_visible(user: User | AnonymousUser | None) -> QuerySet[Activity]:
    """Activities of the platforms a user sees, and those a young person took part in."""
    if user is None or not user.is_authenticated:
        return Activity.objects.none()
    return (
        Activity.objects.filter(
            Q(platform__in=platforms_visible(user).values("pk"))
            | Q(participations__talent__user=user)
        )
        .distinct()
        .select_related("platform")
    )


def mediations_visible(user: User | AnonymousUser | None) -> QuerySet[Mediation]:
    if user is None or not user.is_authenticated:
        return Mediation.objects.none()
    return (
        Mediation.objects.filter(
            Q(studio__in=platforms_visible(user).values("pk")) | Q(mediators__user=user)
        )
        .distinct()
        .select_related("case", "studio")
    )
