"""The engine: failed items open cases routed by category with deadlines by severity, a second
failure joins the open case, a passing re-inspection closes it, a case closed elsewhere
rectifies its finding, bad input stores nothing, scope, photos, patrol rounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.cases.models import Case, Source
from jiceng.cases.services import case_act
from jiceng.core.errors import Refused
from jiceng.inspections.models import Finding, Inspection, InspectionPhoto, Round
from jiceng.inspections.selectors import (
    findings_by_month,
    inspections_of,
    last_inspected,
    open_findings,
)
from jiceng.inspections.services import inspection_record, round_finish, round_start

from .conftest import CHANGED, answers, jpeg

VILLAGE = "330483001001"  # 庆丰社区, in 梧桐
TARGET = f"place:{VILLAGE}"


def record(user, **failed: str) -> Inspection:
    return inspection_record(
        actor=user, checklist="test-community", target=TARGET, findings=answers(**failed)
    )


def test_a_failed_item_opens_one_case_routed_by_category_with_its_deadline(users, checklist):
    inspection = record(users["wutong"], exits="安全出口堆放杂物")
    assert len(inspection.opened_cases) == 1
    case = inspection.opened_cases[0]
    assert case.category.code == "ebike_charging"
    assert case.source == Source.INSPECTION
    finding = Finding.objects.get(inspection=inspection, ok=False)
    assert case.source_ref == f"inspection-finding:{finding.pk}"
    assert finding.status == "open" and finding.case_id == case.pk
    assert finding.severity == "major"
    assert finding.deadline == timezone.localdate() + timedelta(days=3)
    assert "安全出口堆放杂物" in case.description
    assert Finding.objects.filter(inspection=inspection, status="ok").count() == 2
    assert CHANGED and CHANGED[-1][0] == [VILLAGE]
    assert not inspection.is_reinspection


def test_a_minor_market_item_goes_to_its_own_category_and_deadline(users, checklist):
    inspection = record(users["wutong"], licence="营业执照过期")
    case = inspection.opened_cases[0]
    assert case.category.code == "sanitation"
    finding = Finding.objects.get(case=case)
    assert finding.deadline == timezone.localdate() + timedelta(days=10)


def test_a_second_failure_of_the_same_item_joins_the_open_case(users, checklist):
    first = record(users["wutong"], exits="堵塞")
    second = record(users["wutong"], exits="仍然堵塞")
    assert second.opened_cases == []
    assert second.is_reinspection
    assert Case.objects.count() == 1
    cases = set(Finding.objects.filter(ok=False).values_list("case_id", flat=True))
    assert cases == {first.opened_cases[0].pk}
    assert len(open_findings("place", [VILLAGE])) == 2


def test_a_passing_reinspection_closes_the_case_and_rectifies_the_findings(users, checklist):
    first = record(users["wutong"], exits="堵塞")
    record(users["wutong"], exits="仍然堵塞")
    case = first.opened_cases[0]
    again = record(users["wutong"])
    case.refresh_from_db()
    assert case.status == "closed" and case.outcome == "resolved"
    findings = Finding.objects.filter(ok=False)
    assert {f.status for f in findings} == {"rectified"}
    assert {f.rectified_by_id for f in findings} == {again.pk}
    assert open_findings("place") == []


def test_closing_the_case_in_the_case_loop_rectifies_and_reopening_opens_again(users, checklist):
    first = record(users["wutong"], licence="过期")
    case = first.opened_cases[0]
    case_act(case_id=case.pk, actor=users["admin"], action="dismiss", note="已核实整改")
    finding = Finding.objects.get(case=case)
    assert finding.status == "rectified" and finding.rectified_at is not None
    case_act(case_id=case.pk, actor=users["admin"], action="reopen", note="复查仍未整改")
    finding.refresh_from_db()
    assert finding.status == "open" and finding.rectified_at is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"checklist": "nope"}, "checklist"),
        ({"target": "place:999999999999"}, "target"),
        ({"target": "nokind:1"}, "target"),
        ({"findings": answers()[:2]}, "findings"),
        ({"findings": [*answers(), {"item": "exits", "ok": True}]}, "findings"),
        ({"findings": [*answers(), {"item": "ghost", "ok": False}]}, "findings"),
        ({"findings": [{"item": "exits", "ok": "yes"}, *answers()[1:]]}, "findings"),
        (
            {
                "findings": [
                    {"item": "exits", "ok": False, "deadline": "2000-01-01"},
                    *answers()[1:],
                ]
            },
            "findings",
        ),
        ({"inspected_at": timezone.now() + timedelta(days=1)}, "inspected_at"),
        ({"round_id": 999999}, "round_id"),
    ],
)
def test_bad_input_stores_nothing(users, checklist, change, field):
    arguments = {
        "actor": users["wutong"],
        "checklist": "test-community",
        "target": TARGET,
        "findings": answers(exits="x", licence="y"),
        **change,
    }
    with pytest.raises(ValidationError) as raised:
        inspection_record(**arguments)
    assert field in raised.value.message_dict
    assert not Inspection.objects.exists()
    assert not Finding.objects.exists()
    assert not Case.objects.exists()


def test_a_user_of_another_town_cannot_inspect_the_target(users, checklist):
    with pytest.raises(ValidationError) as raised:
        record(users["puyuan"], exits="x")
    assert "target" in raised.value.message_dict
    assert not Inspection.objects.exists()


def test_a_read_only_regulator_cannot_inspect(users, checklist):
    with pytest.raises(PermissionDenied):
        record(users["regulator"])


def test_photos_of_the_whole_and_of_one_item(users, checklist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    inspection = inspection_record(
        actor=users["wutong"],
        checklist="test-community",
        target=TARGET,
        findings=answers(charging="飞线"),
        photos={"": [jpeg("all.jpg")], "charging": [jpeg("lead.jpg")]},
    )
    photos = list(InspectionPhoto.objects.filter(inspection=inspection).order_by("id"))
    assert len(photos) == 2
    assert photos[0].finding_id is None
    assert photos[1].finding.item.code == "charging"
    assert photos[1].content_type == "image/jpeg"


def test_a_bad_photo_stores_nothing(users, checklist, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationError):
        inspection_record(
            actor=users["wutong"],
            checklist="test-community",
            target=TARGET,
            findings=answers(charging="飞线"),
            photos=[SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")],
        )
    assert not Inspection.objects.exists() and not Case.objects.exists()


def test_selectors(users, checklist):
    record(users["wutong"], exits="x")
    record(users["wutong"])
    rows = inspections_of("place", VILLAGE)
    assert [row.failed for row in rows] == [0, 1]
    assert set(last_inspected("place", [VILLAGE, "nope"])) == {VILLAGE}
    counts = findings_by_month(users["admin"], module="ebike")
    assert [(r["region"], r["failed"], r["open"]) for r in counts] == [(VILLAGE, 1, 0)]
    assert findings_by_month(users["puyuan"]) == []


def test_a_night_patrol_round_with_its_inspections(users, checklist):
    patrol = round_start(
        actor=users["wutong"],
        region_code="330483001",
        members="张三、李四",
        route="庆丰社区, 虎啸村",
    )
    inspection = inspection_record(
        actor=users["wutong"],
        checklist="test-community",
        target=TARGET,
        findings=answers(),
        round_id=patrol.pk,
    )
    assert inspection.round_id == patrol.pk
    with pytest.raises(PermissionDenied):
        round_finish(actor=users["handler"], round_id=patrol.pk)
    done = round_finish(
        actor=users["wutong"], round_id=patrol.pk, route=[[30.63, 120.56]], note="无异常"
    )
    assert done.ended_at is not None and done.route == [[30.63, 120.56]]
    with pytest.raises(Refused):
        round_finish(actor=users["wutong"], round_id=patrol.pk)
    with pytest.raises(ValidationError):
        round_start(actor=users["puyuan"], region_code="330483001")
    assert Round.objects.count() == 1
