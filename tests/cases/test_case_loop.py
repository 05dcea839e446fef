"""The case loop through its services: intake, the state machine, deadlines, escalation."""

from __future__ import annotations

import io
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation
from PIL import Image

from jiceng.cases.models import Case, CaseEvent, Department, Notification, Status
from jiceng.cases.selectors import deadline_colour
from jiceng.cases.services import (
    CASE_MACHINE,
    CaseChanged,
    TransitionRefused,
    case_act,
)
from jiceng.cases.services.escalation import escalate_overdue_cases
from jiceng.cases.services.intake import case_report
from jiceng.core.transitions import allowed_names

TZ = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 3, 9, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The services' messages are matched in English (the UI speaks zh-Hans otherwise)."""
    with translation.override("en"):
        yield


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def report(user, **overrides):
    fields = {
        "actor": user,
        "category": "ebike_charging",
        "description": "3号楼楼道飞线充电",
        "region_code": "330483001001001",
        "attributes": {"place": "flying_lead"},
        "at": MONDAY_9,
    }
    fields.update(overrides)
    return case_report(**fields)


@pytest.fixture
def grid_case(case_setup):
    return report(case_setup["grid"])


def test_a_report_gets_a_county_year_number_deadlines_and_a_timeline(case_setup):
    first = report(case_setup["grid"])
    second = report(case_setup["grid"])
    assert first.number == "330483-2026-000001"
    assert second.number == "330483-2026-000002"
    assert first.status == Status.REPORTED
    assert first.owner_region_id == "330483001"
    # ebike_charging: accept within 2 working hours.
    assert first.accept_deadline == MONDAY_9 + timedelta(hours=2)
    assert [e.kind for e in first.events.all()] == ["reported"]
    assert Notification.objects.filter(user=case_setup["wutong"], case=first).exists()


def test_the_whole_loop_from_report_to_close(case_setup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    users = case_setup
    case = report(users["grid"], photos=[jpeg()])
    case = case_act(
        case_id=case.pk, actor=users["wutong"], action="accept", at=MONDAY_9 + timedelta(minutes=30)
    )
    assert case.resolve_deadline == datetime(2026, 3, 11, 17, 30, tzinfo=TZ)  # 2 working days
    case = case_act(case_id=case.pk, actor=users["wutong"], action="dispatch")
    assert case.department.kind == "fire_station" and case.department.region_id == "330483001"
    assert Notification.objects.filter(user=users["handler"], case=case, kind="dispatch").exists()
    case = case_act(case_id=case.pk, actor=users["handler"], action="start")
    case = case_act(
        case_id=case.pk,
        actor=users["handler"],
        action="resolve",
        note="已拆除飞线",
        photos=[jpeg("after.jpg")],
    )
    assert case.status == Status.RESOLVED
    case = case_act(case_id=case.pk, actor=users["wutong"], action="verify")
    assert case.status == Status.CLOSED and not case.is_open and case.outcome == "resolved"
    assert [e.kind for e in CaseEvent.objects.filter(case=case)] == [
        "reported",
        "accepted",
        "dispatched",
        "started",
        "resolved",
        "verified",
    ]
    assert sorted(case.photos.values_list("kind", flat=True)) == ["after", "before"]
    case = case_act(case_id=case.pk, actor=users["grid"], action="rate", score=5)
    assert case.satisfaction == 5


def test_illegal_transitions_are_refused_with_a_reason_and_change_nothing(grid_case, case_setup):
    with pytest.raises(TransitionRefused, match="Cannot"):
        case_act(case_id=grid_case.pk, actor=case_setup["wutong"], action="verify")
    grid_case.refresh_from_db()
    assert grid_case.status == Status.REPORTED and grid_case.version == 1
    assert grid_case.events.count() == 1


def test_a_department_handler_may_not_dispatch_and_another_town_cannot_see(grid_case, case_setup):
    with pytest.raises(PermissionDenied):
        case_act(case_id=grid_case.pk, actor=case_setup["handler"], action="dispatch")
    with pytest.raises(Case.DoesNotExist):
        case_act(case_id=grid_case.pk, actor=case_setup["puyuan"], action="accept")
    assert allowed_names(CASE_MACHINE, grid_case, case_setup["puyuan"]) == []
    assert "dispatch" in allowed_names(CASE_MACHINE, grid_case, case_setup["wutong"])


def test_a_regulator_cannot_report_or_act(grid_case, case_setup):
    with pytest.raises(PermissionDenied):
        report(case_setup["regulator"])
    assert allowed_names(CASE_MACHINE, grid_case, case_setup["regulator"]) == []


def test_two_dispatchers_acting_on_the_same_version_one_wins(grid_case, case_setup):
    users = case_setup
    case_act(case_id=grid_case.pk, actor=users["wutong"], action="dispatch", expected_version=1)
    with pytest.raises(CaseChanged, match="changed by someone else"):
        case_act(case_id=grid_case.pk, actor=users["admin"], action="dispatch", expected_version=1)
    # Without a version the state machine still refuses a second dispatch.
    with pytest.raises(TransitionRefused):
        case_act(case_id=grid_case.pk, actor=users["admin"], action="dispatch")
    assert CaseEvent.objects.filter(case=grid_case, kind="dispatched").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatches_from_threads_never_double_dispatch(case_setup):
    case = report(case_setup["grid"])
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def dispatch(user) -> None:
        barrier.wait()
        try:
            case_act(case_id=case.pk, actor=user, action="dispatch", expected_version=1)
            outcomes.append("won")
        except (CaseChanged, TransitionRefused):
            outcomes.append("told")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=dispatch, args=(case_setup[name],))
        for name in ("wutong", "admin") * 3
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["told"] * 5 + ["won"]
    assert CaseEvent.objects.filter(case=case, kind="dispatched").count() == 1
    assert Case.objects.get(pk=case.pk).version == 2


