"""A demand-response event verified by hand: the 5 most recent workdays' baseline, the
reduction, whether it is effective (80 % of the commitment), the paid kWh (capped at 120 %) and
the compensation; through the service and the API."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiceng.power.models import DrEvent
from jiceng.power.selectors import dr_results
from jiceng.power.services import dr_commit, dr_event_create, dr_invite, meter_create
from tests.power.conftest import load_days

EVENT_DAY = date(2026, 8, 10)  # a Monday
# Window 14:00-16:00 (quarters 56..63). Before the event: Aug 3-7 (Mon-Fri) 500, 520, 480, 510,
# 490 kW (mean 500); Aug 8-9 (weekend) and Jul 27-31 (older workdays) 900 kW, left out.
HISTORY = {
    date(2026, 8, 3) + timedelta(days=i): kw for i, kw in enumerate([500, 520, 480, 510, 490])
}


def _history(day: date) -> float:
    return HISTORY.get(day, 900)


@pytest.fixture
def three(power, meters):
    """Three meters of 梧桐's cotton mill answering the same event, each with its own load on
    the event day: 380 kW (reduction 120), 380 kW, 200 kW (reduction 300)."""
    extra = [
        meter_create(
            actor=None,
            code=f"M-MILL-{i}",
            category="large_industry",
            flat_price="0.6",
            enterprise=power["mill"].credit_code,
        )
        for i in (2, 3)
    ]
    days = [date(2026, 7, 27) + timedelta(days=i) for i in range(15)]  # Jul 27 .. Aug 10
    for meter, actual in ((meters["mill"], 380), (extra[0], 380), (extra[1], 200)):
        load_days(
            meter, days, lambda d, _q, actual=actual: actual if d == EVENT_DAY else _history(d)
        )
    return [meters["mill"], *extra]


def _event(actor=None, **fields):
    values = {
        "day": EVENT_DAY,
        "start": time(14, 0),
        "end": time(16, 0),
        "kind": "peak_shaving",
        "baseline": "recent_workdays",
        "price_yuan_per_kwh": Decimal("4"),
        "region": "330483",
    }
    values.update(fields)
    return dr_event_create(actor=actor, **values)


def test_baseline_reduction_and_compensation_by_hand(power, three):
    """Baseline 500 kW. Meter 1: reduction 120 ≥ 0.8 × 140 = 112, effective; paid 120 kW × 2 h
    = 240 kWh × 4 = 960 yuan. Meter 2: committed 200, 120 < 160, not effective: 240 kWh, 0
    yuan. Meter 3: reduction 300, committed 200, paid at most 240 kW × 2 h = 480 kWh, 1,920."""
    diaodu = power["users"]["diaodu"]
    event = _event(diaodu)
    for meter, kw in zip(three, ("140", "200", "200"), strict=True):
        dr_commit(actor=diaodu, event=event, meter=meter.code, kw=Decimal(kw))
    results = {r.meter: r for r in dr_results(event)}
    first, second, third = (results[m.code] for m in three)
    assert (first.baseline_kw, first.actual_kw, first.reduction_kw) == (500, 380, 120)
    assert (
        first.effective and first.paid_kwh == 240 and first.compensation_yuan == Decimal("960.00")
    )
    assert not second.effective and second.paid_kwh == 240
    assert second.compensation_yuan == Decimal("0.00")
    assert (
        third.effective and third.paid_kwh == 480 and third.compensation_yuan == Decimal("1920.00")
    )
    assert first.days_used == 5


def test_high_5_of_10_takes_the_highest_days(power, three):
    """The 10 workdays before: Jul 27-31 at 900 and Aug 3-7: the 5 highest are the 900s."""
    event = _event(baseline="high_5_of_10")
    dr_commit(actor=None, event=event, meter=three[0].code, kw=Decimal("100"))
    result = dr_results(event)[0]
    assert result.baseline_kw == 900 and result.reduction_kw == 520


def test_valley_filling_counts_the_rise(power, three):
    event = _event(kind="valley_filling", price_yuan_per_kwh=Decimal("1.2"))
    dr_commit(actor=None, event=event, meter=three[0].code, kw=Decimal("100"))
    result = dr_results(event)[0]
    assert (result.baseline_kw, result.actual_kw) == (500, 380)
    assert result.reduction_kw == -120 and not result.effective and result.compensation_yuan == 0


def test_an_invited_meter_without_commitment_is_listed_never_paid(three):
    event = _event()
    assert dr_invite(actor=None, event=event, meters=[three[0].code]) == 1
    (row,) = dr_results(event)
    assert row.committed_kw is None and not row.effective and row.compensation_yuan == 0


def test_bad_events_and_commitments_are_refused(power, three):
    with pytest.raises(ValidationError) as caught:
        _event(baseline="guess", price_yuan_per_kwh=Decimal("9"), end=time(13, 0))
    assert set(caught.value.message_dict) == {"baseline", "price_yuan_per_kwh", "end"}
    with pytest.raises(ValidationError):
        _event(start=time(14, 5))
    event = _event()
    with pytest.raises(ValidationError):
        dr_commit(actor=None, event=event, meter="M-NONE", kw=Decimal("10"))
    with pytest.raises(ValidationError):
        dr_commit(actor=None, event=event, meter=three[0].code, kw=Decimal("0"))
    assert not DrEvent.objects.filter(baseline="guess").exists()


def test_who_may_run_events_and_commit(power, three, meters):
    users = power["users"]
    with pytest.raises(PermissionDenied):
        _event(users["kehu"])
    event = _event(users["diaodu"])
    # The contact commits their own enterprise's meter, not another's.
    dr_commit(actor=users["qiye_mill"], event=event, meter=three[0].code, kw=Decimal("50"))
    with pytest.raises(PermissionDenied):
        dr_commit(actor=users["qiye_knit"], event=event, meter=three[0].code, kw=Decimal("50"))
    with pytest.raises(PermissionDenied):
        dr_commit(actor=users["regulator"], event=event, meter=three[0].code, kw=Decimal("50"))


def test_the_event_through_the_api(api, three):
    diaodu = api("diaodu")
    made = diaodu.post(
        "/api/v1/power/dr/events",
        json.dumps(
            {
                "day": "2026-08-10",
                "start": "14:00",
                "end": "16:00",
                "kind": "peak_shaving",
                "baseline": "recent_workdays",
                "price_yuan_per_kwh": 4,
            }
        ),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    event_id = made.json()["id"]
    url = f"/api/v1/power/dr/events/{event_id}"
    answer = diaodu.post(
        f"{url}/commitments", {"meter": three[0].code, "kw": 140}, content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json() == {"meter": "M-MILL", "committed_kw": 140.0}
    results = diaodu.get(f"{url}/results")
    assert results.status_code == 200
    assert results.json() == [
        {
            "meter": "M-MILL",
            "baseline_kw": 500.0,
            "actual_kw": 380.0,
            "reduction_kw": 120.0,
            "committed_kw": 140.0,
            "effective": True,
            "paid_kwh": 240.0,
            "compensation_yuan": 960.0,
        }
    ]
    assert api("kehu").get(f"{url}/results").status_code == 403
    assert api("qiye_knit").get(f"{url}/results").status_code in (403, 404)
    bad = diaodu.post(
        "/api/v1/power/dr/events",
        {
            "day": "2026-08-10",
            "start": "14:00",
            "end": "16:00",
            "kind": "peak_shaving",
            "baseline": "nope",
            "price_yuan_per_kwh": 4,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "baseline" in bad.json()["errors"]
