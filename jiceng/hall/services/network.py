"""The service network: points and the items delegated to them, halls with their windows,
weekly session plans, days of exception and tidal rules; handling records at any point."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import Organisation, Person, Region, Site, User
from jiceng.core.scope import code_in_scope, code_within, county_of
from jiceng.core.services.registries import person_find_by_id_number
from jiceng.hall.access import check_manager_of, may_record
from jiceng.hall.models import (
    Hall,
    HallDay,
    HandlingRecord,
    ItemGroup,
    Outcome,
    PointKind,
    ServiceItem,
    ServicePoint,
    SessionKind,
    SessionPlan,
    TidalRule,
    Window,
    new_key,
)
from jiceng.hall.selectors import HALL_SESSIONS_CACHE, ZONE, handling_record_exists, local_day
from jiceng.hall.services.summaries import summary_mark_stale

CLOCK_SKEW = timedelta(minutes=5)  # allowed between a device's clock and the server's


# --- points ----------------------------------------------------------------------------------


def _items_for_kind(kind: str, codes: Iterable[str] | None) -> list[ServiceItem]:
    items = list(ServiceItem.objects.filter(is_active=True))
    if codes is None:
        return [i for i in items if kind in i.point_kinds]
    wanted = set(codes)
    chosen = [i for i in items if i.code in wanted]
    unknown = wanted - {i.code for i in chosen}
    if unknown:
        raise ValidationError({"items": _("Unknown item: %s") % ", ".join(sorted(unknown))})
    refused = [i.code for i in chosen if kind not in i.point_kinds]
    if refused:
        raise ValidationError(
            {"items": _("Not delegated to this type of point: %s") % ", ".join(sorted(refused))}
        )
    return chosen


def point_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    kind: str,
    region_code: str,
    organisation: Organisation | None = None,
    site: Site | None = None,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    phone: str = "",
    opening_hours: str = "",
    items: Iterable[str] | None = None,
) -> ServicePoint:
    """A new service point. Without `items` it handles every active item delegated to its type
    (the catalogue's point types); coordinates default to its site's."""
    check_manager_of(actor, region_code)
    if kind not in PointKind.values:
        raise ValidationError({"kind": _("Unknown point type: %s") % kind})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    if site is not None and (lat is None or lon is None):
        lat, lon = site.lat, site.lon
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"location": _("Coordinates are out of range.")})
    chosen = _items_for_kind(kind, items)
    point = ServicePoint(
        code=code.strip(),
        name=name.strip(),
        kind=kind,
        region=region,
        organisation=organisation,
        site=site,
        lat=lat,
        lon=lon,
        address=address or (site.address if site else ""),
        phone=phone,
        opening_hours=opening_hours,
    )
    point.full_clean(exclude=["items", "staff"])
    with transaction.atomic():
        point.save()
        point.items.set(chosen)
    return point


def point_items_set(
    *, actor: User | None, point: ServicePoint, items: Iterable[str]
) -> ServicePoint:
    """Delegate exactly these items to the point (each must allow the point's type)."""
    check_manager_of(actor, point.region_id)
    chosen = _items_for_kind(point.kind, list(items))
    with transaction.atomic():
        point.items.set(chosen)
    return point


def point_staff_set(
    *, actor: User | None, point: ServicePoint, users: Iterable[User]
) -> ServicePoint:
    """The clerks who work at the point; each one's scope must cover the point."""
    check_manager_of(actor, point.region_id)
    chosen = list(users)
    for user in chosen:
        if user.region is None or not code_within(point.region_id, user.region.code):
            raise ValidationError({"staff": _("%s works outside this point's region.") % user})
    with transaction.atomic():
        point.staff.set(chosen)
    return point


# --- halls and windows --------------------------------------------------------------------


def hall_create(
    *, actor: User | None, point: ServicePoint, name: str = "", opens_before_minutes: int = 30
) -> Hall:
    check_manager_of(actor, point.region_id)
    hall = Hall(
        point=point, name=(name or point.name).strip(), opens_before_minutes=opens_before_minutes
    )
    hall.full_clean()
    hall.save()
    return hall


def hall_update(*, actor: User | None, hall: Hall, **changes: object) -> Hall:
    editable = {
        "name",
        "opens_before_minutes",
        "appointment_slot_minutes",
        "appointment_capacity",
        "announcement",
        "is_active",
    }
    check_manager_of(actor, hall.point.region_id)
    unknown = sorted(set(changes) - editable)
    if unknown:
        raise ValidationError({"fields": _("Not editable: %s") % ", ".join(unknown)})
    if "announcement" in changes:
        try:
            str(changes["announcement"]).format(number="A001", window=1)
        except (KeyError, IndexError, ValueError):
            raise ValidationError({"announcement": _("Use {number} and {window} only.")}) from None
    for field, value in changes.items():
        setattr(hall, field, value)
    hall.full_clean()
    hall.save(update_fields=list(changes))
    return hall


def hall_keys_rotate(*, actor: User | None, hall: Hall) -> Hall:
    """New kiosk key and QR secret: kiosks must be configured again, today's QR code changes."""
    check_manager_of(actor, hall.point.region_id)
    hall.kiosk_key, hall.qr_secret = new_key(), new_key()
    hall.save(update_fields=["kiosk_key", "qr_secret"])
    return hall


def _group_codes(groups: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(str(g).strip().upper() for g in groups if str(g).strip()))
    known = set(ItemGroup.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown or not codes:
        raise ValidationError(
            {
                "groups": _("Unknown group: %s") % ", ".join(unknown)
                if unknown
                else _("Give at least one group.")
            }
        )
    return codes


def window_create(
    *,
    actor: User | None,
    hall: Hall,
    number: int,
    groups: Iterable[str],
    name: str = "",
    is_tidal: bool = False,
) -> Window:
    check_manager_of(actor, hall.point.region_id)
    codes = _group_codes(groups)
    window = Window(
        hall=hall,
        number=number,
        name=name,
        default_groups=codes,
        groups=list(codes),
        is_tidal=is_tidal,
    )
    window.full_clean()
    window.save()
    return window


def window_update(
    *,
    actor: User | None,
    window: Window,
    groups: Iterable[str] | None = None,
    name: str | None = None,
    is_tidal: bool | None = None,
) -> Window:
    """Change a window's usual groups, name or tidal flag; a closed window serves its usual
    groups at once, an open one from its next sign-in."""
    check_manager_of(actor, window.hall.point.region_id)
    fields = []
    if groups is not None:
        window.default_groups = _group_codes(groups)
        fields.append("default_groups")
        if not window.is_open:
            window.groups = list(window.default_groups)
            fields.append("groups")
    if name is not None:
        window.name = name.strip()
        fields.append("name")
    if is_tidal is not None:
        window.is_tidal = is_tidal
        fields.append("is_tidal")
    window.full_clean()
    window.save(update_fields=fields)
    return window


def _time(value: time | str, field: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValidationError({field: _("Not a time (HH:MM): %s") % value}) from None


def sessions_set(
    *,
    actor: User | None,
    window: Window,
    sessions: Iterable[dict[str, object]],
    valid_from: date | None = None,
) -> list[SessionPlan]:
    """Replace the window's weekly plan from `valid_from` on: sessions end the day before, the
    new ones start that day (without `valid_from`, the whole plan is replaced). Each session is
    {"weekday": 0..6, "kind": regular|early|late|noon|saturday, "starts": "HH:MM", "ends": "HH:MM"}.
    Sessions of one window and weekday may not overlap."""
    check_manager_of(actor, window.hall.point.region_id)
    plans = []
    for spec in sessions:
        weekday = spec.get("weekday")
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValidationError({"weekday": _("A weekday is 0 (Monday) to 6 (Sunday).")})
        kind = str(spec.get("kind", SessionKind.REGULAR))
        if kind not in SessionKind.values:
            raise ValidationError({"kind": _("Unknown session kind: %s") % kind})
        starts, ends = _time(spec["starts"], "starts"), _time(spec["ends"], "ends")  # type: ignore[arg-type]
        if ends <= starts:
            raise ValidationError({"ends": _("A session ends after it starts.")})
        plans.append(
            SessionPlan(
                window=window,
                weekday=weekday,
                kind=kind,
                starts=starts,
                ends=ends,
                valid_from=valid_from,
            )
        )
    by_day: dict[int, list[SessionPlan]] = {}
    for plan in sorted(plans, key=lambda p: (p.weekday, p.starts)):
        earlier = by_day.setdefault(plan.weekday, [])
        if earlier and earlier[-1].ends > plan.starts:
            raise ValidationError({"sessions": _("Sessions overlap on weekday %d.") % plan.weekday})
        earlier.append(plan)
    with transaction.atomic():
        current = SessionPlan.objects.filter(window=window)
        if valid_from is None:
            current.delete()
        else:
            current.filter(valid_from__gte=valid_from).delete()
            current.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from)).update(
                valid_until=valid_from - timedelta(days=1)
            )
        SessionPlan.objects.bulk_create(plans)
    HALL_SESSIONS_CACHE.forget()
    return plans


def hall_day_set(
    *,
    actor: User | None,
    hall: Hall,
    day: date,
    is_open: bool,
    plan_weekday: int | None = None,
    note: str = "",
) -> HallDay:
    """A day of exception: closed (a local holiday, a training day) or open on a public holiday
    with the plan of `plan_weekday`."""
    check_manager_of(actor, hall.point.region_id)
    if plan_weekday is not None and not 0 <= plan_weekday <= 6:
        raise ValidationError({"plan_weekday": _("A weekday is 0 (Monday) to 6 (Sunday).")})
    record, _created = HallDay.objects.update_or_create(
        hall=hall,
        date=day,
        defaults={"is_open": is_open, "plan_weekday": plan_weekday, "note": note[:100]},
    )
    HALL_SESSIONS_CACHE.forget()
    return record


def tidal_rule_set(
    *, actor: User | None, hall: Hall, group: str, waiting_more_than: int, is_active: bool = True
) -> TidalRule:
    """When more than N tickets of the group wait and its windows are all busy, an open tidal
    window of the hall serves the group."""
    check_manager_of(actor, hall.point.region_id)
    code = _group_codes([group])[0]
    if waiting_more_than < 0:
        raise ValidationError({"waiting_more_than": _("Give a number of people, 0 or more.")})
    rule, _created = TidalRule.objects.update_or_create(
        hall=hall,
        group_id=code,
        defaults={"waiting_more_than": waiting_more_than, "is_active": is_active},
    )
    return rule


# --- handling records -------------------------------------------------------------------------


def handling_record_create(
    *,
    actor: User,
    point_id: int,
    item_code: str,
    started_at: datetime,
    ended_at: datetime,
    outcome: str = Outcome.DONE,
    person_id: int | None = None,
    organisation_id: int | None = None,
    note: str = "",
) -> HandlingRecord:
    """Record an item handled at a point without the hall queue (a bank outlet, a village
    station, a counter)."""
    point = ServicePoint.objects.filter(pk=point_id, is_active=True).first()
    if point is None or not code_in_scope(actor, point.region_id):
        raise ServicePoint.DoesNotExist(_("No such service point."))
    if not may_record(actor, point):
        raise PermissionDenied(_("Only the point's staff and managers record its work."))
    item = point.items.filter(code=(item_code or "").strip(), is_active=True).first()
    if item is None:
        raise ValidationError(
            {
                "item": _("%(point)s does not handle item %(item)s.")
                % {"point": point, "item": item_code}
            }
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Outcome is one of: %s.") % ", ".join(Outcome.values)})
    if timezone.is_naive(started_at) or timezone.is_naive(ended_at):
        raise ValidationError({"started_at": _("Give times with their time zone.")})
    if ended_at < started_at:
        raise ValidationError({"ended_at": _("Handling ends after it starts.")})
    if ended_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"ended_at": _("That is in the future.")})
    if (ended_at - started_at).total_seconds() > 12 * 3600:
        raise ValidationError({"ended_at": _("Handling longer than 12 hours is not one record.")})
    person = organisation = None
    if person_id is not None:
        person = Person.objects.filter(pk=person_id).first()
        if person is None or not code_within(person.region_id, county_of(point.region_id)):
            raise ValidationError({"person": _("No such resident in this county.")})
    if organisation_id is not None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None or not code_within(
            organisation.region_id, county_of(point.region_id)
        ):
            raise ValidationError({"organisation": _("No such organisation in this county.")})
    day = local_day(started_at)
    with transaction.atomic():
        record = HandlingRecord.objects.create(
            point=point,
            channel=HandlingRecord.Channel.COUNTER,
            item=item,
            person=person,
            organisation=organisation,
            day=day,
            hour=started_at.astimezone(ZONE).hour,
            started_at=started_at,
            ended_at=ended_at,
            seconds=int((ended_at - started_at).total_seconds()),
            outcome=outcome,
            clerk=actor,
            note=note.strip()[:300],
        )
        summary_mark_stale(day=day)
    return record


# --- handling records from a form -------------------------------------------------------------

RECORD_KEY_SECONDS = 24 * 3600  # how long a submitted record form's key is remembered


def handling_record_submit(
    *,
    actor: User,
    point_id: int,
    idempotency_key: str,
    item_code: str,
    started_at: datetime,
    ended_at: datetime,
    outcome: str = Outcome.DONE,
    id_number: str = "",
    credit_code: str = "",
    note: str = "",
) -> HandlingRecord | None:
    """A handling record from a person at the point's form: the resident (by ID number) or the
    enterprise (by credit code) must be registered in the point's county (a ValidationError on
    `id_number` or `credit_code` otherwise). A form sent twice (a retry, a double tap) is
    recorded once: None the second time. The key guards this process; the same record already
    stored guards the others."""
    point = ServicePoint.objects.filter(pk=point_id, is_active=True).first()
    if point is None or not code_in_scope(actor, point.region_id):
        raise ServicePoint.DoesNotExist(_("No such service point."))
    county = county_of(point.region_id)
    person_id = organisation_id = None
    if id_number:
        person = person_find_by_id_number(id_number)
        if person is None or not code_within(person.region_id, county):
            raise ValidationError(
                {
                    "id_number": _(
                        "No resident with this ID number is registered in this county. Register"
                        " them first, or leave the field empty."
                    )
                }
            )
        person_id = person.pk
    elif credit_code:
        organisation = Organisation.objects.filter(credit_code=credit_code).first()
        if organisation is None or not code_within(organisation.region_id, county):
            raise ValidationError(
                {
                    "credit_code": _(
                        "No enterprise with this credit code is registered in this county."
                    )
                }
            )
        organisation_id = organisation.pk
    key = f"hall-record:{actor.pk}:{idempotency_key}"
    if not cache.add(key, 1, RECORD_KEY_SECONDS) or handling_record_exists(
        point_id=point.pk,
        clerk_id=actor.pk,
        item_code=item_code,
        started_at=started_at,
        ended_at=ended_at,
        person_id=person_id,
        organisation_id=organisation_id,
    ):
        return None
    try:
        return handling_record_create(
            actor=actor,
            point_id=point.pk,
            item_code=item_code,
            started_at=started_at,
            ended_at=ended_at,
            outcome=outcome,
            person_id=person_id,
            organisation_id=organisation_id,
            note=note,
        )
    except BaseException:
        cache.delete(key)  # not recorded: the same form may be sent again
        raise
