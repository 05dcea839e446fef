"""Long-term-care demo data for one county's deployment: designated care institutions in its
towns; applications at every stage of the workflow, with their assessments (scored by the
standard through the services, so that the levels are the standard's); re-assessments; the
monthly services of the insured in care; and insured persons of this county who live in the
neighbouring region of the agreement (桐乡 ↔ 吴兴), so that the exchanges have people to work on.

Everything goes through the ltc services (a few hundred calls), as the system itself (no actor).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.cases.models import Category
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.identifiers import make_credit_code
from jiceng.core.models import Person, Region
from jiceng.core.services.registries import person_reveal_id_number
from jiceng.ltc.models import Application, CareMode, Institution, InsuredPerson
from jiceng.ltc.services.applications import (
    CASE_CATEGORY,
    application_act,
    application_apply,
    insured_ensure,
)
from jiceng.ltc.services.assessments import assessment_record
from jiceng.ltc.services.institutions import (
    institution_create,
    insured_choose_institution,
    insured_set_residence,
    service_record_set,
)
from jiceng.ltc.standard import current_standard

# The two regions of the agreement: each deployment's insured may live in the other.
NEIGHBOURS = {"330483": ("330502", "湖州市吴兴区"), "330502": ("330483", "嘉兴市桐乡市")}
INSTITUTION_KINDS = (
    ("康养护理院", ["institution", "visit"], (60, 160), (10, 30)),
    ("居家护理服务中心", ["home", "visit"], (0, 0), (40, 120)),
    ("颐养院", ["institution", "home", "visit"], (40, 120), (20, 60)),
)
# How many applications end at each stage (the effective ones are the insured in care).
STAGES = (
    ("applied", 4),
    ("accepted", 3),
    ("assigned", 3),
    ("assessed", 3),
    ("reviewed", 2),
    ("published", 3),
    ("appealed", 1),
    ("rejected", 2),
    ("withdrawn", 1),
    ("effective", 26),
)
STEPS_TO = {
    "applied": [],
    "accepted": ["accept"],
    "assigned": ["accept", "assign"],
    "assessed": ["accept", "assign", "assess"],
    "reviewed": ["accept", "assign", "assess", "review"],
    "published": ["accept", "assign", "assess", "review", "publish"],
    "appealed": ["accept", "assign", "assess", "review", "publish", "appeal"],
    "rejected": ["reject"],
    "withdrawn": ["accept", "withdraw"],
    "effective": ["accept", "assign", "assess", "review", "publish"],
}
ASSESSORS = ("王丽华", "陈建平", "张晓燕", "李国强", "沈美琴", "朱卫东")
LIVING_ELSEWHERE = 6


def _scores(rng: random.Random, severity: float) -> dict[str, int]:
    """A score sheet: each item's option drawn towards the low end as `severity` nears 1."""
    scores = {}
    for item in current_standard().items:
        options = sorted(o.score for o in item.options)
        position = min(len(options) - 1, int((1 - severity) * len(options) + rng.random() * 1.6))
        scores[item.id] = options[max(0, position)]
    return scores


def _institutions(county: Region, rng: random.Random) -> list[Institution]:
    towns = list(Region.objects.filter(parent=county, level="town").order_by("code"))
    made = []
    for index, town in enumerate(towns[:8]):
        suffix, modes, beds, capacity = INSTITUTION_KINDS[index % len(INSTITUTION_KINDS)]
        made.append(
            institution_create(
                actor=None,
                name=f"{town.name.rstrip('镇街道乡')}{suffix}",
                credit_code=make_credit_code("5", "2", county.code, 4_100 + index),
                region_code=town.code,
                care_modes=modes,
                beds=rng.randint(*beds),
                capacity=rng.randint(*capacity),
                address=f"{county.name}{town.name}",
                phone=f"0573-8{rng.randint(1_000_000, 9_999_999)}",
                designated_on=date(2023, 1, 1) + timedelta(days=rng.randint(0, 600)),
            )
        )
    return made


def _elderly(county: str, count: int, rng: random.Random) -> list[Person]:
    cutoff = date(timezone.localdate().year - 70, 1, 1)
    pool = list(
        Person.objects.filter(region__code__startswith=county, birth_date__lte=cutoff)
        .exclude(ltc_insured__isnull=False)
        .order_by("pk")[: count * 4]
    )
    rng.shuffle(pool)
    return pool[:count]


def seed_ltc(*, county: str, rng_seed: int) -> dict[str, Any]:
    """Seed one county's long-term-care data; returns counts for the seed summary."""
    with disable_auditlog(), transaction.atomic():
        return _seed_ltc(county=county, rng_seed=rng_seed)


