"""Reads on cases. Every selector that takes a user applies their region scope."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import Substr, TruncMonth
from django.http import Http404
from django.utils import timezone

from jiceng.cases import routing
from jiceng.cases.access import is_dispatcher
from jiceng.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    CategoryAttribute,
    Department,
    IntakeKey,
    Notification,
    Outcome,
)
from jiceng.core import region_codes
from jiceng.core.caching import ProcessCache, process_cache
from jiceng.core.models import Region, Role, User
from jiceng.core.roles import roles_of
from jiceng.core.scope import (
    get_in_scope_or_404,
    region_prefix_q,
    scope_queryset,
    user_scope_prefix,
)


def colour_at(due: datetime | None, yellow: datetime | None, now: datetime) -> str:
    """green / yellow (80 % of the time used) / red (overdue); "none" when no clock runs."""
    if due is None or yellow is None:
        return "none"
    if now >= due:
        return "red"
    return "yellow" if now >= yellow else "green"


def deadline_colour(case: Case, *, now: datetime | None = None) -> str:
    return colour_at(case.clock_due_at, case.clock_yellow_at, now or timezone.now())


@dataclass(frozen=True)
class CategoryRules:
    """A category with its questions and routed levels, as intake needs them."""

    category: Category
    attributes: tuple[CategoryAttribute, ...]
    route_levels: frozenset[str]


CATEGORY_RULES_CACHE: ProcessCache[CategoryRules | None] = process_cache(
    "cases.category_rules", seconds=60.0
)


def category_rules(code: str) -> CategoryRules | None:
    """An active category's rules, cached for a minute per process (`CATEGORY_RULES_CACHE`)."""
    return CATEGORY_RULES_CACHE.get(code, lambda: _category_rules_load(code))


