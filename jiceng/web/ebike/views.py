"""Pages of e-bike fire safety (电动自行车): the map of buildings by colour, the buildings list
and a building's page (registered e-bikes against the grid's live count, ports, facilities,
open findings and cases, colour history, inspections, its lift blockers with their keys shown
once), the live count on a phone (动态排摸), e-bikes by plate with their chain and flags, shops
and recyclers, facilities and ports per registered e-bike, alerts, night-patrol rounds, the
Excel imports of buildings and e-bikes, and the figures per town and month (a wall screen and
an Excel export).

Reads go through jiceng.ebike.selectors and jiceng.ebike.figures, which apply the user's region
scope; writes through the module's services (which check role and scope)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import roles
from jiceng.core.models import Region
from jiceng.core.scope import region_prefix_q, scope_queryset, village_of
from jiceng.core.spreadsheets import Sheet, xlsx_file
from jiceng.ebike import access
from jiceng.ebike.figures import (
    METRICS,
    figures_by_town_month,
    year_window,
)
from jiceng.ebike.models import (
    Building,
    ChargingPlace,
    Ebike,
    GroundFloorSpace,
    LiftAlert,
    LiftBlocker,
    Shop,
)
from jiceng.ebike.selectors import (
    building_alert_cases,
    building_alerts,
    building_colour_history,
    building_get_for_user,
    building_open_findings,
    buildings_visible_to,
    ebike_battery,
    ebike_chain,
    ebike_flags,
    ebike_get_for_user,
    ports_coverage,
    shops_visible_to,
)
from jiceng.ebike.services.building_import import (
    BUILDING_COLUMNS,
    building_import,
    building_template_sheets,
)
from jiceng.ebike.services.imports import EBIKE_COLUMNS, ebike_import, import_template_sheets
from jiceng.ebike.services.registry import (
    lift_blocker_create,
    lift_blocker_revoke,
    live_count_record,
)
from jiceng.inspections.models import Inspection, Round
from jiceng.risk.selectors import reason_texts
from jiceng.web.common import add_service_errors, render_uncached, request_user
from jiceng.web.dashboard.geojson import colour_map_collection
from jiceng.web.ebike.forms import ImportForm, LiftBlockerForm, LiveCountForm
from jiceng.web.imports import import_page
from jiceng.web.registries.upload_limit import upload_limited

T = "web/ebike/"
PAGE_SIZE = 50
COLOURS = [
    ("red", gettext_lazy("Red")),
    ("yellow", gettext_lazy("Yellow")),
    ("green", gettext_lazy("Green")),
]
SCRIPT_LABELS = {
    "red": gettext_lazy("Red"),
    "yellow": gettext_lazy("Yellow"),
    "green": gettext_lazy("Green"),
    "redPoint": gettext_lazy("Red building"),
    "communities": gettext_lazy("communities"),
    "redPoints": gettext_lazy("red buildings"),
}


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _region_param(request: HttpRequest) -> str:
    region = request.GET.get("region", "").strip()
    return region if region.isdigit() and len(region) <= 15 else ""


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _community_colour(counts: dict[str, int]) -> str:
    """A community is red when one building in ten is red, yellow when any is red or one in
    five yellow, green otherwise (the same shading as the gas map's)."""
    total = sum(counts.values()) or 1
    if counts.get("red", 0) / total >= 0.1:
        return "red"
    if counts.get("red", 0) or counts.get("yellow", 0) / total >= 0.2:
        return "yellow"
    return "green"


def _inspect_url(checklist: str, target: str) -> str:
    """The generic inspection page of the inspections engine (empty while it is not wired)."""
    try:
        return reverse("inspection-new", args=[checklist, target])
    except NoReverseMatch:
        return ""


# --- the map and the buildings ------------------------------------------------------------------


def _colour_counts(user: Any) -> dict[str, dict[str, int]]:
    """Buildings by community and colour in the user's scope."""
    counts: dict[str, dict[str, int]] = {}
    rows = buildings_visible_to(user).order_by().values_list("region_id", "colour")  # type: ignore[misc]
    for code, colour in rows:
        community = village_of(code) or code
        mine = counts.setdefault(community, {})
        key = colour or "none"
        mine[key] = mine.get(key, 0) + 1
    return counts


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    counts = _colour_counts(user)
    totals = {c: sum(v.get(c, 0) for v in counts.values()) for c, _label in COLOURS}
    context = {
        "totals": totals,
        "colours": COLOURS,
        "buildings": sum(sum(v.values()) for v in counts.values()),
        "open_alert_buildings": scope_queryset(LiftAlert.objects.all(), user)
        .filter(case__is_open=True)
        .values("building_id")
        .distinct()
        .count(),
        "map_url": reverse("ebike-map-geojson"),
        "script_labels": SCRIPT_LABELS,
    }
    return render(request, T + "home.html", context)


@login_required
@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    """Communities of the user's scope shaded by their buildings' colours, red buildings as
    points."""
    user = request_user(request)
    red = buildings_visible_to(user, colour="red").filter(lat__isnull=False, lon__isnull=False)
    collection = colour_map_collection(
        _colour_counts(user),
        shade=_community_colour,
        community_url=lambda code: reverse("ebike-buildings") + f"?region={code}",
        red_points=[
            (pk, lat, lon, reverse("ebike-building", args=[pk]))
            for pk, lat, lon in red.values_list("pk", "lat", "lon")[:2000]
        ],
    )
    return JsonResponse(collection, content_type="application/geo+json")


def _building_filters(request: HttpRequest) -> dict[str, str]:
    colour = request.GET.get("colour", "")
    kind = request.GET.get("kind", "")
    return {
        "region": _region_param(request),
        "colour": colour if colour in ("red", "yellow", "green") else "",
        "kind": kind if kind in Building.Kind.values else "",
        "query": request.GET.get("q", "").strip()[:50],
    }


@login_required
@require_GET
def buildings_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = _building_filters(request)
    buildings = buildings_visible_to(user, region=filters["region"], colour=filters["colour"])
    if filters["kind"]:
        buildings = buildings.filter(kind=filters["kind"])
    if filters["query"]:
        buildings = buildings.filter(
            Q(name__contains=filters["query"]) | Q(compound__contains=filters["query"])
        )
    page = Paginator(buildings.select_related("region"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    english = _english()
    rows = [
        {
            "building": b,
            "reasons": reason_texts(getattr(b, "colour_reasons", None) or [], english=english),
        }
        for b in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "colours": COLOURS,
        "kinds": Building.Kind.choices,
        "query": _query(request),
        "may_write": roles.may_write(user),
    }
    return render(request, T + "buildings.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def building_page(request: HttpRequest, building_id: int) -> HttpResponse:
    """A building; its property manager and the region's administrators add lift blockers
    here, each key shown on the answer to that request only."""
    user = request_user(request)
    building = building_get_for_user(user, building_id)
    manages = access.may_manage_building(user, building)
    form = LiftBlockerForm()
    created: tuple[LiftBlocker, str] | None = None
    status = 200
    if request.method == "POST":
        if not manages:
            raise PermissionDenied(
                _(
                    "Only the building's property manager and the region's administrators "
                    "may do this."
                )
            )
        form = LiftBlockerForm(request.POST)
        if form.is_valid():
            try:
                created = lift_blocker_create(
                    actor=user,
                    building=building,
                    name=form.cleaned_data["name"],
                    lifts=form.cleaned_data["lifts"],
                    installed_on=form.cleaned_data["installed_on"],
                )
                form = LiftBlockerForm()
                status = 201
            except ValidationError as exc:
                add_service_errors(form, exc)
        if created is None:
            status = 400
    english = _english()
    history = [
        {"change": c, "reasons": reason_texts(c.reasons or [], english=english)}
        for c in building_colour_history(building, limit=30)
    ]
    target = f"building:{building.pk}"
    context = {
        "building": building,
        "reasons": reason_texts(getattr(building, "colour_reasons", None) or [], english=english),
        "history": history,
        "places": building.charging_places.filter(is_active=True).order_by("pk"),
        "spaces": building.ground_floors.order_by("pk"),
        "blockers": building.lift_blockers.order_by("pk"),
        "findings": building_open_findings(building),
        "alert_cases": building_alert_cases(building),
        "alerts": building_alerts(building, limit=10),
        "inspections": Inspection.objects.filter(target_kind="building", target_id=str(building.pk))
        .select_related("checklist", "inspector")
        .order_by("-inspected_at")[:20],
        "counts": building.counts.select_related("counted_by").order_by("-counted_at")[:5],
        "inspect_url": _inspect_url("community", target),
        "patrol_url": _inspect_url("night_patrol", target),
        "may_count": access.may_count(user, building),
        "manages": manages,
        "form": form,
        "created": created,
    }
    response = render(request, T + "building.html", context, status=status)
    if created is not None:
        response["Cache-Control"] = "no-store"  # the key is on this answer only
    return response


@login_required
@require_POST
def lift_blocker_revoke_page(
    request: HttpRequest, building_id: int, blocker_id: int
) -> HttpResponse:
    """Revoke a lift blocker's key (a lost or replaced device): its alerts are refused from
    now on. The building's property manager or the region's administrators."""
    user = request_user(request)
    building = building_get_for_user(user, building_id)
    device = get_object_or_404(LiftBlocker, pk=blocker_id, building=building)
    lift_blocker_revoke(actor=user, device=device)
    messages.success(request, _("The key of %(name)s is revoked.") % {"name": device.name})
    return redirect("ebike-building", building_id=building.pk)


@login_required
@require_http_methods(["GET", "POST"])
def live_count_page(request: HttpRequest, building_id: int) -> HttpResponse:
    """The grid worker's live count (动态排摸) of a building, on a phone."""
    user = request_user(request)
    building = building_get_for_user(user, building_id)
    form = LiveCountForm()
    status = 200
    if request.method == "POST":
        access.check_may_count(user, building)
        form = LiveCountForm(request.POST)
        if form.is_valid():
            try:
                live_count_record(
                    actor=user,
                    building=building,
                    counted=form.cleaned_data["counted"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(building)s: %(n)d e-bikes counted.")
                    % {"building": building.name, "n": form.cleaned_data["counted"]},
                )
                return redirect("ebike-building", building_id=building.pk)
        status = 400
    context = {"building": building, "form": form, "may_count": access.may_count(user, building)}
    return render_uncached(request, T + "count.html", context, status=status)


# --- e-bikes ------------------------------------------------------------------------------------


@login_required
@require_GET
def bikes_page(request: HttpRequest) -> HttpResponse:
    """Search by plate (or frame number): one match opens the bike, several are listed."""
    user = request_user(request)
    query = request.GET.get("q", "").strip().upper()[:30]
    bikes = scope_queryset(Ebike.objects.select_related("building"), user)
    if query:
        bikes = bikes.filter(Q(plate__startswith=query) | Q(frame_number__startswith=query))
        exact = bikes.filter(Q(plate=query) | Q(frame_number=query)).first()
        if exact is not None and exact.plate:
            return redirect("ebike-bike", plate=exact.plate)
    standard = request.GET.get("standard", "")
    if standard:
        bikes = bikes.filter(standard=standard)
    page = Paginator(bikes.order_by("region_id", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "standard": standard, "query": _query(request)}
    return render(request, T + "bikes.html", context)


CBV_STEP = "https://ref.gs1.org/cbv/BizStep-"
OUR_STEP = "urn:jiceng:bizstep:"
STEP_LABELS = {
    "retail_selling": gettext_lazy("Sold"),
    "repairing": gettext_lazy("Repaired"),
    "decommissioning": gettext_lazy("Scrapped"),
    "destroying": gettext_lazy("Destroyed"),
    "registering": gettext_lazy("Registered"),
    "modifying": gettext_lazy("Modified"),
    "trading_in": gettext_lazy("Traded in"),
    "battery_swapping": gettext_lazy("Battery swapped"),
}


def _chain_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bike's events as the page lists them: when, what (in words where the step is
    known) and where."""
    rows = []
    for event in events:
        step = str(event.get("bizStep", ""))
        short = step.removeprefix(CBV_STEP).removeprefix(OUR_STEP)
        rows.append(
            {
                "time": event.get("eventTime", ""),
                "step": STEP_LABELS.get(short, step),
                "where": (event.get("bizLocation") or {}).get("id", ""),
            }
        )
    return rows


@login_required
@require_GET
def bike_page(request: HttpRequest, plate: str) -> HttpResponse:
    user = request_user(request)
    bike = ebike_get_for_user(user, plate[:40])
    context = {
        "bike": bike,
        "battery": ebike_battery(bike),
        "flags": ebike_flags(bike),
        "chain": _chain_rows(ebike_chain(bike, limit=200)),
    }
    return render(request, T + "bike.html", context)


# --- shops, facilities, alerts, patrols ---------------------------------------------------------


@login_required
@require_GET
def shops_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kind = request.GET.get("kind", "")
    shops = shops_visible_to(user, region=_region_param(request)).select_related("region")
    if kind in Shop.Kind.values:
        shops = shops.filter(kind=kind)
    sold = dict(
        Ebike.objects.filter(shop__in=shops)
        .values("shop_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("shop_id", "n")
    )
    page = Paginator(shops, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "shop": s,
            "sold": sold.get(s.pk, 0),
            "inspect_url": _inspect_url("shop", f"shop:{s.pk}"),
        }
        for s in page
    ]
    context = {
        "page": page,
        "rows": rows,
        "kind": kind,
        "kinds": Shop.Kind.choices,
        "query": _query(request),
    }
    return render(request, T + "shops.html", context)


@login_required
@require_GET
def facilities_page(request: HttpRequest) -> HttpResponse:
    """Charging places, lift blockers (their key prefixes only), converted ground floors, and
    ports per registered e-bike by community."""
    user = request_user(request)
    region = _region_param(request)
    places = scope_queryset(ChargingPlace.objects.select_related("building", "region"), user)
    blockers = scope_queryset(LiftBlocker.objects.select_related("building"), user)
    spaces = scope_queryset(GroundFloorSpace.objects.select_related("building"), user)
    if region:
        places = places.filter(region_prefix_q(region))
        blockers = blockers.filter(region_prefix_q(region, "building__region"))
        spaces = spaces.filter(region_prefix_q(region, "building__region"))
    names = {}
    coverage = ports_coverage(user, region=region)
    if coverage:
        names = dict(
            Region.objects.filter(code__in=[c.region_code for c in coverage]).values_list(
                "code", "name"
            )
        )
    context = {
        "region": region,
        "places": places.order_by("-upgraded_on", "pk")[:100],
        "places_total": places.count(),
        "blockers": blockers.order_by("-installed_on", "pk")[:100],
        "blockers_total": blockers.count(),
        "spaces": spaces.order_by("-converted_on", "pk")[:100],
        "spaces_total": spaces.count(),
        "coverage": [{"row": c, "name": names.get(c.region_code, c.region_code)} for c in coverage],
    }
    return render(request, T + "facilities.html", context)


@login_required
@require_GET
def alerts_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    alerts = scope_queryset(
        LiftAlert.objects.select_related("building", "case", "device"), user
    ).order_by("-at", "-id")
    if request.GET.get("open") == "1":
        alerts = alerts.filter(case__is_open=True)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        T + "alerts.html",
        {"page": page, "query": _query(request), "open": request.GET.get("open") == "1"},
    )


@login_required
@require_GET
def patrols_page(request: HttpRequest) -> HttpResponse:
    """Night-patrol rounds (夜巡夜查): who, when, the route and what was found."""
    user = request_user(request)
    rounds = (
        scope_queryset(Round.objects.filter(kind="night_patrol"), user)
        .select_related("leader", "region")
        .annotate(
            inspected=Count("inspections", distinct=True),
            failed=Count(
                "inspections__findings",
                filter=Q(inspections__findings__ok=False),
                distinct=True,
            ),
        )
        .order_by("-started_at", "-id")
    )
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    try:
        start_url = reverse("inspection-rounds")
    except NoReverseMatch:
        start_url = ""
    return render(request, T + "patrols.html", {"page": page, "start_url": start_url})


# --- imports ------------------------------------------------------------------------------------


def _require_importer(user: Any) -> None:
    if not roles.may_write(user):
        raise PermissionDenied(_("Your role may only read."))


@upload_limited()
@login_required
@require_http_methods(["GET", "POST"])
def import_buildings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_importer(user)
    return import_page(
        request,
        form_class=ImportForm,
        importer=lambda filename, content: building_import(
            actor=user, filename=filename, content=content
        ),
        template=T + "import.html",
        context={
            "title": _("Import buildings"),
            "columns": BUILDING_COLUMNS,
            "template_url": reverse("ebike-import-template-buildings"),
        },
    )


@upload_limited()
@login_required
@require_http_methods(["GET", "POST"])
def import_bikes(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_importer(user)
    return import_page(
        request,
        form_class=ImportForm,
        importer=lambda filename, content: ebike_import(
            actor=user, filename=filename, content=content
        ),
        template=T + "import.html",
        context={
            "title": _("Import e-bikes"),
            "columns": EBIKE_COLUMNS,
            "template_url": reverse("ebike-import-template-bikes"),
        },
    )


@login_required
@require_GET
def import_template(request: HttpRequest, what: str) -> FileResponse:
    sheets = building_template_sheets() if what == "buildings" else import_template_sheets()
    name = "buildings" if what == "buildings" else "ebikes"
    return FileResponse(
        xlsx_file(sheets), as_attachment=True, filename=f"ebike-{name}-template.xlsx"
    )


# --- figures ------------------------------------------------------------------------------------


def _window(request: HttpRequest) -> tuple[date, date]:
    return year_window(timezone.localdate())


@login_required
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    """The seed's figures per town and month: a table for the desk, charts for a wall screen
    (?wall=1 drops the navigation and enlarges the numbers)."""
    user = request_user(request)
    start, end = _window(request)
    figures = figures_by_town_month(user, start=start, end=end)
    towns = figures.town_rows()
    chart = {
        "months": [m.strftime("%Y-%m") for m in figures.months],
        "towns": [t["name"] for t in towns],
        "series": [
            {
                "key": key,
                "name": str(label),
                "byMonth": [figures.month_total(m, key) for m in figures.months],
                "byTown": [t[key] for t in towns],
            }
            for key, label in METRICS
        ],
    }
    context = {
        "figures": figures,
        "metrics": METRICS,
        "towns": towns,
        "months": figures.month_rows(),
        "totals": {key: figures.total(key) for key, _label in METRICS},
        "chart": chart,
        "wall": request.GET.get("wall") == "1",
        "start": start,
        "last": end.replace(day=1) if end.day != 1 else end,
    }
    return render(request, T + "figures.html", context)


@login_required
@require_GET
def figures_export(request: HttpRequest) -> FileResponse:
    """The figures as Excel: one sheet by town, one by town and month."""
    user = request_user(request)
    start, end = _window(request)
    figures = figures_by_town_month(user, start=start, end=end)
    header = [str(label) for _key, label in METRICS]
    by_town = [
        [_("Town code"), _("Town"), *header],
        *[[t["code"], t["name"], *[t[k] for k, _l in METRICS]] for t in figures.town_rows()],
        ["", _("Total"), *[figures.total(k) for k, _l in METRICS]],
    ]
    by_month: list[list[object]] = [[_("Town code"), _("Town"), _("Month"), *header]]
    for code, name in figures.towns:
        for month in figures.months:
            by_month.append(
                [
                    code,
                    name,
                    month.strftime("%Y-%m"),
                    *[figures.value(code, month, k) for k, _l in METRICS],
                ]
            )
    target = xlsx_file(
        [
            Sheet(title=_("By town"), rows=by_town, text_columns=(0,)),
            Sheet(title=_("By town and month"), rows=by_month, text_columns=(0,)),
        ]
    )
    stamp = timezone.localdate().isoformat()
    return FileResponse(target, as_attachment=True, filename=f"ebike-figures-{stamp}.xlsx")
