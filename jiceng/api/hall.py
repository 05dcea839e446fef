"""Endpoints of the halls' queues: halls, windows, tickets, the board and appointments. The
service network's catalogue, points, handling records, KPIs and ten-minute service circle are in
api/hall_network.py.

Who calls them:
- Clerks and managers with their own accounts (`Authorization: Bearer`, or the browser session):
  everything in their region; another town's hall, window or ticket is 404.
- Kiosks and display boards of a hall, without a personal login: the hall's kiosk key in the
  `X-Hall-Key` header (or `?key=`). It opens only that hall's ticket taking, board, windows list,
  appointment slots and ratings at the counter's rating device.
- A resident's phone that scanned the QR code on the board: today's QR key (`X-Hall-Key` or
  `?key=`), valid until midnight, which takes tickets and books slots of that hall only, limited
  per address and per phone number; and the ticket's own key (`X-Ticket-Key`), returned when the
  ticket is taken, to follow and rate that ticket.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import APIKeyHeader, APIKeyQuery

from jiceng.api.auth import keys_then_users, request_user
from jiceng.api.schemas import (
    NO_NUL,
    Code,
    Day,
    RecordId,
    answers,
    one_of,
)
from jiceng.hall.models import (
    GreenReason,
    Hall,
    Outcome,
    Priority,
    ServiceItem,
    Ticket,
    TicketSource,
)
from jiceng.hall.selectors import (
    HallDevice,
    appointment_slots,
    hall_board,
    hall_device_for_key,
    hall_get_for_user,
    hall_qr_key,
    halls_visible_to,
    local_day,
    ticket_get_for_user,
    ticket_key_matches,
    ticket_position,
    windows_of,
)
from jiceng.hall.services.queue import (
    appointment_book,
    ticket_call_next,
    ticket_complete,
    ticket_no_show,
    ticket_rate,
    ticket_recall,
    ticket_start,
    ticket_take,
    ticket_transfer,
    window_close,
    window_open,
    window_switch,
)
from jiceng.hall.throttle import booking_allowed, ticket_allowed

router = Router(tags=["hall"])


class HallKeyHeader(APIKeyHeader):
    param_name = "X-Hall-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> HallDevice | None:
        return hall_device_for_key(key or "")


class HallKeyQuery(APIKeyQuery):
    param_name = "key"

    def authenticate(self, request: HttpRequest, key: str | None) -> HallDevice | None:
        return hall_device_for_key(key or "")


class TicketKeyHeader(APIKeyHeader):
    """Lets a request with a ticket's key through; the endpoint checks it against its ticket."""

    param_name = "X-Ticket-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        return key or None


DEVICE_OR_USER = keys_then_users(HallKeyHeader(), HallKeyQuery())
TICKET_READERS = keys_then_users(HallKeyHeader(), HallKeyQuery(), TicketKeyHeader())


def _device(request: HttpRequest) -> HallDevice | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, HallDevice) else None


def _hall(request: HttpRequest, hall_id: int) -> Hall:
    """The hall, for a device of that hall or a user whose scope holds it; else 404."""
    device = _device(request)
    if device is None:
        return hall_get_for_user(request_user(request), hall_id)
    if device.hall_id != hall_id:
        raise Hall.DoesNotExist(_("No such hall."))
    return Hall.objects.select_related("point").get(pk=hall_id, is_active=True)


def _too_many() -> Status:
    return Status(429, {"detail": _("Too many tickets from here; please ask at the hall.")})


# --- schemas ---------------------------------------------------------------------------------


class HallOut(Schema):
    id: int
    name: str
    point_code: str
    region: str


class WindowOut(Schema):
    id: int
    number: int
    name: str
    groups: list[str]
    default_groups: list[str]
    is_open: bool
    is_tidal: bool


class ItemRef(Schema):
    code: str
    name: str


class TicketOut(Schema):
    id: int
    number: str
    group: str
    item: ItemRef
    status: str
    priority: str
    window: int | None
    taken_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    outcome: str
    recalls: int
    rating: int | None
    version: int


# A phone number: 5 to 20 digits, with any separators.
PHONE = r"^\D*(\d\D*){5,20}$"


class TakeIn(Schema):
    item: str = Field(
        "", pattern=NO_NUL, max_length=50, description="the item; or give an appointment"
    )
    priority: str = one_of(Priority.values, "normal")
    green_reason: str = one_of(
        ["", *GreenReason.values], "", description="with the green channel only"
    )
    phone: str = Field("", max_length=40, pattern=r"^$|" + PHONE)
    appointment: str = Field(
        "", pattern=NO_NUL, max_length=20, description="a booking code: check in for an appointment"
    )


