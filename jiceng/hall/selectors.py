"""Reads of the service network and its queues. Every selector that takes a user applies their
region scope through jiceng.core.scope; selectors for devices (kiosk, board, phone) take the hall
their key opened."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from jiceng.cases.calendar import working_calendar
from jiceng.core.caching import ProcessCache, process_cache
from jiceng.core.models import User
from jiceng.core.region_codes import ancestor_codes
from jiceng.core.scope import get_in_scope_or_404, region_prefix_q, scope_queryset
from jiceng.hall.models import (
    CURRENT_STATUSES,
    Appointment,
    Hall,
    HallDay,
    HandlingRecord,
    ItemGroup,
    Priority,
    ServiceItem,
    ServicePoint,
    SessionPlan,
    Ticket,
    TicketStatus,
    TidalRule,
    Window,
)
from jiceng.hall.timetable import PlannedSession, Session, plan_weekday, sessions_on

ZONE = ZoneInfo(settings.TIME_ZONE)
QR_KEY_LENGTH = 20


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


# --- the catalogue and the network ----------------------------------------------------------


def items_active() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(is_active=True).select_related("group").order_by("code")


def groups_all() -> QuerySet[ItemGroup]:
    return ItemGroup.objects.all()


def points_visible_to(user: User, *, kind: str = "", item: str = "") -> QuerySet[ServicePoint]:
    qs = scope_queryset(ServicePoint.objects.filter(is_active=True), user).select_related("region")
    if kind:
        qs = qs.filter(kind=kind)
    if item:
        qs = qs.filter(items__code=item)
    return qs.order_by("region_id", "kind", "name")


def point_get_for_user(user: User, point_id: int) -> ServicePoint:
    return get_in_scope_or_404(ServicePoint.objects.select_related("region"), user, pk=point_id)


def point_handles(point_id: int, item_id: int) -> bool:
    return ServicePoint.items.through.objects.filter(
        servicepoint_id=point_id, serviceitem_id=item_id
    ).exists()


def halls_visible_to(user: User) -> QuerySet[Hall]:
    return (
        scope_queryset(Hall.objects.filter(is_active=True), user)
        .select_related("point", "point__region")
        .order_by("point__region_id", "name")
    )


def hall_get_for_user(user: User, hall_id: int) -> Hall:
    return get_in_scope_or_404(
        Hall.objects.select_related("point", "point__region"), user, pk=hall_id
    )


def window_get_for_user(user: User, window_id: int) -> Window:
    return get_in_scope_or_404(
        Window.objects.select_related("hall", "hall__point"), user, pk=window_id
    )


def ticket_get_for_user(user: User, ticket_id: int) -> Ticket:
    return get_in_scope_or_404(
        Ticket.objects.select_related("hall", "hall__point", "item", "window"), user, pk=ticket_id
    )


def windows_of(hall: Hall | int) -> list[Window]:
    hall_id = hall if isinstance(hall, int) else hall.pk
    return list(Window.objects.filter(hall_id=hall_id).order_by("number"))


def hall_groups(hall: Hall | int) -> list[str]:
    """The groups a hall queues: its windows' usual and current groups, in catalogue order."""
    found: set[str] = set()
    for window in windows_of(hall):
        found.update(window.default_groups)
        found.update(window.groups)
    hall_id = hall if isinstance(hall, int) else hall.pk
    found.update(
        TidalRule.objects.filter(hall_id=hall_id, is_active=True).values_list("group_id", flat=True)
    )
    return [g.code for g in ItemGroup.objects.all() if g.code in found]


# --- devices: kiosks, the board, the phone page ---------------------------------------------


@dataclass(frozen=True)
class HallDevice:
    """A caller authenticated by a hall's key: a kiosk or board (kiosk key) or a resident's
    phone that scanned today's QR code (QR key)."""

    hall_id: int
    via: str  # "kiosk" or "qr"


def hall_qr_key(hall: Hall, day: date) -> str:
    """Today's key for the hall's QR code: `<hall id>-<MAC of the day>`; it expires at midnight."""
    mac = hmac.new(hall.qr_secret.encode(), f"{hall.pk}:{day.isoformat()}".encode(), hashlib.sha256)
    return f"{hall.pk}-{mac.hexdigest()[:QR_KEY_LENGTH]}"


