"""Reading EPCIS 2.0 JSON-LD documents: what is checked before anything is stored.

`document_parse` takes the decoded JSON of a capture request and either returns its events,
normalised for the indexed columns, or raises:

- `NotADocument` when the request is not an EPCIS document at all (not a JSON object, no
  `"type": "EPCISDocument"`, no `epcisBody` object with an `eventList` array): the HTTP layer
  refuses it at once;
- `DocumentInvalid` with every reason found (up to `MAX_ERRORS`), each naming the place, e.g.
  `eventList[3].eventTime: '2024-13-01T08:00:00+08:00' is not a date-time with an offset`.

What is checked, per event: a known event type; `eventTime` (ISO 8601 with an offset) and
`eventTimeZoneOffset` (±hh:mm); `action` (ADD, OBSERVE, DELETE) where the type has one; the
objects each type must name (an ObjectEvent names at least one EPC or quantity, an
AggregationEvent with ADD or DELETE names its parent, ...); every identifier a URI; `bizStep`
and `disposition` either a CBV 2.0 short name, its URN or URL form, or another absolute URI
(extensions such as `urn:jiceng:bizstep:filling`); `readPoint` and `bizLocation` objects with a
URI `id`; list-valued fields lists of the right kind. Fields the standard or an extension adds
beyond these are kept as they came, unchecked.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

from jiceng.reference import REFERENCE

MAX_ERRORS = 100
EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)
ACTIONS = frozenset({"ADD", "OBSERVE", "DELETE"})
STANDARD_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CBV = "https://ref.gs1.org/cbv/"
URI_LENGTH = 500

_URI_MATCH = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+").fullmatch
_OFFSET = re.compile(r"^[+-](?:0\d|1[0-4]):[0-5]\d$")
_SHORT_NAME = re.compile(r"^[a-z][a-z_]*$")


class NotADocument(Exception):
    """The request body is not an EPCIS document at all."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class DocumentInvalid(Exception):
    """The document is an EPCIS document but breaks the standard; nothing of it is stored."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass(slots=True)  # not frozen: a frozen dataclass costs several times more to build
class ParsedEvent:
    event_id: str
    event_type: str
    action: str
    event_time: datetime
    event_time_zone_offset: str
    biz_step: str
    disposition: str
    read_point: str
    biz_location: str
    parent_id: str
    epcs: list[str]
    child_epcs: list[str]
    identifiers: list[tuple[str, str]]  # (identifier, role) for the identifier index
    body: dict[str, Any]
    body_text: str = ""  # the body as JSON, written by capture before it takes the write lock


@dataclass
class ParsedDocument:
    events: list[ParsedEvent] = field(default_factory=list)
    context: list[Any] = field(default_factory=list)


# --- vocabulary --------------------------------------------------------------------------------


@cache
def _cbv() -> dict[str, frozenset[str]]:
    data = json.loads((REFERENCE / "cbv-2.0.json").read_text(encoding="utf-8"))
    return {"bizStep": frozenset(data["bizStep"]), "disposition": frozenset(data["disposition"])}


@lru_cache(maxsize=4096)  # a document repeats a handful of steps and dispositions
def _vocabulary_uri(value: str, kind: str) -> str | None:
    """The full URI of a bizStep (kind "bizStep") or disposition, or None when it is neither a
    CBV value nor an absolute URI."""
    prefix, urn = ("BizStep-", "urn:epcglobal:cbv:bizstep:")
    if kind == "disposition":
        prefix, urn = ("Disp-", "urn:epcglobal:cbv:disp:")
    names = _cbv()[kind]
    if _SHORT_NAME.match(value):
        return f"{CBV}{prefix}{value}" if value in names else None
    if value.startswith(urn):
        name = value[len(urn) :]
        return f"{CBV}{prefix}{name}" if name in names else None
    if value.startswith(CBV + prefix):
        return value if value[len(CBV) + len(prefix) :] in names else None
    return value if _is_uri(value) else None


def biz_step_uri(value: str) -> str | None:
    """`shipping` → `https://ref.gs1.org/cbv/BizStep-shipping`; other URIs unchanged."""
    return _vocabulary_uri(value, "bizStep")


def disposition_uri(value: str) -> str | None:
    """`in_transit` → `https://ref.gs1.org/cbv/Disp-in_transit`; other URIs unchanged."""
    return _vocabulary_uri(value, "disposition")


def _is_uri(value: object) -> bool:
    return isinstance(value, str) and len(value) <= URI_LENGTH and _URI_MATCH(value) is not None


def parse_time(value: object) -> datetime | None:
    """An ISO 8601 date-time with an offset, in UTC; None when it is not one."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return None
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved across midnight
        return None


def event_hash_id(event: dict[str, Any]) -> str:
    """The identifier of an event that came without `eventID`: a SHA-256 of its canonical JSON
    (keys sorted, no whitespace, `eventID` and `recordTime` left out), written as a named
    information URI like the CBV 2.0 event hash. The same event sent twice gets the same id."""
    canonical = {k: v for k, v in event.items() if k not in ("eventID", "recordTime")}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"ni:///sha-256;{hashlib.sha256(text.encode()).hexdigest()}?ver=CBV2.0"


