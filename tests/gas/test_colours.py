"""The three-colour code of user sites: each default reason, and the loop from a red site
through a case back to green."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from jiceng.cases.models import Case
from jiceng.cases.services import case_act
from jiceng.gas.models import Cylinder
from jiceng.gas.selectors import site_colour
from jiceng.gas.services.checks import safety_check_record
from jiceng.gas.services.colours import site_colours_refresh
from jiceng.inspections.models import Finding
from jiceng.risk.selectors import colour_history

from .conftest import capture, event, make_cylinder

ALL_OK = {
    item: {"ok": True}
    for item in (
        "hose",
        "regulator",
        "valve",
        "ventilation",
        "gas_alarm",
        "cylinders",
        "storage",
        "kitchen",
    )
}


def _deliver(users, site, serial: str) -> None:
    job = capture(
        users["admin"],
        event("urn:jiceng:bizstep:delivering", [serial], biz_location=site.identifier),
    )
    assert job.success, job.errors


def _rules(site) -> list[str]:
    from jiceng.risk.selectors import colour_of

    row = colour_of("gas-site", site.pk)
    return [r["rule"] for r in row.reasons] if row else []


def test_a_checked_site_with_sound_cylinders_is_green(network, users):
    make_cylinder("G-1")
    safety_check_record(actor=users["wutong"], site_id=network.site.pk, answers=ALL_OK)
    _deliver(users, network.site, "G-1")
    assert site_colour(network.site.pk).colour == "green"
    assert site_colour(network.site.pk).reasons == []


def test_a_site_never_checked_is_yellow_for_want_of_a_safety_check(network, users):
    site_colours_refresh(site_ids=[network.site.pk])
    assert site_colour(network.site.pk).colour == "yellow"
    assert _rules(network.site) == ["no_safety_check_12_months"]


def test_a_cylinder_past_its_inspection_date_at_the_site_makes_it_red(network, users):
    today = timezone.localdate()
    make_cylinder(
        "R-1",
        manufactured_on=today - timedelta(days=365 * 6),
        last_inspected_on=today - timedelta(days=365 * 5),
    )
    safety_check_record(actor=users["wutong"], site_id=network.site.pk, answers=ALL_OK)
    _deliver(users, network.site, "R-1")
    colour = site_colour(network.site.pk)
    assert colour.colour == "red"
    assert _rules(network.site) == ["cylinder_inspection_overdue"]
    assert colour.reasons[0].startswith("在用气瓶超期未检")


def test_a_cylinder_past_its_design_life_at_the_site_makes_it_red(network, users):
    today = timezone.localdate()
    make_cylinder(
        "R-2",
        manufactured_on=today - timedelta(days=365 * 9),
        last_inspected_on=today - timedelta(days=200),
    )
    safety_check_record(actor=users["wutong"], site_id=network.site.pk, answers=ALL_OK)
    _deliver(users, network.site, "R-2")
    assert _rules(network.site) == ["cylinder_past_design_life"]


def test_an_inspection_falling_due_within_30_days_makes_the_site_yellow(network, users):
    today = timezone.localdate()
    cylinder = make_cylinder("Y-1")
    Cylinder.objects.filter(pk=cylinder.pk).update(next_inspection_due=today + timedelta(days=20))
    safety_check_record(actor=users["wutong"], site_id=network.site.pk, answers=ALL_OK)
    _deliver(users, network.site, "Y-1")
    assert site_colour(network.site.pk).colour == "yellow"
    assert _rules(network.site) == ["cylinder_inspection_due_soon"]


def test_an_open_minor_hazard_makes_the_site_yellow(network, users):
    safety_check_record(
        actor=users["wutong"],
        site_id=network.site.pk,
        answers={**ALL_OK, "gas_alarm": {"ok": False, "note": "无报警器"}},
        hazards=[{"item": "gas_alarm", "grade": "minor", "description": "未装报警器"}],
    )
    assert site_colour(network.site.pk).colour == "yellow"
    assert _rules(network.site) == ["minor_hazard_open"]


def test_a_major_hazard_past_its_deadline_turns_the_site_red_and_closing_its_case_turns_it_green(
    network, users
):
    """The Done-when path: a site turns red, a case opens, the hazard is rectified, green."""
    now = timezone.now()
    found = now - timedelta(days=5)
    safety_check_record(
        actor=users["wutong"],
        site_id=network.site.pk,
        answers={**ALL_OK, "hose": {"ok": False, "note": "软管龟裂"}},
        hazards=[{"item": "hose", "grade": "major", "description": "软管老化龟裂"}],
        at=found,
    )
    hazard = Finding.objects.get(ok=False)
    assert hazard.deadline == timezone.localdate(found) + timedelta(days=3)
    assert hazard.case is not None
    case = Case.objects.get(pk=hazard.case.pk)
    assert case.category.code == "gas_hazard"
    assert case.attributes["hazard"] == "hose"
    # Before the deadline the site is green (checked, nothing overdue); after it, red.
    assert site_colour(network.site.pk).colour == "green"
    site_colours_refresh(site_ids=[network.site.pk], at=now)
    assert site_colour(network.site.pk).colour == "red"
    assert _rules(network.site) == ["major_hazard_overdue"]

    for action, note in (
        ("accept", ""),
        ("dispatch", ""),
        ("resolve", "已更换软管"),
        ("verify", ""),
    ):
        case_act(case_id=case.pk, actor=None, action=action, note=note, system=True)

    hazard.refresh_from_db()
    assert hazard.status == Finding.Status.RECTIFIED
    assert site_colour(network.site.pk).colour == "green"
    history = colour_history("gas-site", network.site.pk)
    assert [h.colour for h in history][:2] == ["green", "red"]


def test_reopening_a_hazards_case_opens_the_hazard_again_and_the_site_turns_red_again(
    network, users
):
    """A closed case that is reopened means the hazard was not put right after all."""
    now = timezone.now()
    safety_check_record(
        actor=users["wutong"],
        site_id=network.site.pk,
        answers={**ALL_OK, "hose": {"ok": False, "note": "软管龟裂"}},
        hazards=[{"item": "hose", "grade": "major", "description": "软管老化龟裂"}],
        at=now - timedelta(days=5),
    )
    site_colours_refresh(site_ids=[network.site.pk], at=now)
    assert site_colour(network.site.pk).colour == "red"
    hazard = Finding.objects.get(ok=False)
    for action in ("accept", "dispatch", "resolve", "verify"):
        case_act(case_id=hazard.case_id, actor=None, action=action, note="已更换软管", system=True)
    hazard.refresh_from_db()
    assert hazard.status == Finding.Status.RECTIFIED and hazard.rectified_at is not None
    assert site_colour(network.site.pk).colour == "green"

    case = case_act(
        case_id=hazard.case_id, actor=users["wutong"], action="reopen", note="复查发现软管仍龟裂"
    )
    assert case.is_open
    hazard.refresh_from_db()
    assert hazard.status == Finding.Status.OPEN and hazard.rectified_at is None
    assert site_colour(network.site.pk).colour == "red"
    assert _rules(network.site) == ["major_hazard_overdue"]
    history = colour_history("gas-site", network.site.pk)
    assert [h.colour for h in history][:3] == ["red", "green", "red"]

    # Closing the reopened case clears the hazard once more.
    for action in ("resolve", "verify"):
        case_act(case_id=case.pk, actor=None, action=action, note="再次更换软管", system=True)
    hazard.refresh_from_db()
    assert hazard.status == Finding.Status.RECTIFIED
    assert site_colour(network.site.pk).colour == "green"


def test_the_nightly_run_turns_a_site_red_when_an_inspection_date_passes(network, users):
    today = timezone.localdate()
    cylinder = make_cylinder("N-1")
    Cylinder.objects.filter(pk=cylinder.pk).update(next_inspection_due=today + timedelta(days=40))
    safety_check_record(actor=users["wutong"], site_id=network.site.pk, answers=ALL_OK)
    _deliver(users, network.site, "N-1")
    assert site_colour(network.site.pk).colour == "green"
    site_colours_refresh(site_ids=None, at=timezone.now() + timedelta(days=41))
    assert site_colour(network.site.pk).colour == "red"
