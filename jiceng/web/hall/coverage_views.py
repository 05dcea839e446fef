"""The ten-minute service circle page: per item, which villages of the user's scope have a point
offering it within N minutes (N chosen on the page, by default the travel model's), a map of the
villages coloured covered or not with the points drawn, the gaps with the residents not covered,
and the travel model in use (editable by county administrators, with a CSV import of
routing-engine times). Recommending new points is the planning page's, linked from here."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiceng.core import roles
from jiceng.core.models import Region, User
from jiceng.hall import coverage
from jiceng.hall.models import PointKind, ServiceItem
from jiceng.hall.selectors import items_active, point_locations
from jiceng.hall.services.travel import travel_model_set, travel_times_import_csv
from jiceng.web.common import add_service_errors, request_user
from jiceng.web.hall.network_forms import DATE_INPUT
from jiceng.web.hall.network_views import SCRIPT_LABELS, region_geometry, url_or_none
from jiceng.web.templatetags.case_display import localized_name
from jiceng.web.templatetags.region_names import localized_region_name

T = "web/hall/network/"
UPLOAD_MAX_BYTES = 64 * 1024 * 1024


class CoverageForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"), required=False)
    minutes = forms.FloatField(
        label=_("Within (minutes)"), required=False, min_value=1, max_value=180
    )

    def __init__(self, *args: Any, items: list[ServiceItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["item"]).choices = [
            (i.code, f"{i.code} {localized_name(i)}") for i in items
        ]


class TravelModelForm(forms.Form):
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_INPUT)
    detour_factor = forms.FloatField(label=_("Detour factor"), min_value=1, max_value=5)
    speed_kmh = forms.FloatField(label=_("Speed (km/h)"), min_value=1, max_value=150)
    threshold_minutes = forms.FloatField(
        label=_("Service circle (minutes)"), min_value=1, max_value=180
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class TravelTimesForm(forms.Form):
    file = forms.FileField(
        label=_("Travel times (CSV: village,point,minutes)"),
        help_text=_("Village division codes, service point codes, minutes by road."),
    )
    replace = forms.BooleanField(
        label=_("Replace the times imported before"), required=False, initial=True
    )


def _chosen(
    request: HttpRequest,
) -> tuple[CoverageForm, list[ServiceItem], ServiceItem | None, float | None]:
    items = list(items_active())
    form = CoverageForm(request.GET, items=items)
    form.is_valid()
    code = form.cleaned_data.get("item") if form.is_valid() else None
    item = next((i for i in items if i.code == code), None)
    if item is None:
        item = next((i for i in items if i.high_frequency), items[0] if items else None)
    minutes = form.cleaned_data.get("minutes") if form.is_valid() else None
    return form, items, item, minutes


def _matrix(user: User, minutes: float | None) -> tuple[coverage.TravelMatrix, dict[str, Any]]:
    """The travel matrix of the user's villages, its circle set to `minutes` if given."""
    matrix = coverage.travel_matrix(user, as_of=timezone.localdate())
    source = coverage.matrix_source(matrix)
    if minutes is not None:
        model = copy.copy(matrix.model)  # never the shared default, never saved
        model.threshold_minutes = float(minutes)
        matrix = dataclasses.replace(matrix, model=model)
    return matrix, source


def _page(
    request: HttpRequest,
    *,
    model_form: TravelModelForm | None = None,
    times_form: TravelTimesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    form, items, item, minutes = _chosen(request)
    matrix, source = _matrix(user, minutes)
    threshold = matrix.model.threshold_minutes
    overview = coverage.coverage_overview(matrix, items)
    chosen = coverage.item_coverage(matrix, item) if item is not None else None
    administers = roles.may_administer(user)
    model = matrix.model
    query = {"minutes": f"{threshold:g}"} | ({"item": item.code} if item else {})
    context = {
        "form": form,
        "item": item,
        "threshold": threshold,
        "model_threshold": source["threshold_minutes"],
        "source": source,
        "overview": overview,
        "chosen": chosen,
        "gaps": chosen["gaps"] if chosen else [],
        "kinds": dict(PointKind.choices),
        "map_url": url_or_none("hall-coverage-map") + "?" + urlencode(query),  # type: ignore[operator]
        "planning_url": url_or_none("planning-circle"),
        "administers": administers,
        "model_form": model_form
        or TravelModelForm(
            initial={
                "valid_from": timezone.localdate(),
                "detour_factor": source["detour_factor"],
                "speed_kmh": source["speed_kmh"],
                "threshold_minutes": source["threshold_minutes"],
                "note": model.note if model.pk else "",
            }
        ),
        "times_form": times_form or TravelTimesForm(),
        "script_labels": SCRIPT_LABELS,
    }
    return render(request, T + "coverage.html", context, status=status)


@login_required
@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_GET
def coverage_map(request: HttpRequest) -> JsonResponse:
    """The user's villages coloured by coverage of the item, the points, the area's outline."""
    user = request_user(request)
    _form, _items, item, minutes = _chosen(request)
    matrix, _source = _matrix(user, minutes)
    found = coverage.item_coverage(matrix, item) if item is not None else {"list": []}
    villages = {v["code"]: v for v in found["list"]}
    geometry = {
        code: region_geometry(region)
        for code, region in Region.objects.in_bulk(list(villages)).items()
    }
    features: list[dict[str, Any]] = []
    if user.region is not None:
        features.append(
            {
                "type": "Feature",
                "geometry": region_geometry(user.region),
                "properties": {"role": "area", "name": localized_region_name(user.region)},
            }
        )
    for code, village in villages.items():
        nearest = village["nearest"]
        features.append(
            {
                "type": "Feature",
                "geometry": geometry.get(code),
                "properties": {
                    "role": "village",
                    "code": code,
                    "name": village["name"],
                    "town": village["town"],
                    "population": village["population"],
                    "minutes": village["minutes"],
                    "covered": village["covered"],
                    "nearest": nearest["name"] if nearest else None,
                },
            }
        )
    kinds = dict(PointKind.choices)
    locations = point_locations([p.id for p in matrix.points])
    for point in matrix.points:
        lat, lon = locations.get(point.id, (None, None))
        if lat is None or lon is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "role": "point",
                    "id": point.id,
                    "name": point.name,
                    "kind": str(kinds.get(point.kind, point.kind)),
                    "offers": item is not None and item.code in point.items,
                },
            }
        )
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
    )
    add_never_cache_headers(response)
    return response


def _check_administrator(user: User) -> None:
    if not roles.may_administer(user):
        raise PermissionDenied(_("Only a county administrator may change the travel model."))


@login_required
@require_POST
def travel_model_save(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _check_administrator(user)
    form = TravelModelForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            travel_model_set(actor=user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Travel model saved."))
            return redirect("hall-coverage")
    return _page(request, model_form=form, status=400)


@login_required
@require_POST
def travel_times_import(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _check_administrator(user)
    form = TravelTimesForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read(UPLOAD_MAX_BYTES + 1)
        if len(raw) > UPLOAD_MAX_BYTES:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                count = travel_times_import_csv(
                    actor=user,
                    text=raw.decode("utf-8-sig", errors="replace"),
                    replace=form.cleaned_data["replace"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(n)d travel times imported.") % {"n": count})
                return redirect("hall-coverage")
    return _page(request, times_form=form, status=400)