# --- the document ------------------------------------------------------------------------------


def document_shape_check(document: object) -> list[Any]:
    """The eventList of something shaped as an EPCIS document; NotADocument otherwise."""
    if not isinstance(document, dict):
        raise NotADocument("The body is not a JSON object.")
    if document.get("type") != "EPCISDocument":
        raise NotADocument('The body has no "type": "EPCISDocument".')
    body = document.get("epcisBody")
    if not isinstance(body, dict):
        raise NotADocument("The document has no epcisBody object.")
    events = body.get("eventList")
    if not isinstance(events, list):
        raise NotADocument("The document's epcisBody has no eventList array.")
    return events


def document_parse(document: object) -> ParsedDocument:
    events = document_shape_check(document)
    assert isinstance(document, dict)
    errors: list[str] = []
    context = document.get("@context")
    if context is None:
        errors.append("@context: missing (an EPCIS 2.0 JSON-LD document names its context).")
        extra: list[Any] = []
    else:
        entries = context if isinstance(context, list) else [context]
        if not all(isinstance(e, str | dict) for e in entries):
            errors.append("@context: must be a URI, an object, or an array of them.")
        extra = [e for e in entries if isinstance(e, dict) or (e != STANDARD_CONTEXT)]
    version = document.get("schemaVersion")
    if version != "2.0":
        errors.append(f'schemaVersion: must be the string "2.0", not {json.dumps(version)}.')
    if parse_time(document.get("creationDate")) is None:
        errors.append("creationDate: missing or not a date-time with an offset.")
    parsed: list[ParsedEvent] = []
    for index, event in enumerate(events):
        place = f"eventList[{index}]"
        if not isinstance(event, dict):
            errors.append(f"{place}: an event must be a JSON object.")
            continue
        result = _event_parse(event, place, errors)
        if result is not None:
            parsed.append(result)
        if len(errors) > MAX_ERRORS:
            break
    if errors:
        if len(errors) > MAX_ERRORS:
            errors = [*errors[:MAX_ERRORS], "… and more; fix these first."]
        raise DocumentInvalid(errors)
    return ParsedDocument(events=parsed, context=extra)


# --- one event ---------------------------------------------------------------------------------


def _uri_list(event: dict[str, Any], key: str, place: str, errors: list[str]) -> list[str]:
    value = event.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{place}.{key}: must be an array of URIs.")
        return []
    bad = [v for v in value if not _is_uri(v)]
    if bad:
        errors.append(f"{place}.{key}: {json.dumps(bad[0], ensure_ascii=False)} is not a URI.")
        return []
    return value


def _quantity_classes(event: dict[str, Any], key: str, place: str, errors: list[str]) -> list[str]:
    value = event.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{place}.{key}: must be an array of quantity elements.")
        return []
    classes = []
    for i, element in enumerate(value):
        where = f"{place}.{key}[{i}]"
        if not isinstance(element, dict) or not _is_uri(element.get("epcClass")):
            errors.append(f"{where}: needs an epcClass URI.")
            continue
        quantity = element.get("quantity")
        if quantity is not None and (
            isinstance(quantity, bool) or not isinstance(quantity, int | float) or quantity < 0
        ):
            errors.append(f"{where}.quantity: must be a number not below 0.")
        if "uom" in element and not isinstance(element["uom"], str):
            errors.append(f"{where}.uom: must be a string (a UN/CEFACT unit code).")
        classes.append(element["epcClass"])
    return classes


def _place_id(event: dict[str, Any], key: str, place: str, errors: list[str]) -> str:
    value = event.get(key)
    if value is None:
        return ""
    if not isinstance(value, dict) or not _is_uri(value.get("id")):
        errors.append(f'{place}.{key}: must be an object with a URI "id".')
        return ""
    return str(value["id"])


def _typed_list(event: dict[str, Any], key: str, item: str, place: str, errors: list[str]) -> None:
    value = event.get(key)
    if value is None:
        return
    if not isinstance(value, list) or not all(
        isinstance(e, dict) and _is_uri(e.get(item)) for e in value
    ):
        errors.append(f"{place}.{key}: must be an array of objects, each with a URI {item!r}.")


