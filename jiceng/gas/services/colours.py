"""The three-colour safety code of user sites: the gas module computes each site's facts with a
few grouped queries and hands them to the risk engine, which applies the rules (data, with
effective dates) and keeps the current colour and its history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from jiceng.gas.models import Cylinder, CylinderState, Hazard, SafetyCheck, UserSite
from jiceng.gas.reference_data import SITE_SCHEME, site_rules_ensure
from jiceng.risk.evaluation import colour_evaluate
from jiceng.risk.selectors import rules_of
from jiceng.risk.services import colours_store

CHUNK = 5000

Facts = dict[str, Any]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def site_facts(*, site_ids: list[int] | None = None) -> dict[int, Facts]:
    """The facts the site rules look at, for the given sites (all sites when None):
    earliest_inspection_due, earliest_end_of_life, unregistered_cylinders (of the cylinders at
    the site), earliest_major_hazard_deadline, open_minor_hazards (of open hazards), and
    last_safety_check (a date)."""
    facts: dict[int, Facts] = {}
    if site_ids is None:
        for pk in UserSite.objects.values_list("pk", flat=True).iterator(chunk_size=CHUNK):
            facts[pk] = {}
        groups: Iterable[list[int] | None] = [None]
    else:
        for pk in site_ids:
            facts[pk] = {}
        groups = _chunks(list(site_ids))
    for group in groups:
        cylinders = Cylinder.objects.filter(state=CylinderState.AT_USER)
        hazards = Hazard.objects.filter(status=Hazard.Status.OPEN)
        checks = SafetyCheck.objects.all()
        if group is None:
            cylinders = cylinders.filter(location_site__isnull=False)
        else:
            cylinders = cylinders.filter(location_site_id__in=group)
            hazards = hazards.filter(site_id__in=group)
            checks = checks.filter(site_id__in=group)
        for row in (
            cylinders.values("location_site_id")
            .annotate(
                due=Min("next_inspection_due"),
                life=Min("end_of_life"),
                unregistered=Count("pk", filter=Q(registered=False)),
            )
            .order_by()
        ):
            site = facts.get(row["location_site_id"])
            if site is not None:
                site["earliest_inspection_due"] = row["due"]
                site["earliest_end_of_life"] = row["life"]
                site["unregistered_cylinders"] = row["unregistered"]
        for row in (
            hazards.values("site_id")
            .annotate(
                major=Min("deadline", filter=Q(grade=Hazard.Grade.MAJOR)),
                minor=Count("pk", filter=Q(grade=Hazard.Grade.MINOR)),
            )
            .order_by()
        ):
            site = facts.get(row["site_id"])
            if site is not None:
                site["earliest_major_hazard_deadline"] = row["major"]
                site["open_minor_hazards"] = row["minor"]
        for row in checks.values("site_id").annotate(last=Max("checked_at")).order_by():
            site = facts.get(row["site_id"])
            if site is not None:
                site["last_safety_check"] = _local_date(row["last"])
    return facts


def _local_date(value: datetime | None) -> date | None:
    return timezone.localdate(value) if value is not None else None


def site_colours_refresh(
    *, site_ids: Iterable[int] | None = None, at: datetime | None = None, fresh: bool = False
) -> int:
    """Recompute the colours of some sites (all when None) as of `at`; store what changed.
    Answers the number of colour changes."""
    at = at or timezone.now()
    rules = rules_of(SITE_SCHEME)
    if not rules:  # a new database: the rules come from the reference data
        site_rules_ensure()
        rules = rules_of(SITE_SCHEME)
    ids = None if site_ids is None else sorted(set(site_ids))
    if ids == []:
        return 0
    facts = site_facts(site_ids=ids)
    results = colour_evaluate(facts_by_subject=facts, rules=rules, as_of=timezone.localdate(at))
    return colours_store(scheme=SITE_SCHEME, results=results, at=at, fresh=fresh)


def site_colours_recompute_all(*, at: datetime | None = None) -> int:
    """The nightly run: every site, for the rules that depend on the date."""
    return site_colours_refresh(site_ids=None, at=at)