class TakenOut(Schema):
    id: int
    number: str
    group: str
    item: ItemRef
    waiting_ahead: int
    estimated_wait_minutes: int
    key: str = Field(description="the ticket's own key (X-Ticket-Key) to follow and rate it")


class CallOut(Schema):
    ticket: TicketOut


class VersionIn(Schema):
    expected_version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="the version you saw; 409 if it changed"
    )


class CompleteIn(VersionIn):
    outcome: str = one_of(Outcome.values, "done")


class TransferIn(VersionIn):
    group: Code


class GroupsIn(Schema):
    groups: list[Code] = Field(min_length=1, max_length=50)


class RatingIn(Schema):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", pattern=NO_NUL, max_length=500)


class BoardCall(Schema):
    number: str
    window: int
    window_name: str
    status: str
    called_at: datetime | None
    recalls: int
    announcement: str


class BoardOut(Schema):
    called: list[BoardCall]
    waiting: dict[str, int]
    at: datetime
    qr_key: str | None = None


class BookIn(Schema):
    item: Code
    date: Day
    slot: str = Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="HH:MM, a slot start from /appointment-slots",
    )
    phone: str = Field(max_length=40, pattern=PHONE)


class BookedOut(Schema):
    id: int
    code: str
    item: str
    date: date
    slot_start: str
    slot_end: str


class SlotOut(Schema):
    starts: datetime
    ends: datetime
    places: int


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "group": ticket.group_id,
        "item": {"code": ticket.item.code, "name": ticket.item.name},
        "status": ticket.status,
        "priority": ticket.priority,
        "window": ticket.window.number if ticket.window_id and ticket.window else None,
        "taken_at": ticket.taken_at,
        "called_at": ticket.called_at,
        "started_at": ticket.started_at,
        "completed_at": ticket.completed_at,
        "outcome": ticket.outcome,
        "recalls": ticket.recalls,
        "rating": ticket.rating,
        "version": ticket.version,
    }


def window_out(window: Any) -> dict[str, Any]:
    return {
        "id": window.pk,
        "number": window.number,
        "name": str(window),
        "groups": window.groups,
        "default_groups": window.default_groups,
        "is_open": window.is_open,
        "is_tidal": window.is_tidal,
    }


# --- halls and windows ----------------------------------------------------------------------


@router.get("/halls", response=answers({200: list[HallOut]}), summary="Halls in your region")
def list_halls(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": h.pk, "name": h.name, "point_code": h.point.code, "region": h.point.region_id}
        for h in halls_visible_to(request_user(request))
    ]


@router.get(
    "/halls/{hall_id}/windows",
    response=answers({200: list[WindowOut]}),
    auth=DEVICE_OR_USER,
    summary="A hall's windows",
)
def list_windows(request: HttpRequest, hall_id: RecordId) -> list[dict[str, Any]]:
    hall = _hall(request, hall_id)
    return [window_out(w) for w in windows_of(hall)]


@router.post(
    "/windows/{window_id}/open",
    response=answers({200: WindowOut}, 403, 409),
    summary="Sign in at a window",
)
def open_window(request: HttpRequest, window_id: RecordId) -> Any:
    return window_out(window_open(actor=request_user(request), window_id=window_id))


@router.post(
    "/windows/{window_id}/close",
    response=answers({200: WindowOut}, 403, 409),
    summary="Sign out of a window",
)
def close_window(request: HttpRequest, window_id: RecordId) -> Any:
    return window_out(window_close(actor=request_user(request), window_id=window_id))


@router.post(
    "/windows/{window_id}/groups",
    response=answers({200: WindowOut}, 403, 409),
    summary="Switch the groups a window serves (hall managers)",
)
def switch_window(request: HttpRequest, window_id: RecordId, payload: GroupsIn) -> Any:
    return window_out(
        window_switch(actor=request_user(request), window_id=window_id, groups=payload.groups)
    )


# --- the queue --------------------------------------------------------------------------------


