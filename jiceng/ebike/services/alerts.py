"""Lift-blocker alerts (电梯阻车报警) and the cases they open, by rules as data (`AlertRule`): by
default the third lift-entry alert of a building within 24 hours opens one case (违规进梯) for its
property manager, and later alerts attach to that case while it is open.

The building's row is locked for the check (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions hold the write lock from BEGIN), so that concurrent alerts never open two
cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.caching import ProcessCache, process_cache
from jiceng.core.models import User
from jiceng.core.prepared import prepared_rows
from jiceng.ebike import access
from jiceng.ebike.models import AlertRule, Building, LiftAlert, LiftBlocker

if TYPE_CHECKING:
    from jiceng.cases.models import Case

# Alert rules change rarely: each process keeps them a minute.
_RULES: ProcessCache[list[AlertRule]] = process_cache("ebike.alert_rules", seconds=60.0)
FUTURE_SKEW = timedelta(minutes=5)


def _rules() -> list[AlertRule]:
    cached = _RULES.lookup("all")
    if cached is not None and cached.fresh:
        rules: list[AlertRule] = cached.value
        return rules
    rules = list(AlertRule.objects.order_by("kind", "-effective_from"))
    _RULES.put("all", rules)
    return rules


def alert_rule_for(kind: str, at: datetime) -> AlertRule | None:
    """The rule of `kind` in force on the day of `at` (the latest that started)."""
    day = timezone.localdate(at)
    for rule in _rules():
        started = rule.kind == kind and rule.effective_from <= day
        if started and (rule.effective_to is None or day < rule.effective_to):
            return rule
    return None


def alert_receive(
    *,
    kind: str,
    building: int | Building,
    lift: str,
    at: datetime,
    device: LiftBlocker | None = None,
    actor: User | None = None,
) -> LiftAlert:
    """Store an alert of a building's lift and apply its rule: the alert opens a case, attaches
    to the building's open case of that rule, or stays alone. ValidationError names the field
    (unknown kind or building, a lift name too long, a time in the future); a device may report
    only for its own building, a user only for a building they manage."""
    if kind not in LiftAlert.Kind.values:
        raise ValidationError({"kind": _("Unknown alert kind: %s") % kind})
    lift = (lift or "").strip()
    if not lift or len(lift) > 40 or "\x00" in lift:
        raise ValidationError({"lift": _("Name the lift (at most 40 characters).")})
    if timezone.is_naive(at):
        raise ValidationError({"at": _("Give the time with its offset.")})
    if at > timezone.now() + FUTURE_SKEW:
        raise ValidationError({"at": _("Not in the future.")})
    building_id = building.pk if isinstance(building, Building) else building
    if device is not None:
        if device.revoked_at is not None:
            raise PermissionDenied(_("The device is revoked."))
        if device.building_id != building_id:
            raise ValidationError({"building": _("The device belongs to another building.")})
    with transaction.atomic():
        found = _building_locked(building_id)
        if found is None:
            raise ValidationError({"building": _("Unknown building: %s") % building_id})
        if device is None and (actor is None or not access.may_manage_building(actor, found)):
            raise PermissionDenied(
                _(
                    "Only the building's lift blockers, property manager and administrators "
                    "report its alerts."
                )
            )
        rule = alert_rule_for(kind, at)
        case_id: int | None = None
        opened = None
        if rule is not None:
            case_id = _open_case_of(found.pk, kind)
            if case_id is None:
                since = at - timedelta(hours=rule.window_hours)
                earlier = _alerts_without_case(found.pk, kind, since)
                if earlier + 1 >= rule.count:
                    opened = _case_open(found, rule, at, earlier + 1)
                    case_id = opened.pk
        alert = LiftAlert(
            building=found,
            kind=kind,
            lift=lift,
            at=at,
            device=device,
            reported_by=actor if device is None else None,
            case_id=case_id,
        )
        if opened is not None:
            alert.case = opened
        alert.received_at = timezone.now()
        alert.pk = _alert_insert(alert)
        if opened is not None and rule is not None:
            since = at - timedelta(hours=rule.window_hours)
            LiftAlert.objects.filter(
                building_id=found.pk, kind=kind, at__gt=since, case__isnull=True
            ).update(case=opened)
            from jiceng.ebike.services.colours import building_colours_refresh

            building_colours_refresh(building_ids=[found.pk])
    return alert


# The statements of every alert, written as plain SQL (the ORM's compilation of three queries
# cost more than running them; see bench/ebike_alerts.py). Table and column names are the
# models' own, never input.


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _building_locked(building_id: int) -> Building | None:
    """The building's row, locked for the rule check (PostgreSQL: FOR UPDATE; SQLite holds its
    write lock from BEGIN IMMEDIATE)."""
    if not isinstance(building_id, int) or building_id < 1 or building_id > 2**62:
        return None
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = prepared_rows(
        "SELECT id, name, region_id, property_manager_id, lat, lon, address "  # noqa: S608
        f"FROM {_quote(Building._meta.db_table)} WHERE id = %s{lock}",
        [building_id],
    )
    if not rows:
        return None
    pk, name, region_id, manager_id, lat, lon, address = rows[0]
    return Building(
        pk=pk,
        name=name,
        region_id=region_id,
        property_manager_id=manager_id,
        lat=lat,
        lon=lon,
        address=address,
    )


def _open_case_of(building_id: int, kind: str) -> int | None:
    from jiceng.cases.models import Case

    alerts, cases = _quote(LiftAlert._meta.db_table), _quote(Case._meta.db_table)
    rows = prepared_rows(
        f"SELECT a.case_id FROM {alerts} a JOIN {cases} c ON c.id = a.case_id "  # noqa: S608
        "WHERE a.building_id = %s AND a.kind = %s AND c.is_open "
        "ORDER BY a.id DESC LIMIT 1",
        [building_id, kind],
    )
    return int(rows[0][0]) if rows else None


def _alerts_without_case(building_id: int, kind: str, since: datetime) -> int:
    """The building's alerts of `kind` after `since` that no case holds. Those stamped later
    than the new alert count too: alerts reach the lock out of order (a device's clock, two
    requests at once), and one received first must not be left out of the case."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = prepared_rows(
        f"SELECT COUNT(*) FROM {_quote(LiftAlert._meta.db_table)} "  # noqa: S608
        "WHERE building_id = %s AND kind = %s AND at > %s AND case_id IS NULL",
        [building_id, kind, adapt(since)],
    )
    return int(rows[0][0])


