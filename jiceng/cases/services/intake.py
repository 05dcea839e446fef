"""Intake: a new case from a grid worker, a resident, the hotline, another module or Open311,
validated whole before anything is written: its category and the answers to the category's
questions, its place (a region code or a point), its photos; numbered per county and year; the
clock towards the accept deadline started; the owning officers notified."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from jiceng.cases import photos as photo_checks
from jiceng.cases import routing
from jiceng.cases.calendar import working_calendar
from jiceng.cases.models import (
    Case,
    CaseCounter,
    CasePhoto,
    Category,
    CategoryAttribute,
    EventKind,
    IntakeKey,
    Priority,
    Source,
    Status,
)
from jiceng.cases.selectors import category_rules
from jiceng.cases.services.clock import start_clock
from jiceng.cases.services.notifications import dispatchers_of, notify
from jiceng.cases.services.timeline import MAX_DESCRIPTION, clean_text, record_event, store_photos
from jiceng.core import roles
from jiceng.core.models import Region, User
from jiceng.core.scope import code_in_scope, county_of


def check_attributes(
    attributes: Iterable[CategoryAttribute], given: dict[str, Any]
) -> dict[str, Any]:
    """Validate answers to a category's extra questions; unknown codes are refused."""
    definitions = {a.code: a for a in attributes}
    unknown = sorted(set(given) - set(definitions))
    if unknown:
        raise ValidationError({"attributes": _("Unknown attribute: %s") % ", ".join(unknown)})
    clean: dict[str, Any] = {}
    for code, definition in definitions.items():
        value = given.get(code)
        empty = value in (None, "", [])
        if empty:
            if definition.required:
                raise ValidationError({"attributes": _("Attribute %s is required.") % code})
            continue
        clean[code] = _attribute_value(definition, value)
    return clean


def _attribute_value(definition: CategoryAttribute, value: Any) -> Any:
    kind, code = definition.datatype, definition.code
    keys = {str(v.get("key")) for v in definition.values}
    if kind == CategoryAttribute.Datatype.NUMBER:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValidationError(
                {"attributes": _("Attribute %s must be a number.") % code}
            ) from None
    if kind == CategoryAttribute.Datatype.DATETIME:
        parsed = parse_datetime(str(value))
        if parsed is None:
            raise ValidationError(
                {"attributes": _("Attribute %s must be an ISO 8601 date and time.") % code}
            )
        return parsed.isoformat()
    if kind == CategoryAttribute.Datatype.SINGLEVALUELIST:
        if str(value) not in keys:
            raise ValidationError(
                {
                    "attributes": _("Attribute %(code)s has no value %(value)s.")
                    % {"code": code, "value": value}
                }
            )
        return str(value)
    if kind == CategoryAttribute.Datatype.MULTIVALUELIST:
        values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        bad = [v for v in values if v not in keys]
        if bad:
            raise ValidationError(
                {
                    "attributes": _("Attribute %(code)s has no value %(value)s.")
                    % {"code": code, "value": ", ".join(bad)}
                }
            )
        return values
    return clean_text(str(value), field="attributes", limit=1000)