@router.post(
    "/halls/{hall_id}/tickets",
    response=answers({201: TakenOut}, 403, 409, 429),
    auth=DEVICE_OR_USER,
    summary="Take a ticket (kiosk, phone by QR code, or a clerk)",
)
def take_ticket(request: HttpRequest, hall_id: RecordId, payload: TakeIn) -> Status:
    hall = _hall(request, hall_id)
    device = _device(request)
    actor = None
    if device is None:
        actor, source = request_user(request), TicketSource.COUNTER
    else:
        source = TicketSource.PHONE if device.via == "qr" else TicketSource.KIOSK
        if not ticket_allowed(
            hall_id=hall.pk,
            via=device.via,
            address=request.META.get("REMOTE_ADDR", ""),
            phone=payload.phone,
        ):
            return _too_many()
    taken = ticket_take(
        hall_id=hall.pk,
        item_code=payload.item,
        priority=payload.priority,
        green_reason=payload.green_reason,
        phone=payload.phone,
        source=source,
        appointment_code=payload.appointment,
        actor=actor,
    )
    ticket = taken.ticket
    return Status(
        201,
        {
            "id": ticket.pk,
            "number": ticket.number,
            "group": ticket.group_id,
            "item": {"code": ticket.item.code, "name": ticket.item.name},
            "waiting_ahead": taken.position.waiting_ahead,
            "estimated_wait_minutes": taken.position.estimated_wait_minutes,
            "key": ticket.key,
        },
    )


class TicketStateOut(TicketOut):
    waiting_ahead: int
    estimated_wait_minutes: int


@router.get(
    "/tickets/{ticket_id}",
    response=answers({200: TicketStateOut}, 403),
    auth=TICKET_READERS,
    summary="A ticket and its place in the queue (X-Ticket-Key, a device of its hall, a user)",
)
def get_ticket(request: HttpRequest, ticket_id: RecordId) -> dict[str, Any]:
    ticket = _ticket_for_reader(request, ticket_id)
    position = ticket_position(ticket)
    return {
        **ticket_out(ticket),
        "waiting_ahead": position.waiting_ahead,
        "estimated_wait_minutes": position.estimated_wait_minutes,
    }


def _ticket_for_reader(request: HttpRequest, ticket_id: int) -> Ticket:
    device = _device(request)
    if device is None and request_user(request).is_authenticated:
        return ticket_get_for_user(request_user(request), ticket_id)
    ticket = Ticket.objects.select_related("item", "window").filter(pk=ticket_id).first()
    if device is None:
        # Only a ticket's key: a key that does not open this ticket is refused, whether the
        # ticket exists or not.
        key = request.headers.get("X-Ticket-Key", "")
        if ticket is None or not ticket_key_matches(ticket, key):
            raise PermissionDenied(_("This key does not open that ticket."))
        return ticket
    key = request.headers.get("X-Ticket-Key", "")
    if ticket is None or not (ticket_key_matches(ticket, key) or device.hall_id == ticket.hall_id):
        raise Ticket.DoesNotExist(_("No such ticket."))
    return ticket


@router.post(
    "/windows/{window_id}/call",
    response=answers({200: CallOut, 204: None}, 403, 409),
    summary="Call the next ticket; 204 when nobody waits for this window",
)
def call_next(request: HttpRequest, window_id: RecordId) -> Any:
    ticket = ticket_call_next(actor=request_user(request), window_id=window_id)
    if ticket is None:
        return Status(204, None)
    return {"ticket": ticket_out(ticket)}


def _act(request: HttpRequest, ticket_id: int, action: Any, **kwargs: Any) -> Any:
    ticket_get_for_user(request_user(request), ticket_id)  # 404 outside scope
    ticket = action(actor=request_user(request), ticket_id=ticket_id, **kwargs)
    return ticket_out(ticket)


@router.post(
    "/tickets/{ticket_id}/start",
    response=answers({200: TicketOut}, 403, 409),
    summary="Start handling",
)
def start(request: HttpRequest, ticket_id: RecordId, payload: VersionIn | None = None) -> Any:
    return _act(
        request,
        ticket_id,
        ticket_start,
        expected_version=payload.expected_version if payload else None,
    )


@router.post(
    "/tickets/{ticket_id}/complete",
    response=answers({200: TicketOut}, 403, 409),
    summary="Complete with an outcome: done, more_materials or referred",
)
def complete(request: HttpRequest, ticket_id: RecordId, payload: CompleteIn) -> Any:
    return _act(
        request,
        ticket_id,
        ticket_complete,
        outcome=payload.outcome,
        expected_version=payload.expected_version,
    )


@router.post(
    "/tickets/{ticket_id}/no-show",
    response=answers({200: TicketOut}, 403, 409),
    summary="Called and not come",
)
def no_show(request: HttpRequest, ticket_id: RecordId, payload: VersionIn | None = None) -> Any:
    return _act(
        request,
        ticket_id,
        ticket_no_show,
        expected_version=payload.expected_version if payload else None,
    )