def _category_rules_load(code: str) -> CategoryRules | None:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return None
    return CategoryRules(
        category=category,
        attributes=tuple(category.attributes.all()),
        route_levels=frozenset(category.routes.values_list("level", flat=True)),
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    return scope_queryset(Case.objects.all(), user)


def cases_public() -> QuerySet[Case]:
    """Every case of the deployment except those of categories not marked public (about one
    person's own affairs); the caller shows only the public fields of each."""
    return Case.objects.filter(category__public=True)


def case_for_idempotency_key(user: User, key: str) -> Case | None:
    """The case a user's earlier create with this Idempotency-Key made, if any."""
    found = IntakeKey.objects.filter(user=user, key=key[:100]).select_related("case").first()
    return found.case if found is not None else None


def case_get_for_user(user: User, case_id: int) -> Case:
    return get_in_scope_or_404(
        Case.objects.select_related("category", "region", "owner_region", "department", "reporter"),
        user,
        pk=case_id,
    )


# --- inboxes ---------------------------------------------------------------------------------

COLOURS = ("green", "yellow", "red")


@dataclass(frozen=True)
class InboxFilter:
    status: str = ""  # a Status value, "open" (default) or "all"
    category: str = ""
    colour: str = ""
    town: str = ""
    department: int | None = None
    owned_by: str = ""  # a region code: the cases that region's officers own
    departments: tuple[int, ...] = ()  # the cases of any of these departments
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""


def inbox(user: User, filters: InboxFilter, *, now: datetime | None = None) -> QuerySet[Case]:
    """Cases in the user's scope matching the filters, the most urgent first."""
    now = now or timezone.now()
    qs = (
        cases_visible_to(user)
        .select_related("category", "department", "region")
        .defer("region__boundary")  # a grid's polygon is not needed in a list
    )
    if filters.status in ("", "open"):
        qs = qs.filter(is_open=True)
    elif filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.department is not None:
        qs = qs.filter(department_id=filters.department)
    if filters.departments:
        qs = qs.filter(department_id__in=filters.departments)
    if filters.owned_by:
        qs = qs.filter(owner_region_id=filters.owned_by)
    if filters.town:
        qs = qs.filter(region_prefix_q(filters.town, "region"))
    if filters.colour == "red":
        qs = qs.filter(clock_due_at__lte=now)
    elif filters.colour == "yellow":
        qs = qs.filter(clock_yellow_at__lte=now, clock_due_at__gt=now)
    elif filters.colour == "green":
        qs = qs.filter(clock_yellow_at__gt=now)
    if filters.date_from:
        qs = qs.filter(reported_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(reported_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.query:
        q = filters.query.strip()
        if q.isdigit():  # the sequence part of a number: "123" finds 330483-2026-000123
            qs = qs.filter(number__endswith="-" + q.zfill(6))
        elif q.count("-") == 2:
            qs = qs.filter(number=q)
        else:
            qs = qs.filter(description__contains=q)
    if filters.status in ("", "open"):
        return qs.order_by(F("clock_due_at").asc(nulls_last=True), "pk")
    return qs.order_by("-reported_at", "-pk")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, ZoneInfo(settings.TIME_ZONE))


def page_of(qs: QuerySet[Case], *, page: int, size: int = 50) -> tuple[list[Case], bool]:
    """One page without counting every row: the rows and whether there are more."""
    page = max(page, 1)
    rows = list(qs[(page - 1) * size : page * size + 1])
    return rows[:size], len(rows) > size


def inbox_colour_counts(
    user: User, filters: InboxFilter, *, now: datetime | None = None
) -> dict[str, int]:
    """The open cases an inbox with these filters holds, per deadline colour (its badges): every
    filter applies but the colour and the status, so the badges say what each colour holds."""
    now = now or timezone.now()
    open_ones = replace(filters, status="open", colour="")
    return _count_colours(inbox(user, open_ones, now=now).order_by(), now)


def _count_colours(qs: QuerySet[Case], now: datetime) -> dict[str, int]:
    counts = qs.aggregate(
        red=Count("pk", filter=Q(clock_due_at__lte=now)),
        yellow=Count("pk", filter=Q(clock_yellow_at__lte=now, clock_due_at__gt=now)),
        green=Count("pk", filter=Q(clock_yellow_at__gt=now)),
        open=Count("pk"),
    )
    return {k: v or 0 for k, v in counts.items()}


def own_inbox(user: User) -> dict[str, Any]:
    """What "my cases" means for a user (InboxFilter fields): a town officer's are the cases
    their region owns, a department handler's the cases of their departments; anybody else's
    are all the cases in their scope."""
    roles = roles_of(user)
    if Role.TOWN_OFFICER in roles and user.region_id:
        return {"owned_by": user.region_id}
    if Role.DEPARTMENT_HANDLER in roles:
        ids = tuple(user.departments.values_list("pk", flat=True))
        if ids:
            return {"departments": ids}
    return {}


def cases_numbered(user: User, ids: list[int]) -> dict[int, str]:
    """The numbers of those of these cases that lie in the user's scope."""
    return dict(cases_visible_to(user).filter(pk__in=ids).values_list("pk", "number"))


def case_find_by_number(user: User, text: str) -> Case | None:
    """A case in the user's scope by its number, or by the sequence part of it ("123")."""
    text = (text or "").strip()
    if text.isdigit() and len(text) <= 9:
        return cases_visible_to(user).filter(number__endswith="-" + text.zfill(6)).first()
    if text.count("-") == 2 and len(text) <= 24:
        return cases_visible_to(user).filter(number=text).first()
    return None


def case_photo_for_user(user: User, token: str) -> CasePhoto:
    """A case's photo, if its case is in the user's scope; 404 otherwise, as for a missing one."""
    photo = CasePhoto.objects.filter(token=token).first()
    if photo is None:
        raise Http404("No such photo.")
    get_in_scope_or_404(Case.objects.only("pk", "region_id"), user, pk=photo.case_id)
    return photo


def photos_of(case: Case) -> list[CasePhoto]:
    return list(case.photos.order_by("uploaded_at", "pk"))


def case_reporter_phone(user: User, case: Case) -> str:
    """The reporter's phone number as this user may see it: in clear for the officers who
    dispatch the case (they call back), masked like 138****1234 for everybody else."""
    phone = case.reporter_phone
    if not phone or is_dispatcher(user, case):
        return phone
    return mask_phone(phone)


def mask_phone(phone: str) -> str:
    """138****1234: the first three and the last four characters; short numbers keep two."""
    text = phone.strip()
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    return "*" * max(len(text) - 2, 0) + text[-2:]


# --- departments -------------------------------------------------------------------------------


def departments_serving(region_code: str) -> QuerySet[Department]:
    """The active departments whose region contains this region (the nearest first)."""
    return (
        Department.objects.filter(
            is_active=True, region_id__in=region_codes.ancestor_codes(region_code)
        )
        .select_related("region")
        .order_by(F("region_id").desc(), "name")
    )


@dataclass(frozen=True)
class DispatchOptions:
    departments: list[Department]
    default: Department | None  # where a dispatch without a choice goes


def dispatch_options(case: Case) -> DispatchOptions:
    """The departments a case may be dispatched to, and the one its category routes it to."""
    departments = list(departments_serving(case.region_id))
    return DispatchOptions(
        departments=departments,
        default=routing.default_department(case.category, case.owner_region_id),
    )


def inbox_departments(user: User) -> QuerySet[Department]:
    """Departments to filter an inbox by: those in the user's scope and those above it."""
    region = user.region
    if region is None:
        return Department.objects.none()
    above = Q(region_id__in=region_codes.ancestor_codes(region.code))
    inside = region_prefix_q(region.prefix, "region")
    return Department.objects.filter(above | inside).order_by(F("region_id").desc(), "name")


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("group", "code")


def timeline(case: Case) -> QuerySet[CaseEvent]:
    return (
        case.events.select_related("actor", "department")
        .prefetch_related("photos")
        .order_by("at", "pk")
    )


def unread_notifications(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user, read_at__isnull=True)


def notifications_of(user: User, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user).select_related("case")[:limit])


# --- scorecards (月晾晒) -----------------------------------------------------------------------

# The composite score ranks towns and departments: weights of on-time closing, closing what was
# received, and satisfaction. Counties publish their own weights; these are the defaults.
SCORE_WEIGHTS = {"on_time": 0.4, "closure": 0.3, "satisfaction": 0.3}


@dataclass
class ScoreRow:
    key: str
    name: str
    received: int = 0
    closed: int = 0
    closed_on_time: int = 0
    hours_to_close: float | None = None
    reopened: int = 0
    rated: int = 0
    satisfied: int = 0
    rank: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None

    @property
    def closure_rate(self) -> float | None:
        return min(self.closed / self.received, 1.0) if self.received else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def score(self) -> float:
        parts = {
            "on_time": self.on_time_rate,
            "closure": self.closure_rate,
            "satisfaction": self.satisfaction_rate,
        }
        return round(
            100 * sum(SCORE_WEIGHTS[k] * (v if v is not None else 0) for k, v in parts.items()), 1
        )


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return _day_start(first), _day_start(following)


def scorecard(user: User, *, month: date, by: str) -> list[ScoreRow]:
    """Per town (`by="town"`) or per department (`by="department"`) for one month, ranked."""
    start, end = month_bounds(month)
    scoped = cases_visible_to(user)
    if by == "town":
        key: Any = Substr("region_id", 1, 9)
        names = dict(Region.objects.filter(level="town").values_list("code", "name"))
    elif by == "department":
        key = F("department_id")
        scoped = scoped.filter(department__isnull=False)
        names = {str(k): v for k, v in Department.objects.values_list("pk", "name")}
    else:
        raise ValueError(f"unknown grouping {by!r}")
    received = (
        scoped.filter(reported_at__gte=start, reported_at__lt=end)
        .annotate(k=key)
        .values("k")
        .annotate(n=Count("*"))
        .order_by()
    )
    closed = (
        scoped.filter(closed_at__gte=start, closed_at__lt=end, outcome=Outcome.RESOLVED)
        .annotate(k=key)
        .values("k")
        .annotate(
            n=Count("*"),
            on_time=Count("closed_at", filter=Q(resolved_on_time=True)),
            duration=Avg(F("closed_at") - F("reported_at")),
            reopened=Count("closed_at", filter=Q(reopen_count__gt=0)),
            rated=Count("satisfaction"),
            satisfied=Count("closed_at", filter=Q(satisfaction__gte=4)),
        )
        .order_by()
    )
    rows: dict[str, ScoreRow] = {}

    def row(k: object) -> ScoreRow:
        k = str(k)
        if k not in rows:
            rows[k] = ScoreRow(key=k, name=names.get(k, k))
        return rows[k]

    for rec in received:
        if by == "town" and len(rec["k"] or "") != 9:
            continue
        row(rec["k"]).received = rec["n"]
    for rec in closed:
        if by == "town" and len(rec["k"] or "") != 9:
            continue
        r = row(rec["k"])
        r.closed, r.closed_on_time, r.reopened = rec["n"], rec["on_time"], rec["reopened"]
        r.rated, r.satisfied = rec["rated"], rec["satisfied"]
        duration = rec["duration"]
        if duration is not None:
            seconds = (
                duration.total_seconds() if isinstance(duration, timedelta) else duration / 1e6
            )
            r.hours_to_close = round(seconds / 3600, 1)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, -r.closed, r.key))
    for i, r in enumerate(ranked, start=1):
        r.rank = i
    return ranked


