"""Scale devices of a station, made by people on the station page and by operators with
`jiceng gas device`: the key is shown once, captures for its station, and stops when revoked;
nobody outside the station's region sees or touches them."""

from __future__ import annotations

import re

import pytest

from jiceng.cli import main
from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.gas.models import ScaleDevice
from jiceng.gas.services.registry import scale_device_create
from jiceng.ledger.models import CaptureJob
from tests.table_counts import table_counts

from .conftest import capture, event, make_cylinder
from .test_capture_access import FILL, _document, _post

KEY = re.compile(r"<code class=\"code\">(jcd_[\w-]+)</code>")


def _town_admin(username: str, region: str):
    return user_create(
        username=username, password=None, region_code=region, roles=[Role.TOWN_ADMIN]
    )


def _fill_at_wutong(identifier: str) -> str:
    make_cylinder(identifier)
    return _document(event(FILL, [identifier], biz_location="urn:jiceng:station:TX-S01"))


def test_a_device_made_on_the_station_page_captures_for_its_station_until_revoked(client, network):
    client.force_login(_town_admin("wt-admin", "330483001"))
    page = client.get("/gas/stations/TX-S01/")
    assert page.status_code == 200 and "X-Device-Key" not in page.text

    made = client.post("/gas/stations/TX-S01/", {"name": "1号充装秤"})
    assert made.status_code == 201
    key = KEY.search(made.text).group(1)
    assert "X-Device-Key" in made.text and "/epcis/v2/capture" in made.text
    device = ScaleDevice.objects.get()
    assert device.station == network.wutong and device.name == "1号充装秤"
    assert key not in client.get("/gas/stations/TX-S01/").text  # shown once

    client.logout()
    answer = _post(client, _fill_at_wutong("P-1"), **{"X-Device-Key": key})
    assert answer.status_code in (201, 202), answer.content
    job = CaptureJob.objects.get()
    assert job.success and job.actor is None
    assert job.device == f"gas.scale:{device.pk}"  # the job says which device captured
    device.refresh_from_db()
    assert device.last_used_at is not None

    client.force_login(_town_admin("wt-admin2", "330483001"))
    listed = client.get("/gas/stations/TX-S01/")
    assert "1号充装秤" in listed.text and f'data-device="{device.pk}"' in listed.text
    revoked = client.post(f"/gas/stations/TX-S01/devices/{device.pk}/revoke/")
    assert revoked.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None

    client.logout()
    before = table_counts()
    refused = _post(client, _document(event(FILL, ["P-1"])), **{"X-Device-Key": key})
    assert refused.status_code == 401
    assert table_counts() == before


def test_an_empty_name_is_refused_on_the_page_and_nothing_is_made(client, network):
    client.force_login(_town_admin("wt-admin", "330483001"))
    answer = client.post("/gas/stations/TX-S01/", {"name": "  "})
    assert answer.status_code == 400
    assert not ScaleDevice.objects.exists()


def test_another_town_s_administrator_cannot_see_make_or_revoke_the_station_s_devices(
    client, network, users
):
    device, _key = scale_device_create(actor=None, station=network.wutong, name="1号秤")
    client.force_login(_town_admin("py-admin", "330483101"))
    assert client.get("/gas/stations/TX-S02/").status_code == 200  # their own station
    before = table_counts()
    assert client.get("/gas/stations/TX-S01/").status_code == 404
    assert client.post("/gas/stations/TX-S01/", {"name": "秤"}).status_code == 404
    revoke = f"/gas/stations/TX-S01/devices/{device.pk}/revoke/"
    assert client.post(revoke).status_code == 404
    # The device under their own station's address is not theirs either.
    assert client.post(f"/gas/stations/TX-S02/devices/{device.pk}/revoke/").status_code == 404
    assert table_counts() == before
    device.refresh_from_db()
    assert device.revoked_at is None


def test_a_town_officer_sees_the_station_but_not_its_devices_and_may_not_make_one(
    client, network, users
):
    device, _key = scale_device_create(actor=None, station=network.wutong, name="1号秤")
    client.force_login(users["wutong"])
    page = client.get("/gas/stations/TX-S01/")
    assert page.status_code == 200 and "1号秤" not in page.text
    before = table_counts()
    assert client.post("/gas/stations/TX-S01/", {"name": "秤"}).status_code == 403
    assert client.post(f"/gas/stations/TX-S01/devices/{device.pk}/revoke/").status_code == 403
    assert table_counts() == before


def test_the_command_adds_lists_and_revokes_devices(client, network, capsys):
    assert main(["gas", "device", "add", "--station", "TX-S01", "--name", "2号秤"]) == 0
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("jcd_") and "\n" not in key
    assert "X-Device-Key" in out.err
    device = ScaleDevice.objects.get()
    assert device.station == network.wutong and device.created_by is None

    answer = _post(client, _fill_at_wutong("C-1"), **{"X-Device-Key": key})
    assert answer.status_code in (201, 202), answer.content

    assert main(["gas", "device", "list", "--station", "TX-S01"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{device.pk}\tTX-S01\t2号秤\t") and line.endswith("active")
    assert main(["gas", "device", "list", "--station", "TX-S02"]) == 0
    assert capsys.readouterr().out == ""

    assert main(["gas", "device", "revoke", str(device.pk)]) == 0
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert main(["gas", "device", "list"]) == 0
    assert "\trevoked " in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["gas", "device", "add", "--station", "NOPE", "--name", "秤"],
        ["gas", "device", "add", "--station", "TX-S01", "--name", "   "],
        ["gas", "device", "list", "--station", "NOPE"],
        ["gas", "device", "revoke", "999999"],
    ],
)
def test_bad_command_arguments_exit_2_and_write_nothing(network, argv, capsys):
    before = table_counts()
    assert main(argv) == 2
    assert capsys.readouterr().out == ""
    assert table_counts() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["gas", "device", "add", "--station", "TX-S01"],
        ["gas", "device", "revoke", "one"],
        ["gas", "device"],
    ],
)
def test_malformed_commands_exit_2(network, argv, capsys):
    before = table_counts()
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert table_counts() == before


def test_a_capture_by_a_person_names_no_device_and_a_refused_device_document_names_it(
    client, network, users
):
    make_cylinder("U-1")
    by_person = capture(
        users["admin"], event(FILL, ["U-1"], biz_location="urn:jiceng:station:TX-S01")
    )
    assert by_person.success and by_person.device == ""

    device, key = scale_device_create(actor=None, station=network.wutong, name="3号秤")
    answer = _post(
        client,
        _document({"type": "ObjectEvent", "action": "OBSERVE", "eventTime": "yesterday"}),
        **{"X-Device-Key": key},
    )
    assert answer.status_code == 202  # an invalid event fails in the job, which is kept
    failed = CaptureJob.objects.exclude(pk=by_person.pk).get()
    assert not failed.success and failed.device == f"gas.scale:{device.pk}"
