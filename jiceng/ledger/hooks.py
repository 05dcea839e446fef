"""What domain modules plug into capture.

A module registers a handler (usually in its AppConfig.ready):

    register_capture_handler(cylinders_follow_events)

Every handler is called inside the capture transaction, in registration order, with the events
that this capture newly stored (a repeated eventID is not passed again). It may flag events
(`jiceng.ledger.services.events_flag`) or refuse the whole document by raising
`CaptureRefused(["unknown bizLocation urn:jiceng:site:999"])`: the ledger then rolls everything
back and records the failed capture job with those errors. Handlers must work on the whole list
at once (a few set-based queries), since one document may carry thousands of events.

A module also says who may capture its events, by registering a capture authority:

    register_capture_authority(capture_verdicts)

Before anything is stored, each authority gets the capturer (a user, or a module's device) and
the parsed events, and answers for each event: None when the event is not its business, else the
reasons it refuses it (an empty list allows it). One refusal refuses the whole document: nothing
is stored, not even a capture job (`jiceng.ledger.access`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jiceng.core.models import User
    from jiceng.ledger.documents import ParsedEvent


class CaptureRefused(Exception):
    """A handler refuses the document; every reason is recorded on the capture job."""

    def __init__(self, errors: list[str]):
        self.errors = [str(e) for e in errors] or ["Refused."]
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True, slots=True)
class CapturedEvent:
    pk: int
    event_id: str
    event_type: str
    action: str | None
    event_time: datetime
    biz_step: str | None  # full URI (CBV short names expanded)
    disposition: str | None
    read_point: str | None
    biz_location: str | None
    epcs: list[str]  # epcList
    child_epcs: list[str]  # childEPCs
    parent_id: str | None
    body: dict[str, Any]


CaptureHandler = Callable[[list[CapturedEvent]], None]

_handlers: list[CaptureHandler] = []


def register_capture_handler(handler: CaptureHandler) -> None:
    """Call `handler` with the newly stored events of every capture (once per handler)."""
    if handler not in _handlers:
        _handlers.append(handler)


def unregister_capture_handler(handler: CaptureHandler) -> None:
    if handler in _handlers:
        _handlers.remove(handler)


def capture_handlers() -> tuple[CaptureHandler, ...]:
    return tuple(_handlers)


@dataclass(frozen=True, slots=True)
class Capturer:
    """Who captures: a signed-in user, or a module's device (a scale bound to a station), which
    acts with its key and no user."""

    user: User | None
    device: Any = None


CaptureAuthority = Callable[[Capturer, "list[ParsedEvent]"], "list[list[str] | None]"]

_authorities: list[CaptureAuthority] = []


def register_capture_authority(authority: CaptureAuthority) -> None:
    """Ask `authority` about every event of every capture by a user or a device."""
    if authority not in _authorities:
        _authorities.append(authority)


def unregister_capture_authority(authority: CaptureAuthority) -> None:
    if authority in _authorities:
        _authorities.remove(authority)


def capture_authorities() -> tuple[CaptureAuthority, ...]:
    return tuple(_authorities)