def hall_device_for_key(key: str, *, now: datetime | None = None) -> HallDevice | None:
    """The device a key opens, or None."""
    key = (key or "").strip()
    if not key or len(key) > 100:
        return None
    kiosk = Hall.objects.filter(kiosk_key=key, is_active=True).values_list("pk", flat=True).first()
    if kiosk is not None:
        return HallDevice(hall_id=kiosk, via="kiosk")
    hall_part, _sep, _mac = key.partition("-")
    if not hall_part.isdigit():
        return None
    hall = Hall.objects.filter(pk=int(hall_part), is_active=True).first()
    if hall is None:
        return None
    today = local_day(now or timezone.now())
    if hmac.compare_digest(hall_qr_key(hall, today), key):
        return HallDevice(hall_id=hall.pk, via="qr")
    return None


def ticket_key_matches(ticket: Ticket, key: str) -> bool:
    return bool(key) and hmac.compare_digest(ticket.key, key)


# --- the timetable --------------------------------------------------------------------------


def hall_plans(hall_id: int) -> list[PlannedSession]:
    return [
        PlannedSession(
            window_id=p.window_id,
            weekday=p.weekday,
            kind=p.kind,
            starts=p.starts,
            ends=p.ends,
            valid_from=p.valid_from,
            valid_until=p.valid_until,
        )
        for p in SessionPlan.objects.filter(window__hall_id=hall_id)
    ]


def hall_plan_weekday(hall_id: int, day: date) -> int | None:
    exception = (
        HallDay.objects.filter(hall_id=hall_id, date=day)
        .values_list("is_open", "plan_weekday")
        .first()
    )
    national = working_calendar().exceptions.get(day)
    return plan_weekday(day, exception=exception, national_workday=national)


SESSIONS_CACHE_SECONDS = 30.0
HALL_SESSIONS_CACHE: ProcessCache[list[Session]] = process_cache(
    "hall.sessions", seconds=SESSIONS_CACHE_SECONDS, max_entries=1000
)


def hall_sessions_on(hall_id: int, day: date) -> list[Session]:
    """The sessions of the hall's windows on a day (public holidays and days of exception
    applied); kept for half a minute per process (`HALL_SESSIONS_CACHE.forget()` after a
    change)."""
    return HALL_SESSIONS_CACHE.get(
        (hall_id, day),
        lambda: sessions_on(hall_plans(hall_id), day, hall_plan_weekday(hall_id, day), ZONE),
    )


# --- the queue --------------------------------------------------------------------------------


