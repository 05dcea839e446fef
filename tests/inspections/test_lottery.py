"""Lottery outlets on the inspections engine: the minors' protection checklist (reference
data), a failed item opens a lottery complaint case, a passing re-inspection closes it; the
responsibility page lists the outlet's inspections and links to inspecting one."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.cases.models import Case
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.inspections.models import Finding
from jiceng.inspections.selectors import checklist_with_items, inspections_of
from jiceng.inspections.services import inspection_record
from jiceng.lottery.models import Outlet


@pytest.fixture
def outlet(users, regions) -> Outlet:
    categories_load()
    departments_create(county_code="330483")
    return Outlet.objects.create(
        code="wt1", name="梧桐一号站", region=regions["330483001001"], opened_on=date(2020, 1, 1)
    )


@pytest.fixture
def fucai(users):
    return user_create(
        username="fucai_wt",
        password="pw-fucai-2026",
        region_code="330483001",
        roles=[Role.LOTTERY_STAFF],
    )


def _answers(failed: set[str]) -> list[dict]:
    checklist = checklist_with_items("lottery_minors")
    return [
        {
            "item": item.code,
            "ok": item.code not in failed,
            "note": "未张贴" if item.code in failed else "",
        }
        for item in checklist.item_list
    ]


def test_a_minors_check_of_an_outlet_opens_a_lottery_case_and_a_reinspection_closes_it(
    outlet, fucai
):
    first = inspection_record(
        actor=fucai,
        checklist="lottery_minors",
        target="lottery_outlet:wt1",
        findings=_answers({"no_minors_sign"}),
    )
    [case] = first.opened_cases
    assert case.category.code == "lottery_complaint"
    assert case.region_id == "330483001001"
    finding = Finding.objects.get(case=case)
    assert finding.severity == "major"
    assert (finding.deadline - first.inspected_at.date()).days <= 1
    assert first.target_label == "wt1 梧桐一号站"

    inspection_record(
        actor=fucai,
        checklist="lottery_minors",
        target="lottery_outlet:wt1",
        findings=_answers(set()),
    )
    case.refresh_from_db()
    assert not case.is_open
    assert [i.failed for i in inspections_of("lottery_outlet", "wt1")] == [0, 1]


def test_a_town_officer_does_not_inspect_lottery_outlets(outlet, users):
    with pytest.raises(PermissionDenied):
        inspection_record(
            actor=users["wutong"],
            checklist="lottery_outlet",
            target="lottery_outlet:wt1",
            findings=[],
        )
    with pytest.raises(ValidationError):
        inspection_record(
            actor=users["admin"],
            checklist="lottery_outlet",
            target="lottery_outlet:nope",
            findings=[],
        )
    assert not Case.objects.exists()


def test_the_responsibility_page_lists_inspections_and_links_to_inspecting(outlet, fucai, client):
    inspection_record(
        actor=fucai,
        checklist="lottery_outlet",
        target="lottery_outlet:wt1",
        findings=[
            {"item": i.code, "ok": True} for i in checklist_with_items("lottery_outlet").item_list
        ],
    )
    client.force_login(fucai)
    page = client.get("/lottery/responsibility/").content.decode()
    assert "wt1 梧桐一号站" in page
    assert 'value="lottery_outlet:wt1"' in page
    start = client.get("/inspections/start/?checklist=lottery_minors&target=lottery_outlet:wt1")
    assert start.status_code == 302
    assert start["Location"] == "/inspections/new/lottery_minors/lottery_outlet:wt1/"
    form = client.get(start["Location"])
    assert form.status_code == 200
    assert "no_minors_sign" in form.content.decode()
