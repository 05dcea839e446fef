"""The demo district's youth talent reserve (青苗计划), modelled on 临安's published figures: about
1,000 young residents across the stages of party membership, each history checked step by step
by the module's own rules (jiceng/youth/rules.py `check`), so that every date respects the
2014 rules and a few deadlines are overdue on purpose; 46 tagged wealth leaders (致富带头人);
900+ reserve cadres (后备干部) under 35 against a village target of five; mentors; a branch per
village; three practice platforms per town with their volunteer activities; and 濮院's youth
mediation studio with 300+ recorded services, its latest disputes brought as cases of the case
loop.

The young people are residents of the county already seeded (18 to 40 years old), picked by a
seeded generator: the same seed gives the same rows. The rows are written in bulk
(jiceng/core/bulk.py) after every history has passed the rule check in memory; the disputes go
through the case loop's and the module's services. The demo logins of the module (zuzhi, shuji,
daoshi, qingmiao, jiceng/demo/seed.py) are bound here to a branch, mentees and a record."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jiceng.core.bulk import insert_objects, reset_sequences
from jiceng.core.models import Person, Region, Role, User
from jiceng.core.region_codes import scope_prefix
from jiceng.core.scope import region_prefix_q, town_of, village_of
from jiceng.demo.names import person_name
from jiceng.youth.models import (
    Activity,
    Background,
    Branch,
    Education,
    Mediation,
    Mentorship,
    Participation,
    Platform,
    ReserveCadre,
    ReservePolicy,
    ReserveRecord,
    Step,
    StepRecord,
    Talent,
)
from jiceng.youth.rules import (
    Ladder,
    Taken,
    add_years,
    age_on,
    check,
    deadlines,
)
from jiceng.youth.services.steps import denormalised
from jiceng.youth.services.steps import ladder as step_ladder

# How many young people end in each stage (of about 1,000).
STAGE_TARGETS = {
    "none": 180,
    "applicant": 150,
    "activist": 230,
    "development_object": 110,
    "admission": 50,
    "probation": 90,
    "member": 200,
}
# Where each stage's people stop: the steps their history may end on.
STAGE_ENDS = {
    "none": [],
    "applicant": ["application", "talk"],
    "activist": ["activist_selected", "activist_filed", "mentors", "education"],
    "development_object": [
        "development_object",
        "development_object_filed",
        "introducers",
        "political_review",
        "training",
    ],
    "admission": [
        "committee_review",
        "pre_review",
        "volunteer_form",
        "branch_meeting",
        "committee_talk",
        "approval",
        "approval_filed",
    ],
    "probation": [
        "assigned",
        "oath",
        "probation_education",
        "conversion_application",
        "conversion_meeting",
    ],
    "member": ["conversion_approval", "archived"],
}
OVERDUE_SHARE = 0.04  # of those whose last step leaves a deadline pending
LEADERS = 46
RESERVE_CADRES = 930
RESERVE_TARGET = 5  # reserve cadres each village should have
UNDER_35_SHARE = 0.94
SHOWCASE_TOWN = "330483101"  # 濮院镇: the demo logins' town
SHOWCASE_VILLAGE = "330483101001"
STUDIO_SERVICES = 320  # volunteer services recorded at the showcase studio
STUDIO_CASES = 24  # of which the latest disputes, brought as cases
EDUCATIONS = [Education.HIGH_SCHOOL, Education.VOCATIONAL, Education.COLLEGE, Education.COLLEGE,
              Education.BACHELOR, Education.BACHELOR, Education.MASTER]  # fmt: skip
SKILLS = ["电商直播", "农技推广", "财务会计", "法律咨询", "短视频运营", "社区调解", "新媒体",
          "茶叶种植", "水产养殖", "民宿经营", "机械维修", "家政服务", "摄影", "外语"]  # fmt: skip
DISPUTES = [
    ("邻里漏水纠纷", "楼上卫生间渗水，楼下住户要求赔偿"),
    ("宅基地界址纠纷", "两户对围墙位置有争议"),
    ("物业费纠纷", "业主因电梯维修不及时拒交物业费"),
    ("噪音扰民纠纷", "楼下商铺夜间噪音影响休息"),
    ("赡养纠纷", "兄弟姐妹对老人赡养费分担有分歧"),
    ("土地流转纠纷", "流转租金支付时间存在争议"),
    ("停车位纠纷", "小区公共车位被长期占用"),
    ("劳务费纠纷", "装修工人工钱结算有分歧"),
]


@dataclass
class Planned:
    """One young person's record as it will be written."""

    person_id: int
    village: str
    birth: date
    stage: str = "none"
    history: list[Taken] = field(default_factory=list)
    overdue: bool = False


