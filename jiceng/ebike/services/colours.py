"""The colour of residential buildings for e-bike fire safety: the module computes each
building's facts with a few grouped queries and hands them to the risk engine (scheme
"ebike-building"), which applies the rules (data, with effective dates) and keeps the current
colour, its reasons and the history of its changes.

Facts: earliest_major_deadline (of open major findings), recent_charging_findings (open findings
of the charging items found within the window), open_findings, open_alert_cases and
oldest_open_alert_case (the day the oldest open alert case was reported), port_shortfall
(registered e-bikes in use beyond what the ports cover at `bikes_per_port`), last_inspected
(a day). The windows, item codes and ratio are parameters of the rules in force."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from jiceng.ebike.models import (
    Building,
    ChargingPlace,
    Ebike,
    EbikeState,
    GroundFloorSpace,
    LiftAlert,
)
from jiceng.ebike.reference_data import BUILDING_SCHEME
from jiceng.risk.evaluation import RuleSpec, colour_evaluate
from jiceng.risk.selectors import rules_of
from jiceng.risk.services import colours_store

CHUNK = 5000
TARGET_KIND = "building"
# Bikes that count as kept at a building (registered and not gone).
KEPT = (EbikeState.IN_USE, EbikeState.IN_STOCK)

Facts = dict[str, Any]


def _param(rules: list[RuleSpec], fact: str, name: str, default: Any, on: date) -> Any:
    for rule in rules:
        if rule.params.get("fact") == fact and rule.in_force(on) and name in rule.params:
            return rule.params[name]
    return default


def _chunks(ids: list[int] | None) -> Iterable[list[int] | None]:
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _local_day(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


def building_facts(
    *, building_ids: list[int] | None = None, at: datetime | None = None
) -> dict[int, Facts]:
    """The facts of the given buildings (all when None) as of `at`."""
    from jiceng.inspections.models import Finding, Inspection

    at = at or timezone.now()
    on = timezone.localdate(at)
    rules = rules_of(BUILDING_SCHEME)
    window = int(_param(rules, "recent_charging_findings", "window_days", 90, on))
    items = list(_param(rules, "recent_charging_findings", "items", [], on))
    per_port = int(_param(rules, "port_shortfall", "bikes_per_port", 10, on))
    facts: dict[int, Facts] = {}
    if building_ids is None:
        for pk in Building.objects.values_list("pk", flat=True).iterator(chunk_size=CHUNK):
            facts[pk] = {}
    else:
        for pk in building_ids:
            facts[pk] = {}
    for group in _chunks(building_ids):
        by_building: dict[str, Any] = {} if group is None else {"building_id__in": group}
        targets: dict[str, Any] = {"target_kind": TARGET_KIND}
        if group is not None:
            targets["target_id__in"] = [str(pk) for pk in group]
        open_findings = Finding.objects.filter(ok=False, status="open", **targets)
        for row in open_findings.values("target_id").annotate(
            n=Count("id"), major=Min("deadline", filter=_major())
        ):
            fact = facts.get(int(row["target_id"]))
            if fact is not None:
                fact["open_findings"] = row["n"]
                fact["earliest_major_deadline"] = row["major"]
        if items:
            recent = open_findings.filter(
                item__code__in=items, inspection__inspected_at__gte=at - timedelta(days=window)
            )
            for row in recent.values("target_id").annotate(n=Count("id")):
                fact = facts.get(int(row["target_id"]))
                if fact is not None:
                    fact["recent_charging_findings"] = row["n"]
        for row in (
            Inspection.objects.filter(**targets)
            .values("target_id")
            .annotate(last=Max("inspected_at"))
        ):
            fact = facts.get(int(row["target_id"]))
            if fact is not None:
                fact["last_inspected"] = _local_day(row["last"])
        for row in (
            LiftAlert.objects.filter(case__is_open=True, **by_building)
            .values("building_id")
            .annotate(n=Count("case_id", distinct=True), oldest=Min("case__reported_at"))
        ):
            fact = facts.get(row["building_id"])
            if fact is not None:
                fact["open_alert_cases"] = row["n"]
                fact["oldest_open_alert_case"] = _local_day(row["oldest"])
        bikes = {
            row["building_id"]: row["n"]
            for row in Ebike.objects.filter(registered=True, state__in=KEPT, **by_building)
            .values("building_id")
            .annotate(n=Count("id"))
        }
        ports: dict[int, int] = {}
        for model in (ChargingPlace, GroundFloorSpace):
            extra = {"is_active": True} if model is ChargingPlace else {}
            where = by_building if group is not None else {"building_id__isnull": False}
            for row in (
                model.objects.filter(**where, **extra)
                .values("building_id")
                .annotate(n=Sum("ports"))
            ):
                ports[row["building_id"]] = ports.get(row["building_id"], 0) + (row["n"] or 0)
        for building_id, count in bikes.items():
            fact = facts.get(building_id)
            if fact is not None:
                shortfall = count - ports.get(building_id, 0) * per_port
                fact["ebikes"] = count
                fact["port_shortfall"] = max(shortfall, 0)
    return facts


def _major() -> Any:
    from django.db.models import Q

    return Q(severity="major")


def building_colours_refresh(
    *, building_ids: Iterable[int] | None = None, at: datetime | None = None, fresh: bool = False
) -> int:
    """Recompute the colours of some buildings (all when None) as of `at`; store what changed.
    Answers the number of colour changes."""
    at = at or timezone.now()
    rules = rules_of(BUILDING_SCHEME)
    ids = None if building_ids is None else sorted(set(building_ids))
    if ids == []:
        return 0
    facts = building_facts(building_ids=ids, at=at)
    results = colour_evaluate(facts_by_subject=facts, rules=rules, as_of=timezone.localdate(at))
    return colours_store(scheme=BUILDING_SCHEME, results=results, at=at, fresh=fresh)


def building_colours_recompute_all(*, at: datetime | None = None) -> int:
    """The nightly run: every building, for the rules that depend on the date."""
    return building_colours_refresh(building_ids=None, at=at)


def building_targets_changed(target_ids: list[str], at: datetime) -> None:
    """The inspections engine's `changed` hook for buildings."""
    ids = [int(t) for t in target_ids if str(t).isdigit()]
    if ids:
        building_colours_refresh(building_ids=ids, at=at)