def test_a_returned_case_goes_back_to_the_dispatcher_with_a_reason(grid_case, case_setup):
    users = case_setup
    case_act(case_id=grid_case.pk, actor=users["wutong"], action="dispatch")
    with pytest.raises(ValidationError):
        case_act(case_id=grid_case.pk, actor=users["handler"], action="return", note="")
    case = case_act(
        case_id=grid_case.pk, actor=users["handler"], action="return", note="不属于本部门"
    )
    assert case.status == Status.RETURNED
    assert Notification.objects.filter(user=users["wutong"], kind="return").exists()
    other = Department.objects.get(region_id="330483001", kind="enforcement")
    case = case_act(
        case_id=grid_case.pk, actor=users["wutong"], action="dispatch", department=other.pk
    )
    assert case.department == other


def test_a_department_of_another_town_is_refused(grid_case, case_setup):
    puyuan_dept = Department.objects.get(region_id="330483101", kind="fire_station")
    with pytest.raises(ValidationError, match="does not serve"):
        case_act(
            case_id=grid_case.pk,
            actor=case_setup["admin"],
            action="dispatch",
            department=puyuan_dept,
        )


def test_confirmation_is_needed_where_the_category_says_so(case_setup):
    users = case_setup
    case = report(users["grid"], category="dispute", attributes={}, description="邻里噪声纠纷")
    case_act(case_id=case.pk, actor=users["wutong"], action="dispatch")
    department = Department.objects.get(region_id="330483001", kind="mediation")
    department.members.add(users["handler"])
    case_act(case_id=case.pk, actor=users["handler"], action="resolve", note="调解成功")
    with pytest.raises(TransitionRefused, match="confirmation"):
        case_act(case_id=case.pk, actor=users["wutong"], action="verify")
    case_act(case_id=case.pk, actor=users["grid"], action="confirm")
    assert case_act(case_id=case.pk, actor=users["wutong"], action="verify").status == Status.CLOSED


def test_reopen_counts_and_restarts_the_clock(grid_case, case_setup):
    users = case_setup
    for action, actor in [("dispatch", "wutong"), ("resolve", "handler"), ("verify", "wutong")]:
        case_act(case_id=grid_case.pk, actor=users[actor], action=action, note="ok")
    case = case_act(case_id=grid_case.pk, actor=users["wutong"], action="reopen", note="复发")
    assert case.status == Status.DISPATCHED and case.reopen_count == 1 and case.is_open
    assert case.clock_due_at is not None and case.closed_at is None


def test_a_reopen_handler_runs_on_reopening_only_and_its_failure_keeps_the_case_closed(
    grid_case, case_setup, monkeypatch
):
    from jiceng.cases import services

    monkeypatch.setattr(services, "_reopen_handlers", {})
    users = case_setup
    seen: list[tuple[int, str, bool]] = []

    def note_reopening(case: Case) -> None:
        seen.append((case.pk, case.status, case.is_open))

    services.register_reopen_handler("ebike_charging", note_reopening)
    services.register_reopen_handler("ebike_charging", note_reopening)  # registered once
    services.register_reopen_handler("dispute", lambda case: seen.append((0, "dispute", True)))
    for action, actor in [("dispatch", "wutong"), ("resolve", "handler"), ("verify", "wutong")]:
        case_act(case_id=grid_case.pk, actor=users[actor], action=action, note="ok")
    assert seen == []
    case_act(case_id=grid_case.pk, actor=users["wutong"], action="reopen", note="复发")
    assert seen == [(grid_case.pk, Status.DISPATCHED, True)]

    def refuse(case: Case) -> None:
        raise ValidationError("The module cannot take this case back.")

    for action, actor in [("resolve", "handler"), ("verify", "wutong")]:
        case_act(case_id=grid_case.pk, actor=users[actor], action=action, note="ok")
    services.register_reopen_handler("ebike_charging", refuse)
    with pytest.raises(ValidationError):
        case_act(case_id=grid_case.pk, actor=users["wutong"], action="reopen", note="又复发")
    case = Case.objects.get(pk=grid_case.pk)
    assert case.status == Status.CLOSED and case.reopen_count == 1 and not case.is_open
    assert case.events.filter(kind="reopened").count() == 1


