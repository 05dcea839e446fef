"""The staff's pages of a hall's queue: the halls list, the links that set up the hall's devices,
and a window's console (叫号).

Clerks and managers sign in; every hall and window is read through the hall selectors, which
apply their region scope (another town's hall is a 404), and changed only through the queue
services, which check that they work the hall. The public devices (kiosk, phone, ticket, board)
are in device_views.py.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jiceng.core.models import User
from jiceng.core.transitions import allowed_names
from jiceng.hall.access import may_manage, may_operate
from jiceng.hall.models import Hall, Outcome, Ticket, Window
from jiceng.hall.selectors import (
    hall_board,
    hall_get_for_user,
    hall_groups,
    halls_visible_to,
    window_current_ticket,
    window_get_for_user,
    windows_of,
)
from jiceng.hall.services.queue import (
    TICKET_MACHINE,
    QueueRefused,
    ticket_call_next,
    ticket_complete,
    ticket_no_show,
    ticket_recall,
    ticket_start,
    ticket_transfer,
    window_close,
    window_open,
    window_switch,
)
from jiceng.web.common import is_htmx, render_uncached, request_user
from jiceng.web.hall.device_views import mask_phone, phone_page_url, problem_text, qr_svg
from jiceng.web.hall.queue_forms import (
    ConsoleActionForm,
    first_error,
)

T = "web/hall/queue/"  # the templates' folder

ACTION_DONE = {
    "open": gettext_lazy("Signed in: the window is open."),
    "close": gettext_lazy("Signed out: the window is closed."),
    "recall": gettext_lazy("Called again: %(number)s."),
    "start": gettext_lazy("Handling %(number)s."),
    "no_show": gettext_lazy("%(number)s marked as a no-show."),
    "complete": gettext_lazy("%(number)s completed."),
    "transfer": gettext_lazy("%(number)s sent to group %(group)s."),
    "switch": gettext_lazy("The window now serves %(groups)s."),
}
OUTCOME_KEYS = {Outcome.DONE: "d", Outcome.MORE_MATERIALS: "m", Outcome.REFERRED: "f"}


# --- the halls ------------------------------------------------------------------------------


@login_required
@require_GET
def halls_page(request: HttpRequest) -> HttpResponse:
    """The halls in the user's region, their windows and the links to each hall's devices."""
    user = request_user(request)
    halls = []
    for hall in halls_visible_to(user):
        windows = windows_of(hall)
        halls.append(
            {
                "hall": hall,
                "windows": windows,
                "open_count": sum(1 for w in windows if w.is_open),
                "may_operate": may_operate(user, hall),
                "may_manage": may_manage(user, hall.point.region_id),
            }
        )
    return render(request, T + "halls.html", {"halls": halls})


@login_required
@require_GET
def device_links_page(request: HttpRequest, hall_id: int) -> HttpResponse:
    """For the hall's managers: the addresses that set up a kiosk or the board (with the kiosk
    key) and today's phone address with its QR code, to print."""
    user = request_user(request)
    hall = hall_get_for_user(user, hall_id)
    manager = may_manage(user, hall.point.region_id)
    phone_url = phone_page_url(request, hall)
    context = {
        "hall": hall,
        "may_manage": manager,
        "phone_url": phone_url,
        "qr_svg": qr_svg(phone_url),
        "kiosk_url": request.build_absolute_uri(
            reverse("hall-kiosk", args=[hall.pk]) + f"?key={hall.kiosk_key}"
        )
        if manager
        else None,
        "board_url": request.build_absolute_uri(
            reverse("hall-board", args=[hall.pk]) + f"?key={hall.kiosk_key}"
        )
        if manager
        else None,
    }
    return render_uncached(request, T + "devices.html", context)


# --- a window's console (叫号) -------------------------------------------------------------------


def _console_window(request: HttpRequest, window_id: int) -> Window:
    """The window for a clerk or manager of its hall: 404 outside the user's scope, 403 for
    those who do not work the hall."""
    window = window_get_for_user(request_user(request), window_id)
    if not may_operate(request_user(request), window.hall):
        raise PermissionDenied(_("Only the hall's clerks and managers work its windows."))
    return window