def _seed_ltc(*, county: str, rng_seed: int) -> dict[str, Any]:
    rng = random.Random(rng_seed * 7 + 6)
    region = Region.objects.get(code=county)
    if not Category.objects.filter(code=CASE_CATEGORY).exists():
        categories_load()
    departments_create(county_code=county)
    institutions = _institutions(region, rng)
    today = timezone.localdate()
    people = _elderly(county, sum(n for _stage, n in STAGES), rng)
    stages: Counter[str] = Counter()
    effective: list[Application] = []
    for person in people:
        stage = next(s for s, n in STAGES if stages[s] < n)
        stages[stage] += 1
        started = today - timedelta(
            days=rng.randint(40, 400) if stage == "effective" else rng.randint(1, 20)
        )
        application = application_apply(
            actor=None,
            person_id_number=person_reveal_id_number(person),
            care_mode=rng.choice(CareMode.values),
            at=timezone.now() - (today - started),
        )
        first, second = rng.sample(ASSESSORS, 2)
        severity = rng.uniform(0.6, 0.98) if stage == "effective" else rng.uniform(0.1, 0.9)
        data: dict[str, dict[str, Any]] = {
            "assign": {
                "assessor": first,
                "second_assessor": second,
                "institution": f"{region.name}失能评估中心",
            },
            "assess": {
                "scores": _scores(rng, severity),
                "assessed_on": min(started + timedelta(days=3), today),  # the third step
            },
        }
        notes = {
            "reject": "不符合参保条件",
            "withdraw": "本人撤回",
            "appeal": "家属认为评估等级偏低",
        }
        for index, step in enumerate(STEPS_TO[stage]):
            day = min(started + timedelta(days=index + 1), today)
            application = application_act(
                actor=None,
                application_id=application.pk,
                action=step,
                note=notes.get(step, ""),
                data=data.get(step, {}),
                today=day if stage == "effective" else today,
                at=_moment(day, today),
            )
        if stage == "effective":
            day = started + timedelta(days=15)
            application = application_act(
                actor=None,
                application_id=application.pk,
                action="make_effective",
                today=day,
                at=_moment(day, today),
            )
            effective.append(application)
    # The most dependent live in the neighbouring region (with a daughter, say) and are cared for
    # there; the others are cared for here.
    effective.sort(key=lambda a: (a.assessment.level if a.assessment else 0, a.pk))
    elsewhere, here = effective[-LIVING_ELSEWHERE:], effective[:-LIVING_ELSEWHERE]
    reassessed = _reassess(here[:3], rng, today)
    living = _living_elsewhere(county, elsewhere, rng)
    services = _services(here, institutions, rng, today)
    return {
        "institutions": len(institutions),
        "applications": sum(stages.values()),
        "effective": len(effective),
        "reassessed": reassessed,
        "living_elsewhere": living,
        "service_records": services,
    }


def _moment(day: date, today: date) -> datetime:
    """The time of day it is now, on `day` (for the dates of the demo's history)."""
    return timezone.now() - timedelta(days=(today - day).days)


def _reassess(applications: list[Application], rng: random.Random, today: date) -> int:
    """Re-assessments recorded directly (as the API does): each supersedes the earlier one."""
    for application in applications:
        assessment_record(
            actor=None,
            person=application.person,
            assessed_on=today - timedelta(days=rng.randint(1, 10)),
            assessor=rng.choice(ASSESSORS),
            scores=_scores(rng, rng.uniform(0.7, 0.95)),
            institution="复评",
        )
    return len(applications)


def _living_elsewhere(county: str, effective: list[Application], rng: random.Random) -> int:
    neighbour, neighbour_name = NEIGHBOURS.get(county, ("", ""))
    if not neighbour:
        return 0
    towns = list(
        Region.objects.filter(code__startswith=neighbour, level="town").values_list("code", "name")
    )
    count = 0
    for application in effective:
        insured = InsuredPerson.objects.get(person=application.person)
        code, name = rng.choice(towns) if towns else (neighbour, "")
        insured_set_residence(
            actor=None,
            insured=insured,
            residence_code=code,
            residence_name=f"{neighbour_name}{name}",
        )
        count += 1
    return count


def _services(
    effective: list[Application], institutions: list[Institution], rng: random.Random, today: date
) -> int:
    """Choose an institution for the insured in care here and record the last two months."""
    this_month = today.replace(day=1)
    months = [(this_month - timedelta(days=1)).replace(day=1), this_month]
    count = 0
    for application in effective:
        insured = insured_ensure(person=application.person, since=today)
        mode = application.care_mode
        offering = [i for i in institutions if mode in i.care_modes]
        if not offering:
            continue
        try:
            insured_choose_institution(
                actor=None, insured=insured, care_mode=mode, institution=rng.choice(offering)
            )
        except ValidationError:  # the level gives no benefit for that care mode
            continue
        for month in months:
            units = {"institution": rng.randint(20, 31), "home": 1, "visit": rng.randint(4, 8)}[
                mode
            ]
            try:
                service_record_set(
                    actor=None,
                    month=month,
                    care_mode=mode,
                    units=units,
                    insured=insured,
                    institution=insured.institution,
                )
            except ValidationError:  # no valid level that month
                continue
            count += 1
    return count
