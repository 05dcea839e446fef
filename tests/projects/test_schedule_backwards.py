"""Milestones planned backwards from the production target on the 2026 working calendar."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from jiceng.projects.models import Milestone
from jiceng.projects.services import project_schedule, schedule_refresh

CALENDAR = Path(__file__).resolve().parents[2] / "jiceng" / "reference" / "calendar-cn.csv"


def working_days_back(last: date, count: int) -> date:
    """The day `count` working days back from `last` inclusive, walked by hand over the CSV."""
    rows = {r["date"]: r["kind"] for r in csv.DictReader(CALENDAR.open(encoding="utf-8"))}
    day, seen = last, 0
    while True:
        kind = rows.get(day.isoformat())
        if kind == "workday" or (kind is None and day.weekday() < 5):
            seen += 1
            if seen == count:
                return day
        day -= timedelta(days=1)


def test_the_default_chain_has_late_dates_checkable_by_hand_across_national_day(plant):
    schedule = project_schedule(plant, today=date(2026, 6, 1))
    rows = {m["code"]: m for m in schedule["milestones"]}
    # Production takes 20 working days and must finish on Friday 30 October: counting back,
    # 30-26, 23-19, 16-12 October (15), Saturday the 10th (a make-up working day), Friday the
    # 9th and Thursday the 8th (18); 1-7 October are the National Day holidays; then Wednesday
    # 30 and Tuesday 29 September (20).
    assert rows["production"]["late_finish"] == date(2026, 10, 30)
    assert rows["production"]["late_start"] == date(2026, 9, 29)
    # Completion acceptance must then finish on Monday 28 September, 120 working days before.
    assert rows["completion"]["late_finish"] == date(2026, 9, 28)
    assert rows["completion"]["late_start"] == working_days_back(date(2026, 9, 28), 120)
    start = rows["start"]["late_start"]
    assert rows["construction_permit"]["late_finish"] == working_days_back(start, 2)
    assert schedule["deadline"] == date(2026, 10, 30)


def test_the_critical_path_runs_through_land_and_permits_and_floats_are_working_days(plant):
    schedule = project_schedule(plant, today=date(2026, 1, 5))
    rows = {m["code"]: m for m in schedule["milestones"]}
    critical = [c for c, m in rows.items() if m["critical"]]
    assert critical == [
        "code_filing", "land_prereview", "land_supply", "land_permit", "planning_permit",
        "construction_permit", "start", "completion", "production",
    ]  # fmt: skip
    assert schedule["feasible"]
    # energy review (15) runs beside land prereview + supply + permits (10+20+5+10 = 45): 30 more.
    assert rows["energy_review"]["float_days"] - rows["code_filing"]["float_days"] == 30
    assert rows["code_filing"]["early_start"] == date(2026, 1, 5)


def test_a_deadline_three_weeks_too_early_shows_negative_float_and_flags_the_project(plant):
    today = date(2026, 1, 5)
    feasible = project_schedule(plant, today=today)
    slack = {m["code"]: m["float_days"] for m in feasible["milestones"]}["code_filing"]
    # Move the deadline to 15 working days (three weeks) earlier than the latest feasible one.
    plant.production_target = working_days_back(date(2026, 10, 30), slack + 16)
    plant.save()
    schedule = schedule_refresh(plant, today=today)
    rows = {m["code"]: m for m in schedule["milestones"]}
    assert not schedule["feasible"]
    assert all(rows[c]["float_days"] == -15 for c in rows if rows[c]["critical"])
    assert rows["production"]["critical"] and rows["code_filing"]["critical"]
    assert rows["energy_review"]["float_days"] > 0
    plant.refresh_from_db()
    assert plant.at_risk


def test_done_milestones_anchor_the_early_dates_and_late_starts_passed_turn_red(plant):
    Milestone.objects.filter(project=plant, code="code_filing").update(done_on=date(2026, 5, 6))
    schedule = project_schedule(plant, today=date(2026, 7, 1))
    rows = {m["code"]: m for m in schedule["milestones"]}
    assert rows["code_filing"]["status"] == "done"
    assert rows["energy_review"]["early_start"] == date(2026, 7, 1)  # never before today
    late = [c for c, m in rows.items() if m["status"] == "late"]
    assert "land_prereview" in late and not schedule["feasible"]