def monthly_trend(
    user: User, *, months: int = 12, until: date | None = None
) -> list[dict[str, Any]]:
    """Cases received and closed on time per month, for the trend chart."""
    until = until or timezone.localdate()
    # The first of the month `months - 1` months before `until`'s (counted in months, not days).
    first_index = until.year * 12 + until.month - 1 - (months - 1)
    first = date(first_index // 12, first_index % 12 + 1, 1)
    start, end = _day_start(first), month_bounds(until)[1]
    scoped = cases_visible_to(user)
    tz = ZoneInfo(settings.TIME_ZONE)
    received = dict(
        scoped.filter(reported_at__gte=start, reported_at__lt=end)
        .annotate(m=TruncMonth("reported_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("*"))
        .order_by()
        .values_list("m", "n")
    )
    closed = {
        rec["m"]: rec
        for rec in scoped.filter(closed_at__gte=start, closed_at__lt=end, outcome=Outcome.RESOLVED)
        .annotate(m=TruncMonth("closed_at", tzinfo=tz))
        .values("m")
        .annotate(n=Count("*"), on_time=Count("closed_at", filter=Q(resolved_on_time=True)))
        .order_by()
    }
    out = []
    month = first
    while month <= until:
        key = _month_key(month, received) or _month_key(month, closed)
        c = closed.get(key) if key is not None else None
        out.append(
            {
                "month": month.strftime("%Y-%m"),
                "received": received.get(key, 0) if key is not None else 0,
                "closed": c["n"] if c else 0,
                "on_time_rate": round(c["on_time"] / c["n"], 3) if c and c["n"] else None,
            }
        )
        month = (month + timedelta(days=32)).replace(day=1)
    return out


TREND_CACHE_SECONDS = 600


def monthly_trend_cached(
    user: User, *, months: int = 12, until: date | None = None
) -> list[dict[str, Any]]:
    """`monthly_trend`, kept ten minutes per scope: a year of a county's cases is a large read,
    and wall screens and scorecard pages ask for it again and again."""
    until = until or timezone.localdate()
    prefix = user_scope_prefix(user)
    if prefix is None:
        return monthly_trend(user, months=months, until=until)
    key = f"cases:trend:{prefix}:{months}:{until:%Y-%m}"
    trend: list[dict[str, Any]] | None = cache.get(key)
    if trend is None:
        trend = monthly_trend(user, months=months, until=until)
        cache.set(key, trend, TREND_CACHE_SECONDS)
    return trend


def _month_key(month: date, table: dict[Any, Any]) -> Any:
    for key in table:
        if key is not None and (key.year, key.month) == (month.year, month.month):
            return key
    return None


# --- the map ---------------------------------------------------------------------------------


def open_cases_geojson(
    user: User, *, limit: int = 5000, now: datetime | None = None, **filters: Any
) -> dict[str, Any]:
    """Open cases with a location in the user's scope, as GeoJSON points with their colour."""
    now = now or timezone.now()
    qs = (
        cases_visible_to(user)
        .filter(is_open=True, lat__isnull=False, lon__isnull=False, **filters)
        .order_by(F("clock_due_at").asc(nulls_last=True))
        .values(
            "pk",
            "number",
            "lat",
            "lon",
            "status",
            "clock_yellow_at",
            "clock_due_at",
            "category__name",
        )[:limit]
    )
    features = []
    for rec in qs:
        colour = colour_at(rec["clock_due_at"], rec["clock_yellow_at"], now)
        lon, lat = rec["lon"], rec["lat"]
        if lon is None or lat is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(lon, 6), round(lat, 6)],
                },
                "properties": {
                    "id": rec["pk"],
                    "number": rec["number"],
                    "status": rec["status"],
                    "colour": colour,
                    "category": rec["category__name"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
