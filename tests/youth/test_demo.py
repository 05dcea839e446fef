"""The demo district's young people: histories that pass every rule, a few overdue on purpose,
the tags and reserve of the plan, the same rows for the same seed; and the district's funnel
matches the demo's figures."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from jiceng.cases.reference_data import departments_create
from jiceng.core.identifiers import make_resident_id, mask_resident_id
from jiceng.core.identity_vault import digest, seal
from jiceng.core.models import Person, User
from jiceng.demo.youth import build_history, seed_youth, step_ladder
from jiceng.youth.models import Activity, Mediation, Platform, StepRecord, Talent
from jiceng.youth.rules import Taken, check, deadlines
from jiceng.youth.selectors import FUNNEL_KEYS, funnel

TODAY = date(2026, 11, 20)
VILLAGES = ["330483001001", "330483001201", "330483101001", "330483101201"]


def residents(count: int, seed: int = 1) -> None:
    """`count` residents aged 18 to 40 in the four test villages (grids and villages)."""
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        birth = TODAY - timedelta(days=rng.randint(18 * 366, 40 * 365))
        number = make_resident_id("330483", birth, 100 + i, "M" if i % 2 else "F")
        rows.append(
            Person(
                name=f"青年{i:03d}",
                id_digest=digest(number),
                id_sealed=seal(number),
                id_masked=mask_resident_id(number),
                gender="M" if i % 2 else "F",
                birth_date=birth,
                region_id=VILLAGES[i % len(VILLAGES)],
            )
        )
    Person.objects.bulk_create(rows)


def replay(talent: Talent, ladder) -> None:
    """Every recorded step passes the rule check against the steps before it."""
    history: list[Taken] = []
    for record in StepRecord.objects.filter(talent=talent).select_related("step").order_by("pk"):
        check(
            ladder,
            history,
            record.step.code,
            record.on,
            record.facts,
            birth_date=talent.birth_date,
            today=TODAY,
        )
        history.append(Taken(record.step.code, record.on, record.facts))


def test_a_small_demo_has_every_stage_valid_histories_and_is_deterministic(users):
    departments_create(county_code="330483")
    residents(80)
    counts = seed_youth(seed=5, county="330483", people=60, today=TODAY)
    assert counts["talents"] == 60
    assert counts["mediations"] == 24 and counts["mediations_closed"] == 20
    ladder = step_ladder()
    talents = list(Talent.objects.all())
    stages = {t.stage for t in talents}
    assert {"none", "applicant", "activist", "member"} <= stages
    for talent in talents:
        replay(talent, ladder)
    first = sorted(StepRecord.objects.values_list("talent__person_id", "step__code", "on"))
    from jiceng.demo.youth import demo_youth_delete

    Mediation.objects.all().delete()
    for user in User.objects.filter(username__startswith="tiaojie"):
        user.departments.clear()
    demo_youth_delete()
    User.objects.filter(username__startswith="tiaojie").delete()
    assert not Talent.objects.exists()
    seed_youth(seed=5, county="330483", people=60, today=TODAY)
    again = sorted(StepRecord.objects.values_list("talent__person_id", "step__code", "on"))
    assert first == again


def test_an_overdue_history_leaves_its_deadline_passed_and_a_plain_one_none(db):
    ladder = step_ladder()
    rng = random.Random(3)
    birth = date(2000, 5, 1)
    late = build_history(ladder, birth=birth, end="application", today=TODAY, rng=rng, overdue=True)
    assert late is not None and late[-1].on < TODAY - timedelta(days=31)
    plain = build_history(
        ladder, birth=birth, end="conversion_meeting", today=TODAY, rng=rng, overdue=False
    )
    assert plain is not None and plain[-1].on <= TODAY
    assert all(due.due >= TODAY for due in deadlines(ladder, plain))


@pytest.mark.slow
def test_the_districts_funnel_matches_the_demos_figures(users):
    """At the demo's scale: about 1,000 young people in every stage, 46 wealth leaders, 900+
    under 35 and 900+ reserve cadres, a few overdue, and 300+ services at 濮院's mediation
    studio whose latest disputes are cases, most of them closed."""
    departments_create(county_code="330483")
    residents(1_500, seed=2)
    counts = seed_youth(seed=7, county="330483", people=1_010, today=TODAY)
    figures = funnel(users["admin"], "330483", today=TODAY)
    assert counts["talents"] == 1_010 == sum(figures[k] for k in (*FUNNEL_KEYS, "none"))
    assert all(figures[k] > 20 for k in FUNNEL_KEYS)
    assert figures["leaders"] == 46
    assert figures["under_35"] >= 900 and figures["reserve_cadre"] >= 900
    assert 0 < figures["overdue"] <= 60
    studio = Platform.objects.get(region_id="330483101", kind="mediation_studio")
    services = Activity.objects.filter(platform=studio).count()
    assert services >= 300
    cases = Mediation.objects.filter(studio=studio)
    assert cases.count() == 24 and cases.filter(case__status="closed").count() == 20
    assert cases.filter(activity__isnull=False).count() == 20  # hours to the mediators
