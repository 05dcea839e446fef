"""What cylinder events mean for the registries, applied inside the ledger's capture
transaction (registered in GasConfig.ready()).

For the events of one captured document, set-based (a handful of queries, whatever the number
of events): refuse the whole document when it names a site or station this county does not know;
create cylinders seen but never registered (and flag them); move cylinders through their states
in event-time order; flag a cylinder delivered to a site while it is still at another one (it is
not moved); flag a filling that the fill check refuses and open an "illegal filling" case; and
recompute the colours of the sites whose cylinders changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.prepared import prepared_rows, prepared_run
from jiceng.core.scope import county_of
from jiceng.gas.lifecycle import next_inspection_due
from jiceng.gas.models import (
    CYLINDER_URN,
    SITE_URN,
    STATION_URN,
    Cylinder,
    CylinderFlag,
    CylinderState,
    Station,
    UserSite,
)
from jiceng.gas.selectors import cylinder_fill_check, site_id_of, station_code_of
from jiceng.gas.services.colours import site_colours_refresh

if TYPE_CHECKING:
    from jiceng.ledger.hooks import CapturedEvent

CBV_STEP = "https://ref.gs1.org/cbv/BizStep-"
CBV_DISP = "https://ref.gs1.org/cbv/Disp-"
STEP_FILLING = "urn:jiceng:bizstep:filling"
STEP_DELIVERING = "urn:jiceng:bizstep:delivering"
STEP_COLLECTING = "urn:jiceng:bizstep:collecting"
ILLEGAL_FILLING_CATEGORY = "gas_illegal_filling"

FIELDS = [
    "state",
    "location_station",
    "location_site",
    "last_event_at",
    "last_filled_at",
    "last_inspected_on",
    "next_inspection_due",
]


def _step(uri: str) -> str:
    """The short name of a business step: CBV steps without their prefix, ours as they are."""
    if uri.startswith(CBV_STEP):
        return uri.removeprefix(CBV_STEP)
    if uri.startswith("urn:jiceng:bizstep:"):
        return uri.removeprefix("urn:jiceng:bizstep:")
    return uri


def _disposition(uri: str) -> str:
    return uri.removeprefix(CBV_DISP)


def _ours(uri: str | None) -> bool:
    return bool(uri) and (uri or "").startswith((SITE_URN, STATION_URN))


@dataclass
class _Locations:
    sites: dict[int, UserSite] = field(default_factory=dict)
    stations: dict[str, Station] = field(default_factory=dict)


def _locations(events: list[CapturedEvent]) -> _Locations:
    """The sites and stations the events name; a document naming one we do not know is
    refused whole."""
    from jiceng.ledger.hooks import CaptureRefused

    site_ids, codes, errors = set(), set(), []
    for event in events:
        for uri in (event.biz_location, event.read_point):
            if not uri:
                continue
            if uri.startswith(SITE_URN):
                site_id = site_id_of(uri)
                if site_id is None:
                    errors.append(_("Unknown location %s") % uri)
                else:
                    site_ids.add(site_id)
            elif uri.startswith(STATION_URN):
                codes.add(station_code_of(uri) or "")
    found = _Locations()
    if site_ids:
        found.sites = {pk: UserSite(pk=pk) for pk in _sites_known(site_ids)}
    if codes:
        found.stations = {s.code: s for s in Station.objects.filter(code__in=codes).order_by()}
    errors += [
        _("Unknown location %s%s") % (SITE_URN, i) for i in sorted(site_ids - set(found.sites))
    ]
    errors += [
        _("Unknown location %s%s") % (STATION_URN, c) for c in sorted(codes - set(found.stations))
    ]
    if errors:
        raise CaptureRefused(sorted(set(errors)))
    return found


def _cylinders_locked(identifiers: set[str]) -> list[Cylinder]:
    """The registered cylinders among these identifiers, locked for the capture (PostgreSQL:
    two documents moving one cylinder apply in turn). Plain prepared statements, like the
    others that run for every captured event."""
    fields = Cylinder._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(Cylinder._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    names = [f.attname for f in fields]
    ordered, found = sorted(identifiers), []
    for start in range(0, len(ordered), 5000):
        chunk = ordered[start : start + 5000]
        rows = prepared_rows(
            f"SELECT {columns} FROM {table} "  # noqa: S608 - the model's table and columns
            f"WHERE identifier IN ({', '.join(['%s'] * len(chunk))}) ORDER BY id{lock}",
            chunk,
        )
        found += [Cylinder.from_db(connection.alias, names, _converted(row)) for row in rows]
    return found


def _converted(row: tuple[Any, ...]) -> list[Any]:
    """A cylinder row's values as the model holds them (SQLite answers dates as text), through
    the converters the ORM would apply."""
    values = list(row)
    if connection.vendor == "sqlite":
        table = Cylinder._meta.db_table
        for index, field in enumerate(Cylinder._meta.concrete_fields):
            column = field.get_col(table)
            for converter in (
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ):
                values[index] = converter(values[index], column, connection)
    return values


def _sites_known(site_ids: set[int]) -> list[int]:
    """Which of these user sites exist. A plain statement: every delivery names a site, and
    the handler needs only the ids (its site objects carry nothing but the primary key)."""
    table = connection.ops.quote_name(UserSite._meta.db_table)
    column = connection.ops.quote_name(UserSite._meta.pk.column)
    ids, known = sorted(site_ids), []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        known += [
            row[0]
            for row in prepared_rows(
                f"SELECT {column} FROM {table} "  # noqa: S608
                f"WHERE {column} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
        ]
    return known


def _station_of(event: CapturedEvent, where: _Locations) -> Station | None:
    for uri in (event.biz_location, event.read_point):
        code = station_code_of(uri or "")
        if code is not None:
            return where.stations[code]
    return None


def _site_of(event: CapturedEvent, where: _Locations) -> UserSite | None:
    site_id = site_id_of(event.biz_location or "")
    return where.sites.get(site_id) if site_id is not None else None


@dataclass
class _Outcome:
    changed: dict[int, Cylinder] = field(default_factory=dict)
    sites: set[int] = field(default_factory=set)
    flags: list[CylinderFlag] = field(default_factory=list)
    flagged_events: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    illegal_fills: dict[int, list[tuple[Cylinder, CapturedEvent, list[str]]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def cylinder_events_apply(events: list[CapturedEvent]) -> None:
    """The capture handler (see the module docstring)."""
    if not events:
        return
    where = _locations(events)
    epcs = {e for event in events for e in (*event.epcs, *event.child_epcs)}
    # Locked for the capture (PostgreSQL): two documents moving one cylinder apply in turn.
    cylinders = {c.identifier: c for c in _cylinders_locked(epcs)}
    ours = {e.pk for e in events if _ours(e.biz_location) or _ours(e.read_point)}
    # A cylinder URI never registered, or any object at one of our places, is a cylinder we
    # must keep track of: it is recorded as unregistered.
    unknown = {
        epc
        for event in events
        for epc in event.epcs
        if epc not in cylinders
        and (
            epc.startswith(CYLINDER_URN)
            or (event.pk in ours and epc.startswith("urn:epc:id:grai:"))
        )
    }
    outcome = _Outcome()
    if unknown:
        now = timezone.now()
        Cylinder.objects.bulk_create(
            [
                Cylinder(identifier=epc, registered=False, state=CylinderState.IN_STOCK)
                for epc in unknown
            ]
        )
        for cylinder in Cylinder.objects.filter(identifier__in=unknown):
            cylinders[cylinder.identifier] = cylinder
            first = next(e for e in events if cylinder.identifier in e.epcs)
            outcome.flags.append(
                CylinderFlag(
                    cylinder=cylinder,
                    kind=CylinderFlag.Kind.UNREGISTERED,
                    event_id=first.event_id,
                    reasons=[_("The cylinder is not registered.")],
                    at=first.event_time or now,
                )
            )
            outcome.flagged_events[_("Unregistered cylinder")].append(first.pk)
    for event in sorted(events, key=lambda e: (e.event_time, e.pk)):
        for epc in event.epcs:
            found = cylinders.get(epc)
            if found is not None:
                _apply(event, found, where, outcome)
    if outcome.changed:
        _cylinders_save(list(outcome.changed.values()))
    _flag(outcome)
    if outcome.sites:
        site_colours_refresh(site_ids=outcome.sites)


def _apply(event: CapturedEvent, cylinder: Cylinder, where: _Locations, outcome: _Outcome) -> None:
    step = _step(event.biz_step or "")
    station = _station_of(event, where)
    site = _site_of(event, where)
    if step == "filling":
        check = cylinder_fill_check(
            cylinder=cylinder, station=station, on=timezone.localdate(event.event_time)
        )
        if not check.allowed:
            reasons = check.reasons
            outcome.flags.append(
                CylinderFlag(
                    cylinder=cylinder,
                    kind=CylinderFlag.Kind.ILLEGAL_FILLING,
                    event_id=event.event_id,
                    reasons=reasons,
                    station=station,
                    at=event.event_time,
                )
            )
            outcome.flagged_events[
                _("Filled against the fill check: %s") % " ".join(reasons)
            ].append(event.pk)
            outcome.illegal_fills[station.pk if station else 0].append((cylinder, event, reasons))
    if cylinder.last_event_at is not None and event.event_time < cylinder.last_event_at:
        return  # a late event: kept in the ledger, but the cylinder has moved on since
    before_site = cylinder.location_site_id
    if (
        step == "delivering"
        and site is not None
        and cylinder.state == CylinderState.AT_USER
        and before_site is not None
        and before_site != site.pk
    ):
        reason = _("Seen at two sites at once: %(a)s and %(b)s") % {
            "a": f"{SITE_URN}{before_site}",
            "b": site.identifier,
        }
        outcome.flags.append(
            CylinderFlag(
                cylinder=cylinder,
                kind=CylinderFlag.Kind.TWO_SITES,
                event_id=event.event_id,
                reasons=[reason],
                site=site,
                at=event.event_time,
            )
        )
        outcome.flagged_events[_("Cylinder seen at two sites at once")].append(event.pk)
        return
    changed = _transition(step, event, cylinder, station, site)
    cylinder.last_event_at = event.event_time
    outcome.changed[cylinder.pk] = cylinder
    if changed:
        for site_id in (before_site, cylinder.location_site_id):
            if site_id is not None:
                outcome.sites.add(site_id)


def _cylinders_save(cylinders: list[Cylinder]) -> None:
    """Write the moved cylinders' FIELDS: one prepared UPDATE per cylinder, sent together
    (`bulk_update` builds a CASE expression per field, which costs more than the writes)."""
    fields = [f for f in Cylinder._meta.concrete_fields if f.name in FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    rows = [
        [*(f.get_db_prep_save(getattr(c, f.attname), connection) for f in fields), c.pk]
        for c in sorted(cylinders, key=lambda c: c.pk)
    ]
    prepared_run(
        f"UPDATE {quote(Cylinder._meta.db_table)} SET {assignments} WHERE id = %s",  # noqa: S608
        rows,
    )


def _transition(
    step: str,
    event: CapturedEvent,
    cylinder: Cylinder,
    station: Station | None,
    site: UserSite | None,
) -> bool:
    """Move the cylinder to its state after the event; answer whether a site is concerned."""
    if step == "commissioning":
        cylinder.state = CylinderState.IN_STOCK
        _at_station(cylinder, station)
    elif step == "filling":
        cylinder.state, cylinder.last_filled_at = CylinderState.FILLED, event.event_time
        _at_station(cylinder, station)
    elif step in ("shipping", "receiving", "loading", "unloading", "storing"):
        if station is not None:
            _at_station(cylinder, station)
    elif step == "delivering" and site is not None:
        cylinder.state = CylinderState.AT_USER
        cylinder.location_site, cylinder.location_station = site, None
        return True
    elif step == "collecting":
        was_at_site = cylinder.location_site_id is not None
        cylinder.state = CylinderState.EMPTY_RETURNED
        cylinder.location_site = None
        if station is not None:
            cylinder.location_station = station
        return was_at_site
    elif step == "inspecting":
        disposition = _disposition(event.disposition or "")
        if disposition == "conformant":
            day = timezone.localdate(event.event_time)
            cylinder.last_inspected_on = day
            cylinder.next_inspection_due = next_inspection_due(
                last_inspected_on=day,
                manufactured_on=cylinder.manufactured_on,
                interval_years=cylinder.inspection_interval_years,
            )
            cylinder.state = CylinderState.IN_STOCK
        else:
            cylinder.state = CylinderState.IN_INSPECTION
        _at_station(cylinder, station)
    elif step == "decommissioning":
        was_at_site = cylinder.location_site_id is not None
        cylinder.state, cylinder.location_site = CylinderState.SCRAPPED, None
        return was_at_site
    return False


def _at_station(cylinder: Cylinder, station: Station | None) -> None:
    if station is not None:
        cylinder.location_station = station
    cylinder.location_site = None


def _flag(outcome: _Outcome) -> None:
    from jiceng.ledger.services import events_flag

    for reason, pks in outcome.flagged_events.items():
        events_flag(event_pks=sorted(set(pks)), reason=reason)
    cases = _illegal_filling_cases(outcome.illegal_fills)
    for flag in outcome.flags:
        if flag.kind == CylinderFlag.Kind.ILLEGAL_FILLING:
            flag.case = cases.get(flag.station_id or 0)
    CylinderFlag.objects.bulk_create(outcome.flags)


def _illegal_filling_cases(
    fills: dict[int, list[tuple[Cylinder, CapturedEvent, list[str]]]],
) -> dict[int, Any]:
    """One case per station and document, listing every cylinder filled against the check."""
    from jiceng.cases.models import Source
    from jiceng.cases.services.intake import case_report

    opened: dict[int, Any] = {}
    if not fills:
        return opened
    stations = Station.objects.in_bulk([pk for pk in fills if pk])
    for station_pk, items in fills.items():
        station = stations.get(station_pk)
        lines = [
            f"{cylinder.identifier} @ {timezone.localtime(event.event_time):%Y-%m-%d %H:%M}: "
            + "；".join(reasons)
            for cylinder, event, reasons in items[:50]
        ]
        if len(items) > 50:
            lines.append(_("… and %d more") % (len(items) - 50))
        header = _("%(station)s filled %(n)d cylinder(s) that the fill check refuses.") % {
            "station": station.name if station else _("An unknown station"),
            "n": len(items),
        }
        region_code = station.region_id if station else _county_of(items)
        opened[station_pk] = case_report(
            actor=None,
            category=ILLEGAL_FILLING_CATEGORY,
            description="\n".join([header, *lines]),
            region_code=region_code,
            address=station.address if station else "",
            source=Source.MODULE,
            source_ref=f"gas-fill:{items[0][1].event_id}"[:100],
        )
    return opened


def _county_of(items: list[tuple[Cylinder, CapturedEvent, list[str]]]) -> str:
    for cylinder, _event, _reasons in items:
        if cylinder.owner_id:
            return county_of(str(Station.objects.get(pk=cylinder.owner_id).region_id))
    station = Station.objects.filter(kind=Station.Kind.FILLING).first()
    return county_of(station.region_id) if station else ""
