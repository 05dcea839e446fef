"""Volunteer hours and stars, the mediation studio on the case loop, reserve cadres, the
spreadsheet import and the demo's history builder."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from jiceng.cases.models import Case
from jiceng.cases.services import case_act
from jiceng.core.services.regions import ImportRefused
from jiceng.youth.models import Activity, Participation, StepRecord, Talent
from jiceng.youth.selectors import (
    funnel,
    pipeline,
    reserve_gaps,
    stage_durations,
    star_level,
    talent_card,
    volunteer_hours,
)
from jiceng.youth.services import (
    ReserveRefused,
    activity_record,
    histories_store,
    history_build,
    ladder,
    mediation_open,
    platform_create,
    policy_set,
    reserve_add,
    reserve_record_add,
    studio_create,
    studio_mediator_add,
    talent_register,
    talents_import,
)
from tests.youth.conftest import VILLAGE, WUTONG, id_for

pytestmark = pytest.mark.django_db


def test_the_organiser_records_hours_and_stars_follow_the_data_file(youth, wang, li):
    platform = platform_create(
        actor=youth["organiser"], name="反诈宣传队", kind="anti_fraud", region_code=WUTONG,
        organisers=[youth["secretary"]],
    )  # fmt: skip
    activity = activity_record(
        actor=youth["secretary"], platform=platform, name="进村宣讲", on=date(2026, 5, 1),
        hours="24", participants=[wang.pk, wang.pk, li.pk],
    )  # fmt: skip
    assert activity.recorded_by == youth["secretary"]  # whoever records certifies
    assert volunteer_hours(wang) == Decimal(24) and volunteer_hours(li) == Decimal(24)
    for n in range(4):
        activity_record(
            actor=youth["organiser"], platform=platform, name=f"巡讲{n}", on=date(2026, 6, 1 + n),
            hours=20, participants=[wang.pk],
        )  # fmt: skip
    assert talent_card(wang)["volunteer_hours"] == Decimal(104)
    assert talent_card(wang)["star"] == 1
    assert (star_level(99), star_level(300), star_level(1500)) == (0, 2, 5)
    # Not an organiser of the platform: refused; bad hours: 400, nothing stored.
    with pytest.raises(PermissionDenied):
        activity_record(
            actor=youth["mentor"], platform=platform, name="x", on=date(2026, 6, 1), hours=1,
            participants=[wang.pk],
        )  # fmt: skip
    for hours in ("0", "25", "1.25"):
        with pytest.raises(ValidationError):
            activity_record(
                actor=youth["organiser"], platform=platform, name="x", on=date(2026, 6, 1),
                hours=hours, participants=[wang.pk],
            )  # fmt: skip
    assert Activity.objects.count() == 5


def test_a_closed_mediation_adds_hours_to_its_mediators_and_a_reopening_takes_them_back(
    youth, wang, li
):
    studio = studio_create(actor=youth["organiser"], town_code=WUTONG, name="梧桐青年调解工作室")
    for talent in (wang, li):
        studio_mediator_add(actor=youth["organiser"], studio=studio, talent=talent)
    mediation = mediation_open(
        actor=youth["organiser"], studio=studio, description="邻居之间因停车位发生争执",
        region_code=VILLAGE, mediators=[wang, li], reporter_name="周女士",
    )  # fmt: skip
    case = mediation.case
    assert case.category.code == "youth_mediation"
    assert case.department_id == studio.department_id and case.status == "dispatched"
    assert case.resolve_deadline is not None  # the case loop's deadline
    # 小王 handles it as a member of the studio's department; 梧桐's officer verifies.
    case_act(case_id=case.pk, actor=youth["wang_account"], action="start")
    case_act(case_id=case.pk, actor=youth["wang_account"], action="resolve", note="双方达成协议")
    case_act(case_id=case.pk, actor=youth["wutong"], action="verify")
    case = Case.objects.get(pk=case.pk)
    assert case.status == "closed"
    assert volunteer_hours(wang) == Decimal(2) and volunteer_hours(li) == Decimal(2)
    case_act(case_id=case.pk, actor=youth["wutong"], action="reopen", note="协议未履行")
    assert volunteer_hours(wang) == 0 and not Participation.objects.exists()


def test_a_mediation_needs_mediators_of_the_studio(youth, wang):
    studio = studio_create(actor=youth["organiser"], town_code=WUTONG, name="梧桐青年调解工作室")
    with pytest.raises(ValidationError) as caught:
        mediation_open(
            actor=youth["organiser"], studio=studio, description="纠纷", region_code=VILLAGE,
            mediators=[wang],
        )  # fmt: skip
    assert "mediators" in caught.value.message_dict
    assert not Case.objects.exists()


def test_reserve_cadres_by_age_limit_and_the_villages_gap(youth, wang):
    old = talent_register(
        actor=youth["organiser"], name="老周", id_number=id_for(date(1980, 1, 1), 30),
        region_code=VILLAGE, education="high_school", background="villager",
    )  # fmt: skip
    with pytest.raises(ReserveRefused):
        reserve_add(actor=youth["organiser"], talent=old, since=date(2026, 1, 1))
    policy_set(actor=youth["organiser"], region_code=WUTONG, max_age=50, target=3)
    cadre = reserve_add(actor=youth["organiser"], talent=old, since=date(2026, 1, 1))
    reserve_add(actor=youth["organiser"], talent=wang, since=date(2026, 1, 1))
    with pytest.raises(ReserveRefused):
        reserve_add(actor=youth["organiser"], talent=wang, since=date(2026, 2, 1))
    reserve_record_add(
        actor=youth["organiser"], cadre=cadre, kind="training", on=date(2026, 3, 1),
        title="村务管理培训", hours=8,
    )  # fmt: skip
    gaps = {row["region"]: row for row in reserve_gaps(youth["organiser"])}
    assert gaps[VILLAGE]["cadres"] == 2 and gaps[VILLAGE]["gap"] == 1
    assert gaps["330483001201"]["gap"] == 3  # a target, no cadre yet
    counts = funnel(youth["organiser"])
    assert counts["reserve_cadre"] == 2 and counts["under_35"] == 1
    assert reserve_gaps(youth["secretary"]) == []
    with pytest.raises(PermissionDenied):
        reserve_add(actor=youth["puyuan_organiser"], talent=wang, since=date(2026, 1, 1))


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "村社区代码", "学历", "身份类别", "特长", "标签"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_import_is_all_or_nothing_with_a_report_by_row(youth):
    good = [
        ["张一", id_for(date(1999, 1, 1), 41), VILLAGE, "本科", "返乡大学生", "电商", "致富带头人"],
        ["张二", id_for(date(1998, 2, 2), 42), "330483001201", "college", "villager", "", ""],
    ]
    bad = [
        *good,
        ["张三", "330483199901010000", VILLAGE, "本科", "村民", "", ""],
        ["张四", id_for(date(1997, 3, 3), 43), "330483101001", "本科", "村民", "", ""],
        ["张五", id_for(date(1997, 3, 3), 44), VILLAGE, "本科", "村民", "", "明星"],
    ]
    with pytest.raises(ImportRefused) as caught:
        talents_import(actor=youth["organiser"], filename="people.xlsx", content=_workbook(bad))
    assert [line for line, _reason in caught.value.problems] == [4, 5, 6]
    assert not Talent.objects.exists()
    made = talents_import(actor=youth["organiser"], filename="people.xlsx", content=_workbook(good))
    assert made == 2
    assert Talent.objects.filter(wealth_leader=True, education="bachelor").count() == 1
    # The same people again: each row refused, nothing stored twice.
    with pytest.raises(ImportRefused):
        talents_import(actor=youth["organiser"], filename="people.xlsx", content=_workbook(good))
    assert Talent.objects.count() == 2


def test_valid_histories_are_built_for_many_people_at_once(youth):
    today = date.today()
    steps = ladder()
    rng = random.Random(3)
    talents = [
        talent_register(
            actor=None, name=f"青年{i}", region_code=VILLAGE, education="bachelor",
            background="villager", id_number=id_for(date(1992 + i % 8, 1 + i % 12, 3), 60 + i),
        )
        for i in range(30)
    ]  # fmt: skip
    items = [
        (t, history_build(steps, birth_date=t.birth_date, upto=steps.by_n[1 + i % 25].code,
                          rng=rng, today=today))
        for i, t in enumerate(talents)
    ]  # fmt: skip
    written = histories_store(items, steps=steps)
    assert written == StepRecord.objects.count() > 30
    stages = set(Talent.objects.values_list("stage", flat=True))
    assert {"applicant", "activist", "member"} <= stages
    assert sum(funnel(youth["organiser"]).values()) >= 30
    assert set(pipeline(youth["organiser"], level="village")) == {VILLAGE}
    assert stage_durations(youth["organiser"])["average_days"]["activist"] >= 365
    with pytest.raises(ValidationError):
        histories_store(items[:1], steps=steps)


def test_a_date_in_the_future_for_reserve_and_activities_is_a_400(youth, wang):
    platform = platform_create(actor=None, name="巡逻队", kind="patrol", region_code=WUTONG)
    with pytest.raises(ValidationError) as caught:
        activity_record(
            actor=youth["organiser"], platform=platform, name="夜巡",
            on=date.today() + timedelta(days=2), hours=2, participants=[wang.pk],
        )  # fmt: skip
    assert "on" in caught.value.message_dict
    with pytest.raises(ValidationError):
        reserve_add(actor=youth["organiser"], talent=wang, since=date.today() + timedelta(days=2))