def _facts(code: str, rng: random.Random) -> dict[str, Any]:
    """What a step records, always within the rules."""
    if code == "mentors":
        return {"mentors": [_name(rng) for _ in range(rng.choice([1, 2]))]}
    if code == "introducers":
        first = _name(rng)
        second = _name(rng)
        while second == first:
            second = _name(rng)
        return {"introducers": [first, second]}
    if code == "political_review":
        return {"result": "passed"}
    if code == "training":
        return {"days": rng.choice([3, 3, 4, 5]), "hours": rng.choice([24, 28, 32])}
    if code in ("branch_meeting", "conversion_meeting"):
        expected = rng.randint(15, 45)
        present = rng.randint(expected // 2 + 2, expected)
        votes = rng.randint(expected // 2 + 1, present)
        return {"expected": expected, "present": present, "for": votes}
    if code == "oath":
        return {"note": "在村党群服务中心宣誓"}
    return {}


def _name(rng: random.Random) -> str:
    return person_name(rng, male=rng.random() < 0.55, birth_year=rng.randint(1965, 1990))


# Days from the previous step to each step (the first of a history is the application).
GAPS = {
    "talk": (5, 25),
    "activist_selected": (60, 200),
    "activist_filed": (3, 20),
    "mentors": (0, 10),
    "development_object_filed": (3, 15),
    "introducers": (0, 20),
    "political_review": (10, 40),
    "training": (5, 30),
    "committee_review": (5, 20),
    "pre_review": (5, 20),
    "volunteer_form": (3, 10),
    "branch_meeting": (5, 20),
    "committee_talk": (5, 15),
    "approval": (5, 30),
    "approval_filed": (3, 15),
    "assigned": (1, 10),
    "oath": (5, 25),
    "probation_education": (30, 120),
    "conversion_application": (20, 60),
    "conversion_meeting": (0, 25),
    "conversion_approval": (10, 60),
    "archived": (5, 30),
}


def plan_history(ladder: Ladder, end: str, rng: random.Random) -> list[tuple[str, int]]:
    """The steps up to `end` with their day offsets from the application (day 0), the activist's
    half-yearly assessments included and the one-year waits kept."""
    plan: list[tuple[str, int]] = [("application", 0)]
    day = 0
    first: dict[str, int] = {"application": 0}
    end_n = ladder.by_code[end].n
    for step in ladder.steps[1:]:
        if step.n > end_n:
            break
        code = step.code
        if code == "education":
            # Assessed at most six months apart: one to three times for those who stop here,
            # until a year of activism is done for those who go on.
            if end_n == step.n:
                for _ in range(rng.randint(1, 3)):
                    day += rng.randint(140, 175)
                    plan.append((code, day))
            else:
                while day < first["activist_selected"] + 355:
                    day += rng.randint(140, 175)
                    plan.append((code, day))
            continue
        if code == "development_object":
            day = max(day + rng.randint(5, 30), first["activist_selected"] + rng.randint(366, 420))
        elif code == "conversion_application":
            day = max(day + rng.randint(*GAPS[code]), first["branch_meeting"] + 330)
        elif code == "conversion_meeting":
            day = max(day + rng.randint(*GAPS[code]), first["branch_meeting"] + 367)
        else:
            day += rng.randint(*GAPS[code])
        first.setdefault(code, day)
        plan.append((code, day))
    return plan


def _pending_overdue(ladder: Ladder, history: list[Taken], today: date) -> bool:
    return any(due.due < today for due in deadlines(ladder, history))


def build_history(
    ladder: Ladder,
    *,
    birth: date,
    end: str,
    today: date,
    rng: random.Random,
    overdue: bool,
) -> list[Taken] | None:
    """A history ending on `end`, placed before `today`, every step checked by the rules; None
    when the person is too young for it. `overdue`: leave the next deadline passed."""
    plan = plan_history(ladder, end, rng)
    span = plan[-1][1]
    if overdue:  # past the talk's month, the approval's three months or the half-year
        slack = rng.randint(200, 260) if end in STAGE_ENDS["activist"] else rng.randint(100, 170)
    else:
        slack = rng.randint(0, 20)
    start = today - timedelta(days=span + slack)
    if start < add_years(birth, 18):
        return None
    history: list[Taken] = []
    for code, offset in plan:
        on = start + timedelta(days=offset)
        cleaned, _late = check(
            ladder, history, code, on, _facts(code, rng), birth_date=birth, today=today
        )
        history.append(Taken(code, on, cleaned))
    late = _pending_overdue(ladder, history, today)
    if late != overdue:
        # Move the history as late as it goes (no deadline passed), or keep it where it is.
        if overdue:
            return history if late else None
        shift = (today - history[-1].on).days
        history = [Taken(t.code, t.on + timedelta(days=shift), t.facts) for t in history]
        if _pending_overdue(ladder, history, today):
            return None
    return history


def plan_people(
    candidates: list[tuple[int, str, date]],
    *,
    count: int,
    ladder: Ladder,
    today: date,
    rng: random.Random,
) -> list[Planned]:
    """Pick `count` of the candidates (person id, village, birth date) and give each a stage
    and a valid history; the proportions of `STAGE_TARGETS` scaled to `count`."""
    total = sum(STAGE_TARGETS.values())
    stages: list[str] = []
    for stage, n in STAGE_TARGETS.items():
        stages += [stage] * max(1, round(n * count / total))
    stages = stages[:count]
    rng.shuffle(stages)
    pool = list(candidates)
    rng.shuffle(pool)
    young = [c for c in pool if age_on(c[2], today) < 35]
    older = [c for c in pool if age_on(c[2], today) >= 35]
    n_older = min(len(older), round(count * (1 - UNDER_35_SHARE)))
    chosen = young[: count - n_older] + older[:n_older]
    if len(chosen) < count:  # too few young ones: older ones fill the places
        chosen += older[n_older : n_older + count - len(chosen)]
    rng.shuffle(chosen)
    planned: list[Planned] = []
    for (person_id, village, birth), stage in zip(chosen, stages, strict=False):
        person = Planned(person_id, village, birth)
        ends = STAGE_ENDS[stage]
        while ends:
            end = rng.choice(ends)
            overdue = rng.random() < OVERDUE_SHARE * 3 if end in _DEADLINE_ENDS else False
            history = build_history(
                ladder, birth=birth, end=end, today=today, rng=rng, overdue=overdue
            )
            if history is None and overdue:
                overdue = False
                history = build_history(
                    ladder, birth=birth, end=end, today=today, rng=rng, overdue=False
                )
            if history is not None:
                person.history, person.overdue = history, overdue
                person.stage = ladder.stage_after(history)
                break
            # Too young for this stage: one stage lower.
            ends = STAGE_ENDS[_LOWER[_stage_of_ends(ends)]]
        planned.append(person)
    return planned


# Ends after which a deadline is pending (a talk, an approval, the half-yearly assessment).
_DEADLINE_ENDS = frozenset(
    {"application", "activist_filed", "mentors", "education", "branch_meeting", "committee_talk",
     "conversion_meeting"}
)  # fmt: skip
_ORDER = list(STAGE_ENDS)
_LOWER = {stage: _ORDER[max(0, i - 1)] for i, stage in enumerate(_ORDER)}


def _stage_of_ends(ends: list[str]) -> str:
    return next(stage for stage, e in STAGE_ENDS.items() if e == ends)


# --- writing -------------------------------------------------------------------------------


def _next_id(model: Any) -> int:
    return int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _candidates(county: str, today: date, rng: random.Random) -> list[tuple[int, str, date]]:
    """Residents of the county aged 18 to 40, with their village."""
    rows = (
        Person.objects.filter(region_prefix_q(scope_prefix(county)))
        .filter(birth_date__gt=add_years(today, -40), birth_date__lte=add_years(today, -18))
        .order_by("pk")
        .values_list("pk", "region_id", "birth_date")
    )
    found = []
    for pk, region, birth in rows:
        village = village_of(region)
        if village:
            found.append((pk, village, birth))
    return found


def _demo_user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def seed_youth(
    *, seed: int, county: str, people: int = 1_010, today: date | None = None
) -> dict[str, int]:
    """Seed the module's demo records for `county`; returns counts by kind."""
    today = today or timezone.localdate()
    rng = random.Random(f"youth-{seed}")
    ladder = step_ladder()
    candidates = _candidates(county, today, rng)
    # The showcase village first, so that its branch secretary and young person have records.
    showcase = [c for c in candidates if c[1] == SHOWCASE_VILLAGE][:12]
    shown = {c[0] for c in showcase}
    rest = [c for c in candidates if c[0] not in shown]
    planned = plan_people(
        rest, count=max(0, people - len(showcase)), ladder=ladder, today=today, rng=rng
    )
    planned = (
        plan_people(showcase, count=len(showcase), ladder=ladder, today=today, rng=rng) + planned
    )
    with transaction.atomic():
        counts = _write(planned, county=county, ladder=ladder, today=today, rng=rng)
    counts.update(_studio(county=county, today=today, rng=rng))
    return counts


def _branches(villages: set[str]) -> dict[str, int]:
    names = dict(Region.objects.filter(code__in=villages).values_list("code", "name"))
    first = _next_id(Branch)
    secretary = _demo_user("shuji")
    rows = []
    ids = {}
    for i, code in enumerate(sorted(villages)):
        ids[code] = first + i
        rows.append(
            Branch(
                pk=first + i,
                name=f"{names.get(code, code)}团支部",
                region_id=code,
                secretary=secretary if code == SHOWCASE_VILLAGE else None,
            )
        )
    insert_objects(Branch, rows)
    return ids


def _write(
    planned: list[Planned], *, county: str, ladder: Ladder, today: date, rng: random.Random
) -> dict[str, int]:
    branches = _branches({p.village for p in planned})
    step_ids = dict(Step.objects.values_list("code", "pk"))
    first = _next_id(Talent)
    organiser = _demo_user("zuzhi") or _demo_user("admin")
    secretary = _demo_user("shuji")
    mentor = _demo_user("daoshi")
    qingmiao = _demo_user("qingmiao")
    leaders = set(rng.sample(range(len(planned)), min(LEADERS, len(planned))))
    young = [i for i, p in enumerate(planned) if age_on(p.birth, today) < 35]
    cadres = set(rng.sample(young, min(RESERVE_CADRES, len(young))))
    # The young person's login: an activist of the showcase village, else its first person.
    showcase = [i for i, p in enumerate(planned) if p.village == SHOWCASE_VILLAGE]
    own = next((i for i in showcase if planned[i].stage == "activist"), None)
    own = showcase[0] if own is None and showcase else own
    talents, steps, mentorships, terms, records = [], [], [], [], []
    for i, p in enumerate(planned):
        pk = first + i
        history = p.history
        talents.append(
            Talent(
                pk=pk,
                person_id=p.person_id,
                region_id=p.village,
                birth_date=p.birth,
                education=rng.choice(EDUCATIONS),
                background=rng.choice(list(Background)),
                skills="、".join(rng.sample(SKILLS, rng.randint(1, 3))),
                branch_id=branches[p.village],
                user=qingmiao if i == own else None,
                wealth_leader=i in leaders,
                reserve_cadre=i in cadres,
                committee_member=i in cadres and rng.random() < 0.08,
                **denormalised(ladder, history),
            )
        )
        for t in history:
            steps.append(
                StepRecord(
                    talent_id=pk,
                    step_id=step_ids[t.code],
                    on=t.on,
                    facts=dict(t.facts),
                    late=False,
                    recorded_by=secretary if p.village == SHOWCASE_VILLAGE else organiser,
                )
            )
            if t.code == "mentors":
                for name in t.facts.get("mentors", []):
                    mentorships.append(
                        Mentorship(
                            talent_id=pk, kind=Mentorship.Kind.CONTACT, name=str(name), start=t.on
                        )
                    )
        if p.village.startswith(SHOWCASE_TOWN) and mentor is not None and (i == own or i % 3 == 0):
            mentorships.append(
                Mentorship(
                    talent_id=pk,
                    kind=Mentorship.Kind.PAIRING,
                    name=mentor.display_name or mentor.username,
                    mentor_user=mentor,
                    start=today - timedelta(days=rng.randint(60, 500)),
                )
            )
        if i in cadres:
            since = today - timedelta(days=rng.randint(30, 900))
            terms.append(ReserveCadre(talent_id=pk, region_id=p.village, since=since))
    insert_objects(Talent, talents)
    insert_objects(StepRecord, steps)
    insert_objects(Mentorship, mentorships)
    first_term = _next_id(ReserveCadre)
    for j, term in enumerate(terms):
        term.pk = first_term + j
        records.append(
            ReserveRecord(
                cadre_id=term.pk,
                kind=ReserveRecord.Kind.TRAINING,
                on=term.since + timedelta(days=rng.randint(5, 25)),
                title="青年后备干部培训班",
                hours=Decimal(rng.choice([8, 16, 24])),
                recorded_by=organiser,
            )
        )
        if rng.random() < 0.5:
            records.append(
                ReserveRecord(
                    cadre_id=term.pk,
                    kind=ReserveRecord.Kind.EVALUATION,
                    on=min(today, term.since + timedelta(days=rng.randint(180, 360))),
                    title="年度考察",
                    result=rng.choice(["优秀", "称职", "称职", "称职"]),
                    recorded_by=organiser,
                )
            )
    insert_objects(ReserveCadre, terms)
    insert_objects(ReserveRecord, [r for r in records if r.on <= today])
    ReservePolicy.objects.filter(region_id=county).update(target=RESERVE_TARGET)
    activities = _activities(talents, county=county, today=today, rng=rng)
    reset_sequences(Branch, Talent, ReserveCadre, Platform, Activity)
    return {
        "talents": len(talents),
        "steps": len(steps),
        "leaders": len(leaders),
        "reserve_cadres": len(terms),
        "overdue": sum(1 for t in talents if t.due_on and t.due_on < today),
        "activities": activities,
    }


def _activities(talents: list[Talent], *, county: str, today: date, rng: random.Random) -> int:
    """Three platforms in each town with the young people's volunteer activities; the showcase
    town's studio gets its 300+ services here (the disputes come in `_studio`)."""
    from jiceng.cases.models import Department

    towns = sorted({town_of(t.region_id) or "" for t in talents} - {""})
    names = dict(Region.objects.filter(code__in=towns).values_list("code", "name"))
    studios = dict(
        Department.objects.filter(region_id__in=towns, kind="youth_mediation").values_list(
            "region_id", "pk"
        )
    )
    by_town: dict[str, list[int]] = {}
    for t in talents:
        by_town.setdefault(town_of(t.region_id) or "", []).append(int(t.pk))
    platform_id = _next_id(Platform)
    activity_id = _next_id(Activity)
    platforms, activities, joins = [], [], []
    organisers: list[tuple[int, int]] = []
    secretary = _demo_user("shuji")
    organiser = _demo_user("zuzhi")
    for town in towns:
        people = by_town.get(town, [])
        kinds = [
            (Platform.Kind.MEDIATION_STUDIO, "青年调解工作室"),
            (Platform.Kind.PATROL, "青年平安巡逻队"),
            (Platform.Kind.ANTI_FRAUD, "青年反诈宣传队"),
        ]
        for kind, suffix in kinds:
            platform = Platform(
                pk=platform_id,
                name=f"{names.get(town, town)}{suffix}",
                kind=kind,
                region_id=town,
                department_id=studios.get(town) if kind == Platform.Kind.MEDIATION_STUDIO else None,
                hours_per_case=Decimal(2),
            )
            platforms.append(platform)
            recorder = secretary if town == SHOWCASE_TOWN else organiser
            if recorder is not None:
                organisers.append((platform_id, recorder.pk))
            team = rng.sample(people, min(len(people), rng.randint(8, 20))) if people else []
            services = (
                STUDIO_SERVICES - STUDIO_CASES
                if town == SHOWCASE_TOWN and kind == Platform.Kind.MEDIATION_STUDIO
                else rng.randint(6, 14)
            )
            for k in range(services if team else 0):
                hours = Decimal(rng.choice([1, 2, 2, 3, 4]))
                on = today - timedelta(days=rng.randint(1, 700))
                activities.append(
                    Activity(
                        pk=activity_id,
                        platform_id=platform_id,
                        name=_activity_name(kind, k, rng),
                        on=on,
                        hours=hours,
                        recorded_by=recorder,
                    )
                )
                size = 1 if kind == Platform.Kind.MEDIATION_STUDIO else rng.randint(2, 6)
                for talent_id in rng.sample(team, min(len(team), size)):
                    joins.append(
                        Participation(activity_id=activity_id, talent_id=talent_id, hours=hours)
                    )
                activity_id += 1
            platform_id += 1
    insert_objects(Platform, platforms)
    insert_objects(Activity, activities)
    insert_objects(Participation, joins)
    link = Platform.organisers.through
    link.objects.bulk_create(
        [link(platform_id=p, user_id=u) for p, u in organisers], ignore_conflicts=True
    )
    return len(activities)


def _activity_name(kind: str, k: int, rng: random.Random) -> str:
    if kind == Platform.Kind.MEDIATION_STUDIO:
        return f"调解服务：{rng.choice(DISPUTES)[0]}"
    if kind == Platform.Kind.PATROL:
        return rng.choice(["夜间平安巡逻", "节假日安全巡查", "防汛巡查", "校园周边护学"])
    return rng.choice(["反诈宣传进社区", "反诈知识进校园", "老年人防骗讲座", "集市反诈宣传"])


def _studio(*, county: str, today: date, rng: random.Random) -> dict[str, int]:
    """The showcase studio's latest disputes, brought as cases through the module's services:
    mediators with accounts join the studio's case department, and most disputes are mediated
    and closed through the case loop, which credits the mediators' hours (the module's close
    handler). Nothing when the studio has no case department (a test without departments)."""
    from jiceng.cases.services import case_act
    from jiceng.core.services.accounts import user_create
    from jiceng.youth.services import mediation_open, studio_mediator_add

    studio = (
        Platform.objects.filter(
            region_id=SHOWCASE_TOWN,
            kind=Platform.Kind.MEDIATION_STUDIO,
            department__isnull=False,
        )
        .select_related("department")
        .first()
    )
    town = Talent.objects.filter(region_prefix_q(scope_prefix(SHOWCASE_TOWN)))
    office = _demo_user("puyuan") or _demo_user("admin")
    if studio is None or office is None or not town.exists():
        return {"mediations": 0}
    mediators = list(town.filter(user__isnull=False).select_related("person")[:1])
    for k, talent in enumerate(town.filter(user__isnull=True).order_by("pk")[:5], start=1):
        talent.user = user_create(
            username=f"tiaojie{k}",
            password=None,
            region_code=talent.region_id,
            roles=[Role.YOUTH],
            display_name=talent.person.name,
        )
        talent.save(update_fields=["user"])
        mediators.append(talent)
    for talent in mediators:
        studio_mediator_add(actor=None, studio=studio, talent=talent)
    closed = 0
    for k in range(STUDIO_CASES):
        title, detail = DISPUTES[k % len(DISPUTES)]
        team = rng.sample(mediators, min(len(mediators), rng.choice([1, 2, 2])))
        mediation = mediation_open(
            actor=None,
            studio=studio,
            description=f"{title}：{detail}",
            region_code=team[0].region_id,
            mediators=team,
            reporter_name=_name(rng),
        )
        if k % 6 == 5:
            continue  # still being mediated
        handler = team[0].user
        case_act(case_id=mediation.case_id, actor=handler, action="start")
        case_act(
            case_id=mediation.case_id, actor=handler, action="resolve", note="双方达成调解协议"
        )
        case_act(case_id=mediation.case_id, actor=office, action="verify")
        closed += 1
    return {"mediations": STUDIO_CASES, "mediations_closed": closed}


def demo_youth_delete() -> None:
    """Delete the module's demo records (they refer to regions, people and organisations)."""
    with transaction.atomic():
        Mediation.objects.all().delete()
        Participation.objects.all().delete()
        Activity.objects.all().delete()
        Platform.objects.all().delete()
        ReserveRecord.objects.all().delete()
        ReserveCadre.objects.all().delete()
        Mentorship.objects.all().delete()
        StepRecord.objects.all().delete()
        Talent.objects.all().delete()
        Branch.objects.all().delete()


def stage_counts(planned: list[Planned]) -> Counter[str]:
    return Counter(p.stage for p in planned)
