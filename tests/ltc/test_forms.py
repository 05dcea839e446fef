"""The long-term-care pages' forms: input of the wrong shape is refused with the field named, and
nothing is stored."""

from __future__ import annotations

from django.conf import settings

from jiceng.ltc.models import Application, Institution, ServiceRecord


def test_beds_that_are_not_a_number_are_refused_and_nothing_is_designated(client, ltc):
    client.force_login(ltc["clerk"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/ltc/institutions/",
        {
            "name": "护理院",
            "credit_code": "91330483MA2B3C4D5E",
            "region": "330483001",
            "beds": "twelve",
            "care_modes": ["home"],
        },
    )
    assert response.status_code == 400
    assert "Beds: Beds and capacity are whole numbers." in response.content.decode()
    assert not Institution.objects.exists()


def test_a_care_mode_not_offered_is_refused_with_the_field_named(client, ltc):
    client.force_login(ltc["clerk"])
    response = client.post(
        "/ltc/institutions/",
        {"name": "护理院", "credit_code": "x", "region": "330483001", "care_modes": ["space"]},
    )
    assert response.status_code == 400
    assert "space" in response.content.decode()
    assert not Institution.objects.exists()


def test_a_service_record_without_a_month_is_refused_and_nothing_is_recorded(client, ltc):
    client.force_login(ltc["clerk"])
    before = ServiceRecord.objects.count()
    response = client.post(
        "/ltc/services/record/",
        {"month": "2026-13", "units": "3", "insured": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert ServiceRecord.objects.count() == before


def test_a_step_with_a_version_that_is_not_a_number_changes_nothing(client, ltc, applied):
    client.force_login(ltc["clerk"])
    before = Application.objects.values_list("pk", "status", "version").get(pk=applied.pk)
    response = client.post(
        f"/ltc/applications/{applied.pk}/step/",
        {"action": "accept", "expected_version": "latest"},
        follow=True,
    )
    assert response.status_code == 200
    after = Application.objects.values_list("pk", "status", "version").get(pk=applied.pk)
    assert after == before