def _console_context(
    request: HttpRequest, window: Window, *, notice: str = "", problem: str = ""
) -> dict[str, Any]:
    user = request_user(request)
    hall = window.hall
    board = hall_board(hall)
    waiting = cast(dict[str, int], board["waiting"])
    current = window_current_ticket(window)
    groups = hall_groups(hall)
    others = [w for w in windows_of(hall) if w.pk != window.pk]
    return {
        "window": window,
        "hall": hall,
        "current": current,
        "current_phone": mask_phone(current.phone) if current else "",
        # The buttons for the current ticket: the steps the clerk may take on it now.
        "ticket_actions": allowed_names(TICKET_MACHINE, current, user) if current else [],
        "serving_waiting": [(g, waiting.get(g, 0)) for g in window.groups],
        "other_waiting": [(g, n) for g, n in waiting.items() if g not in window.groups],
        "waiting_total": sum(waiting.get(g, 0) for g in window.groups),
        "groups": groups,
        "transfer_groups": [g for g in groups if current is None or g != current.group_id],
        "may_manage": may_manage(user, hall.point.region_id),
        "mine": window.clerk_id == user.pk,
        "others": others,
        "outcomes": [(o.value, o.label, OUTCOME_KEYS[o]) for o in Outcome],
        "notice": notice,
        "problem": problem,
    }


@login_required
@require_GET
def console_page(request: HttpRequest, window_id: int) -> HttpResponse:
    window = _console_window(request, window_id)
    return render_uncached(request, T + "console.html", _console_context(request, window))


@login_required
@require_GET
def console_waiting(request: HttpRequest, window_id: int) -> HttpResponse:
    """The waiting counts of the console, refreshed while the clerk works."""
    window = _console_window(request, window_id)
    return render_uncached(request, T + "_console_waiting.html", _console_context(request, window))


def _console_act(user: User, window: Window, data: dict[str, Any]) -> str:
    """Run one console action through the queue services; what happened, in a sentence."""
    action = data["action"]
    ticket_id = int(data.get("ticket") or 0)
    version = data.get("expected_version")
    if action == "open":
        window_open(actor=user, window_id=window.pk)
        return str(ACTION_DONE["open"])
    if action == "close":
        window_close(actor=user, window_id=window.pk)
        return str(ACTION_DONE["close"])
    if action == "call":
        called = ticket_call_next(actor=user, window_id=window.pk)
        if called is None:
            return _("Nobody waits for this window.")
        return _("Calling %(number)s.") % {"number": called.number}
    if action == "switch":
        switched = window_switch(actor=user, window_id=window.pk, groups=data["groups"])
        return str(ACTION_DONE["switch"]) % {"groups": ", ".join(switched.groups)}
    ticket: Ticket
    if action == "recall":
        ticket = ticket_recall(actor=user, ticket_id=ticket_id, expected_version=version)
    elif action == "start":
        ticket = ticket_start(actor=user, ticket_id=ticket_id, expected_version=version)
    elif action == "no_show":
        ticket = ticket_no_show(actor=user, ticket_id=ticket_id, expected_version=version)
    elif action == "complete":
        ticket = ticket_complete(
            actor=user, ticket_id=ticket_id, outcome=data["outcome"], expected_version=version
        )
    else:  # transfer
        ticket = ticket_transfer(
            actor=user, ticket_id=ticket_id, group=data["group"], expected_version=version
        )
    return str(ACTION_DONE[action]) % {"number": ticket.number, "group": ticket.group_id}


@login_required
@require_http_methods(["POST"])
def console_act(request: HttpRequest, window_id: int) -> HttpResponseBase:
    """One action at the console: an htmx form (or a plain one); the console again."""
    user = request_user(request)
    window = _console_window(request, window_id)
    form = ConsoleActionForm(request.POST, group_codes=hall_groups(window.hall))
    notice, problem, status = "", "", 200
    if not form.is_valid():
        problem, status = first_error(form), 400
    else:
        try:
            notice = _console_act(user, window, form.cleaned_data)
        except QueueRefused as exc:  # a stale ticket (TicketChanged) included
            problem, status = str(exc), 409
        except ValidationError as exc:
            problem, status = problem_text(exc), 400
        except (Ticket.DoesNotExist, Window.DoesNotExist, Hall.DoesNotExist) as exc:
            raise Http404(str(exc)) from exc
    if status == 200 and not is_htmx(request):
        messages.success(request, notice)
        return redirect("hall-console", window_id=window.pk)
    window = _console_window(request, window_id)  # as it is now
    context = _console_context(request, window, notice=notice, problem=problem)
    template = "_console_answer.html" if is_htmx(request) else "console.html"
    response = render(request, T + template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