@router.post(
    "/tickets/{ticket_id}/recall",
    response=answers({200: TicketOut}, 403, 409),
    summary="Call again",
)
def recall(request: HttpRequest, ticket_id: RecordId, payload: VersionIn | None = None) -> Any:
    return _act(
        request,
        ticket_id,
        ticket_recall,
        expected_version=payload.expected_version if payload else None,
    )


@router.post(
    "/tickets/{ticket_id}/transfer",
    response=answers({200: TicketOut}, 403, 409),
    summary="Send to another group's queue (number and place kept)",
)
def transfer(request: HttpRequest, ticket_id: RecordId, payload: TransferIn) -> Any:
    return _act(
        request,
        ticket_id,
        ticket_transfer,
        group=payload.group,
        expected_version=payload.expected_version,
    )


@router.post(
    "/tickets/{ticket_id}/rating",
    response=answers({200: TicketOut}, 403, 409),
    auth=TICKET_READERS,
    summary="Rate a completed ticket once, 1–5 (好差评): X-Ticket-Key or a kiosk of its hall",
)
def rate(request: HttpRequest, ticket_id: RecordId, payload: RatingIn) -> Any:
    device = _device(request)
    key = request.headers.get("X-Ticket-Key", "")
    if device is None and not key:
        user = request_user(request)
        if user.is_authenticated:
            ticket_get_for_user(user, ticket_id)  # 404 outside scope
            return Status(
                403,
                {"detail": _("Ratings come from the resident: their phone or the hall's device.")},
            )
    ticket = ticket_rate(
        ticket_id=ticket_id,
        score=payload.score,
        comment=payload.comment,
        ticket_key=key,
        device_hall_id=device.hall_id if device is not None and device.via == "kiosk" else None,
    )
    ticket = Ticket.objects.select_related("item", "window").get(pk=ticket.pk)
    return ticket_out(ticket)


@router.get(
    "/halls/{hall_id}/board",
    response=answers({200: BoardOut}),
    auth=DEVICE_OR_USER,
    summary="The display board: numbers called with their windows, waiting counts",
)
def board(request: HttpRequest, hall_id: RecordId) -> dict[str, Any]:
    hall = _hall(request, hall_id)
    data = hall_board(hall)
    device = _device(request)
    if device is None or device.via == "kiosk":
        data["qr_key"] = hall_qr_key(hall, local_day(timezone.now()))
    return data


# --- appointments ---------------------------------------------------------------------------


@router.get(
    "/halls/{hall_id}/appointment-slots",
    response=answers({200: list[SlotOut]}),
    auth=DEVICE_OR_USER,
    summary="Bookable slots for an item on a day",
)
def slots(
    request: HttpRequest,
    hall_id: RecordId,
    item: str = Query(..., min_length=1, pattern=NO_NUL, max_length=50),
    day: Day = Query(..., alias="date"),  # noqa: B008
) -> Any:
    hall = _hall(request, hall_id)
    found = ServiceItem.objects.filter(code=item, is_active=True, points=hall.point).first()
    if found is None:
        raise ValidationError(
            {"item": _("%(hall)s does not handle item %(item)s.") % {"hall": hall, "item": item}}
        )
    return [
        {"starts": s, "ends": e, "places": n}
        for s, e, n in appointment_slots(hall, found.group_id, day)
    ]


@router.post(
    "/halls/{hall_id}/appointments",
    response=answers({201: BookedOut}, 403, 409, 429),
    auth=DEVICE_OR_USER,
    summary="Book an appointment slot",
)
def book(request: HttpRequest, hall_id: RecordId, payload: BookIn) -> Any:
    hall = _hall(request, hall_id)
    device = _device(request)
    if device is not None and not booking_allowed(
        hall_id=hall.pk, address=request.META.get("REMOTE_ADDR", "")
    ):
        return _too_many()
    try:
        slot = datetime.strptime(payload.slot, "%H:%M").time()
    except ValueError:
        raise ValidationError({"slot": _("Give the slot as HH:MM.")}) from None
    booked = appointment_book(
        hall_id=hall.pk,
        item_code=payload.item,
        day=payload.date,
        slot=slot,
        phone=payload.phone,
        actor=None if device is not None else request_user(request),
    )
    return Status(
        201,
        {
            "id": booked.pk,
            "code": booked.code,
            "item": booked.item.code,
            "date": booked.day,
            "slot_start": booked.slot_start.strftime("%H:%M"),
            "slot_end": booked.slot_end.strftime("%H:%M"),
        },
    )
