"""The power API: meters, readings as text/csv, tariffs of a day, a meter's bill; who may call
what."""

from __future__ import annotations

from datetime import date

from jiceng.power.models import Meter, MeterDay
from tests.power.conftest import day_csv

DAY = date(2026, 8, 3)


def test_an_account_manager_registers_a_meter_and_posts_its_readings(api, power):
    kehu = api("kehu_wt")
    made = kehu.post(
        "/api/v1/power/meters",
        {
            "code": "M-NEW",
            "enterprise": power["mill"].credit_code,
            "category": "large_industry",
            "flat_price": 0.6,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["region"] == "330483001001001" and made.json()["flat_price"] == 0.6
    body = day_csv(DAY, lambda q: 300 if 72 <= q < 88 else 100)
    posted = kehu.post("/api/v1/power/meters/M-NEW/readings", body, content_type="text/csv")
    assert posted.status_code == 201, posted.content
    assert posted.json() == {"stored": 96, "days": 1, "gaps": [], "duplicates": []}
    cost = kehu.get("/api/v1/power/meters/M-NEW/cost", {"from": "2026-08-03", "to": "2026-08-03"})
    assert cost.status_code == 200
    bill = cost.json()
    assert bill["by_period"]["sharp"] == {"kwh": 1200.0, "yuan": 1476.0}
    assert bill["total_kwh"] == 3200.0 and bill["total_yuan"] == 2469.0


def test_refused_readings_name_the_line_and_store_nothing(api, meters):
    body = day_csv(DAY, lambda q: 10).replace("T00:15:00+08:00,10", "T00:20:00+08:00,10")
    answer = api("kehu").post(
        "/api/v1/power/meters/M-MILL/readings?day=2026-08-03", body, content_type="text/csv"
    )
    assert answer.status_code == 400
    assert answer.json()["errors"]["body"][0]["line"] == 3
    assert "quarter hour" in answer.json()["errors"]["body"][0]["message"]
    assert not MeterDay.objects.exists()
    outside = api("kehu").post(
        "/api/v1/power/meters/M-MILL/readings?day=2026-08-04",
        day_csv(DAY, lambda q: 1),
        content_type="text/csv",
    )
    assert (
        outside.status_code == 400
        and "outside the day" in outside.json()["errors"]["body"][0]["message"]
    )
    assert (
        api("kehu")
        .post("/api/v1/power/meters/M-NONE/readings", "time,kw\n", content_type="text/csv")
        .status_code
        == 404
    )


def test_tariffs_of_a_day_and_before_the_first(api, power):
    reader = api("regulator")
    answer = reader.get("/api/v1/power/tariffs", {"on": "2026-07-01", "category": "large_industry"})
    assert answer.status_code == 200
    tariff = answer.json()
    assert tariff["version"] == "zj-2026" and tariff["document"].startswith(
        "浙发改价格〔2026〕112号"
    )
    assert tariff["periods"][0] == {
        "start": "00:00",
        "end": "07:00",
        "kind": "valley",
        "ratio": 0.4,
    }
    assert tariff["periods"][-1]["end"] == "24:00"
    assert reader.get("/api/v1/power/tariffs", {"on": "2026-06-30"}).json()["version"] == "zj-2024"
    early = reader.get("/api/v1/power/tariffs", {"on": "2024-02-29"})
    assert early.status_code == 404 and "2024-03-01" in early.json()["detail"]
    assert api("wutong").get("/api/v1/power/tariffs", {"on": "2026-07-01"}).status_code == 403


def test_bad_meter_input_is_a_400_naming_the_field(api, power, meters):
    kehu = api("kehu")
    again = kehu.post(
        "/api/v1/power/meters",
        {"code": "M-MILL", "category": "large_industry", "flat_price": 0.6},
        content_type="application/json",
    )
    assert again.status_code == 400 and "code" in again.json()["errors"]
    unknown = kehu.post(
        "/api/v1/power/meters",
        {
            "code": "M-X",
            "enterprise": "91330483MA00000000",
            "category": "large_industry",
            "flat_price": 0.6,
        },
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "enterprise" in unknown.json()["errors"]
    backwards = kehu.get(
        "/api/v1/power/meters/M-MILL/cost", {"from": "2026-08-03", "to": "2026-08-01"}
    )
    assert backwards.status_code == 400
    early = kehu.get("/api/v1/power/meters/M-MILL/cost", {"from": "2024-01-01", "to": "2024-01-02"})
    assert early.status_code == 404


def test_who_sees_and_writes_which_meters(api, power, meters):
    assert [m["code"] for m in api("qiye_mill").get("/api/v1/power/meters").json()] == ["M-MILL"]
    assert [m["code"] for m in api("kehu_wt").get("/api/v1/power/meters").json()] == ["M-MILL"]
    assert len(api("regulator").get("/api/v1/power/meters").json()) == 2
    assert api("wutong").get("/api/v1/power/meters").status_code == 403
    cost = {"from": "2026-08-03", "to": "2026-08-03"}
    assert api("qiye_mill").get("/api/v1/power/meters/M-MILL/cost", cost).status_code == 200
    assert api("qiye_mill").get("/api/v1/power/meters/M-KNIT/cost", cost).status_code == 404
    new = {"code": "M-Y", "category": "large_industry", "flat_price": 0.6, "region": "330483101"}
    assert (
        api("kehu_wt")
        .post("/api/v1/power/meters", new, content_type="application/json")
        .status_code
        == 400
    )
    for who in ("regulator", "diaodu", "qiye_mill"):
        assert (
            api(who).post("/api/v1/power/meters", new, content_type="application/json").status_code
            == 403
        )
        body = day_csv(DAY, lambda q: 1)
        assert (
            api(who)
            .post("/api/v1/power/meters/M-MILL/readings", body, content_type="text/csv")
            .status_code
            == 403
        )
    assert not Meter.objects.filter(code="M-Y").exists()