def waiting_tickets(hall_id: int, day: date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(hall_id=hall_id, service_day=day, status=TicketStatus.WAITING)


def ahead_of(ticket: Ticket, now: datetime) -> QuerySet[Ticket]:
    """Waiting tickets of the ticket's group that will be called before it."""
    same_group = (
        waiting_tickets(ticket.hall_id, ticket.service_day)
        .filter(group_id=ticket.group_id)
        .exclude(pk=ticket.pk)
    )
    earlier = Q(queue_at__lt=ticket.queue_at) | Q(queue_at=ticket.queue_at, pk__lt=ticket.pk)
    if ticket.priority == Priority.GREEN:
        return same_group.filter(Q(priority=Priority.GREEN) & earlier)
    due = ticket.appointment_at is not None and ticket.appointment_at <= now
    if due:
        return same_group.filter(
            Q(priority=Priority.GREEN)
            | (Q(appointment_at__lte=now) & (Q(appointment_at__lt=ticket.appointment_at) | earlier))
        )
    return same_group.filter(Q(priority=Priority.GREEN) | Q(appointment_at__lte=now) | earlier)


@dataclass(frozen=True)
class Position:
    waiting_ahead: int
    estimated_wait_minutes: int


def ticket_position(
    ticket: Ticket, *, windows: list[Window] | None = None, now: datetime | None = None
) -> Position:
    """How many wait before the ticket and a wait estimate: the standard minutes of the items
    ahead divided among the open windows serving the group (at least one)."""
    now = now or timezone.now()
    if ticket.status != TicketStatus.WAITING:
        return Position(0, 0)
    ahead = ahead_of(ticket, now).aggregate(n=Count("pk"), minutes=Sum("item__standard_minutes"))
    windows = windows if windows is not None else windows_of(ticket.hall_id)
    serving = sum(1 for w in windows if w.is_open and ticket.group_id in w.groups)
    if serving == 0:
        serving = max(1, sum(1 for w in windows if ticket.group_id in w.default_groups))
    minutes = (ahead["minutes"] or 0) / serving
    return Position(int(ahead["n"] or 0), round(minutes))


def hall_board(hall: Hall, *, now: datetime | None = None, limit: int = 12) -> dict[str, object]:
    """What the display board shows: the tickets being called or served with their windows
    (the latest call first) and the waiting count of each group."""
    now = now or timezone.now()
    day = local_day(now)
    current = (
        Ticket.objects.filter(hall_id=hall.pk, service_day=day, status__in=CURRENT_STATUSES)
        .select_related("window")
        .order_by("-called_at", "-pk")[:limit]
    )
    called = []
    for ticket in current:
        window_number = ticket.window.number if ticket.window else 0
        called.append(
            {
                "number": ticket.number,
                "window": window_number,
                "window_name": str(ticket.window) if ticket.window else "",
                "status": ticket.status,
                "called_at": ticket.called_at,
                "recalls": ticket.recalls,
                "announcement": hall.announcement.format(
                    number=ticket.number, window=window_number
                ),
            }
        )
    counts = dict(
        waiting_tickets(hall.pk, day)
        .values_list("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )
    waiting = {group: int(counts.get(group, 0)) for group in hall_groups(hall)}
    for group, n in counts.items():
        waiting.setdefault(group, int(n))
    return {"called": called, "waiting": waiting, "at": now}


# --- appointments ---------------------------------------------------------------------------


APPOINTMENT_DAYS_AHEAD = 14


def appointment_slots(hall: Hall, group: str, day: date) -> list[tuple[datetime, datetime, int]]:
    """Bookable slots of a group on a day: (start, end, places left), within the regular
    sessions of the windows that usually serve the group."""
    windows = {w.pk for w in windows_of(hall) if group in w.default_groups}
    sessions = [s for s in hall_sessions_on(hall.pk, day) if s.window_id in windows]
    step = timedelta(minutes=hall.appointment_slot_minutes)
    starts: set[datetime] = set()
    for session in sessions:
        moment = session.starts
        while moment + step <= session.ends:
            starts.add(moment)
            moment += step
    booked = dict(
        Appointment.objects.filter(hall=hall, day=day, group_id=group)
        .exclude(status=Appointment.Status.CANCELLED)
        .values_list("slot_start")
        .annotate(n=Count("pk"))
        .values_list("slot_start", "n")
    )
    return [
        (
            start,
            start + step,
            max(0, hall.appointment_capacity - int(booked.get(start.astimezone(ZONE).time(), 0))),
        )
        for start in sorted(starts)
    ]


# --- pages of the network -------------------------------------------------------------------


def point_records_recent(
    point: ServicePoint, *, limit: int = 50, days: int = 90
) -> QuerySet[HandlingRecord]:
    """The latest handling records of a point within `days` (the caller has checked scope)."""
    since = local_day(timezone.now()) - timedelta(days=days)
    return (
        HandlingRecord.objects.filter(point=point, day__gte=since)
        .select_related("item", "person", "organisation", "clerk")
        .order_by("-started_at", "-pk")[:limit]
    )


def halls_of_point(point: ServicePoint) -> list[Hall]:
    return list(Hall.objects.filter(point=point).order_by("name"))


def hall_days_of(hall: Hall, *, since: date) -> QuerySet[HallDay]:
    """A hall's days of exception from `since` on."""
    return HallDay.objects.filter(hall=hall, date__gte=since).order_by("date")


def tidal_rules_of(hall: Hall) -> QuerySet[TidalRule]:
    return TidalRule.objects.filter(hall=hall).select_related("group").order_by("group_id")


def window_sessions_of(window: Window) -> QuerySet[SessionPlan]:
    """A window's weekly plan: the sessions in force now and those that start later."""
    today = local_day(timezone.now())
    return (
        SessionPlan.objects.filter(window=window)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("weekday", "starts")
    )


def items_all() -> QuerySet[ServiceItem]:
    """The whole catalogue, items no longer offered too (for its administrators)."""
    return ServiceItem.objects.select_related("group").order_by("code")


def points_listed(
    user: User, *, kind: str = "", item: str = "", area: str = ""
) -> QuerySet[ServicePoint]:
    """Points in the user's scope, of a type, offering an item, under a region code."""
    qs = points_visible_to(user, kind=kind, item=item).defer("region__boundary")
    if area:
        qs = qs.filter(region_prefix_q(area, "region"))
    return qs.distinct()


# --- pages of the queue: kiosk, phone, console ----------------------------------------------


def hall_get_for_device(device: HallDevice) -> Hall:
    """The hall a device's key opened (a kiosk, a board, a phone that scanned the QR code)."""
    return Hall.objects.select_related("point", "point__region").get(
        pk=device.hall_id, is_active=True
    )


def hall_items(hall: Hall) -> list[ServiceItem]:
    """The items a hall's kiosk and phone page offer: those its point handles, in a group the
    hall queues; by group, high-frequency items first."""
    groups = hall_groups(hall)
    order = {code: i for i, code in enumerate(groups)}
    items = (
        ServiceItem.objects.filter(points=hall.point_id, is_active=True, group_id__in=groups)
        .select_related("group")
        .distinct()
    )
    return sorted(items, key=lambda i: (order[i.group_id], not i.high_frequency, i.code))


def ticket_get_by_key(ticket_id: int, key: str) -> Ticket | None:
    """A ticket for the resident holding its key (the phone's ticket page), else None."""
    ticket = (
        Ticket.objects.select_related("hall", "hall__point", "item", "window")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or not ticket_key_matches(ticket, key):
        return None
    return ticket


def ticket_find_by_number(hall: Hall, number: str, day: date) -> Ticket | None:
    """A hall's ticket of a day by its number (A012), as a resident types it at the kiosk."""
    number = (number or "").strip().upper()
    if not number or len(number) > 8:
        return None
    return Ticket.objects.filter(hall_id=hall.pk, service_day=day, number=number).first()


def window_current_ticket(window: Window) -> Ticket | None:
    """The ticket a window is calling or serving, if any."""
    return (
        Ticket.objects.select_related("item", "group")
        .filter(window_id=window.pk, status__in=CURRENT_STATUSES)
        .first()
    )


def point_locations(point_ids: list[int]) -> dict[int, tuple[float, float]]:
    """(lat, lon) of the points that have coordinates."""
    rows = ServicePoint.objects.filter(pk__in=point_ids).values_list("pk", "lat", "lon")
    return {pk: (lat, lon) for pk, lat, lon in rows if lat is not None and lon is not None}


def point_staff_candidates(point: ServicePoint, user: User) -> QuerySet[User]:
    """Users who may work at the point (their region holds it) and whom `user` may see."""
    codes = ancestor_codes(point.region_id)  # the point's region and those above it
    return scope_queryset(User.objects.filter(is_active=True, region_id__in=codes), user).order_by(
        "username"
    )


def items_for_kind(kind: str) -> QuerySet[ServiceItem]:
    """Active items the catalogue delegates to a type of point."""
    codes = [i.code for i in ServiceItem.objects.filter(is_active=True) if kind in i.point_kinds]
    return ServiceItem.objects.filter(code__in=codes).order_by("code")


def handling_record_exists(
    *,
    point_id: int,
    clerk_id: int,
    item_code: str,
    started_at: datetime,
    ended_at: datetime,
    person_id: int | None,
    organisation_id: int | None,
) -> bool:
    """Whether the same clerk recorded the same item, times and person at the point already
    (a form sent again, perhaps to another app process)."""
    same = HandlingRecord.objects.filter(
        point_id=point_id,
        clerk_id=clerk_id,
        item__code=item_code,
        started_at=started_at,
        ended_at=ended_at,
    )
    same = (
        same.filter(person__isnull=True) if person_id is None else same.filter(person_id=person_id)
    )
    if organisation_id is None:
        return same.filter(organisation__isnull=True).exists()
    return same.filter(organisation_id=organisation_id).exists()
