"""The e-bike figures as the seed reports them (诸暨: charging places upgraded, smart lift
blockers, ground-floor spaces converted; 黄岩院桥: violations cleared), per town and month of the
user's scope, and the ports per registered e-bike by building and community.

Every count is one GROUP BY on the records' region code and month, folded into towns here with
`jiceng.core.scope.town_of`, so that a county of 11 towns costs a handful of queries whatever
its volume. The month is the local calendar month of the date that makes the record count:
- places upgraded: `ChargingPlace.upgraded_on`;
- lift blockers installed: `LiftBlocker.installed_on`;
- spaces converted: `GroundFloorSpace.converted_on`;
- violations found: failed items of the module's inspections, by the inspection's time;
- violations cleared: those findings rectified, by the time they were rectified;
- inspections: the module's inspections (buildings and shops, night patrols included);
- alerts: lift-blocker alerts, by the time of the alert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from jiceng.core.models import Region
from jiceng.core.scope import (
    region_prefix_q,
    scope_queryset,
    town_of,
    user_scope_prefix,
    village_of,
)
from jiceng.ebike.models import (
    Building,
    ChargingPlace,
    Ebike,
    EbikeState,
    GroundFloorSpace,
    LiftAlert,
    LiftBlocker,
)
from jiceng.inspections.models import Finding, Inspection

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

MODULE = "ebike"
# (key, label): the columns of the figures, in the order the page and the export show them.
METRICS: tuple[tuple[str, Any], ...] = (
    ("places_upgraded", _("Charging places upgraded")),
    ("blockers_installed", _("Lift blockers installed")),
    ("spaces_converted", _("Ground-floor spaces converted")),
    ("violations_found", _("Violations found")),
    ("violations_cleared", _("Violations cleared")),
    ("inspections", _("Inspections")),
    ("alerts", _("Lift alerts")),
)
METRIC_KEYS = tuple(key for key, _label in METRICS)


@dataclass
class Figures:
    """Counts per (town, month, metric) within [start, end), with their totals."""

    start: date
    end: date
    months: list[date]
    towns: list[tuple[str, str]]  # (code, name), in code order
    cells: dict[tuple[str, date, str], int] = field(default_factory=dict)

    def value(self, town: str, month: date, metric: str) -> int:
        return self.cells.get((town, month, metric), 0)

    def town_total(self, town: str, metric: str) -> int:
        return sum(self.value(town, m, metric) for m in self.months)

    def month_total(self, month: date, metric: str) -> int:
        return sum(self.value(t, month, metric) for t, _name in self.towns)

    def total(self, metric: str) -> int:
        return sum(self.town_total(t, metric) for t, _name in self.towns)

    def town_rows(self) -> list[dict[str, Any]]:
        """One row per town: its code, name and the year's total of each metric."""
        return [
            {"code": code, "name": name, **{k: self.town_total(code, k) for k in METRIC_KEYS}}
            for code, name in self.towns
        ]

    def month_rows(self) -> list[dict[str, Any]]:
        return [
            {"month": m, **{k: self.month_total(m, k) for k in METRIC_KEYS}} for m in self.months
        ]


def month_starts(start: date, end: date) -> list[date]:
    """The first days of the months that [start, end) touches."""
    months, current = [], date(start.year, start.month, 1)
    while current < end:
        months.append(current)
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return months


