"""The public devices of a hall's queue: the kiosk (触摸屏取号), the resident's phone page reached
by the hall's QR code and their ticket page, and the display board (大屏). None of them needs a
login.

- A kiosk or the board's screen is a device, not a person: it is opened once with the hall's
  kiosk key (`?key=...`), which the page keeps in the browser's session (never in the address
  bar afterwards) and checks on every request, so that rotating the key locks the device out.
- A resident's phone opens the phone page with today's QR key (from the code on the board or
  the kiosk), kept the same way and valid until midnight; their ticket page carries the
  ticket's own key in its address, to follow and rate that ticket only.
- A signed-in user whose scope holds the hall may open each of them too.

The staff's pages (the halls, the device links, a window's console) are in queue_views.py.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any, cast

import segno
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiceng.hall.models import Hall, Ticket, TicketSource, TicketStatus
from jiceng.hall.selectors import (
    ZONE,
    HallDevice,
    appointment_slots,
    groups_all,
    hall_board,
    hall_device_for_key,
    hall_get_for_device,
    hall_get_for_user,
    hall_items,
    hall_qr_key,
    local_day,
    ticket_find_by_number,
    ticket_get_by_key,
    ticket_position,
    windows_of,
)
from jiceng.hall.services.queue import (
    QueueRefused,
    appointment_book,
    ticket_rate,
    ticket_take,
)
from jiceng.hall.throttle import booking_allowed, ticket_allowed
from jiceng.web.common import is_htmx, render_uncached, request_user
from jiceng.web.hall.queue_forms import (
    GREEN_CHOICES,
    RATING_LEVELS,
    BookingForm,
    KioskRatingForm,
    RatingForm,
    TakeTicketForm,
    booking_days,
    first_error,
)

T = "web/hall/queue/"  # the templates' folder
SESSION_KEYS = "hall_device_keys"  # hall id → the kiosk or QR key this browser was opened with
SESSION_SEEN = "hall_device_seen"
SESSION_REFRESH_SECONDS = 3600  # a device's session is renewed hourly, so it outlasts a day
KIOSK_RETURN_SECONDS = 10  # the kiosk shows a ticket this long, then returns to the start
BOARD_POLL_SECONDS = 1
TICKET_POLL_SECONDS = 3


def problem_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG (pure Python, no image files)."""
    return str(segno.make(text, error="m").svg_inline(scale=6, dark="#111", light="#fff"))


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return phone
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# --- devices: a kiosk, the board, a resident's phone --------------------------------------------


def _device_of(request: HttpRequest, hall_id: int) -> HallDevice | None:
    """The device this browser was opened as for the hall (its key kept in the session)."""
    keys = request.session.get(SESSION_KEYS) or {}
    key = keys.get(str(hall_id)) if isinstance(keys, dict) else None
    if not key:
        return None
    device = hall_device_for_key(str(key))
    if device is None or device.hall_id != hall_id:
        return None
    seen = request.session.get(SESSION_SEEN, 0)
    if not isinstance(seen, int | float) or _time.time() - seen > SESSION_REFRESH_SECONDS:
        request.session[SESSION_SEEN] = int(_time.time())  # renews the session's expiry
    return device


def _refused_key(request: HttpRequest, via: tuple[str, ...]) -> HttpResponse:
    if via == ("qr",):
        text = _("This QR code is not valid (any more): scan the code in the hall again.")
    else:
        text = _("This key does not open this hall's devices. Ask the hall's manager.")
    return render_uncached(request, T + "refused.html", {"problem": text}, status=403)


