"""The power pages render for their roles and refuse others; an enterprise contact sees only
their own enterprise; the plan is recomputed (htmx) and saved; machines, readings and events are
written through the pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from jiceng.core.models import Organisation, Role, User
from jiceng.core.services.accounts import user_create
from jiceng.demo.power import MILL_NAME, seed_power
from jiceng.power.models import DrEvent, DrParticipation, Machine, Meter, MeterDay, Plan
from tests.registry_factories import make_organisation

AS_OF = date(2026, 12, 7)


@pytest.fixture
def power(regions, users):
    for name, code, role in (
        ("kehu", "330483", Role.ACCOUNT_MANAGER),
        ("diaodu", "330483", Role.POWER_DISPATCHER),
        ("qiye", "330483101", Role.ENTERPRISE_CONTACT),
    ):
        user_create(username=name, password=None, region_code=code, roles=[role])
    make_organisation("测试针织公司", "330483001001001", 1, industry="毛衫", employees=60)
    make_organisation("测试机械公司", "330483001001001", 2, industry="机械", employees=40)
    seed_power(seed=4, county="330483", enterprises=3, planned=2, as_of=AS_OF)
    mill = Organisation.objects.get(name=MILL_NAME)
    other = Organisation.objects.get(name="测试针织公司")
    return {
        "mill": mill,
        "other": other,
        "mill_meter": Meter.objects.get(enterprise=mill),
        "other_meter": Meter.objects.get(enterprise=other),
        "event": DrEvent.objects.order_by("day").first(),
        "user": {u.username: u for u in User.objects.all()},
    }


def _as(client, power, name):
    client.force_login(power["user"][name])
    return client


def _read_urls(power):
    mill, meter, event = power["mill"], power["mill_meter"], power["event"]
    return [
        reverse("power-meters"),
        reverse("power-meter", args=[meter.code]) + "?day=2026-07-06",
        reverse("power-plans"),
        reverse("power-plan", args=[mill.pk]),
        reverse("power-events"),
        reverse("power-event", args=[event.pk]),
        reverse("power-summer") + "?year=2026",
        reverse("power-summer") + "?year=2026&screen=1",
    ]


def test_the_staff_and_the_regulator_read_every_page(client, power):
    _as(client, power, "kehu")
    for url in _read_urls(power):
        assert client.get(url).status_code == 200, url
    for name in ("diaodu", "regulator", "admin"):  # a list and a record of each part
        _as(client, power, name)
        for url in _read_urls(power)[1::2]:
            assert client.get(url).status_code == 200, (name, url)


def test_other_roles_are_refused(client, power):
    _as(client, power, "clerk")
    for url in _read_urls(power):
        assert client.get(url).status_code in (403, 404), url
    assert client.get(reverse("power-readings")).status_code == 403


def test_the_summer_page_shows_the_plans_and_the_events(client, power):
    _as(client, power, "diaodu")
    response = client.get(reverse("power-summer") + "?year=2026")
    text = response.content.decode()
    assert MILL_NAME in text and "summer-data" in text
    assert len(response.context["summer"].days) == 92
    assert len(response.context["summer"].events) == 3
    xlsx = client.get(reverse("power-summer") + "?year=2026&format=xlsx")
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content).startswith(b"PK")


def test_a_meter_page_shows_the_day_against_the_periods_and_the_bill(client, power):
    _as(client, power, "kehu")
    url = reverse("power-meter", args=[power["mill_meter"].code])
    response = client.get(url + "?day=2026-07-06&start=2026-07-01&end=2026-07-31")
    assert response.context["chart"]["bands"]
    assert response.context["bill"].days == 31
    assert "meter-chart" in response.content.decode()


def test_an_enterprise_contact_sees_only_their_enterprise(client, power):
    _as(client, power, "qiye")
    meters = client.get(reverse("power-meters"))
    assert [m.code for m in meters.context["page"]] == [power["mill_meter"].code]
    assert client.get(reverse("power-plan", args=[power["mill"].pk])).status_code == 200
    assert client.get(reverse("power-letter", args=[power["mill"].pk])).status_code == 200
    assert client.get(reverse("power-plan", args=[power["other"].pk])).status_code == 404
    assert client.get(reverse("power-letter", args=[power["other"].pk])).status_code == 404
    other_meter = reverse("power-meter", args=[power["other_meter"].code])
    assert client.get(other_meter).status_code == 404
    plans = client.get(reverse("power-plans"))
    assert [e.pk for e, _plan in plans.context["rows"]] == [power["mill"].pk]
    assert client.get(reverse("power-summer")).status_code == 200
    # No editing: the page has no machine forms, saving is refused.
    page = client.get(reverse("power-plan", args=[power["mill"].pk]))
    assert not page.context["may_edit"]
    refused = client.post(reverse("power-plan", args=[power["mill"].pk]), {"on": "2026-08-03"})
    assert refused.status_code == 403


def test_an_account_manager_recomputes_with_htmx_and_saves_a_new_version(client, power):
    _as(client, power, "kehu")
    mill = power["mill"]
    opener = Machine.objects.get(enterprise=mill, name="开松机1号")
    data = {"on": "2026-08-03", f"start_{opener.pk}": "18:00", "note": ""}
    preview = client.post(
        reverse("power-plan-preview", args=[mill.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200
    assert "plan-chart" in preview.content.decode()
    assert Plan.objects.filter(enterprise=mill).count() == 1  # a preview stores nothing
    pinned = next(m for m in preview.context["result"]["machines"] if m["id"] == opener.pk)
    assert pinned["planned_start"] == "18:00"
    saved = client.post(reverse("power-plan", args=[mill.pk]), {**data, "note": "先试一周"})
    assert saved.status_code == 302
    assert Plan.objects.filter(enterprise=mill).order_by("-version").first().version == 2


def test_a_bad_pin_is_shown_and_nothing_is_saved(client, power):
    _as(client, power, "kehu")
    mill = power["mill"]
    opener = Machine.objects.get(enterprise=mill, name="开松机1号")
    data = {"on": "2026-08-03", f"start_{opener.pk}": "10:00"}
    preview = client.post(
        reverse("power-plan-preview", args=[mill.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 400 and "开松机1号" in preview.context["problem"]
    assert client.post(reverse("power-plan", args=[mill.pk]), data).status_code == 400
    assert Plan.objects.filter(enterprise=mill).count() == 1


def test_machines_are_added_and_removed_on_the_page(client, power):
    _as(client, power, "kehu")
    mill = power["mill"]
    before = Machine.objects.filter(enterprise=mill).count()
    response = client.post(
        reverse("power-machine-new", args=[mill.pk]),
        {
            "new-name": "络筒机",
            "new-kind": "shiftable",
            "new-power_kw": "45",
            "new-run_minutes": "120",
            "new-window_start": "06:00",
            "new-window_end": "22:00",
            "new-current_start": "19:00",
        },
    )
    assert response.status_code == 302
    added = Machine.objects.get(enterprise=mill, name="络筒机")
    assert Machine.objects.filter(enterprise=mill).count() == before + 1
    client.post(reverse("power-machine-delete", args=[mill.pk, added.pk]))
    assert Machine.objects.filter(enterprise=mill).count() == before


def test_readings_import_reports_gaps_and_refuses_a_bad_file_whole(client, power):
    _as(client, power, "kehu")
    meter = power["other_meter"]
    rows = ["meter,time,kw"] + [
        f"{meter.code},2026-10-05T{q // 4:02d}:{q % 4 * 15:02d}:00+08:00,{100 + q}"
        for q in range(96)
        if q != 40
    ]
    upload = ("readings.csv", "\n".join(rows).encode())
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = client.post(reverse("power-readings"), {"file": SimpleUploadedFile(*upload)})
    assert good.status_code == 200
    assert good.context["created"].gaps
    assert MeterDay.objects.filter(meter=meter, day=date(2026, 10, 5)).exists()
    bad = [*rows, f"{meter.code},2026-10-06T00:00:00+08:00,lots"]
    refused = client.post(
        reverse("power-readings"),
        {"file": SimpleUploadedFile("r.csv", "\n".join(bad).encode())},
    )
    assert refused.status_code == 400 and refused.context["problems"]
    assert not MeterDay.objects.filter(meter=meter, day=date(2026, 10, 6)).exists()


def test_a_dispatcher_creates_an_event_and_invites_and_a_contact_commits(client, power):
    _as(client, power, "diaodu")
    created = client.post(
        reverse("power-events"),
        {
            "day": "2027-07-20",
            "start": "18:00",
            "end": "20:00",
            "kind": "peak_shaving",
            "baseline": "recent_workdays",
            "price_yuan_per_kwh": "3.5",
        },
    )
    assert created.status_code == 302, created.context and created.context["form"].errors
    event = DrEvent.objects.get(day=date(2027, 7, 20))
    codes = f"{power['mill_meter'].code} {power['other_meter'].code}"
    client.post(reverse("power-event", args=[event.pk]), {"action": "invite", "meters": codes})
    assert DrParticipation.objects.filter(event=event).count() == 2
    _as(client, power, "qiye")
    page = client.get(reverse("power-event", args=[event.pk]))
    assert [p.meter.code for p in page.context["participants"]] == [power["mill_meter"].code]
    client.post(
        reverse("power-event", args=[event.pk]),
        {"action": "commit", "meter": power["mill_meter"].code, "kw": "200"},
    )
    mine = DrParticipation.objects.get(event=event, meter=power["mill_meter"])
    assert mine.committed_kw == 200
    assert (
        client.post(
            reverse("power-event", args=[event.pk]),
            {"action": "invite", "meters": power["other_meter"].code},
        ).status_code
        == 403
    )


def test_a_single_meter_file_and_temperatures_are_imported(client, power):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _as(client, power, "kehu")
    meter = power["mill_meter"]
    rows = ["time,kw"] + [
        f"2026-10-07T{q // 4:02d}:{q % 4 * 15:02d}:00+08:00,500" for q in range(96)
    ]
    answer = client.post(
        reverse("power-readings"),
        {"file": SimpleUploadedFile("m.csv", "\n".join(rows).encode()), "meter": meter.code},
    )
    assert answer.status_code == 200 and answer.context["created"].days == 1
    assert MeterDay.objects.get(meter=meter, day=date(2026, 10, 7)).readings == 96
    unknown = client.post(
        reverse("power-readings"),
        {"file": SimpleUploadedFile("m.csv", "\n".join(rows).encode()), "meter": "NO-SUCH"},
    )
    assert unknown.status_code == 400
    weather = client.post(
        reverse("power-temperatures"),
        {"file": SimpleUploadedFile("t.csv", b"date,max,min\n2027-07-01,36.5,27.0\n")},
    )
    assert weather.status_code == 200 and weather.context["created"] == 1
