"""The gas pages' forms: input of the wrong shape is refused with the field named, and nothing is
stored."""

from __future__ import annotations

from django.conf import settings

from jiceng.cases.models import Case
from jiceng.gas.models import Order
from jiceng.gas.selectors import community_colour
from jiceng.inspections.models import Finding, Inspection


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Inspection, Finding, Case, Order)}


def test_a_safety_check_answer_that_is_not_offered_is_refused_and_nothing_is_stored(
    network, users, client
):
    client.force_login(users["wutong"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = _counts()
    answer = client.post(
        f"/gas/sites/{network.site.pk}/check/",
        {"item-hose": "catastrophic", "note-hose": "软管老化"},
    )
    assert answer.status_code == 200
    assert "catastrophic" in answer.content.decode()
    assert _counts() == before


def test_an_order_for_a_count_that_is_not_a_number_names_the_field(network, users, client):
    client.force_login(users["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    before = _counts()
    answer = client.post(
        "/gas/orders/",
        {"site": network.site.pk, "nominal_kg": 15, "count": "many", "phone": "13800001111"},
    )
    assert answer.status_code == 200
    assert "Cylinders: Enter a whole number." in answer.content.decode()
    assert _counts() == before


def test_a_community_is_shaded_by_the_share_of_its_red_and_yellow_sites():
    assert community_colour({"red": 1, "green": 9}) == "red"
    assert community_colour({"red": 1, "green": 10}) == "green"
    assert community_colour({"yellow": 1, "green": 2}) == "yellow"
    assert community_colour({}) == "green"