def _open_as_device(
    request: HttpRequest, hall_id: int, via: tuple[str, ...]
) -> tuple[Hall, HallDevice | None] | HttpResponse:
    """The hall of a device page, for a device of the hall opened as one of `via`, or for a
    signed-in user whose scope holds it. A `?key=` is checked, kept in the session and taken out
    of the address."""
    key = request.GET.get("key")
    if key is not None and request.method == "GET":
        device = hall_device_for_key(key)
        if device is None or device.hall_id != hall_id or device.via not in via:
            return _refused_key(request, via)
        keys = request.session.get(SESSION_KEYS)
        keys = dict(keys) if isinstance(keys, dict) else {}
        keys[str(hall_id)] = key
        request.session[SESSION_KEYS] = keys
        request.session[SESSION_SEEN] = int(_time.time())
        rest = request.GET.copy()
        rest.pop("key")
        return redirect(request.path + (f"?{rest.urlencode()}" if rest else ""))
    device = _device_of(request, hall_id)
    if device is not None and device.via in via:
        try:
            return hall_get_for_device(device), device
        except Hall.DoesNotExist:
            raise Http404(_("No such hall.")) from None
    if request.user.is_authenticated:
        return hall_get_for_user(request_user(request), hall_id), None
    if request.method == "GET" and not is_htmx(request):
        return redirect_to_login(request.get_full_path())
    if is_htmx(request):  # a kiosk whose key was rotated: say so on its screen
        problem = _("This device is no longer set up for the hall: please ask the hall's staff.")
        response = render(
            request,
            T + "_kiosk_slip.html",
            {"slip": {"problem": problem}, "return_seconds": KIOSK_RETURN_SECONDS},
            status=403,
        )
        response["HX-Retarget"] = "#kiosk-slip"
        response["HX-Reswap"] = "outerHTML"
        return response
    raise PermissionDenied(_("Open this page with the hall's key or sign in."))


DeviceView = Callable[[HttpRequest, Hall, HallDevice | None], HttpResponseBase]


def _as_device(*via: str) -> Callable[[DeviceView], Callable[[HttpRequest, int], HttpResponseBase]]:
    """A device page of the hall in the address (see `_open_as_device`): the view is called with
    the hall and the device (None for a signed-in user), or not at all when the hall is refused."""

    def decorate(view: DeviceView) -> Callable[[HttpRequest, int], HttpResponseBase]:
        @wraps(view)
        def opened_view(request: HttpRequest, hall_id: int) -> HttpResponseBase:
            opened = _open_as_device(request, hall_id, via)
            if isinstance(opened, HttpResponse):
                return opened
            hall, device = opened
            return view(request, hall, device)

        return opened_view

    return decorate


def phone_page_url(request: HttpRequest, hall: Hall) -> str:
    """Today's address of the hall's phone page, as its QR code holds it."""
    path = reverse("hall-phone", args=[hall.pk])
    key = hall_qr_key(hall, local_day(timezone.now()))
    return request.build_absolute_uri(f"{path}?key={key}")


def _ticket_url(ticket: Ticket) -> str:
    return reverse("hall-ticket", args=[ticket.pk, ticket.key])


# --- the kiosk ------------------------------------------------------------------------------


def _item_groups(hall: Hall) -> list[dict[str, Any]]:
    """The hall's items by group, high-frequency ones first within each group."""
    groups: dict[str, dict[str, Any]] = {}
    for item in hall_items(hall):
        entry = groups.setdefault(item.group_id, {"group": item.group, "items": []})
        entry["items"].append(item)
    return list(groups.values())


def _kiosk_context(
    request: HttpRequest, hall: Hall, device: HallDevice | None, **extra: Any
) -> dict[str, Any]:
    return {
        # Drawn only where the template shows it (the whole page, not a slip).
        "phone_qr": lambda: qr_svg(phone_page_url(request, hall)),
        "hall": hall,
        "device": device,
        "groups": _item_groups(hall),
        "green_choices": GREEN_CHOICES[1:],
        "rating_levels": RATING_LEVELS,
        "may_rate": device is not None and device.via == "kiosk",
        "return_seconds": KIOSK_RETURN_SECONDS,
        "labels": {"returnIn": _("Back to the start in %(n)s s")},
        **extra,
    }


