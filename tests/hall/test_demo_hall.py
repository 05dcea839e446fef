"""The demo service network and its history (jiceng.demo.hall), on the small `test` county."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db.models import Count
from django.utils import translation

from jiceng.demo.hall.seed import seed_hall, tidal_start_for
from jiceng.hall.kpis import hall_kpis, network_kpis
from jiceng.hall.models import (
    TIDAL_SESSION_KINDS,
    Hall,
    HandlingRecord,
    ServicePoint,
    SummaryDay,
    Ticket,
)
from tests.databases import TEST_COUNTY, TEST_COUNTY_SEED, cloned_database, seed_test_county

AS_OF = date(2026, 8, 17)  # a month of history: 17 July to 16 August, tidal windows from 22 July


@pytest.fixture(scope="module")
def demo_network(django_db_setup, django_db_blocker):
    """A month of hall history over the shared test county (seed 7), in a clone of it: the next
    test module finds the database as it was."""
    with django_db_blocker.unblock(), cloned_database(TEST_COUNTY, seed_test_county):
        with translation.override("en"):
            made = seed_hall(seed=TEST_COUNTY_SEED, months=1, as_of=AS_OF)
        yield made


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.xdist_group(TEST_COUNTY),
    pytest.mark.usefixtures("demo_network"),
]


def test_the_network_is_the_seeds(demo_network):
    kinds = Counter(ServicePoint.objects.values_list("kind", flat=True))
    assert kinds["county_center"] == 1 and kinds["town_center"] == 11
    assert kinds["village_station"] == 221 and kinds["bank_outlet"] == 59
    towns_with_banks = {
        code[:9]
        for code in ServicePoint.objects.filter(kind="bank_outlet").values_list(
            "region_id", flat=True
        )
    }
    assert len(towns_with_banks) == 11
    stations = set(
        ServicePoint.objects.filter(kind="enterprise_station").values_list("region_id", flat=True)
    )
    assert stations == {"330483004", "330483101"}  # 高桥 and 濮院
    assert Hall.objects.count() == 12
    # 19 high-frequency items reach the bank outlets (医银一体化), 11 of them for enterprises.
    bank = ServicePoint.objects.filter(kind="bank_outlet").first()
    assert bank.items.filter(high_frequency=True).count() == 19
    assert bank.items.filter(high_frequency=True, audience="enterprise").count() == 11
    assert demo_network["from"] == date(2026, 7, 17) and demo_network["tidal_from"] == date(
        2026, 7, 22
    )


def test_every_hall_has_history_with_realistic_patterns():
    per_hall = dict(Ticket.objects.values_list("hall_id").annotate(n=Count("pk")))
    assert len(per_hall) == 12 and min(per_hall.values()) > 500
    county = Hall.objects.get(point__kind="county_center")
    assert per_hall[county.pk] == max(per_hall.values())
    by_weekday = Counter()
    for day, n in (
        Ticket.objects.filter(hall=county).values_list("service_day").annotate(n=Count("pk"))
    ):
        by_weekday[day.weekday()] += n
    assert by_weekday[0] > by_weekday[4]  # Monday peak
    by_hour = Counter(
        dict(Ticket.objects.filter(hall=county).values_list("hour").annotate(n=Count("pk")))
    )
    assert by_hour[9] > by_hour[15]  # morning peak


def test_tidal_sessions_start_on_22_july_and_satisfaction_is_full_from_then():
    tidal = Ticket.objects.filter(session_kind__in=TIDAL_SESSION_KINDS, status="done")
    assert tidal.exists()
    assert not tidal.filter(service_day__lt=date(2026, 7, 22)).exists()
    county = Hall.objects.get(point__kind="county_center")
    after = hall_kpis(county, date_from=date(2026, 7, 22), date_to=date(2026, 8, 16))
    assert after["totals"]["satisfaction_rate"] == 1.0
    assert after["totals"]["tidal_served"] > 50


def test_bank_outlets_and_village_stations_record_their_work_and_days_are_summarised():
    kinds = Counter(
        HandlingRecord.objects.filter(ticket__isnull=True).values_list("point__kind", flat=True)
    )
    assert kinds["bank_outlet"] > 100 and kinds["village_station"] > 100
    assert SummaryDay.objects.filter(stale=False).count() == 31
    county = network_kpis(
        region_code="330483", date_from=date(2026, 7, 17), date_to=date(2026, 8, 16)
    )
    assert county["totals"]["handled"] == HandlingRecord.objects.count()


def test_it_seeds_an_empty_network_only():
    with pytest.raises(ValueError, match="exist already"):
        seed_hall(seed=TEST_COUNTY_SEED, months=1, as_of=AS_OF)


def test_the_tidal_start_is_the_latest_22_july():
    assert tidal_start_for(date(2026, 11, 29)) == date(2026, 7, 22)
    assert tidal_start_for(date(2026, 3, 1)) == date(2025, 7, 22)
