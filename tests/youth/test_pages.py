"""The youth pages: each renders for the module's roles and refuses others; a young person sees
only their own page; a user of one town cannot see another town's people; recording a step and
a refusal naming its article; the funnel page's numbers are the selector's; the export, the
platform's activity form and the import."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.youth.figures import COLUMNS, EXTRA
from jiceng.youth.models import Participation, StepRecord, Talent
from jiceng.youth.selectors import funnel
from jiceng.youth.services import platform_create, step_record
from tests.youth.conftest import PUYUAN, VILLAGE, WUTONG, id_for
from tests.youth.test_rules import WALK

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/youth/",
    "/youth/overdue/",
    "/youth/pipeline/",
    "/youth/reserve/",
    "/youth/platforms/",
    "/youth/studio/",
]


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_staff_pages_render_for_organisers_secretaries_and_mentors(youth, wang):
    for name in ("organiser", "secretary", "mentor", "admin"):
        client = client_of(youth[name])
        for path in STAFF_PAGES:
            assert client.get(path).status_code == 200, (name, path)
    answer = client_of(youth["organiser"]).get("/youth/")
    text = answer.content.decode()
    assert "王小明" in text and wang.person.id_masked in text
    assert id_for(date(2000, 3, 1), 11) not in text  # masked, never in full


def test_the_pages_refuse_users_without_the_module_and_young_people(youth, wang):
    for name in ("grid", "clerk", "regulator", "wang_account"):
        client = client_of(youth[name])
        for path in STAFF_PAGES:
            assert client.get(path).status_code == 403, (name, path)
    assert Client().get("/youth/").status_code == 302


def test_a_young_person_sees_their_own_page_and_nobody_elses(youth, wang, li):
    step_record(actor=None, talent=wang, step="application", on=date(2026, 1, 5), facts={})
    client = client_of(youth["wang_account"])
    own = client.get("/youth/me/")
    assert own.status_code == 200
    text = own.content.decode()
    assert "王小明" in text and "李小红" not in text
    assert "/youth/pipeline/" not in text and "/youth/me/" in text  # only their own page
    assert "递交入党申请书" in text  # the step taken, and what comes next
    assert "党组织派人谈话" in text
    assert client.get(f"/youth/people/{wang.pk}/").status_code == 200
    assert client.get(f"/youth/people/{li.pk}/").status_code == 404
    assert client.get(f"/youth/people/{li.pk}/certificate.pdf").status_code == 404
    assert client.post(f"/youth/people/{wang.pk}/steps/", {"step": "talk"}).status_code == 403
    assert client_of(youth["secretary"]).get("/youth/me/").status_code == 404


def test_a_user_of_another_town_cannot_see_the_towns_people(youth, wang):
    puyuan = youth["puyuan_organiser"]
    client = client_of(puyuan)
    assert "王小明" not in client.get("/youth/").content.decode()
    assert client.get(f"/youth/people/{wang.pk}/").status_code == 404
    assert client.post(f"/youth/people/{wang.pk}/id-number/").status_code == 404
    assert client.get(f"/youth/pipeline/?region={WUTONG}").status_code == 404
    assert client.get(f"/youth/pipeline/?region={PUYUAN}").status_code == 200
    assert client.get(f"/youth/reserve/?region={PUYUAN}").status_code == 200
    assert client.get(f"/youth/reserve/?region={WUTONG}").status_code == 404


def test_a_secretary_records_a_step_and_an_early_one_is_refused_with_its_article(youth, wang):
    client = client_of(youth["secretary"])
    for code, on, facts in WALK[:6]:
        step_record(actor=None, talent=wang, step=code, on=on, facts=facts)
    answer = client.post(
        f"/youth/people/{wang.pk}/steps/", {"step": "development_object", "on": "2020-02-28"}
    )
    assert answer.status_code == 409
    text = answer.content.decode()
    assert "13" in text and 'id="youth-refusal"' in text
    assert StepRecord.objects.filter(talent=wang).count() == 6
    answer = client.post(
        f"/youth/people/{wang.pk}/steps/", {"step": "education", "on": "2020-02-20"}
    )
    assert answer.status_code == 302
    answer = client.post(
        f"/youth/people/{wang.pk}/steps/", {"step": "development_object", "on": "2020-03-02"}
    )
    assert answer.status_code == 302
    assert Talent.objects.get(pk=wang.pk).stage == "development_object"
    page = client.get(f"/youth/people/{wang.pk}/").content.decode()
    assert "确定发展对象" in page and "2020-03-02" in page


def test_the_full_id_number_is_shown_to_the_organiser_only(youth, wang):
    answer = client_of(youth["organiser"]).post(f"/youth/people/{wang.pk}/id-number/")
    assert answer.status_code == 200
    assert id_for(date(2000, 3, 1), 11) in answer.content.decode()
    assert (
        client_of(youth["secretary"]).post(f"/youth/people/{wang.pk}/id-number/").status_code == 403
    )


def test_the_funnel_page_numbers_are_the_selectors(youth, wang, li):
    for code, on, facts in WALK[:3]:
        step_record(actor=None, talent=wang, step=code, on=on, facts=facts)
    step_record(actor=None, talent=li, step="application", on=date(2026, 1, 5), facts={})
    organiser = youth["organiser"]
    answer = client_of(organiser).get("/youth/pipeline/")
    assert answer.status_code == 200
    expected = funnel(organiser, WUTONG)
    assert expected["activist"] == 1 and expected["applicant"] == 1
    chart = answer.context["chart"]
    assert {f["key"]: f["value"] for f in chart["funnel"]} == {
        k: expected[k]
        for k in ("none", "applicant", "activist", "development_object", "probationary", "member")
    }
    table = answer.context["table"]
    assert table.total == expected
    assert sum(r["activist"] for r in table.rows) == expected["activist"]
    export = client_of(organiser).get("/youth/pipeline.xlsx")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)), read_only=True)
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    keys = (*COLUMNS, *EXTRA)  # after the code and the name of the region
    assert rows[-1][2 + keys.index("activist")] == expected["activist"]
    assert rows[-1][2 + keys.index("overdue")] == expected["overdue"]


def test_an_organiser_records_an_activity_with_its_participants(youth, wang, li):
    platform = platform_create(
        actor=youth["organiser"], name="梧桐青年反诈宣传队", kind="anti_fraud", region_code=WUTONG
    )
    client = client_of(youth["organiser"])
    page = client.get(f"/youth/platforms/{platform.pk}/")
    assert page.status_code == 200 and "王小明" in page.content.decode()
    answer = client.post(
        f"/youth/platforms/{platform.pk}/",
        {"name": "反诈宣传进社区", "on": "2026-03-01", "hours": "3",
         "participants": [str(wang.pk), str(li.pk)]},
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Participation.objects.filter(activity__platform=platform).count() == 2
    assert client_of(youth["mentor"]).post(
        f"/youth/platforms/{platform.pk}/", {"name": "x"}
    ).status_code in (403, 404)


def test_the_import_registers_every_row_or_none(youth):
    client = client_of(youth["organiser"])
    assert client.get("/youth/import/").status_code == 200
    good = (
        "姓名,身份证号,村社区代码,学历,身份类别\n"
        f"沈一,{id_for(date(1999, 1, 1), 31)},{VILLAGE},本科,返乡大学生\n"
        f"沈二,{id_for(date(1998, 2, 2), 32)},{VILLAGE},大专,村民\n"
    )
    bad = good + f"沈三,123,{VILLAGE},本科,村民\n"
    before = Talent.objects.count()
    refused = client.post("/youth/import/", {"file": _file(bad, "people.csv")})
    assert refused.status_code == 400 and Talent.objects.count() == before
    done = client.post("/youth/import/", {"file": _file(good, "people.csv")})
    assert done.status_code == 200 and Talent.objects.count() == before + 2


def _file(text: str, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_nobody_outside_the_module_is_offered_its_navigation(youth):
    grid = user_create(
        username="wt-grid2", password=None, region_code=WUTONG, roles=[Role.GRID_WORKER]
    )
    assert "/youth/" not in client_of(grid).get("/").content.decode()
    assert "/youth/pipeline/" in client_of(youth["organiser"]).get("/").content.decode()
