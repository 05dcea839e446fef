"""Helpers for the ledger tests: the GS1 example documents, and capture and query over HTTP."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from jiceng.ledger.selectors import CONTEXTS_CACHE

DOCUMENTS = Path(__file__).resolve().parent / "documents"
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def example(name: str) -> dict[str, Any]:
    """One of GS1's EPCIS 2.0 example documents (see documents/README.md)."""
    return json.loads((DOCUMENTS / name).read_text(encoding="utf-8"))


def cylinder_document(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@context": [CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T08:00:00+08:00",
        "epcisBody": {"eventList": events},
    }


def filling(serial: int, *, minute: int = 0, station: str = "FS01", **extra: Any) -> dict:
    """A filling of cylinder `serial` at a filling station, as the scale would send it."""
    return {
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{serial:06d}{minute:06d}",
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": "urn:jiceng:bizstep:filling",
        "disposition": "active",
        "epcList": [f"urn:jiceng:cylinder:{serial}"],
        "eventTime": f"2026-03-01T08:{minute:02d}:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "readPoint": {"id": f"urn:jiceng:station:{station}"},
        "bizLocation": {"id": f"urn:jiceng:station:{station}"},
        **extra,
    }


class Epcis:
    """An EPCIS client of /epcis/v2/ with a bearer token."""

    def __init__(self, client: Any, token: str):
        self.client, self.token = client, token

    def capture(self, document: Any, *, raw: bytes | None = None) -> Any:
        body = raw if raw is not None else json.dumps(document)
        return self.client.post(
            "/epcis/v2/capture",
            data=body,
            content_type="application/ld+json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
        )

    def job(self, location: str) -> dict[str, Any]:
        response = self.client.get(location, HTTP_AUTHORIZATION=f"Bearer {self.token}")
        assert response.status_code == 200, response.content
        return response.json()

    def captured(self, document: Any) -> dict[str, Any]:
        """Capture and return the finished job (asserting the 202)."""
        response = self.capture(copy.deepcopy(document))
        assert response.status_code == 202, response.content
        return self.job(response["Location"])

    def query(self, **parameters: Any) -> Any:
        return self.client.get(
            "/epcis/v2/events", parameters, HTTP_AUTHORIZATION=f"Bearer {self.token}"
        )

    def events(self, **parameters: Any) -> list[dict[str, Any]]:
        response = self.query(**parameters)
        assert response.status_code == 200, response.content
        return response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]


@pytest.fixture(autouse=True)
def _engine_alone(monkeypatch):
    """The engine on its own: the handlers and capture authorities domain modules register
    (gas) are set aside."""
    monkeypatch.setattr("jiceng.ledger.hooks._handlers", [])
    monkeypatch.setattr("jiceng.ledger.hooks._authorities", [])
    CONTEXTS_CACHE.forget()


@pytest.fixture
def epcis(client, token_for) -> Epcis:
    """梧桐's town officer (a role that may write), through the token."""
    return Epcis(client, token_for("wutong"))


@pytest.fixture
def epcis_for(client, token_for):
    def make(username: str) -> Epcis:
        return Epcis(client, token_for(username))

    return make
