"""The home dashboard: a region, its children and their registry counts, as table, chart and map.

Every region comes through the dashboard selectors, which apply the user's scope: a region
outside it answers 404, like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from jiceng.core.models import Region
from jiceng.web.common import request_user
from jiceng.web.dashboard.geojson import overview_feature_collection
from jiceng.web.dashboard.selectors import (
    DEFAULT_REGISTRY,
    REGISTRIES,
    RegionOverview,
    region_overview,
)
from jiceng.web.templatetags.region_names import localized_region_name

# Labels the dashboard's script shows; passed to it through json_script.
SCRIPT_LABELS = {
    "legend": _("Count"),
    "noData": _("No data"),
}


def _measure(request: HttpRequest) -> str:
    measure = request.GET.get("measure", DEFAULT_REGISTRY)
    if measure not in REGISTRIES:
        raise BadRequest(_("Unknown registry: %s") % measure)
    return measure


def _drill_url(region: Region, measure: str = DEFAULT_REGISTRY) -> str:
    url = reverse("region-dashboard", args=[region.code])
    return url if measure == DEFAULT_REGISTRY else f"{url}?{urlencode({'measure': measure})}"


def _registry_list_url(registry: str, region: Region) -> str | None:
    """The registry's list narrowed to the region, when that page exists (grids: not narrowed)."""
    try:
        url = reverse(f"{registry}-list")
    except NoReverseMatch:
        return None
    return url if region.level == "grid" else f"{url}?{urlencode({'region': region.code})}"


def _panel_context(overview: RegionOverview, measure: str) -> dict[str, Any]:
    region = overview.region
    measures = [
        {
            "key": key,
            "label": label,
            "page_url": _drill_url(region, key),
            "panel_url": reverse("region-panel", args=[region.code])
            + "?"
            + urlencode({"measure": key}),
        }
        for key, (_model, label) in REGISTRIES.items()
    ]
    chart = {
        "seriesName": REGISTRIES[measure][1],
        "names": [localized_region_name(child.region) for child in overview.children],
        "values": overview.child_counts(measure),
        "urls": [_drill_url(child.region, measure) for child in overview.children],
    }
    return {
        "overview": overview,
        "measure": measure,
        "measure_label": REGISTRIES[measure][1],
        "measures": measures,
        "registries": [(key, label) for key, (_model, label) in REGISTRIES.items()],
        "stats": [
            {
                "key": key,
                "label": label,
                "total": overview.totals[key],
                "url": _registry_list_url(key, region),
            }
            for key, (_model, label) in REGISTRIES.items()
        ],
        "chart_data": chart,
        "map_url": reverse("region-map", args=[region.code]),
        "child_level_label": (
            overview.children[0].region.get_level_display() if overview.children else ""
        ),
        "rows": [
            {
                "region": child.region,
                "url": _drill_url(child.region, measure),
                "counts": [(key, child.counts[key]) for key in REGISTRIES],
            }
            for child in overview.children
        ],
        "totals": [(key, overview.totals[key]) for key in REGISTRIES],
        "unassigned": [(key, overview.unassigned[key]) for key in REGISTRIES],
        "has_unassigned": any(overview.unassigned.values()),
        "script_labels": SCRIPT_LABELS,
    }


def _render_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    measure = _measure(request)
    overview = region_overview(user=request_user(request), code=code)
    return render(request, "web/dashboard/region.html", _panel_context(overview, measure))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the user's own region."""
    user = request_user(request)
    if user.region_id is None:
        return render(request, "web/dashboard/no_region.html")
    return _render_dashboard(request, user.region_id)


@login_required
@require_GET
def region_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    return _render_dashboard(request, code)


@login_required
@require_GET
def region_panel(request: HttpRequest, code: str) -> HttpResponse:
    """The measure switch, map, chart and table alone, for htmx to swap in."""
    measure = _measure(request)
    overview = region_overview(user=request_user(request), code=code)
    return render(request, "web/dashboard/_panel.html", _panel_context(overview, measure))


@login_required
@require_GET
def region_map(request: HttpRequest, code: str) -> JsonResponse:
    """The children of a region as GeoJSON, with their counts; 404 outside the user's scope."""
    overview = region_overview(user=request_user(request), code=code)
    collection = overview_feature_collection(overview, drill_url=_drill_url)
    return JsonResponse(collection, content_type="application/geo+json")
