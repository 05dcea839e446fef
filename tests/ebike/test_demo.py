"""The demo generator: on a small county (the size knob) it fills every town and plants the
seed's figures in 濮院镇 (23 places upgraded, 11 lift blockers, 49 spaces converted, 153
violations cleared), readable through the figures the pages show; the demo-scale seed (marked
slow) reads the same."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from jiceng.demo.ebike import SEED_FIGURES, SEED_TOWN, demo_ebike_delete, seed_ebike
from jiceng.ebike.figures import figures_by_town_month, year_window
from jiceng.ebike.models import Building, Ebike, LiftBlocker, Shop
from jiceng.ebike.reference_data import checklists_ensure
from jiceng.inspections.models import Inspection


@pytest.fixture
def small_county(users):
    checklists_ensure()
    counts = seed_ebike(seed=7, county="330483", bikes=900, as_of=timezone.localdate())
    return counts


def test_the_small_demo_fills_every_town_and_plants_the_seed_figures(small_county, users):
    assert small_county["ebike_bikes"] == 900
    # A few recent inspections went through the engine: open findings with their cases.
    assert small_county["ebike_open_cases"] > 0
    assert small_county["ebike_events"] > 0
    assert Building.objects.count() >= 11 * 6
    assert Shop.objects.filter(kind=Shop.Kind.RECYCLER).count() >= 11
    standards = set(Ebike.objects.values_list("standard", flat=True))
    assert standards == {"GB17761-2024", "GB17761-2018", "nonstandard"}
    start, end = year_window(timezone.localdate())
    figures = figures_by_town_month(users["admin"], start=start, end=end)
    for key, expected in SEED_FIGURES.items():
        assert figures.town_total(SEED_TOWN, key) == expected, key
    assert figures.town_total(SEED_TOWN, "violations_found") >= 153
    assert figures.town_total(SEED_TOWN, "inspections") > 0
    # A town officer of 梧桐 reads 梧桐's row only.
    mine = figures_by_town_month(users["wutong"], start=start, end=end)
    assert [code for code, _name in mine.towns] == ["330483001"]


def test_the_demo_is_deterministic_by_seed_and_deletes_cleanly(small_county):
    plates = list(Ebike.objects.order_by("pk").values_list("plate", "standard")[:50])
    demo_ebike_delete()
    assert not Building.objects.exists() and not LiftBlocker.objects.exists()
    assert not Inspection.objects.filter(target_kind="building").exists()
    seed_ebike(seed=7, county="330483", bikes=900, as_of=timezone.localdate())
    assert list(Ebike.objects.order_by("pk").values_list("plate", "standard")[:50]) == plates


def test_year_window_is_twelve_calendar_months():
    assert year_window(date(2026, 12, 7)) == (date(2026, 1, 1), date(2027, 1, 1))
    assert year_window(date(2026, 3, 31)) == (date(2025, 4, 1), date(2026, 4, 1))


@pytest.mark.slow
def test_the_demo_volume_reads_the_seed_figures_on_the_figures_page(users, client):
    """The generator at the demo's volume (60,000 e-bikes): the seed's town reads its figures
    on the page, as the demo county does after `make demo`."""
    checklists_ensure()
    counts = seed_ebike(seed=1, county="330483")
    assert counts["ebike_bikes"] == 60_000
    client.force_login(users["admin"])
    page = client.get("/ebike/figures/").content.decode()
    row = page.split(f'data-town="{SEED_TOWN}"', 1)[1].split("</tr>", 1)[0]
    for key, expected in SEED_FIGURES.items():
        assert f'data-key="{key}">{expected}<' in row, key
