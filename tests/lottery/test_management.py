"""Managing outlets, their sellers and the grants from the pages: the staff count follows the
sellers, a closed outlet's later sales are refused, a grant's payments, outcome and photos are
recorded, and nobody reaches another town's outlet or grant."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from jiceng.lottery.models import DailySale, Grant, GrantPhoto, Outlet, SalesStaff, Training
from jiceng.lottery.services import ImportRefused, sales_import
from tests.conftest import WUTONG

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def test_an_outlet_is_registered_in_the_staffs_region_and_refused_outside_it(staff, outlets):
    client = _client(staff["fucai_wutong"])
    form = {
        "code": "wt9",
        "name": "梧桐九号站",
        "region": "330483001001",
        "opened_on": "2024-03-01",
        "owner": "张三",
    }
    answer = client.post("/lottery/outlets/new/", form)
    assert answer.status_code == 302 and answer["Location"] == "/lottery/outlets/wt9/"
    outlet = Outlet.objects.get(code="wt9")
    assert (outlet.region_id, outlet.owner, outlet.staff_count) == ("330483001001", "张三", 0)

    refused = client.post(
        "/lottery/outlets/new/", {**form, "code": "py9", "region": "330483101001"}
    )
    assert refused.status_code == 400
    assert not Outlet.objects.filter(code="py9").exists()
    duplicate = client.post("/lottery/outlets/new/", form)
    assert duplicate.status_code == 400 and Outlet.objects.filter(code="wt9").count() == 1


def test_sellers_make_the_staff_count_and_sign_the_pledge_and_train(staff, outlets):
    client = _client(staff["fucai_wutong"])
    page = "/lottery/outlets/wt1/"
    assert client.get(page).status_code == 200
    for name in ("李四", "王五"):
        assert client.post(page, {"action": "seller", "name": name}).status_code == 302
    outlet = Outlet.objects.get(code="wt1")
    assert outlet.staff_count == 2
    seller = SalesStaff.objects.get(outlet=outlet, name="李四")
    answer = client.post(page, {"action": "pledge", "seller": seller.pk, "on": "2024-05-01"})
    assert answer.status_code == 302
    client.post(
        page,
        {"action": "training", "seller": seller.pk, "topic": "责任彩票", "held_on": "2024-05-02"},
    )
    assert Training.objects.filter(staff=seller, topic="责任彩票").exists()
    client.post(page, {"action": "leave", "seller": seller.pk, "on": "2024-06-01"})
    seller.refresh_from_db()
    outlet.refresh_from_db()
    assert seller.pledge_signed_on == date(2024, 5, 1) and seller.left_on == date(2024, 6, 1)
    assert outlet.staff_count == 1
    html = client.get(page).content.decode()
    assert "李四" in html and "2024-05-01" in html and "责任彩票" in html

    future = client.post(
        page, {"action": "seller", "name": "赵六", "pledge_signed_on": "2999-01-01"}
    )
    assert future.status_code == 400 and not SalesStaff.objects.filter(name="赵六").exists()


def test_a_closed_outlet_refuses_sales_from_its_closing_day(staff, outlets):
    client = _client(staff["fucai_wutong"])
    answer = client.post("/lottery/outlets/wt1/", {"action": "close", "closed_on": "2024-02-01"})
    assert answer.status_code == 302
    sales_import(actor=None, data="date,outlet,game,amount\n2024-01-31,wt1,ssq,10\n")
    with pytest.raises(ImportRefused) as refused:
        sales_import(actor=None, data="date,outlet,game,amount\n2024-02-01,wt1,ssq,10\n")
    assert refused.value.rows[0].row == 2
    assert DailySale.objects.filter(outlet__code="wt1").count() == 1


def test_another_towns_outlet_is_not_found_and_not_changed(staff, outlets):
    client = _client(staff["fucai_wutong"])
    assert client.get("/lottery/outlets/py1/").status_code == 404
    assert (
        client.post("/lottery/outlets/py1/", {"action": "seller", "name": "x"}).status_code == 404
    )
    assert not SalesStaff.objects.filter(outlet__code="py1").exists()
    regulator = _client(staff["regulator"])
    assert regulator.get("/lottery/outlets/wt1/").status_code == 200
    assert (
        regulator.post("/lottery/outlets/wt1/", {"action": "seller", "name": "x"}).status_code
        == 403
    )
    assert _client(staff["grid"]).get("/lottery/outlets/wt1/").status_code == 403


def test_a_grant_is_recorded_paid_out_with_its_outcome_and_photos(
    staff, outlets, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = _client(staff["fucai_wutong"])
    answer = client.post(
        "/lottery/grants/new/",
        {
            "title": "居家养老服务中心改造",
            "category": "elderly",
            "recipient": "梧桐街道社会事务办",
            "region": WUTONG,
            "approved_amount": "200000",
            "approved_on": "2023-03-01",
        },
    )
    grant = Grant.objects.get(title="居家养老服务中心改造")
    assert answer.status_code == 302 and answer["Location"] == f"/lottery/grants/{grant.pk}/"
    page = f"/lottery/grants/{grant.pk}/"
    assert (
        client.post(
            page, {"action": "disburse", "amount": "150000", "paid_on": "2023-04-01"}
        ).status_code
        == 302
    )
    too_much = client.post(page, {"action": "disburse", "amount": "60000", "paid_on": "2023-05-01"})
    assert too_much.status_code == 400
    assert sum(d.amount for d in grant.disbursements.all()) == Decimal(150000)
    client.post(page, {"action": "outcome", "outcome": "服务老人1200人次"})
    photo = SimpleUploadedFile("a.jpg", _jpeg(), content_type="image/jpeg")
    uploaded = client.post(page, {"action": "photos", "photos": [photo], "caption": "改造后"})
    assert uploaded.status_code == 302
    grant.refresh_from_db()
    assert grant.outcome == "服务老人1200人次"
    stored = GrantPhoto.objects.get(grant=grant)
    served = client.get(f"/lottery/grants/{grant.pk}/photos/{stored.pk}")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    not_image = SimpleUploadedFile("b.jpg", b"not an image", content_type="image/jpeg")
    refused = client.post(page, {"action": "photos", "photos": [not_image]})
    assert refused.status_code == 400 and GrantPhoto.objects.filter(grant=grant).count() == 1
    listing = client.get("/lottery/grants/?year=2023").content.decode()
    assert "居家养老服务中心改造" in listing

    other = _client(staff["fucai_puyuan"])
    assert other.get(page).status_code == 404
    assert other.get(f"/lottery/grants/{grant.pk}/photos/{stored.pk}").status_code == 404
    assert other.post(page, {"action": "outcome", "outcome": "x"}).status_code == 404
