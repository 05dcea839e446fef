"""Two live deployments on loopback, each with its own database and keys, peered through the
command line, exchanging signed envelopes over HTTP."""

from __future__ import annotations

import json

import pytest

from tests.deployments import AGREEMENT

# Two real servers (about 15 s of start-up on an idle machine, shared by the whole session).
pytestmark = pytest.mark.deployments

SEND = """
import json
from jiceng.federation import messaging
try:
    print(json.dumps(messaging.send(peer_code={peer!r}, kind={kind!r}, payload={payload!r}),
                     ensure_ascii=False))
except (messaging.EnvelopeRefused, messaging.HandlerRefused, messaging.PeerUnavailable) as exc:
    print(json.dumps({{"error": type(exc).__name__,
                      "reason": getattr(exc, "reason_code", ""), "detail": str(exc)}}))
"""


def _send(deployment, peer: str, kind: str, payload: dict) -> dict:
    out = deployment.python(SEND.format(peer=peer, kind=kind, payload=payload))
    return json.loads(out.strip().splitlines()[-1])


def test_two_deployments_peered_by_the_command_line_ping_each_other_both_ways(
    peered_deployments,
):
    tongxiang, wuxing = peered_deployments

    answer = _send(tongxiang, "330502", "federation.ping", {"hello": "吴兴", "n": 1})
    assert answer == {"code": "330502", "sender": "330483", "echo": {"hello": "吴兴", "n": 1}}

    result = wuxing.cli("ltc", "peer", "ping", "--code", "330483")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["code"] == "330483"

    # Each side logged what it sent and what it accepted.
    assert tongxiang.count_rows("federation_messagelog") >= 2
    assert wuxing.count_rows("federation_messagelog") >= 2
    assert tongxiang.count_rows("federation_refusal") == 0


def test_a_deployment_refuses_envelopes_from_a_peer_it_disabled_and_records_only_that(
    peered_deployments,
):
    tongxiang, wuxing = peered_deployments
    # 吴兴 stops trusting 桐乡; 桐乡 still trusts 吴兴 and sends.
    assert wuxing.cli("ltc", "peer", "disable", "--code", "330483").returncode == 0
    before = wuxing.federation_counts()
    try:
        answer = _send(tongxiang, "330502", "federation.ping", {"n": 2})
        assert (answer["error"], answer["reason"]) == ("EnvelopeRefused", "disabled_peer")
        refusals = before["federation_refusal"] + 1
        assert wuxing.federation_counts() == {**before, "federation_refusal": refusals}
    finally:
        result = wuxing.cli(
            "ltc", "peer", "add", "--code", "330483", "--name", "桐乡市",
            "--url", tongxiang.url, "--public-key", tongxiang.public_key,
            "--agreement", json.dumps(AGREEMENT),  # as peered: the next test finds it so
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert _send(tongxiang, "330502", "federation.ping", {"n": 3})["echo"] == {"n": 3}


def test_the_receiving_endpoint_needs_no_token_and_refuses_what_is_not_an_envelope(
    two_deployments,
):
    tongxiang, _wuxing = two_deployments
    status, body = tongxiang.api("POST", "/api/v1/federation/messages", {"not": "an envelope"},
                                 token="not-a-token")  # fmt: skip
    assert status == 400 and body["reason"] == "malformed"