def _event_parse(event: dict[str, Any], place: str, errors: list[str]) -> ParsedEvent | None:
    before = len(errors)
    event_type = event.get("type")
    if event_type not in EVENT_TYPES:
        errors.append(
            f"{place}.type: {json.dumps(event_type, ensure_ascii=False)} is not an EPCIS event "
            f"type ({', '.join(sorted(EVENT_TYPES))})."
        )
        return None
    event_time = parse_time(event.get("eventTime"))
    if event_time is None:
        errors.append(
            f"{place}.eventTime: {json.dumps(event.get('eventTime'), ensure_ascii=False)} "
            "is not a date-time with an offset."
        )
    offset = event.get("eventTimeZoneOffset")
    if not isinstance(offset, str) or not _OFFSET.match(offset):
        errors.append(
            f"{place}.eventTimeZoneOffset: {json.dumps(offset, ensure_ascii=False)} "
            "is not an offset such as +08:00."
        )
    action = event.get("action")
    if event_type == "TransformationEvent":
        action = ""
    elif action not in ACTIONS:
        errors.append(
            f"{place}.action: {json.dumps(action, ensure_ascii=False)} is not ADD, OBSERVE or "
            "DELETE."
        )
    event_id = event.get("eventID")
    if event_id is not None and not _is_uri(event_id):
        errors.append(f"{place}.eventID: must be a URI (such as ni:///sha-256;… or urn:uuid:…).")
    biz_step = ""
    if "bizStep" in event:
        biz_step = (
            biz_step_uri(event["bizStep"]) if isinstance(event["bizStep"], str) else None
        ) or ""
        if not biz_step:
            errors.append(
                f"{place}.bizStep: {json.dumps(event['bizStep'], ensure_ascii=False)} is neither "
                "a CBV business step nor a URI."
            )
    disposition = ""
    if "disposition" in event:
        disposition = (
            disposition_uri(event["disposition"]) if isinstance(event["disposition"], str) else None
        ) or ""
        if not disposition:
            errors.append(
                f"{place}.disposition: {json.dumps(event['disposition'], ensure_ascii=False)} "
                "is neither a CBV disposition nor a URI."
            )
    read_point = _place_id(event, "readPoint", place, errors)
    biz_location = _place_id(event, "bizLocation", place, errors)
    _typed_list(event, "bizTransactionList", "bizTransaction", place, errors)
    _typed_list(event, "sourceList", "source", place, errors)
    _typed_list(event, "destinationList", "destination", place, errors)
    for key in ("sensorElementList",):
        if key in event and not isinstance(event[key], list):
            errors.append(f"{place}.{key}: must be an array.")
    for key in ("ilmd", "persistentDisposition", "certificationInfo"):
        if key in event and not isinstance(event[key], dict | str | list):
            errors.append(f"{place}.{key}: has the wrong type.")
    declaration = event.get("errorDeclaration")
    if declaration is not None and (
        not isinstance(declaration, dict) or parse_time(declaration.get("declarationTime")) is None
    ):
        errors.append(f"{place}.errorDeclaration: needs a declarationTime with an offset.")

    parent_id = event.get("parentID")
    if parent_id is not None and not _is_uri(parent_id):
        shown = json.dumps(parent_id, ensure_ascii=False)
        errors.append(f"{place}.parentID: {shown} is not a URI.")
        parent_id = None
    identifiers: list[tuple[str, str]] = []
    epcs: list[str] = []
    children: list[str] = []
    if event_type in ("ObjectEvent", "TransactionEvent"):
        epcs = _uri_list(event, "epcList", place, errors)
        classes = _quantity_classes(event, "quantityList", place, errors)
        if not epcs and not classes and len(errors) == before:
            errors.append(f"{place}: an {event_type} names at least one EPC or quantity.")
        identifiers += [(e, "epc") for e in epcs] + [(c, "quantity") for c in classes]
        if event_type == "TransactionEvent" and not event.get("bizTransactionList"):
            errors.append(f"{place}.bizTransactionList: a TransactionEvent needs one.")
    elif event_type in ("AggregationEvent", "AssociationEvent"):
        children = _uri_list(event, "childEPCs", place, errors)
        classes = _quantity_classes(event, "childQuantityList", place, errors)
        if parent_id is None and (event_type == "AssociationEvent" or action != "OBSERVE"):
            errors.append(f"{place}.parentID: an {event_type} with action {action} needs one.")
        if action == "ADD" and not children and not classes:
            errors.append(f"{place}: an {event_type} that adds names at least one child.")
        identifiers += [(c, "child") for c in children] + [(c, "quantity") for c in classes]
    else:  # TransformationEvent
        inputs = _uri_list(event, "inputEPCList", place, errors)
        outputs = _uri_list(event, "outputEPCList", place, errors)
        classes = _quantity_classes(event, "inputQuantityList", place, errors)
        classes += _quantity_classes(event, "outputQuantityList", place, errors)
        if not (inputs or outputs or classes or event.get("transformationID")):
            errors.append(f"{place}: a TransformationEvent names its inputs or outputs.")
        identifiers += [(e, "input") for e in inputs] + [(e, "output") for e in outputs]
        identifiers += [(c, "quantity") for c in classes]
    if parent_id:
        identifiers.append((parent_id, "parent"))
    if len(errors) > before or event_time is None:
        return None
    return ParsedEvent(
        event_id=event_id if isinstance(event_id, str) else event_hash_id(event),
        event_type=event_type,
        action=action or "",
        event_time=event_time,
        event_time_zone_offset=str(offset),
        biz_step=biz_step,
        disposition=disposition,
        read_point=read_point,
        biz_location=biz_location,
        parent_id=parent_id or "",
        epcs=epcs,
        child_epcs=children,
        identifiers=list(dict.fromkeys(identifiers)),
        body=event,
    )