@require_GET
@_as_device("kiosk")
def kiosk_page(request: HttpRequest, hall: Hall, device: HallDevice | None) -> HttpResponse:
    return render_uncached(request, T + "kiosk.html", _kiosk_context(request, hall, device))


def _take(
    request: HttpRequest, hall: Hall, device: HallDevice | None, form: TakeTicketForm
) -> tuple[Any, str, int]:
    """Take a ticket from a valid form: (taken, problem, status)."""
    actor = None
    if device is None:
        actor, source = request_user(request), TicketSource.COUNTER
    else:
        source = TicketSource.PHONE if device.via == "qr" else TicketSource.KIOSK
        if not ticket_allowed(
            hall_id=hall.pk,
            via=device.via,
            address=request.META.get("REMOTE_ADDR", ""),
            phone=form.cleaned_data.get("phone") or "",
        ):
            return None, _("Too many tickets from here; please ask at the hall."), 429
    try:
        chosen = form.service_arguments()
        taken = ticket_take(
            hall_id=hall.pk,
            item_code=chosen["item_code"],
            priority=chosen["priority"],
            green_reason=chosen["green_reason"],
            phone=chosen["phone"],
            appointment_code=chosen["appointment_code"],
            source=source,
            actor=actor,
        )
    except ValidationError as exc:
        return None, problem_text(exc), 400
    except QueueRefused as exc:
        return None, str(exc), 409
    except Hall.DoesNotExist as exc:
        raise Http404(str(exc)) from exc
    return taken, "", 201