def year_window(as_of: date) -> tuple[date, date]:
    """The twelve calendar months ending with the month of `as_of`: [start, end)."""
    end = date(as_of.year + as_of.month // 12, as_of.month % 12 + 1, 1)
    return date(end.year - 1, end.month, 1), end


def _scoped(queryset: QuerySet[Any], user: User | AnonymousUser, region_path: str) -> QuerySet[Any]:
    prefix = user_scope_prefix(user)
    if prefix is None:
        return queryset.none()
    return queryset.filter(region_prefix_q(prefix, region_path))


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _fold(figures: Figures, metric: str, rows: Iterable[dict[str, Any]], known: set[str]) -> None:
    for row in rows:
        town = town_of(row["code"] or "")
        if town is None or town not in known:
            continue
        key = (town, _as_date(row["month"]), metric)
        figures.cells[key] = figures.cells.get(key, 0) + int(row["n"])


def _grouped(queryset: QuerySet[Any], code: str, when: str) -> QuerySet[Any]:
    """Counts by (month, region code) of `queryset`: `code` names the region column, `when`
    the date or time that places a record in its month."""
    return (
        queryset.annotate(month=TruncMonth(when), code=F(code))
        .values("month", "code")
        .annotate(n=Count("pk"))
        .order_by()
    )


def figures_by_town_month(user: User | AnonymousUser, *, start: date, end: date) -> Figures:
    """The figures of the towns in the user's scope (a user below town level: their own town,
    restricted to their scope) for the months of [start, end)."""
    prefix = user_scope_prefix(user)
    towns: list[tuple[str, str]] = []
    if prefix is not None:
        towns = list(
            Region.objects.filter(level="town")
            .filter(Q(region_prefix_q(prefix, "code")) | Q(code__in=_towns_above(prefix)))
            .order_by("code")
            .values_list("code", "name")
        )
    figures = Figures(start=start, end=end, months=month_starts(start, end), towns=towns)
    known = {code for code, _name in towns}
    if not known:
        return figures
    places = scope_queryset(ChargingPlace.objects.all(), user).filter(
        upgraded_on__gte=start, upgraded_on__lt=end
    )
    _fold(figures, "places_upgraded", _grouped(places, "region_id", "upgraded_on"), known)
    blockers = _scoped(LiftBlocker.objects.all(), user, "building__region").filter(
        installed_on__gte=start, installed_on__lt=end
    )
    _fold(
        figures,
        "blockers_installed",
        _grouped(blockers, "building__region_id", "installed_on"),
        known,
    )
    spaces = _scoped(GroundFloorSpace.objects.all(), user, "building__region").filter(
        converted_on__gte=start, converted_on__lt=end
    )
    _fold(
        figures,
        "spaces_converted",
        _grouped(spaces, "building__region_id", "converted_on"),
        known,
    )
    inspections = scope_queryset(Inspection.objects.filter(checklist__module=MODULE), user).filter(
        inspected_at__date__gte=start, inspected_at__date__lt=end
    )
    _fold(figures, "inspections", _grouped(inspections, "region_id", "inspected_at"), known)
    findings = _scoped(
        Finding.objects.filter(inspection__checklist__module=MODULE, ok=False),
        user,
        "inspection__region",
    )
    found = findings.filter(
        inspection__inspected_at__date__gte=start, inspection__inspected_at__date__lt=end
    )
    _fold(
        figures,
        "violations_found",
        _grouped(found, "inspection__region_id", "inspection__inspected_at"),
        known,
    )
    cleared = findings.filter(
        status=Finding.Status.RECTIFIED,
        rectified_at__date__gte=start,
        rectified_at__date__lt=end,
    )
    _fold(
        figures,
        "violations_cleared",
        _grouped(cleared, "inspection__region_id", "rectified_at"),
        known,
    )
    alerts = _scoped(LiftAlert.objects.all(), user, "building__region").filter(
        at__date__gte=start, at__date__lt=end
    )
    _fold(figures, "alerts", _grouped(alerts, "building__region_id", "at"), known)
    return figures


def _towns_above(prefix: str) -> list[str]:
    """A user whose scope lies below a town (a village or grid worker) sees their own town's
    row, restricted to their scope by every count."""
    town = town_of(prefix) if len(prefix) > 9 else None
    return [town] if town else []


# --- ports per registered e-bike ----------------------------------------------------------------


def _in_use() -> Q:
    return Q(registered=True, state=EbikeState.IN_USE)


def building_ports(building_ids: Iterable[int]) -> dict[int, int]:
    """Charging ports serving each building: its active charging places and converted
    ground-floor spaces."""
    ids = list(building_ids)
    ports: dict[int, int] = defaultdict(int)
    for row in (
        ChargingPlace.objects.filter(building_id__in=ids, is_active=True)
        .values("building_id")
        .annotate(n=Sum("ports"))
        .order_by()
    ):
        ports[row["building_id"]] += int(row["n"] or 0)
    for row in (
        GroundFloorSpace.objects.filter(building_id__in=ids)
        .values("building_id")
        .annotate(n=Sum("ports"))
        .order_by()
    ):
        ports[row["building_id"]] += int(row["n"] or 0)
    return dict(ports)


def building_ebikes(building_ids: Iterable[int]) -> dict[int, int]:
    """Registered e-bikes in use kept at each building."""
    return dict(
        Ebike.objects.filter(_in_use(), building_id__in=list(building_ids))
        .values("building_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("building_id", "n")
    )


def ports_by_community(user: User | AnonymousUser) -> list[dict[str, Any]]:
    """For each community (village) of the user's scope with buildings or charging places:
    buildings, registered e-bikes in use, the grid's live count, charging ports (charging
    places of the community, with or without a building, and converted ground floors) and
    ports per registered e-bike."""
    rows: dict[str, dict[str, Any]] = {}

    def row(code: str | None) -> dict[str, Any] | None:
        village = village_of(code or "")
        if village is None:
            return None
        return rows.setdefault(
            village, {"code": village, "buildings": 0, "ebikes": 0, "counted": 0, "ports": 0}
        )

    buildings = scope_queryset(Building.objects.all(), user)
    for entry in (
        buildings.values("region_id").annotate(n=Count("pk"), counted=Sum("counted")).order_by()
    ):
        target = row(entry["region_id"])
        if target is not None:
            target["buildings"] += entry["n"]
            target["counted"] += int(entry["counted"] or 0)
    for entry in (
        _scoped(Ebike.objects.filter(_in_use()), user, "building__region")
        .values("building__region_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        target = row(entry["building__region_id"])
        if target is not None:
            target["ebikes"] += entry["n"]
    for entry in (
        scope_queryset(ChargingPlace.objects.filter(is_active=True), user)
        .values("region_id")
        .annotate(n=Sum("ports"))
        .order_by()
    ):
        target = row(entry["region_id"])
        if target is not None:
            target["ports"] += int(entry["n"] or 0)
    for entry in (
        _scoped(GroundFloorSpace.objects.all(), user, "building__region")
        .values("building__region_id")
        .annotate(n=Sum("ports"))
        .order_by()
    ):
        target = row(entry["building__region_id"])
        if target is not None:
            target["ports"] += int(entry["n"] or 0)
    names = dict(Region.objects.filter(code__in=list(rows)).values_list("code", "name"))
    result = []
    for code in sorted(rows):
        entry = rows[code]
        entry["name"] = names.get(code, code)
        entry["ratio"] = entry["ports"] / entry["ebikes"] if entry["ebikes"] else None
        result.append(entry)
    return result
