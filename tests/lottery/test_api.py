"""The API's shapes, the import all or nothing naming the row, and region scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jiceng.lottery.models import DailySale, Prize

pytestmark = pytest.mark.django_db

CSV = "text/csv"


def _post_sales(client, text):
    return client.post("/api/v1/lottery/sales", data=text, content_type=CSV)


def test_games_list_each_split_with_its_date(api):
    games = api("fucai").get("/api/v1/lottery/games").json()
    ssq = next(g for g in games if g["code"] == "ssq")
    assert ssq == {
        "code": "ssq",
        "name": "双色球",
        "prize_share": 0.51,
        "fee_share": 0.13,
        "fund_share": 0.36,
        "effective_from": "2000-01-01",
    }
    assert {g["code"] for g in games} == {"ssq", "3d", "qlc", "kl8", "k3", "instant"}


def test_sales_import_stores_and_a_reimport_of_an_outlet_day_replaces_it(api, outlets):
    client = api("fucai")
    first = "date,outlet,game,amount\n2023-03-01,wt1,ssq,1000000\n2023-03-01,wt1,kl8,500\n"
    answer = _post_sales(client, first)
    assert answer.status_code == 201, answer.content
    assert answer.json() == {"stored": 2}
    answer = _post_sales(client, "date,outlet,game,amount\n2023-03-01,wt1,ssq,2000\n")
    assert answer.json() == {"stored": 1}
    assert list(DailySale.objects.values_list("game__code", "amount")) == [("ssq", 2000)]
    fund = client.get("/api/v1/lottery/fund?year=2023").json()
    assert fund["sales"] == 2000 and fund["fund_raised"] == 720
    assert set(fund) == {
        "year",
        "sales",
        "fund_raised",
        "prize",
        "fee",
        "central",
        "local",
        "unclaimed",
        "by_game",
        "tax_withheld",
    }
    assert {"game": "ssq", "sales": 2000.0, "fund_raised": 720.0} in fund["by_game"]


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("2023-03-01,nope,ssq,10", "nope"),  # an unknown outlet
        ("2023-03-01,wt1,lotto,10", "lotto"),  # an unknown game
        ("2023-03-01,wt1,ssq,-10", "-10"),  # a negative amount
        (
            (date.today() + timedelta(days=1)).isoformat() + ",wt1,ssq,10",
            (date.today() + timedelta(days=1)).isoformat(),  # a day in the future
        ),
        ("2023-08-01,wt2,ssq,10", "wt2"),  # an outlet closed in July
        ("2023-03-01,py1,ssq,10", "py1"),  # another town's outlet: unknown here
    ],
)
def test_one_bad_row_refuses_the_whole_import_naming_the_row(api, outlets, row, says):
    DailySale.objects.create(
        outlet=outlets["wt1"],
        game_id=1,
        sold_on=date(2023, 1, 5),
        amount=7,
        region_id="330483001001",
    )
    text = f"date,outlet,game,amount\n2023-03-02,wt1,ssq,10\n2023-01-05,wt1,ssq,99\n{row}\n"
    answer = _post_sales(api("fucai_wutong"), text)
    assert answer.status_code == 400
    body = answer.json()
    assert [e["row"] for e in body["errors"]] == [4]
    # the message names the offending value (in the language of the request)
    assert says in body["errors"][0]["message"]
    assert list(DailySale.objects.values_list("sold_on", "amount")) == [(date(2023, 1, 5), 7)]


def test_prizes_answer_the_tax_withheld(api, outlets):
    client = api("fucai")
    body = {"game": "ssq", "outlet": "wt1", "amount": "12000", "paid_on": "2023-05-01"}
    answer = client.post("/api/v1/lottery/prizes", body, content_type="application/json")
    assert answer.status_code == 201 and answer.json() == {"tax_withheld": 2400.0}
    body["amount"] = 10000
    assert client.post("/api/v1/lottery/prizes", body, content_type="application/json").json() == {
        "tax_withheld": 0.0
    }
    body["game"] = "nope"
    answer = client.post("/api/v1/lottery/prizes", body, content_type="application/json")
    assert answer.status_code == 400
    assert Prize.objects.count() == 2


def test_another_towns_outlets_are_invisible_and_their_writes_refused(api, outlets):
    listed = api("fucai_wutong").get("/api/v1/lottery/outlets").json()
    assert [o["code"] for o in listed] == ["wt1", "wt2"]
    assert listed[0] == {
        "code": "wt1",
        "name": "梧桐一号站",
        "region": "330483001001",
        "staff": 2,
        "open": True,
    }
    assert listed[1]["open"] is False
    county = api("fucai").get("/api/v1/lottery/outlets?region=330483101").json()
    assert [o["code"] for o in county] == ["py1"]
    body = {"game": "ssq", "outlet": "py1", "amount": "100", "paid_on": "2023-05-01"}
    answer = api("fucai_wutong").post(
        "/api/v1/lottery/prizes", body, content_type="application/json"
    )
    assert answer.status_code == 400 and Prize.objects.count() == 0


@pytest.mark.parametrize("username", ["wutong", "clerk", "grid"])
def test_users_without_the_modules_role_are_refused(api, outlets, username):
    client = api(username)
    assert client.get("/api/v1/lottery/outlets").status_code == 403
    assert client.get("/api/v1/lottery/fund?year=2023").status_code == 403
    assert client.get("/api/v1/lottery/reports/2023").status_code == 403
    assert _post_sales(client, "date,outlet,game,amount\n2023-03-01,wt1,ssq,1\n").status_code == 403
    assert DailySale.objects.count() == 0


def test_the_regulator_reads_but_may_not_import(api, outlets):
    client = api("regulator")
    assert client.get("/api/v1/lottery/outlets").status_code == 200
    assert _post_sales(client, "date,outlet,game,amount\n2023-03-01,wt1,ssq,1\n").status_code == 403


def test_the_report_answers_its_figures_and_its_pdf(api, outlets):
    client = api("fucai")
    _post_sales(client, "date,outlet,game,amount\n2023-03-01,wt1,ssq,1000000\n")
    report = client.get("/api/v1/lottery/reports/2023").json()
    assert report["sales"] == 1000000 and report["fund_raised"] == 360000
    assert report["jobs"] == 5  # wt1 (2) and py1 (3) open on 31 December; wt2 closed in July
    assert [c["category"] for c in report["by_category"]] == [
        "elderly",
        "disabled",
        "children",
        "public_good",
    ]
    pdf = client.get("/api/v1/lottery/reports/2023/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