@require_POST
@_as_device("kiosk")
def kiosk_take(request: HttpRequest, hall: Hall, device: HallDevice | None) -> HttpResponse:
    """Take a ticket at the kiosk: the slip on the screen, or why not."""
    form = TakeTicketForm(request.POST)
    taken, problem, status = None, "", 400
    if form.is_valid():
        taken, problem, status = _take(request, hall, device, form)
    else:
        problem = first_error(form)
    slip: dict[str, Any] = {"problem": problem}
    if taken is not None:
        ticket = taken.ticket
        slip = {
            "ticket": ticket,
            "position": taken.position,
            "ticket_url": request.build_absolute_uri(_ticket_url(ticket)),
        }
        slip["ticket_qr"] = qr_svg(slip["ticket_url"])
    template = "_kiosk_slip.html" if is_htmx(request) else "kiosk.html"
    response = render(
        request, T + template, _kiosk_context(request, hall, device, slip=slip), status=status
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@_as_device("kiosk")
def kiosk_rate(request: HttpRequest, hall: Hall, device: HallDevice | None) -> HttpResponse:
    """Rate a ticket of today at the kiosk by its number (好差评)."""
    form = KioskRatingForm(request.POST)
    rated, problem, status = None, "", 400
    if device is None:
        problem, status = _("Ratings come from the resident at the hall's kiosk."), 403
    elif form.is_valid():
        data = form.cleaned_data
        ticket = ticket_find_by_number(hall, data["number"], local_day(timezone.now()))
        if ticket is None:
            problem = _("No ticket %(number)s today in this hall.") % {"number": data["number"]}
        else:
            try:
                rated = ticket_rate(
                    ticket_id=ticket.pk,
                    score=data["score"],
                    comment=data["comment"],
                    device_hall_id=hall.pk,
                )
                status = 200
            except ValidationError as exc:
                problem = problem_text(exc)
            except QueueRefused as exc:
                problem, status = str(exc), 409
            except Ticket.DoesNotExist:
                problem = _("No ticket %(number)s today in this hall.") % {"number": data["number"]}
    else:
        problem = first_error(form)
    context = _kiosk_context(request, hall, device, rating={"ticket": rated, "problem": problem})
    template = "_kiosk_rated.html" if is_htmx(request) else "kiosk.html"
    response = render(request, T + template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the resident's phone ---------------------------------------------------------------------


def _slots_context(request: HttpRequest, hall: Hall) -> dict[str, Any]:
    """The booking part of the phone page: the item and day chosen and their free slots."""
    today = local_day(timezone.now())
    items = hall_items(hall)
    by_code = {i.code: i for i in items}
    item = by_code.get(request.GET.get("book_item", ""))
    try:
        day = date.fromisoformat(request.GET.get("book_day", ""))
    except ValueError:
        day = today
    days = booking_days(today)
    if day not in days:
        day = today
    slots = []
    if item is not None:
        now = timezone.now()
        for start, end, places in appointment_slots(hall, item.group_id, day):
            slots.append(
                {
                    "value": start.astimezone(ZONE).strftime("%H:%M"),
                    "ends": end,
                    "starts": start,
                    "places": places,
                    "bookable": places > 0 and start > now,
                }
            )
    return {"book_item": item, "book_day": day, "book_days": days, "slots": slots}


def _phone_context(request: HttpRequest, hall: Hall, **extra: Any) -> dict[str, Any]:
    return {
        "hall": hall,
        "groups": _item_groups(hall),
        "items": hall_items(hall),
        "green_choices": GREEN_CHOICES[1:],
        **_slots_context(request, hall),
        **extra,
    }


@require_GET
@_as_device("qr")
def phone_page(request: HttpRequest, hall: Hall, _device: HallDevice | None) -> HttpResponse:
    return render_uncached(request, T + "phone.html", _phone_context(request, hall))


@require_GET
@_as_device("qr")
def phone_slots(request: HttpRequest, hall: Hall, _device: HallDevice | None) -> HttpResponse:
    """The free slots of the item and day chosen (htmx swaps them into the phone page)."""
    return render(request, T + "_phone_slots.html", _phone_context(request, hall))


@require_POST
@_as_device("qr")
def phone_take(request: HttpRequest, hall: Hall, device: HallDevice | None) -> HttpResponseBase:
    """Take a ticket on the phone; then the ticket's own page."""
    form = TakeTicketForm(request.POST)
    if not form.is_valid():
        problem, status = first_error(form), 400
    else:
        taken, problem, status = _take(request, hall, device, form)
        if taken is not None:
            return redirect(_ticket_url(taken.ticket))
    context = _phone_context(request, hall, take_problem=problem, form=form)
    return render(request, T + "phone.html", context, status=status)


@require_POST
@_as_device("qr")
def phone_book(request: HttpRequest, hall: Hall, device: HallDevice | None) -> HttpResponse:
    """Book an appointment slot: the booking code to give at the kiosk on the day."""
    form = BookingForm(request.POST)
    problem, status = "", 400
    if device is not None and not booking_allowed(
        hall_id=hall.pk, address=request.META.get("REMOTE_ADDR", "")
    ):
        problem, status = _("Too many bookings from here; please ask at the hall."), 429
    elif form.is_valid():
        data = form.cleaned_data
        try:
            booked = appointment_book(
                hall_id=hall.pk,
                item_code=data["item"],
                day=data["day"],
                slot=data["slot"],
                phone=data["phone"],
                actor=None if device is not None else request_user(request),
            )
        except ValidationError as exc:
            problem = problem_text(exc)
        except QueueRefused as exc:
            problem, status = str(exc), 409
        else:
            return render(request, T + "phone_booked.html", {"hall": hall, "booking": booked})
    else:
        problem = first_error(form)
    context = _phone_context(request, hall, book_problem=problem)
    return render(request, T + "phone.html", context, status=status)


def _ticket_or_404(ticket_id: int, key: str) -> Ticket:
    ticket = ticket_get_by_key(ticket_id, key)
    if ticket is None:
        raise Http404(_("No such ticket."))
    return ticket


LIVE_STATUSES = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING})