def _next_number(county_code: str, year: int) -> tuple[int, str]:
    """The next number of a county's year, taken by one UPDATE ... RETURNING (SQLite 3.35+ and
    PostgreSQL): the row lock serialises concurrent intakes, and no number is given twice."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    # The table name is the model's own, never input.
    statement = f"UPDATE {table} SET last = last + 1 WHERE county_code = %s AND year = %s"  # noqa: S608
    statement += " RETURNING last"
    with connection.cursor() as cursor:
        cursor.execute(statement, [county_code, year])
        row = cursor.fetchone()
        if row is None:  # the first case of the year
            CaseCounter.objects.get_or_create(county_code=county_code, year=year)
            cursor.execute(statement, [county_code, year])
            row = cursor.fetchone()
    sequence = int(row[0])
    return sequence, f"{county_code}-{year}-{sequence:06d}"


def case_report(
    *,
    actor: User | None,
    category: Category | str,
    description: str,
    region_code: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    source: str = Source.GRID_WORKER,
    priority: str = Priority.NORMAL,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    attributes: dict[str, Any] | None = None,
    photos: list[UploadedFile] | None = None,
    media_url: str = "",
    source_ref: str = "",
    idempotency_key: str | None = None,
    at: datetime | None = None,
) -> Case:
    """Take in a new case. Everything is validated before anything is written."""
    if idempotency_key and actor is not None:
        earlier = (
            IntakeKey.objects.filter(user=actor, key=idempotency_key[:100])
            .select_related("case")
            .first()
        )
        if earlier is not None:
            return earlier.case
    if actor is not None and not roles.may_write(actor):
        raise PermissionDenied(_("Your role may not report cases."))
    rules = category_rules(category if isinstance(category, str) else category.code)
    if rules is None:
        raise ValidationError({"category": _("Unknown category: %s") % category})
    category = rules.category
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source: %s") % source})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Unknown priority: %s") % priority})
    description = clean_text(description, field="description", limit=MAX_DESCRIPTION, required=True)
    address = clean_text(address, field="address", limit=300)
    region = _locate(region_code, lat, lon)
    if actor is not None and not code_in_scope(actor, region.code):
        raise PermissionDenied(_("The place is outside your region."))
    clean_attributes = check_attributes(rules.attributes, attributes or {})
    checked_photos = photo_checks.check_photos(photos or [])
    now = at or timezone.now()
    calendar = working_calendar()
    county = routing.ancestor_code(region.code, "county") or county_of(region.code)
    owner = routing.owner_region_code(region, rules.route_levels)
    try:
        with transaction.atomic():
            sequence, number = _next_number(county, timezone.localtime(now).year)
            case = Case(
                number=number,
                year=timezone.localtime(now).year,
                sequence=sequence,
                source=source,
                category=category,
                region=region,
                owner_region_id=owner,
                lat=lat,
                lon=lon,
                address=address,
                description=description,
                attributes=clean_attributes,
                priority=priority,
                reporter=actor,
                reporter_name=clean_text(reporter_name, field="reporter_name", limit=100),
                reporter_phone=clean_text(reporter_phone, field="reporter_phone", limit=30),
                reporter_email=clean_text(reporter_email, field="reporter_email", limit=200),
                media_url=media_url[:500],
                source_ref=source_ref[:100],
                reported_at=now,
                accept_deadline=calendar.add_working_hours(now, category.accept_hours),
            )
            start_clock(case, now, case.accept_deadline)
            case.save(force_insert=True)
            event = record_event(
                case, EventKind.REPORTED, actor, now, note="", to_status=Status.REPORTED
            )
            store_photos(case, event, checked_photos, CasePhoto.Kind.BEFORE, actor)
            if idempotency_key and actor is not None:
                IntakeKey.objects.create(user=actor, key=idempotency_key[:100], case=case)
            notify(
                dispatchers_of(owner),
                case,
                "reported",
                _("New case %(number)s: %(category)s")
                % {"number": case.number, "category": category.name},
                exclude=actor,
            )
    except IntegrityError:
        if idempotency_key and actor is not None:
            earlier = IntakeKey.objects.filter(user=actor, key=idempotency_key[:100]).first()
            if earlier is not None:
                return earlier.case
        raise
    return case


def _locate(region_code: str | None, lat: float | None, lon: float | None) -> Region:
    from jiceng.core.geography import region_at_point

    if lat is not None or lon is not None:
        if lat is None or lon is None:
            raise ValidationError({"location": _("Give both latitude and longitude.")})
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError({"location": _("Coordinates are out of range.")})
    if region_code:
        region = Region.objects.filter(code=region_code.strip()).first()
        if region is None:
            raise ValidationError({"region": _("Unknown region code: %s") % region_code})
        if region.level in ("province", "city"):
            raise ValidationError({"region": _("Place the case in a county or below.")})
        return region
    if lat is None or lon is None:
        raise ValidationError({"location": _("A location is required: a region or a point.")})
    region = region_at_point(lat, lon)
    if region is None:
        raise ValidationError({"location": _("The point lies outside the county.")})
    return region
