"""The long-term-care pages: lists in the user's region only, ID numbers masked, workflow steps
from the application page, the assessment form (saved and refused), institutions, the
statement and its Excel export."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from jiceng.ltc.models import Application, Assessment, Institution
from jiceng.ltc.services.applications import application_apply
from tests.ltc.conftest import PUYUAN_VILLAGE, walk
from tests.ltc.scores import sheet


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_the_home_page_lists_the_regions_applications_with_masked_id_numbers(
    signed_in, applied, ltc
):
    page = signed_in(ltc["clerk"]).get("/ltc/")
    assert page.status_code == 200
    text = page.content.decode()
    assert applied.number in text
    assert applied.person.id_masked in text
    assert applied.id_number not in text


def test_a_user_of_wutong_cannot_see_or_change_puyuans_applications(signed_in, make_person, ltc):
    _person, number = make_person(PUYUAN_VILLAGE, name="濮院阿婆")
    theirs = application_apply(actor=ltc["admin"], person_id_number=number, care_mode="home")
    wutong = signed_in(ltc["wutong"])
    assert theirs.number not in wutong.get("/ltc/?status=").content.decode()
    assert wutong.get(f"/ltc/applications/{theirs.pk}/").status_code == 404
    step = wutong.post(f"/ltc/applications/{theirs.pk}/step/", {"action": "withdraw"})
    assert step.status_code == 404
    assert Application.objects.get(pk=theirs.pk).status == "applied"
    # 濮院's officer sees it.
    assert theirs.number in signed_in(ltc["puyuan"]).get("/ltc/").content.decode()


def test_workflow_steps_from_the_application_page(signed_in, applied, ltc):
    clerk = signed_in(ltc["clerk"])
    page = clerk.get(f"/ltc/applications/{applied.pk}/")
    assert "accept" in page.content.decode()
    clerk.post(f"/ltc/applications/{applied.pk}/step/", {"action": "accept", "expected_version": 1})
    response = clerk.post(
        f"/ltc/applications/{applied.pk}/step/",
        {"action": "assign", "expected_version": 2, "assessor": "甲", "second_assessor": "甲"},
    )
    assert response.status_code == 302
    applied.refresh_from_db()
    assert applied.status == "accepted"  # the same person twice is refused
    clerk.post(
        f"/ltc/applications/{applied.pk}/step/",
        {"action": "assign", "expected_version": 2, "assessor": "甲", "second_assessor": "乙"},
    )
    applied.refresh_from_db()
    assert applied.status == "assigned"
    assert "ltc-standard" in clerk.get(f"/ltc/applications/{applied.pk}/assess/").content.decode()


def test_the_assessment_form_saves_what_the_server_computes(signed_in, applied, ltc):
    walk(applied, ltc["clerk"], "accept", "assign")
    form = {**sheet(40, 2, 12), "assessed_on": timezone.localdate().isoformat()}
    response = signed_in(ltc["clerk"]).post(f"/ltc/applications/{applied.pk}/assess/", form)
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.level == 4
    assert response["Location"] == f"/ltc/assessments/{assessment.pk}/"
    applied.refresh_from_db()
    assert applied.status == "assessed" and applied.assessment == assessment


def test_an_incomplete_form_is_shown_again_with_the_answers_kept(signed_in, applied, ltc):
    walk(applied, ltc["clerk"], "accept", "assign")
    form = {**sheet(40, 2, 12), "assessed_on": timezone.localdate().isoformat()}
    del form["cog.space"]
    response = signed_in(ltc["clerk"]).post(f"/ltc/applications/{applied.pk}/assess/", form)
    assert response.status_code == 400
    text = response.content.decode()
    assert "cog.space" in text
    assert 'id="adl.eating-10" value="10" checked' in text
    assert not Assessment.objects.exists()
    assert Application.objects.get(pk=applied.pk).status == "assigned"


def test_the_standalone_form_assesses_a_person_by_id_number(signed_in, make_person, ltc):
    _person, number = make_person()
    form = {
        **sheet(100, 16, 12),
        "person_id_number": number,
        "assessed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "assessor": "甲",
    }
    response = signed_in(ltc["clerk"]).post("/ltc/assessments/new/", form)
    assert response.status_code == 302
    assert Assessment.objects.get().level == 0


def test_a_town_officer_has_no_assessment_form(signed_in, ltc):
    assert signed_in(ltc["wutong"]).get("/ltc/assessments/new/").status_code == 403


def test_designating_an_institution_with_a_bad_credit_code_is_refused(signed_in, ltc):
    response = signed_in(ltc["clerk"]).post(
        "/ltc/institutions/",
        {"name": "护理院", "credit_code": "123", "region": "330483001", "care_modes": ["home"]},
    )
    assert response.status_code == 400
    assert not Institution.objects.exists()


def test_institution_pages_follow_the_region(signed_in, ltc, make_institution):
    theirs = make_institution("330483101")
    wutong = signed_in(ltc["clerk"])
    assert theirs.name not in wutong.get("/ltc/institutions/").content.decode()
    assert wutong.get(f"/ltc/institutions/{theirs.pk}/").status_code == 404


def test_the_statement_page_and_its_excel_export(signed_in, ltc):
    from jiceng.federation.services import peer_add
    from tests.federation.helpers import RemoteDeployment

    peer_add(
        actor=None, code="330502", name="吴兴区", url="http://127.0.0.1:9",
        public_key=RemoteDeployment("330502").public_key,
    )  # fmt: skip
    admin = signed_in(ltc["admin"])
    assert admin.get("/ltc/statement/?peer=330502").status_code == 200
    month = timezone.localdate().strftime("%Y-%m")
    export = admin.get(f"/ltc/statement/?peer=330502&month={month}&format=xlsx")
    assert export.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert len(rows[0]) == 8 and len(rows) == 4  # header, two totals, the balance


def test_person_status_is_for_the_care_insurance_staff(signed_in, ltc):
    assert signed_in(ltc["clerk"]).get("/ltc/person-status/").status_code == 200
    assert signed_in(ltc["wutong"]).get("/ltc/person-status/").status_code == 403


def test_every_page_renders(signed_in, ltc):
    client = signed_in(ltc["admin"])
    for url in (
        "/ltc/", "/ltc/applications/new/", "/ltc/institutions/", "/ltc/living-elsewhere/",
        "/ltc/recognitions/", "/ltc/statement/", "/ltc/assessments/new/",
    ):  # fmt: skip
        assert client.get(url).status_code == 200, url


def test_a_complaint_about_an_institution_opens_a_case(signed_in, ltc, make_institution):
    from jiceng.cases.models import Case

    institution = make_institution()
    response = signed_in(ltc["wutong"]).post(
        f"/ltc/institutions/{institution.pk}/complaint/", {"description": "护理员多次未按时上门"}
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.category.code == "ltc_care" and institution.name in case.description
    # Only the staff change a designation.
    signed_in(ltc["wutong"]).post(
        f"/ltc/institutions/{institution.pk}/status/", {"status": "suspended"}
    )
    assert Institution.objects.get(pk=institution.pk).status == "designated"
    signed_in(ltc["clerk"]).post(
        f"/ltc/institutions/{institution.pk}/status/", {"status": "suspended"}
    )
    assert Institution.objects.get(pk=institution.pk).status == "suspended"


def test_the_standalone_form_saved_twice_records_one_assessment(signed_in, make_person, ltc):
    _person, number = make_person()
    form = {
        **sheet(60, 16, 12),
        "person_id_number": number,
        "assessed_on": timezone.localdate().isoformat(),
        "assessor": "甲",
        "intake_key": "form-key-1",
    }
    client = signed_in(ltc["clerk"])
    first = client.post("/ltc/assessments/new/", form)
    second = client.post("/ltc/assessments/new/", form)
    assert first["Location"] == second["Location"]
    assert Assessment.objects.count() == 1


def test_the_query_log_shows_a_town_clerk_only_their_own_queries(signed_in, ltc):
    from jiceng.ltc.models import StatusQuery

    StatusQuery.objects.create(
        direction="in", peer_code="330502", id_digest="x", id_masked="330483********0021",
        purpose="县级核验记录", at=timezone.now(),
    )  # fmt: skip
    assert "县级核验记录" in signed_in(ltc["admin"]).get("/ltc/person-status/").content.decode()
    assert "县级核验记录" not in signed_in(ltc["clerk"]).get("/ltc/person-status/").content.decode()


def test_only_roles_that_read_id_numbers_get_the_audited_reveal(signed_in, applied, ltc):
    url = f"/registry/people/{applied.person.pk}/reveal-id/"
    assert url in signed_in(ltc["clerk"]).get(f"/ltc/applications/{applied.pk}/").content.decode()
    page = signed_in(ltc["wutong"]).get(f"/ltc/applications/{applied.pk}/").content.decode()
    assert url not in page and applied.id_number not in page
    revealed = signed_in(ltc["clerk"]).post(url, headers={"HX-Request": "true"})
    assert applied.id_number in revealed.content.decode()
