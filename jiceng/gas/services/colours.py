"""The three-colour safety code of user sites: the gas module computes each site's facts with a
few grouped queries and hands them to the risk engine, which applies the rules (data, with
effective dates) and keeps the current colour and its history."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from jiceng.core.prepared import prepared_rows
from jiceng.gas.models import Cylinder, CylinderState, UserSite
from jiceng.gas.reference_data import SITE_SCHEME
from jiceng.inspections.models import Finding, Inspection, Severity
from jiceng.risk.evaluation import colour_evaluate
from jiceng.risk.selectors import rules_of
from jiceng.risk.services import colours_store

CHUNK = 5000  # sites per statement: three times as many parameters
TARGET_KIND = "gas_site"  # the inspections engine's target kind of a user site

Facts = dict[str, Any]


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def site_facts(*, site_ids: list[int] | None = None) -> dict[int, Facts]:
    """The facts the site rules look at, for the given sites (all sites when None):
    earliest_inspection_due, earliest_end_of_life, unregistered_cylinders (of the cylinders at
    the site), earliest_major_hazard_deadline, open_minor_hazards (of open hazards), and
    last_safety_check (a date). Hazards and checks are the inspections engine's findings and
    inspections of target kind "gas_site" (their target id is the site's id as text).

    One statement per chunk of sites, written as plain SQL: it runs for every captured event
    that moves a cylinder, where building three ORM queries cost more than running them."""
    facts: dict[int, Facts] = {}
    if site_ids is None:
        for pk in UserSite.objects.values_list("pk", flat=True).iterator(chunk_size=CHUNK):
            facts[pk] = {}
        groups: Iterable[list[int] | None] = [None]
    else:
        for pk in site_ids:
            facts[pk] = {}
        groups = _chunks(list(site_ids))
    quote = connection.ops.quote_name
    cylinders = quote(Cylinder._meta.db_table)
    hazards = quote(Finding._meta.db_table)
    checks = quote(Inspection._meta.db_table)
    to_date = _date_reader()
    to_local_date = _local_date_reader()
    no_date, no_time = "CAST(NULL AS DATE)", "CAST(NULL AS TIMESTAMP WITH TIME ZONE)"
    as_site = "CAST(target_id AS INTEGER)"
    for group in groups:
        at_site, site_params = _sites_in("location_site_id", group)
        of_site, target_params = _targets_in(group)
        # One statement, one round trip: the three groupings side by side (kind, site,
        # date, date, count, time). Table names are the models' own; values are bound.
        rows = prepared_rows(
            "SELECT 'c', location_site_id, MIN(next_inspection_due), MIN(end_of_life), "  # noqa: S608
            f"SUM(CASE WHEN registered THEN 0 ELSE 1 END), {no_time} "
            f"FROM {cylinders} WHERE state = %s AND {at_site} GROUP BY location_site_id "
            "UNION ALL "
            f"SELECT 'h', {as_site}, MIN(CASE WHEN severity = %s THEN deadline END), "
            f"{no_date}, SUM(CASE WHEN severity = %s THEN 1 ELSE 0 END), {no_time} "
            f"FROM {hazards} WHERE target_kind = %s AND status = %s AND {of_site} "
            "GROUP BY target_id "
            "UNION ALL "
            f"SELECT 's', {as_site}, {no_date}, {no_date}, 0, MAX(inspected_at) "
            f"FROM {checks} WHERE target_kind = %s AND {of_site} GROUP BY target_id",
            [
                CylinderState.AT_USER,
                *site_params,
                Severity.MAJOR,
                Severity.MINOR,
                TARGET_KIND,
                Finding.Status.OPEN,
                *target_params,
                TARGET_KIND,
                *target_params,
            ],
        )
        for kind, site_id, first, second, count, last in rows:
            site = facts.get(site_id)
            if site is None:
                continue
            if kind == "c":
                site["earliest_inspection_due"] = to_date(first)
                site["earliest_end_of_life"] = to_date(second)
                site["unregistered_cylinders"] = int(count)
            elif kind == "h":
                site["earliest_major_hazard_deadline"] = to_date(first)
                site["open_minor_hazards"] = int(count)
            else:
                site["last_safety_check"] = to_local_date(last)
    return facts


def _targets_in(group: list[int] | None) -> tuple[str, list[str]]:
    """The engine's target ids are text: the sites' ids as such."""
    if group is None:
        return "target_id IS NOT NULL", []
    return f"target_id IN ({', '.join(['%s'] * len(group))})", [str(pk) for pk in group]


def _sites_in(column: str, group: list[int] | None) -> tuple[str, list[int]]:
    if group is None:
        return f"{column} IS NOT NULL", []
    return f"{column} IN ({', '.join(['%s'] * len(group))})", group


def _date_reader() -> Callable[[Any], date | None]:
    """A date column's value as a date: PostgreSQL answers dates, SQLite the text it stores
    (an aggregate's value has no declared type to convert it by)."""
    if connection.vendor != "sqlite":
        return lambda value: value
    return lambda value: date.fromisoformat(value) if isinstance(value, str) else value


def _local_date_reader() -> Callable[[Any], date | None]:
    """A timestamp column's value as the local date; SQLite stores naive UTC text."""
    if connection.vendor != "sqlite":
        return lambda value: timezone.localdate(value) if value is not None else None

    def read(value: Any) -> date | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value).replace(tzinfo=UTC)
        return timezone.localdate(value)

    return read


def site_colours_refresh(
    *, site_ids: Iterable[int] | None = None, at: datetime | None = None, fresh: bool = False
) -> int:
    """Recompute the colours of some sites (all when None) as of `at`; store what changed.
    Answers the number of colour changes."""
    at = at or timezone.now()
    rules = rules_of(SITE_SCHEME)  # loaded by the risk app's data migration
    ids = None if site_ids is None else sorted(set(site_ids))
    if ids == []:
        return 0
    facts = site_facts(site_ids=ids)
    results = colour_evaluate(facts_by_subject=facts, rules=rules, as_of=timezone.localdate(at))
    return colours_store(scheme=SITE_SCHEME, results=results, at=at, fresh=fresh)


def site_colours_recompute_all(*, at: datetime | None = None) -> int:
    """The nightly run: every site, for the rules that depend on the date."""
    return site_colours_refresh(site_ids=None, at=at)
