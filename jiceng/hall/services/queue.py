"""The queue of a hall: windows signing in and out and switching groups, tickets taken at the
kiosk, on the phone or by appointment, called, started, completed, recalled, transferred, marked
no-shows and rated; the tidal rule that lends a tidal window to a crowded group.

Calling is atomic and never gives one ticket to two windows nor passes one over:
on PostgreSQL the next ticket is locked with `SELECT ... FOR UPDATE SKIP LOCKED` (a window that
finds the first candidate locked by another takes the next), on SQLite one conditional UPDATE
(`UPDATE ... WHERE id = (SELECT ... LIMIT 1) AND status = 'waiting'`) runs inside an IMMEDIATE
transaction. A window holds at most one current ticket (a partial unique index). Numbers come
from a counter row per hall, day and group, locked while a number is taken, and are unique per
hall and day (a unique index). Every ticket is a row written in its transaction: a restart loses
nothing.

What a clerk does with a called ticket (recall, start, no-show, complete, transfer) is declared
as transitions (`TICKET_MACHINE`, jiceng/core/transitions.py); the console asks it which buttons
to show.

Calling order: green-channel tickets first, then appointments that are due (by slot), then
first come, first served across all the groups the window serves. A transferred ticket keeps its
number and its place (its original arrival time) in the new group's queue.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, IntegerField, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.errors import Changed, Refused
from jiceng.core.models import User
from jiceng.core.scope import code_in_scope
from jiceng.core.transitions import StateMachine, Transition, transition_check
from jiceng.hall import timetable
from jiceng.hall.access import (
    check_manager,
    check_operator,
    may_operate,
)
from jiceng.hall.models import (
    CURRENT_STATUSES,
    Appointment,
    GreenReason,
    Hall,
    HandlingRecord,
    ItemGroup,
    Outcome,
    Priority,
    QueueCounter,
    ServiceItem,
    Ticket,
    TicketSource,
    TicketStatus,
    TidalRule,
    Window,
    WindowEvent,
)
from jiceng.hall.selectors import (
    APPOINTMENT_DAYS_AHEAD,
    ZONE,
    Position,
    appointment_slots,
    hall_groups,
    hall_sessions_on,
    local_day,
    point_handles,
    ticket_key_matches,
    ticket_position,
    waiting_tickets,
    windows_of,
)
from jiceng.hall.services.summaries import summary_mark_stale

MAX_COMMENT = 500
PHONE_DIGITS = (5, 20)


class QueueRefused(Refused):
    """The hall, window or ticket cannot do this now; the message says why (HTTP 409)."""


class TicketChanged(QueueRefused, Changed):
    """Somebody changed the ticket since the caller looked at it."""


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


# --- windows --------------------------------------------------------------------------------


def _locked_window(window_id: int) -> Window:
    window = (
        Window.objects.select_for_update(of=("self",))
        .select_related("hall", "hall__point")
        .filter(pk=window_id)
        .first()
    )
    if window is None:
        raise Window.DoesNotExist(_("No such window."))
    return window


def _log(
    window: Window, kind: str, actor: User | None, at: datetime, rule: TidalRule | None = None
) -> None:
    WindowEvent.objects.create(
        window=window, kind=kind, at=at, actor=actor, groups=list(window.groups), rule=rule
    )


def _current_ticket(window: Window) -> Ticket | None:
    return Ticket.objects.filter(window=window, status__in=CURRENT_STATUSES).first()


def _still_busy(window: Window, current: Ticket) -> QueueRefused:
    return QueueRefused(
        _("%(window)s still has %(number)s: complete it, mark it a no-show or transfer it.")
        % {"window": window, "number": current.number}
    )


def window_open(*, actor: User, window_id: int, at: datetime | None = None) -> Window:
    """A clerk signs in at a window; they sign out of any other window first. The window serves
    its usual groups."""
    now = _now(at)
    with transaction.atomic():
        window = _locked_window(window_id)
        check_operator(actor, window.hall)
        if window.is_open and window.clerk_id not in (None, actor.pk):
            raise QueueRefused(
                _("%(window)s is signed in by %(clerk)s; they sign out first.")
                % {"window": window, "clerk": window.clerk}
            )
        if window.is_open and window.clerk_id == actor.pk:
            return window
        for other in (
            Window.objects.select_for_update()
            .filter(clerk=actor, is_open=True)
            .exclude(pk=window.pk)
        ):
            _close(other, actor, now)
        window.is_open, window.opened_at, window.clerk = True, now, actor
        window.groups, window.switched_by_rule = list(window.default_groups), None
        window.version += 1
        window.save(
            update_fields=["is_open", "opened_at", "clerk", "groups", "switched_by_rule", "version"]
        )
        _log(window, WindowEvent.Kind.OPENED, actor, now)
    return window


def _close(window: Window, actor: User | None, now: datetime) -> None:
    current = _current_ticket(window)
    if current is not None:
        raise _still_busy(window, current)
    window.is_open, window.clerk = False, None
    window.groups, window.switched_by_rule = list(window.default_groups), None
    window.version += 1
    window.save(update_fields=["is_open", "clerk", "groups", "switched_by_rule", "version"])
    _log(window, WindowEvent.Kind.CLOSED, actor, now)


def window_close(*, actor: User, window_id: int, at: datetime | None = None) -> Window:
    """A clerk signs out; the window returns to its usual groups."""
    now = _now(at)
    with transaction.atomic():
        window = _locked_window(window_id)
        check_operator(actor, window.hall)
        if not window.is_open:
            return window
        _close(window, actor, now)
    return window


def _clean_groups(groups: list[str]) -> list[str]:
    codes = list(dict.fromkeys(str(g).strip().upper() for g in groups if str(g).strip()))
    if not codes:
        raise ValidationError({"groups": _("Give at least one group.")})
    known = set(ItemGroup.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError({"groups": _("Unknown group: %s") % ", ".join(unknown)})
    return codes


def window_switch(
    *, actor: User, window_id: int, groups: list[str], at: datetime | None = None
) -> Window:
    """A manager switches the groups a window serves (open or not) until it closes."""
    now = _now(at)
    with transaction.atomic():
        window = _locked_window(window_id)
        check_manager(actor, window.hall)
        window.groups = _clean_groups(groups)
        window.switched_by_rule = None
        window.version += 1
        window.save(update_fields=["groups", "switched_by_rule", "version"])
        _log(window, WindowEvent.Kind.SWITCHED, actor, now)
    return window


# --- the tidal rule ----------------------------------------------------------------------------


def _tidal_target(
    hall_id: int, day: date, windows: list[Window], tidal: Window
) -> TidalRule | None:
    """The rule whose group needs the tidal window now: more waiting than its threshold and
    every other open window serving the group busy. The most crowded group wins."""
    rules = list(TidalRule.objects.filter(hall_id=hall_id, is_active=True))
    if not rules:
        return None
    waiting = dict(
        waiting_tickets(hall_id, day)
        .filter(group_id__in=[r.group_id for r in rules])
        .values_list("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
    busy = set(
        Ticket.objects.filter(window__hall_id=hall_id, status__in=CURRENT_STATUSES).values_list(
            "window_id", flat=True
        )
    )
    best: tuple[int, TidalRule] | None = None
    for rule in rules:
        excess = int(waiting.get(rule.group_id, 0)) - rule.waiting_more_than
        if excess <= 0:
            continue
        others = [
            w for w in windows if w.is_open and w.pk != tidal.pk and rule.group_id in w.groups
        ]
        if all(w.pk in busy for w in others) and (best is None or excess > best[0]):
            best = (excess, rule)
    return best[1] if best else None


def _tidal_switch(window: Window, rule: TidalRule | None, day: date, now: datetime) -> bool:
    """Lend the tidal window to the rule's group, or give it back to its usual groups when the
    group it was lent to has nobody waiting. Whether the window changed."""
    if rule is not None:
        if window.groups == [rule.group_id]:
            return False
        window.groups, window.switched_by_rule = [rule.group_id], rule
        kind = WindowEvent.Kind.SWITCHED
    elif window.switched_by_rule_id is not None:
        lent_to = window.groups
        if waiting_tickets(window.hall_id, day).filter(group_id__in=lent_to).exists():
            return False
        window.groups, window.switched_by_rule = list(window.default_groups), None
        kind = WindowEvent.Kind.REVERTED
    else:
        return False
    updated = Window.objects.filter(pk=window.pk, version=window.version).update(
        groups=window.groups, switched_by_rule=window.switched_by_rule, version=F("version") + 1
    )
    if updated:
        window.version += 1
        _log(window, kind, None, now, rule)
    return bool(updated)


def tidal_rules_apply(*, hall_id: int, at: datetime | None = None) -> list[int]:
    """Apply the tidal rules to the open, idle tidal windows of a hall; the windows switched."""
    now = _now(at)
    day = local_day(now)
    windows = windows_of(hall_id)
    tidal = [w for w in windows if w.is_tidal and w.is_open]
    if not tidal:
        return []
    busy = set(
        Ticket.objects.filter(window__in=tidal, status__in=CURRENT_STATUSES).values_list(
            "window_id", flat=True
        )
    )
    switched = []
    for window in tidal:
        if window.pk in busy:
            continue
        if _tidal_switch(window, _tidal_target(hall_id, day, windows, window), day, now):
            switched.append(window.pk)
    return switched


# --- taking a ticket ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TakenTicket:
    ticket: Ticket
    position: Position


def _clean_phone(phone: str) -> str:
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if phone and not (PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1]):
        raise ValidationError(
            {"phone": _("Give a phone number of %d to %d digits.") % PHONE_DIGITS}
        )
    return digits


def _hall_for_tickets(hall_id: int) -> Hall:
    hall = Hall.objects.select_related("point").filter(pk=hall_id, is_active=True).first()
    if hall is None:
        raise Hall.DoesNotExist(_("No such hall."))
    return hall


def _item_for(hall: Hall, item_code: str) -> ServiceItem:
    item = ServiceItem.objects.filter(code=(item_code or "").strip(), is_active=True).first()
    if item is None or not point_handles(hall.point_id, item.pk):
        raise ValidationError(
            {
                "item": _("%(hall)s does not handle item %(item)s.")
                % {"hall": hall, "item": item_code}
            }
        )
    return item


def _check_takes_tickets(hall: Hall, windows: list[Window], group: str, now: datetime) -> None:
    """409 unless a window is open or a session runs or starts within the hall's lead time,
    and some window open or planned then may serve the group."""
    if any(w.is_open and group in w.groups for w in windows):
        return  # a window serving the group is open: no need to look at the plan
    sessions = hall_sessions_on(hall.pk, local_day(now))
    soon = timetable.planned_soon(sessions, now, timedelta(minutes=hall.opens_before_minutes))
    open_windows = [w for w in windows if w.is_open]
    if not open_windows and not soon:
        upcoming = timetable.next_start(sessions, now)
        if upcoming is None:
            raise QueueRefused(_("%(hall)s takes no more tickets today.") % {"hall": hall})
        opens = upcoming - timedelta(minutes=hall.opens_before_minutes)
        raise QueueRefused(
            _("%(hall)s takes tickets again from %(time)s.")
            % {"hall": hall, "time": opens.astimezone(ZONE).strftime("%H:%M")}
        )
    by_id = {w.pk: w for w in windows}
    serving = [w for w in open_windows if group in w.groups]
    serving += [
        by_id[s.window_id]
        for s in soon
        if s.window_id in by_id and group in by_id[s.window_id].default_groups
    ]
    if not serving:
        lendable = [w for w in open_windows if w.is_tidal] + [
            by_id[s.window_id] for s in soon if s.window_id in by_id and by_id[s.window_id].is_tidal
        ]
        if not (
            lendable
            and TidalRule.objects.filter(hall=hall, group_id=group, is_active=True).exists()
        ):
            raise QueueRefused(
                _("No window of %(hall)s serves group %(group)s now.")
                % {"hall": hall, "group": group}
            )


def _next_number(hall: Hall, day: date, group: str) -> tuple[int, str]:
    counter, _created = QueueCounter.objects.select_for_update().get_or_create(
        hall=hall, day=day, group_id=group
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last, f"{group}{counter.last:03d}"


def ticket_take(
    *,
    hall_id: int,
    item_code: str = "",
    priority: str = Priority.NORMAL,
    green_reason: str = "",
    phone: str = "",
    source: str = TicketSource.KIOSK,
    appointment_code: str = "",
    actor: User | None = None,
    at: datetime | None = None,
) -> TakenTicket:
    """Take a ticket. ValidationError for bad input or an item the hall does not handle;
    QueueRefused when the hall takes no tickets now."""
    now = _now(at)
    day = local_day(now)
    hall = _hall_for_tickets(hall_id)
    if actor is not None:
        check_operator(actor, hall)
    if source not in TicketSource.values:
        raise ValidationError({"source": _("Unknown source: %s") % source})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Priority is normal or green, not %s.") % priority})
    if green_reason and (priority != Priority.GREEN or green_reason not in GreenReason.values):
        raise ValidationError(
            {
                "green_reason": _(
                    "A reason goes with the green channel: elderly, disabled, pregnant or other."
                )
            }
        )
    phone = _clean_phone(phone)
    appointment = None
    if appointment_code:
        appointment = (
            Appointment.objects.select_related("item")
            .filter(
                hall=hall, day=day, code=appointment_code.strip(), status=Appointment.Status.BOOKED
            )
            .first()
        )
        if appointment is None:
            raise ValidationError(
                {"appointment": _("No booking %s for today in this hall.") % appointment_code}
            )
        item = appointment.item
        source = TicketSource.APPOINTMENT
        phone = phone or appointment.phone
    else:
        item = _item_for(hall, item_code)
    windows = windows_of(hall)
    group = item.group_id
    if (
        not any(group in w.default_groups or group in w.groups for w in windows)
        and not TidalRule.objects.filter(hall=hall, group_id=group, is_active=True).exists()
    ):
        raise ValidationError(
            {
                "item": _("%(hall)s has no window for item %(item)s.")
                % {"hall": hall, "item": item.code}
            }
        )
    _check_takes_tickets(hall, windows, group, now)
    appointment_at = None
    if appointment is not None:
        slot_start = datetime.combine(day, appointment.slot_start, ZONE)
        slot_end = datetime.combine(day, appointment.slot_end, ZONE)
        # Late beyond the slot: the booking lapses and the resident queues as a walk-in.
        appointment_at = slot_start if now < slot_end else None
    local = now.astimezone(ZONE)
    with transaction.atomic():
        sequence, number = _next_number(hall, day, group)
        ticket = Ticket.objects.create(
            hall=hall,
            service_day=day,
            number=number,
            sequence=sequence,
            group_id=group,
            item=item,
            priority=priority,
            green_reason=green_reason,
            source=source,
            phone=phone,
            queue_at=appointment_at or now,
            appointment_at=appointment_at,
            taken_at=now,
            hour=local.hour,
        )
        if appointment is not None:
            Appointment.objects.filter(pk=appointment.pk).update(
                status=Appointment.Status.CHECKED_IN
            )
        if any(w.is_tidal and w.is_open for w in windows):
            tidal_rules_apply(hall_id=hall.pk, at=now)
    return TakenTicket(ticket, ticket_position(ticket, windows=windows, now=now))


# --- calling ---------------------------------------------------------------------------------


def call_order(now: datetime) -> list[Any]:
    """Green channel first, then due appointments (by slot), then first come, first served."""
    rank = Case(
        When(priority=Priority.GREEN, then=Value(0)),
        When(appointment_at__lte=now, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return [rank.asc(), "queue_at", "pk"]


def _claim_next(
    window: Window, groups: list[str], day: date, now: datetime, actor: User | None
) -> Ticket | None:
    candidates = (
        waiting_tickets(window.hall_id, day).filter(group_id__in=groups).order_by(*call_order(now))
    )
    called = {
        "status": TicketStatus.CALLED,
        "window_id": window.pk,
        "clerk_id": actor.pk if actor else None,
        "called_at": now,
        "first_called_at": Coalesce(F("first_called_at"), Value(now)),
        "version": F("version") + 1,
    }
    if connection.vendor == "postgresql":
        ticket = candidates.select_for_update(skip_locked=True, of=("self",)).only("pk").first()
        if ticket is None:
            return None
        Ticket.objects.filter(pk=ticket.pk).update(**called)
    else:
        next_one = Subquery(candidates.values("pk")[:1])
        if not Ticket.objects.filter(pk=next_one, status=TicketStatus.WAITING).update(**called):
            return None
    ticket = Ticket.objects.select_related("item", "window").get(
        window=window, status=TicketStatus.CALLED
    )
    if ticket.wait_seconds is None and ticket.first_called_at is not None:
        # Waiting counts from arrival, or from the slot for an early appointment.
        since = max(ticket.taken_at, ticket.appointment_at or ticket.taken_at)
        ticket.wait_seconds = max(0, int((ticket.first_called_at - since).total_seconds()))
        ticket.save(update_fields=["wait_seconds"])
    return ticket


def ticket_call_next(*, actor: User, window_id: int, at: datetime | None = None) -> Ticket | None:
    """The window calls its next ticket; None when nobody waits for it."""
    now = _now(at)
    day = local_day(now)
    try:
        with transaction.atomic():
            window = _locked_window(window_id)
            check_operator(actor, window.hall)
            if not window.is_open:
                raise QueueRefused(_("%s is closed: sign in first.") % window)
            current = _current_ticket(window)
            if current is not None:
                raise _still_busy(window, current)
            if window.is_tidal:
                windows = windows_of(window.hall_id)
                _tidal_switch(window, _tidal_target(window.hall_id, day, windows, window), day, now)
            return _claim_next(window, list(window.groups), day, now, actor)
    except IntegrityError as exc:  # the same window calling twice at once
        raise QueueRefused(_("%s is calling already.") % window_id) from exc


# --- acting on a ticket -------------------------------------------------------------------


def _locked_ticket(ticket_id: int) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("hall", "hall__point", "item", "window")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise Ticket.DoesNotExist(_("No such ticket."))
    return ticket


def _operates(user: User | None, ticket: Ticket) -> bool:
    return may_operate(user, ticket.hall)


def _refused_text(transition: Transition, ticket: Ticket) -> str:
    return _("Cannot %(verb)s ticket %(number)s: it is %(status)s.") % {
        "verb": transition.label,
        "number": ticket.number,
        "status": ticket.get_status_display(),
    }


# What a window's clerk does with the ticket it called. Calling (waiting → called), rating
# (done, once) and the end of the day (waiting → expired, called → no-show) are conditional
# UPDATEs of their own: they take whichever ticket is next, or every ticket left.
TICKET_MACHINE: StateMachine[Ticket] = StateMachine(
    "hall.ticket",
    [
        Transition(
            "recall",
            {TicketStatus.CALLED, TicketStatus.NO_SHOW},
            TicketStatus.CALLED,
            _operates,
            label=gettext_lazy("recall"),
        ),
        Transition(
            "start",
            {TicketStatus.CALLED},
            TicketStatus.SERVING,
            _operates,
            label=gettext_lazy("start"),
        ),
        Transition(
            "no_show",
            {TicketStatus.CALLED},
            TicketStatus.NO_SHOW,
            _operates,
            label=gettext_lazy("mark as a no-show"),
        ),
        Transition(
            "complete",
            CURRENT_STATUSES,
            TicketStatus.DONE,
            _operates,
            label=gettext_lazy("complete"),
        ),
        Transition(
            "transfer",
            {*CURRENT_STATUSES, TicketStatus.NO_SHOW, TicketStatus.WAITING},
            TicketStatus.WAITING,
            _operates,
            label=gettext_lazy("transfer"),
        ),
    ],
    refused=QueueRefused,
    refused_message=_refused_text,
    denied_message=gettext_lazy("Only the hall's clerks and managers may do this."),
)


def _act(
    actor: User, ticket_id: int, expected_version: int | None, action: str
) -> tuple[Ticket, str]:
    """Lock the ticket and check the step; set the ticket's status to the step's target and
    return the ticket with the status it had."""
    ticket = _locked_ticket(ticket_id)
    if not code_in_scope(actor, ticket.hall.point.region_id):
        raise Ticket.DoesNotExist(_("No such ticket."))
    check_operator(actor, ticket.hall)
    if expected_version is not None and ticket.version != expected_version:
        raise TicketChanged(
            _("Ticket %(number)s was changed meanwhile (it is now %(status)s).")
            % {"number": ticket.number, "status": ticket.get_status_display()}
        )
    transition = transition_check(TICKET_MACHINE, ticket, action, actor)
    previous = ticket.status
    ticket.status = transition.target_for(ticket, previous)
    return ticket, previous


def _save(ticket: Ticket, fields: list[str]) -> None:
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version"])
    summary_mark_stale(day=ticket.service_day)


def _session_kind(ticket: Ticket, moment: datetime) -> str:
    if ticket.window_id is None:
        return ""
    sessions = hall_sessions_on(ticket.hall_id, local_day(moment))
    return timetable.session_kind_at(sessions, ticket.window_id, moment)


def ticket_start(
    *, actor: User, ticket_id: int, expected_version: int | None = None, at: datetime | None = None
) -> Ticket:
    """The resident has come to the window: handling starts."""
    now = _now(at)
    with transaction.atomic():
        ticket, _previous = _act(actor, ticket_id, expected_version, "start")
        ticket.started_at = now
        ticket.session_kind = _session_kind(ticket, now)
        _save(ticket, ["status", "started_at", "session_kind"])
    return ticket


def ticket_complete(
    *,
    actor: User,
    ticket_id: int,
    outcome: str,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Handling ends with an outcome; the point's handling record is written with it."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Outcome is one of: %s.") % ", ".join(Outcome.values)})
    now = _now(at)
    with transaction.atomic():
        ticket, _previous = _act(actor, ticket_id, expected_version, "complete")
        started = ticket.started_at or ticket.called_at or now
        if ticket.started_at is None:
            ticket.started_at = started
            ticket.session_kind = _session_kind(ticket, started)
        ticket.completed_at, ticket.outcome = now, outcome
        ticket.handle_seconds = max(0, int((now - started).total_seconds()))
        _save(
            ticket,
            ["status", "started_at", "session_kind", "completed_at", "outcome", "handle_seconds"],
        )
        HandlingRecord.objects.create(
            point_id=ticket.hall.point_id,
            ticket=ticket,
            channel=HandlingRecord.Channel.QUEUE,
            item_id=ticket.item_id,
            day=local_day(started),
            hour=started.astimezone(ZONE).hour,
            started_at=started,
            ended_at=now,
            seconds=ticket.handle_seconds,
            outcome=outcome,
            session_kind=ticket.session_kind,
            clerk=actor,
        )
    return ticket


def ticket_no_show(
    *, actor: User, ticket_id: int, expected_version: int | None = None, at: datetime | None = None
) -> Ticket:
    """Called and not come: the ticket leaves the queue and frees the window."""
    now = _now(at)
    with transaction.atomic():
        ticket, _previous = _act(actor, ticket_id, expected_version, "no_show")
        ticket.completed_at = now
        _save(ticket, ["status", "completed_at"])
    return ticket


def ticket_recall(
    *, actor: User, ticket_id: int, expected_version: int | None = None, at: datetime | None = None
) -> Ticket:
    """Call the same ticket again (the board announces it again)."""
    now = _now(at)
    with transaction.atomic():
        ticket, previous = _act(actor, ticket_id, expected_version, "recall")
        if previous == TicketStatus.NO_SHOW:
            # A late-comer called back: the window must be free to take it.
            if (
                ticket.window_id is None
                or Ticket.objects.filter(
                    window_id=ticket.window_id, status__in=CURRENT_STATUSES
                ).exists()
            ):
                raise QueueRefused(
                    _("The window is busy; transfer the ticket back into the queue instead.")
                )
            ticket.completed_at = None
        ticket.called_at, ticket.recalls = now, ticket.recalls + 1
        _save(ticket, ["status", "completed_at", "called_at", "recalls"])
    return ticket


def ticket_transfer(
    *,
    actor: User,
    ticket_id: int,
    group: str,
    expected_version: int | None = None,
) -> Ticket:
    """Send the ticket to another group's queue of the hall; it keeps its number and its place
    by arrival."""
    with transaction.atomic():
        ticket, previous = _act(actor, ticket_id, expected_version, "transfer")
        target = _clean_groups([group])[0]
        if target not in hall_groups(ticket.hall):
            raise ValidationError({"group": _("No window of this hall serves group %s.") % target})
        if target == ticket.group_id and previous == TicketStatus.WAITING:
            raise ValidationError({"group": _("The ticket is in group %s already.") % target})
        ticket.transferred_from, ticket.group_id = ticket.group_id, target
        ticket.window, ticket.clerk = None, None
        ticket.called_at = ticket.started_at = ticket.completed_at = None
        _save(
            ticket,
            [
                "transferred_from",
                "group",
                "status",
                "window",
                "clerk",
                "called_at",
                "started_at",
                "completed_at",
            ],
        )
    return ticket


# --- ratings -----------------------------------------------------------------------------------


def ticket_rate(
    *,
    ticket_id: int,
    score: int,
    comment: str = "",
    ticket_key: str = "",
    device_hall_id: int | None = None,
    at: datetime | None = None,
) -> Ticket:
    """The resident rates a completed ticket once (好差评, 1–5), from their phone (with the
    ticket's key) or at a device of the hall."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": _("Give a score from 1 to 5.")})
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError({"comment": _("At most %d characters.") % MAX_COMMENT})
    now = _now(at)
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    allowed = ticket is not None and (
        ticket_key_matches(ticket, ticket_key)
        or (device_hall_id is not None and ticket.hall_id == device_hall_id)
    )
    if ticket is None or not allowed:
        raise Ticket.DoesNotExist(_("No such ticket."))
    with transaction.atomic():
        rated = Ticket.objects.filter(
            pk=ticket.pk, status=TicketStatus.DONE, rating__isnull=True
        ).update(rating=score, rating_comment=comment, rated_at=now, version=F("version") + 1)
        if not rated:
            ticket.refresh_from_db()
            if ticket.rating is not None:
                raise QueueRefused(_("Ticket %s has been rated already.") % ticket.number)
            raise QueueRefused(_("Ticket %s can be rated once it is completed.") % ticket.number)
        summary_mark_stale(day=ticket.service_day)
    ticket.refresh_from_db()
    return ticket


# --- appointments ---------------------------------------------------------------------------


def appointment_book(
    *,
    hall_id: int,
    item_code: str,
    day: date,
    slot: time,
    phone: str,
    actor: User | None = None,
    at: datetime | None = None,
) -> Appointment:
    """Book a slot in advance (today up to two weeks ahead); the booking code checks the
    resident in at the kiosk, where the ticket gets its place by the slot."""
    now = _now(at)
    hall = _hall_for_tickets(hall_id)
    if actor is not None:
        check_operator(actor, hall)
    item = _item_for(hall, item_code)
    phone = _clean_phone(phone)
    if not phone:
        raise ValidationError({"phone": _("A phone number is required for a booking.")})
    today = local_day(now)
    if not today <= day <= today + timedelta(days=APPOINTMENT_DAYS_AHEAD):
        raise ValidationError(
            {"day": _("Book from today up to %d days ahead.") % APPOINTMENT_DAYS_AHEAD}
        )
    with transaction.atomic():
        Hall.objects.select_for_update().filter(
            pk=hall.pk
        ).first()  # one booking at a time per hall
        slots = {
            start.astimezone(ZONE).time(): (start, end, left)
            for start, end, left in appointment_slots(hall, item.group_id, day)
        }
        found = slots.get(slot)
        if found is None:
            raise ValidationError({"slot": _("No slot at %s that day.") % slot.strftime("%H:%M")})
        start, end, left = found
        if start <= now:
            raise ValidationError({"slot": _("That slot has begun already.")})
        if left <= 0:
            raise QueueRefused(_("The slot at %s is fully booked.") % slot.strftime("%H:%M"))
        taken = set(Appointment.objects.filter(hall=hall, day=day).values_list("code", flat=True))
        code = f"{secrets.randbelow(10**6):06d}"
        while code in taken:
            code = f"{secrets.randbelow(10**6):06d}"
        return Appointment.objects.create(
            hall=hall,
            item=item,
            group_id=item.group_id,
            day=day,
            slot_start=slot,
            slot_end=end.astimezone(ZONE).time(),
            phone=phone,
            code=code,
        )


# --- the end of the day ----------------------------------------------------------------------


def tickets_close_past_days(*, at: datetime | None = None) -> int:
    """Tickets of past days still waiting were not called by closing time (expired); those
    called and not come are no-shows. Tickets being served stay for their clerk to complete."""
    now = _now(at)
    today = local_day(now)
    left = Ticket.objects.filter(
        service_day__lt=today, status__in=(TicketStatus.WAITING, TicketStatus.CALLED)
    )
    with transaction.atomic():
        days = set(left.values_list("service_day", flat=True).distinct())
        expired = left.filter(status=TicketStatus.WAITING).update(
            status=TicketStatus.EXPIRED, version=F("version") + 1
        )
        no_shows = left.filter(status=TicketStatus.CALLED).update(
            status=TicketStatus.NO_SHOW, completed_at=now, version=F("version") + 1
        )
        for day in days:
            summary_mark_stale(day=day)
    return expired + no_shows