def test_deadline_colours_follow_the_share_of_time_used(grid_case):
    start, due = grid_case.clock_started_at, grid_case.clock_due_at
    assert deadline_colour(grid_case, now=start + timedelta(minutes=10)) == "green"
    assert deadline_colour(grid_case, now=grid_case.clock_yellow_at) == "yellow"
    assert deadline_colour(grid_case, now=due + timedelta(minutes=1)) == "red"
    assert grid_case.clock_yellow_at == start + timedelta(minutes=96)  # 80 % of 2 hours


def test_an_overdue_case_escalates_to_the_county_by_itself(grid_case, case_setup):
    users = case_setup
    case_act(case_id=grid_case.pk, actor=users["wutong"], action="dispatch", at=MONDAY_9)
    # Resolve deadline: end of Wednesday; the rule escalates 4 working hours later.
    assert escalate_overdue_cases(now=datetime(2026, 3, 12, 10, 0, tzinfo=TZ)) == 0
    assert escalate_overdue_cases(now=datetime(2026, 3, 12, 14, 30, tzinfo=TZ)) == 1
    case = Case.objects.get(pk=grid_case.pk)
    assert case.owner_region_id == "330483" and case.escalation_level == 1
    assert case.events.filter(kind="escalated", actor__isnull=True).exists()
    assert Notification.objects.filter(user=users["admin"], kind="escalate").exists()
    assert Notification.objects.filter(user=users["handler"], kind="escalate").exists()
    # At the county already: no second escalation.
    assert escalate_overdue_cases(now=datetime(2026, 3, 20, 10, 0, tzinfo=TZ)) == 0


def test_suspension_pauses_the_clock(grid_case, case_setup):
    users = case_setup
    case_act(case_id=grid_case.pk, actor=users["wutong"], action="dispatch", at=MONDAY_9)
    due = Case.objects.get(pk=grid_case.pk).resolve_deadline
    case_act(
        case_id=grid_case.pk, actor=users["wutong"], action="suspend", note="等待业主", at=MONDAY_9
    )
    case = case_act(
        case_id=grid_case.pk,
        actor=users["wutong"],
        action="resume",
        at=MONDAY_9 + timedelta(days=2),
    )
    assert case.status == Status.DISPATCHED
    assert case.resolve_deadline == due + timedelta(days=2)


def test_merge_closes_a_duplicate_and_points_to_the_original(grid_case, case_setup):
    duplicate = report(case_setup["grid"])
    case = case_act(
        case_id=duplicate.pk, actor=case_setup["wutong"], action="merge", duplicate_of=grid_case.pk
    )
    assert case.status == Status.MERGED and case.duplicate_of == grid_case and not case.is_open
    with pytest.raises(ValidationError):
        case_act(
            case_id=grid_case.pk,
            actor=case_setup["wutong"],
            action="merge",
            duplicate_of=grid_case.pk,
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "no_such"}, "category"),
        ({"region_code": None}, "location"),
        ({"region_code": None, "lat": 30.6}, "location"),
        ({"region_code": "999999001"}, "region"),
        ({"description": "  "}, "description"),
        ({"attributes": {}}, "attributes"),
        ({"attributes": {"place": "roof"}}, "attributes"),
        ({"attributes": {"place": "indoor", "colour": "red"}}, "attributes"),
        ({"attributes": {"place": "indoor", "count": "many"}}, "attributes"),
    ],
)
def test_bad_reports_are_refused_with_a_reason_and_write_nothing(case_setup, overrides, field):
    with pytest.raises(ValidationError) as refused:
        report(case_setup["grid"], **overrides)
    assert field in refused.value.message_dict
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_a_report_outside_the_reporters_region_is_refused(case_setup):
    with pytest.raises(PermissionDenied):
        report(case_setup["grid"], region_code="330483101001")
    assert Case.objects.count() == 0


def test_non_images_and_oversized_photos_are_refused(case_setup, settings):
    fake = SimpleUploadedFile("x.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="readable image"):
        report(case_setup["grid"], photos=[fake])
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="larger than"):
        report(case_setup["grid"], photos=[jpeg()])
    assert Case.objects.count() == 0


def test_html_in_a_description_is_stored_as_text(case_setup):
    case = report(case_setup["grid"], description="<script>alert(1)</script>楼道充电")
    assert case.description == "<script>alert(1)</script>楼道充电"


def test_a_retried_create_with_the_same_idempotency_key_returns_the_first_case(case_setup):
    first = report(case_setup["grid"], idempotency_key="abc-1")
    again = report(case_setup["grid"], idempotency_key="abc-1")
    assert again.pk == first.pk and Case.objects.count() == 1
    assert report(case_setup["grid"], idempotency_key="abc-2").pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_get_distinct_consecutive_numbers(case_setup):
    barrier = threading.Barrier(8)
    numbers: list[str] = []

    def intake() -> None:
        barrier.wait()
        try:
            for _ in range(5):
                numbers.append(report(case_setup["grid"]).number)
        finally:
            connection.close()

    threads = [threading.Thread(target=intake) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(numbers) == [f"330483-2026-{n:06d}" for n in range(1, 41)]