def _alert_insert(alert: LiftAlert) -> int:
    adapt = connection.ops.adapt_datetimefield_value
    rows = prepared_rows(
        f"INSERT INTO {_quote(LiftAlert._meta.db_table)} "  # noqa: S608
        "(building_id, kind, lift, at, device_id, reported_by_id, case_id, received_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        [
            alert.building_id,
            alert.kind,
            alert.lift,
            adapt(alert.at),
            alert.device_id,
            alert.reported_by_id,
            alert.case_id,
            adapt(alert.received_at),
        ],
    )
    return int(rows[0][0])


def _case_open(building: Building, rule: AlertRule, at: datetime, count: int) -> Case:
    """The case of a building's alerts, reported by the module and told at once to the
    building's property manager (who handles it; the town's property management office owns
    it in the case loop)."""
    from jiceng.cases.models import Source
    from jiceng.cases.services.intake import case_report
    from jiceng.cases.services.notifications import notify

    description = _(
        "%(building)s: %(count)d e-bike lift-entry alerts within %(hours)d hours "
        "(the latest at %(at)s)."
    ) % {
        "building": building.name,
        "count": count,
        "hours": rule.window_hours,
        "at": f"{timezone.localtime(at):%Y-%m-%d %H:%M}",
    }
    case = case_report(
        actor=None,
        category=rule.case_category,
        description=description,
        region_code=building.region_id,
        lat=building.lat,
        lon=building.lon,
        address=building.address,
        source=Source.MODULE,
        source_ref=f"ebike-building:{building.pk}",
    )
    if building.property_manager_id is not None:
        notify(
            [building.property_manager_id],
            case,
            "reported",
            _("New case %(number)s: %(category)s")
            % {"number": case.number, "category": case.category.name},
        )
    return case
