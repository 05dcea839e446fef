"""Institutions, the care arrangement of an insured person living in the peer region, the
services delivered each month, and the settlement statement between the two bureaus."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jiceng.ltc.models import (
    Institution,
    InsuredPerson,
    Recognition,
    ServiceRecord,
    SharedInstitution,
)
from jiceng.ltc.selectors import settlement_statement
from jiceng.ltc.services.applications import insured_ensure
from jiceng.ltc.services.assessments import assessment_record
from jiceng.ltc.services.exchanges import institutions_store
from jiceng.ltc.services.institutions import (
    institution_create,
    insured_choose_institution,
    insured_set_residence,
    service_record_set,
)
from tests.ltc.conftest import THERE
from tests.ltc.scores import sheet


@pytest.fixture
def peer_institutions(ltc):
    institutions_store(
        peer_code=THERE,
        document={
            "region": THERE,
            "institutions": [
                {
                    "id": 7, "name": "吴兴康养院", "credit_code": "", "region_code": "330502001",
                    "region_name": "月河街道", "care_modes": ["institution", "visit"],
                    "beds": 120, "capacity": 30, "status": "designated",
                },
            ],
        },
    )  # fmt: skip
    return SharedInstitution.objects.get()


@pytest.fixture
def severe_insured(make_person, ltc):
    """An insured person of 梧桐 at level 4 (ADL 40, cognition 2) who lives in 吴兴区."""
    person, _number = make_person()
    insured = insured_ensure(person=person, since=date(2020, 1, 1))
    assessment_record(
        actor=ltc["clerk"], person=person, assessed_on=timezone.localdate() - timedelta(days=40),
        assessor="评估员甲", scores=sheet(40, 2, 12),
    )  # fmt: skip
    return insured_set_residence(
        actor=ltc["clerk"],
        insured=insured,
        residence_code="330502001",
        residence_name="吴兴区月河街道",
    )


def test_an_institution_needs_a_valid_credit_code(ltc):
    with pytest.raises(ValidationError) as refused:
        institution_create(
            actor=ltc["clerk"], name="护理院", credit_code="91330483MA00000000",
            region_code="330483001", care_modes=["home"],
        )  # fmt: skip
    assert "credit_code" in refused.value.message_dict
    assert not Institution.objects.exists()


def test_a_town_officer_may_not_designate_and_a_clerk_only_in_their_region(ltc, make_institution):
    from django.core.exceptions import PermissionDenied

    from jiceng.core.identifiers import make_credit_code

    with pytest.raises(PermissionDenied):
        institution_create(
            actor=ltc["wutong"], name="护理院", credit_code=make_credit_code("5", "2", "330483", 9),
            region_code="330483001", care_modes=["home"],
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        institution_create(
            actor=ltc["clerk"], name="护理院", credit_code=make_credit_code("5", "2", "330483", 9),
            region_code="330483101", care_modes=["home"],
        )  # fmt: skip
    assert not Institution.objects.exists()


def test_an_insured_living_in_the_peer_region_chooses_a_peer_institution(
    severe_insured, peer_institutions, ltc
):
    insured = insured_choose_institution(
        actor=ltc["clerk"], insured=severe_insured, care_mode="institution",
        shared_institution=peer_institutions,
    )  # fmt: skip
    insured.refresh_from_db()
    assert insured.shared_institution == peer_institutions and insured.care_mode == "institution"


def test_somebody_living_here_cannot_choose_a_peer_institution(
    severe_insured, peer_institutions, ltc
):
    insured_set_residence(actor=ltc["clerk"], insured=severe_insured, residence_code="")
    with pytest.raises(ValidationError) as refused:
        insured_choose_institution(
            actor=ltc["clerk"], insured=severe_insured, care_mode="institution",
            shared_institution=peer_institutions,
        )  # fmt: skip
    assert "institution" in refused.value.message_dict
    assert InsuredPerson.objects.get(pk=severe_insured.pk).shared_institution is None


def test_the_living_elsewhere_page_saves_a_peer_institution_from_the_list_and_no_other(
    severe_insured, peer_institutions, ltc, client
):
    from django.contrib import messages

    client.force_login(ltc["clerk"])
    url = reverse("ltc-insured-choose", args=[severe_insured.pk])
    page = client.get(reverse("ltc-living-elsewhere")).content.decode()
    assert f'value="s:{peer_institutions.pk}"' in page
    for choice in (f"s:{peer_institutions.pk + 1000}", "s:x"):
        answer = client.post(url, {"institution": choice, "care_mode": "institution"}, follow=True)
        assert [m.level for m in answer.context["messages"]] == [messages.ERROR]
        assert InsuredPerson.objects.get(pk=severe_insured.pk).shared_institution is None
    answer = client.post(
        url, {"institution": f"s:{peer_institutions.pk}", "care_mode": "institution"}, follow=True
    )
    assert [m.level for m in answer.context["messages"]] == [messages.SUCCESS]
    insured = InsuredPerson.objects.get(pk=severe_insured.pk)
    assert insured.shared_institution == peer_institutions and insured.care_mode == "institution"


def test_a_care_mode_the_institution_does_not_offer_is_refused(
    severe_insured, peer_institutions, ltc
):
    with pytest.raises(ValidationError):
        insured_choose_institution(
            actor=ltc["clerk"], insured=severe_insured, care_mode="home",
            shared_institution=peer_institutions,
        )  # fmt: skip


def test_a_mild_level_gives_no_institution_care(make_person, ltc, make_institution):
    person, _number = make_person()
    insured = insured_ensure(person=person, since=date(2020, 1, 1))
    assessment_record(
        actor=ltc["clerk"], person=person, assessed_on=timezone.localdate(),
        assessor="甲", scores=sheet(80, 16, 12),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        insured_choose_institution(
            actor=ltc["clerk"], insured=insured, care_mode="institution",
            institution=make_institution(),
        )  # fmt: skip
    assert "care_mode" in refused.value.message_dict


def test_services_across_the_border_make_the_monthly_statement(
    severe_insured, peer_institutions, ltc, make_institution
):
    month = timezone.localdate().replace(day=1)
    insured_choose_institution(
        actor=ltc["clerk"], insured=severe_insured, care_mode="institution",
        shared_institution=peer_institutions,
    )  # fmt: skip
    ours = service_record_set(
        actor=ltc["clerk"], month=month, care_mode="institution", units=20,
        insured=severe_insured, shared_institution=peer_institutions,
    )  # fmt: skip
    # Level 4, institution care: the benefit table in force gives so much a day.
    from jiceng.ltc.policy import rate_for

    rate = rate_for(level=4, care_mode="institution", on=month)
    assert ours.amount == rate.amount * 20 and ours.peer_code == THERE
    # Recording the month again corrects it rather than adding a second record.
    service_record_set(
        actor=ltc["clerk"], month=month + timedelta(days=3), care_mode="institution", units=22,
        insured=severe_insured, shared_institution=peer_institutions,
    )  # fmt: skip
    assert ServiceRecord.objects.count() == 1

    recognition = Recognition.objects.create(
        origin_region=THERE, origin_id=5, id_digest="d", id_sealed="s",
        id_masked="330502********0011", name="湖州老人", level=5,
        grades={"adl": "severe", "cognition": "severe", "sensory": "intact"},
        assessed_on=month - timedelta(days=60), valid_until=month + timedelta(days=600),
        region_id="330483001", received_at=timezone.now(),
    )  # fmt: skip
    home = make_institution()
    theirs = service_record_set(
        actor=ltc["clerk"], month=month, care_mode="visit", units=10,
        recognition=recognition, institution=home,
    )  # fmt: skip
    statement = settlement_statement(ltc["admin"], peer_code=THERE, month=month)
    assert [r.pk for r in statement.we_owe.rows] == [ours.pk]
    assert [r.pk for r in statement.owed_to_us.rows] == [theirs.pk]
    assert statement.we_owe.total == rate.amount * 22
    assert statement.balance == theirs.amount - rate.amount * 22
    # 濮院's officer sees none of 梧桐's records.
    empty = settlement_statement(ltc["puyuan"], peer_code=THERE, month=month)
    assert empty.we_owe.rows == [] and empty.owed_to_us.rows == []
    assert empty.balance == Decimal("0.00")


def test_too_many_days_in_a_month_are_refused(severe_insured, peer_institutions, ltc):
    with pytest.raises(ValidationError) as refused:
        service_record_set(
            actor=ltc["clerk"], month=timezone.localdate(), care_mode="institution", units=40,
            insured=severe_insured, shared_institution=peer_institutions,
        )  # fmt: skip
    assert "units" in refused.value.message_dict
    assert not ServiceRecord.objects.exists()


def test_the_benefit_table_follows_its_effective_dates():
    from jiceng.ltc.policy import rate_for

    assert rate_for(level=3, care_mode="institution", on=date(2025, 6, 1)).amount == Decimal(
        "50.00"
    )
    assert rate_for(level=3, care_mode="institution", on=date(2026, 6, 1)).amount == Decimal(
        "55.00"
    )
    assert rate_for(level=2, care_mode="visit", on=date(2025, 6, 1)) is None
    assert rate_for(level=2, care_mode="visit", on=date(2026, 6, 1)) is not None
    assert rate_for(level=1, care_mode="home", on=date(2026, 6, 1)) is None
