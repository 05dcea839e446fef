"""`jiceng ltc key show` and `jiceng ltc peer …`, as an operator types them."""

from __future__ import annotations

import base64
import json

import pytest

from jiceng.cli import main
from jiceng.federation.models import Peer
from tests.federation.helpers import RemoteDeployment, federation_counts


@pytest.fixture
def county(settings, regions):
    settings.JICENG_REGION_CODE = ""
    return "330483"


def test_key_show_prints_one_line_of_json_with_the_code_and_a_32_byte_key(county, users, capsys):
    assert main(["ltc", "key", "show"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    identity = json.loads(out)
    assert identity["code"] == county
    assert len(base64.b64decode(identity["public_key"], validate=True)) == 32
    assert main(["ltc", "key", "show"]) == 0
    assert json.loads(capsys.readouterr().out) == identity


def test_peer_add_list_and_disable(county, users, capsys):
    key = RemoteDeployment("330502").public_key
    agreement = '{"person_status": ["insured", "level"]}'
    argv = ["ltc", "peer", "add", "--code", "330502", "--name", "吴兴区"]
    argv += ["--url", "http://127.0.0.1:8001", "--public-key", key, "--agreement", agreement]
    assert main(argv) == 0
    peer = Peer.objects.get()
    assert (peer.code, peer.name, peer.enabled) == ("330502", "吴兴区", True)
    assert peer.agreement == {"person_status": ["insured", "level"]}

    capsys.readouterr()
    assert main(["ltc", "peer", "list"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("330502\t吴兴区\thttp://127.0.0.1:8001\t")
    assert "\tenabled\t" in line

    assert main(["ltc", "peer", "disable", "--code", "330502"]) == 0
    assert Peer.objects.get().enabled is False
    assert main(["ltc", "peer", "disable", "--code", "330521"]) == 2


@pytest.mark.parametrize(
    "bad",
    [
        ["--public-key", "not base64!"],
        ["--public-key", base64.b64encode(b"x" * 31).decode()],
        ["--code", "33050"],
        ["--url", "file:///etc/passwd"],
        ["--agreement", "{not json"],
        ["--agreement", '{"person_status": "insured"}'],
    ],
    ids=["key-not-base64", "key-31-bytes", "code", "url", "agreement-json", "agreement-shape"],
)
def test_peer_add_refuses_bad_input_with_exit_2_and_changes_nothing(county, users, capsys, bad):
    options = {
        "--code": "330502",
        "--name": "吴兴区",
        "--url": "http://127.0.0.1:8001",
        "--public-key": RemoteDeployment("330502").public_key,
    }
    options[bad[0]] = bad[1]
    before = federation_counts()

    assert main(["ltc", "peer", "add", *[x for kv in options.items() for x in kv]]) == 2

    err = capsys.readouterr().err
    assert bad[0] in err
    assert federation_counts() == before


def test_peer_ping_of_a_county_that_is_not_a_peer_is_refused_with_exit_2(county, users, capsys):
    assert main(["ltc", "peer", "ping", "--code", "330521"]) == 2
    assert "330521" in capsys.readouterr().err


def test_key_show_without_a_county_says_to_set_the_region_code(settings, db, capsys):
    settings.JICENG_REGION_CODE = ""
    assert main(["ltc", "key", "show"]) == 2
    assert "JICENG_REGION_CODE" in capsys.readouterr().err
