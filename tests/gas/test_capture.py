"""Cylinder events captured through the ledger move cylinders through their states, in the
capture transaction; what is wrong is flagged, never silently accepted."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone, translation

from jiceng.cases.models import Case
from jiceng.gas.models import Cylinder, CylinderFlag, CylinderState
from jiceng.ledger.models import LedgerEvent
from jiceng.risk.selectors import colour_of

from .conftest import capture, event, make_cylinder

FILL, DELIVER, COLLECT = (
    "urn:jiceng:bizstep:filling",
    "urn:jiceng:bizstep:delivering",
    "urn:jiceng:bizstep:collecting",
)


def test_an_expired_cylinder_refused_by_the_fill_check_and_filled_anyway_is_flagged_with_a_case(
    network, users, token_for, client
):
    today = timezone.localdate()
    make_cylinder(
        "EXP-1",
        manufactured_on=today - timedelta(days=365 * 6),
        last_inspected_on=today - timedelta(days=365 * 5),
    )
    token = token_for("admin")
    answer = client.get(
        "/api/v1/gas/cylinders/EXP-1/fill-check?station=TX-F",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert answer["allowed"] is False
    assert answer["codes"] == ["inspection_overdue"]

    fill = event(FILL, ["EXP-1"], biz_location="urn:jiceng:station:TX-F")
    with translation.override("en"):  # the flag's reason is written in the active language
        job = capture(users["admin"], fill)

    assert job.success, job.errors
    stored = LedgerEvent.objects.get()
    assert stored.flagged
    assert "overdue" in " ".join(stored.flag_reasons)
    flag = CylinderFlag.objects.get(kind=CylinderFlag.Kind.ILLEGAL_FILLING)
    assert flag.case is not None
    case = Case.objects.get(pk=flag.case.pk)
    assert case.category.code == "gas_illegal_filling"
    assert "urn:jiceng:cylinder:EXP-1" in case.description
    # Kept as evidence: the cylinder is filled, as the event says.
    assert (
        Cylinder.objects.get(identifier="urn:jiceng:cylinder:EXP-1").state == CylinderState.FILLED
    )


def test_a_document_naming_an_unknown_site_is_refused_whole_and_nothing_moves(network, users):
    make_cylinder("C-1")
    job = capture(
        users["admin"],
        event(FILL, ["C-1"], biz_location="urn:jiceng:station:TX-F"),
        event(DELIVER, ["C-1"], biz_location="urn:jiceng:site:999999"),
    )
    assert not job.success
    assert any("urn:jiceng:site:999999" in e for e in job.errors)
    assert LedgerEvent.objects.count() == 0
    assert (
        Cylinder.objects.get(identifier="urn:jiceng:cylinder:C-1").state == CylinderState.IN_STOCK
    )


def test_a_delivery_puts_the_cylinder_at_the_site_and_a_collection_takes_it_back(network, users):
    make_cylinder("C-2")
    now = timezone.now()
    site = network.site.identifier
    capture(
        users["admin"],
        event(FILL, ["C-2"], at=now - timedelta(hours=3), biz_location="urn:jiceng:station:TX-F"),
        event(DELIVER, ["C-2"], at=now - timedelta(hours=1), biz_location=site),
    )
    cylinder = Cylinder.objects.get(identifier="urn:jiceng:cylinder:C-2")
    assert cylinder.state == CylinderState.AT_USER
    assert cylinder.location_site_id == network.site.pk
    assert colour_of("gas-site", network.site.pk) is not None
    capture(
        users["admin"],
        event(COLLECT, ["C-2"], biz_location=site, read_point="urn:jiceng:station:TX-S01"),
    )
    cylinder.refresh_from_db()
    assert cylinder.state == CylinderState.EMPTY_RETURNED
    assert cylinder.location_site_id is None
    assert cylinder.location_station_id == network.wutong.pk


def test_a_cylinder_seen_at_two_sites_at_once_is_flagged_and_not_moved(network, users):
    make_cylinder("C-3")
    now = timezone.now()
    capture(
        users["admin"],
        event(DELIVER, ["C-3"], at=now - timedelta(hours=2), biz_location=network.site.identifier),
    )
    job = capture(
        users["admin"],
        event(
            DELIVER,
            ["C-3"],
            at=now - timedelta(hours=1),
            biz_location=network.other_site.identifier,
        ),
    )
    assert job.success
    cylinder = Cylinder.objects.get(identifier="urn:jiceng:cylinder:C-3")
    assert cylinder.location_site_id == network.site.pk
    flag = CylinderFlag.objects.get(kind=CylinderFlag.Kind.TWO_SITES)
    assert flag.site_id == network.other_site.pk
    assert LedgerEvent.objects.filter(flagged=True).count() == 1


def test_an_unregistered_cylinder_delivered_to_a_site_is_recorded_flagged_and_turns_the_site_red(
    network, users
):
    capture(users["admin"], event(DELIVER, ["GHOST-1"], biz_location=network.site.identifier))
    ghost = Cylinder.objects.get(identifier="urn:jiceng:cylinder:GHOST-1")
    assert not ghost.registered
    assert ghost.location_site_id == network.site.pk
    assert CylinderFlag.objects.filter(cylinder=ghost, kind="unregistered").exists()
    colour = colour_of("gas-site", network.site.pk)
    assert colour.colour == "red"
    assert [r["rule"] for r in colour.reasons] == ["cylinder_unregistered"]


def test_a_conformant_inspection_renews_the_inspection_date(network, users):
    today = timezone.localdate()
    make_cylinder(
        "C-4",
        manufactured_on=today - timedelta(days=365 * 5),
        last_inspected_on=today - timedelta(days=365 * 5),
    )
    capture(
        users["admin"],
        event(
            "inspecting",
            ["C-4"],
            biz_location="urn:jiceng:station:TX-F",
            disposition="conformant",
        ),
    )
    cylinder = Cylinder.objects.get(identifier="urn:jiceng:cylinder:C-4")
    assert cylinder.last_inspected_on == today
    assert cylinder.next_inspection_due.year == today.year + 4
    assert cylinder.state == CylinderState.IN_STOCK