def _ticket_context(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "position": ticket_position(ticket),
        "live": ticket.status in LIVE_STATUSES,
        "may_rate": ticket.status == TicketStatus.DONE and ticket.rating is None,
        "rating_levels": RATING_LEVELS,
        "live_url": reverse("hall-ticket-live", args=[ticket.pk, ticket.key]),
        "rate_url": reverse("hall-ticket-rate", args=[ticket.pk, ticket.key]),
        "poll_seconds": TICKET_POLL_SECONDS,
        **extra,
    }


@require_GET
def ticket_page(request: HttpRequest, ticket_id: int, key: str) -> HttpResponse:
    """A resident's ticket: its place in the queue, live; the call; the rating afterwards."""
    ticket = _ticket_or_404(ticket_id, key)
    return render_uncached(request, T + "ticket.html", _ticket_context(ticket))


@require_GET
def ticket_live(request: HttpRequest, ticket_id: int, key: str) -> HttpResponse:
    ticket = _ticket_or_404(ticket_id, key)
    return render_uncached(request, T + "_ticket_live.html", _ticket_context(ticket))


@require_POST
def ticket_rate_page(request: HttpRequest, ticket_id: int, key: str) -> HttpResponse:
    """The resident rates their completed ticket once, from the phone."""
    ticket = _ticket_or_404(ticket_id, key)
    form = RatingForm(request.POST)
    problem, status = "", 400
    if form.is_valid():
        try:
            ticket = ticket_rate(
                ticket_id=ticket.pk,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                ticket_key=key,
            )
            status = 200
        except ValidationError as exc:
            problem = problem_text(exc)
        except QueueRefused as exc:
            problem, status = str(exc), 409
        ticket = _ticket_or_404(ticket_id, key)
    else:
        problem = first_error(form)
    context = _ticket_context(ticket, rate_problem=problem, rated_now=status == 200)
    template = "_ticket_live.html" if is_htmx(request) else "ticket.html"
    response = render(request, T + template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the display board (大屏) ---------------------------------------------------------------------


FRESH_CALL = timedelta(seconds=60)  # a call this recent is read aloud when the board sees it


def _board_context(request: HttpRequest, hall: Hall) -> dict[str, Any]:
    board = hall_board(hall)
    now = cast(datetime, board["at"])
    called = cast(list[dict[str, Any]], board["called"])
    names = {g.code: g for g in groups_all()}
    windows = windows_of(hall)
    announce = [
        {
            "id": f"{c['number']}@{c['called_at'].isoformat() if c['called_at'] else ''}",
            "text": c["announcement"],
        }
        for c in called
        if c["called_at"] is not None and now - c["called_at"] <= FRESH_CALL
    ]
    return {
        "hall": hall,
        "called": called,
        "latest": called[0] if called else None,
        "waiting": [
            {"code": g, "group": names.get(g), "count": n}
            for g, n in cast(dict[str, int], board["waiting"]).items()
        ],
        "windows": windows,
        "announce": announce,
        "at": now,
        "poll_seconds": BOARD_POLL_SECONDS,
    }


@require_GET
@_as_device("kiosk")
def board_page(request: HttpRequest, hall: Hall, _device: HallDevice | None) -> HttpResponse:
    phone_url = phone_page_url(request, hall)
    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    context = {
        **_board_context(request, hall),
        "phone_url": phone_url,
        "qr_svg": qr_svg(phone_url),
        "voice_sample": hall.announcement.format(number="A001", window=1),
        # Reload after midnight for the new day's QR code.
        "reload_seconds": int((midnight - now).total_seconds()) + 60,
    }
    return render_uncached(request, T + "board.html", context)


@require_GET
@_as_device("kiosk")
def board_live(request: HttpRequest, hall: Hall, _device: HallDevice | None) -> HttpResponse:
    """The board's changing part, polled every second: calls, waiting counts, windows."""
    return render_uncached(request, T + "_board_live.html", _board_context(request, hall))
