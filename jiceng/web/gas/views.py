"""Pages of the bottled-gas module: the regulator's map and lists, a site and a cylinder with
their histories, the call centre, the delivery worker's phone page, the safety check, QR label
sheets, and the public pages behind the QR codes.

Every page except the public ones needs a login and goes through the gas selectors, which apply
the user's region scope; the public pages show no names, phone numbers or addresses."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import roles
from jiceng.core.models import User
from jiceng.core.scope import get_in_scope_or_404, scope_queryset
from jiceng.core.spreadsheets import Sheet, xlsx_file
from jiceng.gas.access import check_may_manage_station, may_manage_station
from jiceng.gas.models import Cylinder, Order, ScaleDevice, UserSite
from jiceng.gas.reference_data import nominal_sizes
from jiceng.gas.selectors import (
    check_items,
    colour_counts_by_region,
    community_colour,
    cylinder_flags,
    cylinder_get_for_user,
    cylinder_history,
    cylinder_public_view,
    orders_for_worker,
    orders_visible_to,
    parse_scan,
    phone_masked,
    red_sites_points,
    safety_check_photo_for_user,
    site_colour,
    site_colour_history,
    site_cylinders,
    site_get_for_user,
    site_hazards,
    site_last_delivery,
    site_last_safety_check,
    site_public_view,
    site_recent_orders,
    site_safety_checks,
    sites_by_phone,
    sites_visible_to,
    station_devices,
    station_get_for_user,
    stations_visible_to,
)
from jiceng.gas.services.checks import safety_check_record
from jiceng.gas.services.orders import order_deliver, order_take
from jiceng.gas.services.registry import scale_device_create, scale_device_revoke
from jiceng.risk.selectors import reason_texts
from jiceng.web.common import add_service_errors, request_user
from jiceng.web.dashboard.geojson import colour_map_collection
from jiceng.web.gas.forms import (
    DeliveryForm,
    OrderForm,
    SafetyCheckForm,
    ScaleDeviceForm,
    form_problems,
    problem_list,
)
from jiceng.web.private_files import private_file_response

T = "web/gas/"
PAGE_SIZE = 50
LABELS_PER_SHEET = 60
COLOURS = [
    ("red", gettext_lazy("Red")),
    ("yellow", gettext_lazy("Yellow")),
    ("green", gettext_lazy("Green")),
]
SCRIPT_LABELS = {
    "red": gettext_lazy("Red"),
    "yellow": gettext_lazy("Yellow"),
    "green": gettext_lazy("Green"),
    "sites": gettext_lazy("sites"),
    "redPoint": gettext_lazy("Red site"),
    "communities": gettext_lazy("communities"),
    "redPoints": gettext_lazy("red sites"),
}


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _require_write(user: User) -> None:
    if not roles.may_write(user):
        raise PermissionDenied(_("Your role may only read."))


# --- the regulator's overview ------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    counts = colour_counts_by_region(user)
    totals = {c: sum(v.get(c, 0) for v in counts.values()) for c, _label in COLOURS}
    late = orders_visible_to(user, late_only=True).count()
    context = {
        "totals": totals,
        "total": sum(totals.values()),
        "colours": COLOURS,
        "late_orders": late,
        "open_orders": orders_visible_to(user, state=Order.State.OPEN).count(),
        "map_url": reverse("gas-map-geojson"),
        "script_labels": SCRIPT_LABELS,
    }
    return render(request, T + "home.html", context)


@login_required
@require_GET
def map_geojson(request: HttpRequest) -> JsonResponse:
    """Communities (villages) of the user's scope with their sites by colour, and the red sites
    as points."""
    user = request_user(request)
    collection = colour_map_collection(
        colour_counts_by_region(user),
        shade=community_colour,
        community_url=lambda code: reverse("gas-sites") + f"?region={code}",
        red_points=[
            (p["id"], p["lat"], p["lon"], reverse("gas-site", args=[p["id"]]))
            for p in red_sites_points(user)
        ],
    )
    return JsonResponse(collection, content_type="application/geo+json")


def _site_filters(request: HttpRequest) -> dict[str, str]:
    region = request.GET.get("region", "").strip()
    colour = request.GET.get("colour", "")
    kind = request.GET.get("kind", "")
    return {
        "region": region if region.isdigit() and len(region) <= 15 else "",
        "colour": colour if colour in ("red", "yellow", "green") else "",
        "kind": kind if kind in UserSite.Kind.values else "",
        "query": request.GET.get("q", "").strip()[:50],
    }


@login_required
@require_GET
def sites_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    filters = _site_filters(request)
    sites = sites_visible_to(user, **filters).order_by("region_id", "pk")
    page = Paginator(sites, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "site": s,
            "phone": phone_masked(s.contact_phone),
            "reasons": reason_texts(getattr(s, "colour_reasons", None) or [], english=_english()),
        }
        for s in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "colours": COLOURS,
        "kinds": UserSite.Kind.choices,
        "query": query.urlencode(),
    }
    return render(request, T + "sites.html", context)


@login_required
@require_GET
def sites_export(request: HttpRequest) -> FileResponse:
    """The filtered list as Excel: phones masked, reasons in words."""
    user = request_user(request)
    sites = sites_visible_to(user, **_site_filters(request)).order_by("region_id", "pk")
    english = _english()

    def rows() -> Any:
        yield [
            _("Identifier"),
            _("Name"),
            _("Kind"),
            _("Region code"),
            _("Community"),
            _("Contact phone"),
            _("Colour"),
            _("Reasons"),
        ]
        for s in sites.iterator(chunk_size=2000):
            yield [
                s.identifier,
                s.site.name,
                s.get_kind_display(),
                s.region_id,
                s.region.name,
                phone_masked(s.contact_phone),
                getattr(s, "colour", "") or "",
                "；".join(reason_texts(getattr(s, "colour_reasons", None) or [], english=english)),
            ]

    target = xlsx_file([Sheet(title=_("Gas user sites"), rows=rows(), text_columns=(0, 3))])
    stamp = timezone.localdate().isoformat()
    return FileResponse(target, as_attachment=True, filename=f"gas-sites-{stamp}.xlsx")


@login_required
@require_GET
def site_page(request: HttpRequest, site_id: int) -> HttpResponse:
    user = request_user(request)
    site = site_get_for_user(user, site_id)
    colour = site_colour(site.pk, english=_english())
    context = {
        "site": site,
        "phone": phone_masked(site.contact_phone),
        "colour": colour,
        "history": site_colour_history(site.pk),
        "cylinders": site_cylinders(site),
        "hazards": site_hazards(site),
        "checks": site_safety_checks(site),
        "last_check": site_last_safety_check(site.pk),
        "last_delivery": site_last_delivery(site.pk),
        "orders": site_recent_orders(site),
        "may_write": roles.may_write(user),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, T + "site.html", context)


@login_required
@require_GET
def safety_check_photo(request: HttpRequest, token: str) -> FileResponse:
    """A safety check's photo, to those who may see the site; never a public or media URL."""
    photo = safety_check_photo_for_user(request_user(request), token)
    return private_file_response(
        photo.file,
        content_type=photo.content_type,
        filename=photo.file.name.rsplit("/", 1)[-1],
    )


# --- cylinders ---------------------------------------------------------------------------------


@login_required
@require_GET
def cylinder_find(request: HttpRequest) -> HttpResponse:
    identifier = parse_scan(request.GET.get("q", ""))
    if identifier:
        return redirect("gas-cylinder", identifier=identifier)
    return redirect("gas-home")


STEP_LABELS = {
    "urn:jiceng:bizstep:filling": gettext_lazy("Filled"),
    "urn:jiceng:bizstep:delivering": gettext_lazy("Delivered to a user"),
    "urn:jiceng:bizstep:collecting": gettext_lazy("Empty collected"),
    "https://ref.gs1.org/cbv/BizStep-inspecting": gettext_lazy("Inspected"),
    "https://ref.gs1.org/cbv/BizStep-commissioning": gettext_lazy("Commissioned"),
    "https://ref.gs1.org/cbv/BizStep-decommissioning": gettext_lazy("Scrapped"),
    "https://ref.gs1.org/cbv/BizStep-shipping": gettext_lazy("Shipped"),
    "https://ref.gs1.org/cbv/BizStep-receiving": gettext_lazy("Received"),
}


def _step_uri(value: str) -> str:
    from jiceng.ledger.documents import biz_step_uri

    return biz_step_uri(value) or value


@login_required
@require_GET
def cylinder_page(request: HttpRequest, identifier: str) -> HttpResponse:
    user = request_user(request)
    cylinder = cylinder_get_for_user(user, identifier)
    events = []
    for event in reversed(cylinder_history(cylinder)):
        step = _step_uri(str(event.get("bizStep", "")))
        events.append(
            {
                "time": event.get("eventTime", ""),
                "step": STEP_LABELS.get(step, step),
                "where": (event.get("bizLocation") or {}).get("id", ""),
                "disposition": str(event.get("disposition", "")).rsplit("-", 1)[-1],
                "id": event.get("eventID", ""),
            }
        )
    from jiceng.gas.selectors import cylinder_fill_check

    context = {
        "cylinder": cylinder,
        "check": cylinder_fill_check(cylinder=cylinder, station=None),
        "events": events,
        "flags": cylinder_flags(cylinder),
    }
    return render(request, T + "cylinder.html", context)


# --- the call centre and the delivery worker ---------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def call_centre(request: HttpRequest) -> HttpResponse:
    """Type the caller's number, pick the site, take the order; open orders below, late first."""
    user = request_user(request)
    phone = request.GET.get("phone", "").strip()[:30]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        _require_write(user)
        form = OrderForm(request.POST)
        phone = (request.POST.get("phone") or "").strip()[:30]
        if not form.is_valid():
            errors = form_problems(form)
        else:
            try:
                order = order_take(
                    actor=user,
                    site_id=form.cleaned_data["site"],
                    nominal_kg=form.cleaned_data["nominal_kg"],
                    count=form.cleaned_data["count"],
                    caller_phone=form.cleaned_data["phone"],
                )
            except ValidationError as exc:
                errors = form_problems(form, exc)
            else:
                messages.success(
                    request,
                    _("Order %(number)s: %(station)s delivers by %(by)s.")
                    % {
                        "number": order.number,
                        "station": order.station.name,
                        "by": timezone.localtime(order.window_end).strftime("%H:%M"),
                    },
                )
                return redirect("gas-orders")
    found = sites_by_phone(user, phone) if phone else []
    now = timezone.now()
    orders = orders_visible_to(user, state=Order.State.OPEN).order_by("window_end")[:100]
    context = {
        "phone": phone,
        "found": [{"site": s, "phone": phone_masked(s.contact_phone)} for s in found],
        "sizes": nominal_sizes(),
        "errors": errors,
        "orders": orders,
        "now": now,
        "may_write": roles.may_write(user),
    }
    return render(request, T + "orders.html", context)


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    orders = orders_for_worker(request_user(request)).order_by("window_end")[:100]
    return render(request, T + "delivery.html", {"orders": orders, "now": timezone.now()})


@login_required
@require_http_methods(["GET", "POST"])
def delivery_order(request: HttpRequest, order_id: int) -> HttpResponse:
    """Scan (or type, or paste) the full cylinders handed over and the empties taken back."""
    user = request_user(request)
    order = get_in_scope_or_404(
        Order.objects.select_related("site__site", "station"), user, pk=order_id
    )
    errors: list[str] = []
    delivered_text = collected_text = ""
    if request.method == "POST":
        _require_write(user)
        form = DeliveryForm(request.POST)
        delivered_text = request.POST.get("delivered", "")[:5000]
        collected_text = request.POST.get("collected", "")[:5000]
        if not form.is_valid():
            errors = problem_list(form_problems(form))
        else:
            try:
                order_deliver(
                    actor=user,
                    order_id=order.pk,
                    delivered=form.delivered_identifiers(),
                    collected=form.collected_identifiers(),
                )
            except ValidationError as exc:
                errors = problem_list(form_problems(form, exc))
            else:
                messages.success(request, _("Order %s delivered.") % order.number)
                return redirect("gas-delivery")
    context = {
        "order": order,
        "errors": errors,
        "delivered_text": delivered_text,
        "collected_text": collected_text,
        "now": timezone.now(),
    }
    return render(request, T + "delivery_order.html", context)


# --- the safety check --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def safety_check_page(request: HttpRequest, site_id: int) -> HttpResponse:
    """The checklist on a phone: each item fine, a minor or a major hazard, with a note."""
    user = request_user(request)
    site = site_get_for_user(user, site_id)
    errors: list[str] = []
    items = check_items()
    if request.method == "POST":
        _require_write(user)
        form = SafetyCheckForm(request.POST, items=items)
        if not form.is_valid():
            errors = problem_list(form_problems(form))
        else:
            answers, hazards = form.answers_and_hazards()
            try:
                safety_check_record(
                    actor=user,
                    site_id=site.pk,
                    answers=answers,
                    hazards=hazards,
                    note=form.cleaned_data["note"],
                    photos=request.FILES.getlist("photos"),
                )
            except ValidationError as exc:
                errors = problem_list(form_problems(form, exc))
            else:
                messages.success(
                    request,
                    _("Safety check recorded; %d hazard(s) reported as cases.") % len(hazards),
                )
                return redirect("gas-site", site_id=site.pk)
    context = {
        "site": site,
        "items": items,
        "errors": errors,
        "post": request.POST if request.method == "POST" else {},
    }
    return render(request, T + "check.html", context)


# --- QR labels ---------------------------------------------------------------------------------


def _label_sheet(labels: list[tuple[str, str, str]]) -> HttpResponse:
    """An A4 sheet (SVG, millimetres) of 5 × 12 labels: a QR code and two lines of text."""
    columns, width, height = 5, 40, 24
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" '
        'viewBox="0 0 210 297" font-family="sans-serif">'
    ]
    for index, (payload, line1, line2) in enumerate(labels[:LABELS_PER_SHEET]):
        x = 5 + (index % columns) * width
        y = 4.5 + (index // columns) * height
        code = segno.make(payload, error="m")
        size = code.symbol_size(scale=1, border=1)[0]
        scale = 20 / size
        parts.append(
            f'<g transform="translate({x} {y})">'
            f'<rect width="{width - 1}" height="{height - 1}" fill="none" stroke="#bbb" '
            'stroke-width="0.2"/>'
            f'<g transform="translate(1 1.5) scale({scale:.4f})">'
            f"{code.svg_inline(scale=1, border=1, omitsize=True)}</g>"
            f'<text x="22" y="9" font-size="3">{escape(line1)}</text>'
            f'<text x="22" y="14" font-size="2.4">{escape(line2)}</text></g>'
        )
    parts.append("</svg>")
    response = HttpResponse("".join(parts), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="labels.svg"'
    return response


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


@login_required
@require_GET
def site_labels(request: HttpRequest) -> HttpResponse:
    """QR labels of the user sites of a community (?region=), 60 to a sheet (?page=)."""
    user = request_user(request)
    sites = sites_visible_to(user, **_site_filters(request)).order_by("pk")
    page = _page_number(request)
    chosen = sites[(page - 1) * LABELS_PER_SHEET : page * LABELS_PER_SHEET]
    labels = [
        (
            request.build_absolute_uri(reverse("gas-public-site", args=[s.site.qr_token])),
            s.identifier.rsplit(":", 1)[-1],
            s.region.name,
        )
        for s in chosen
    ]
    return _label_sheet(labels)


@login_required
@require_GET
def cylinder_labels(request: HttpRequest) -> HttpResponse:
    """QR labels of cylinders of a station (?station=CODE), 60 to a sheet (?page=)."""
    user = request_user(request)
    cylinders = scope_queryset(Cylinder.objects.filter(registered=True), user).order_by(
        "identifier"
    )
    station = request.GET.get("station", "")[:30]
    if station:
        cylinders = cylinders.filter(owner__code=station)
    page = _page_number(request)
    chosen = cylinders[(page - 1) * LABELS_PER_SHEET : page * LABELS_PER_SHEET]
    labels = [
        (
            request.build_absolute_uri(reverse("gas-public-cylinder", args=[c.serial])),
            c.serial,
            f"{c.nominal_kg or ''} kg · {c.manufactured_on or ''}",
        )
        for c in chosen
    ]
    return _label_sheet(labels)


# --- public pages behind the QR codes ------------------------------------------------------------


@require_GET
def public_site(request: HttpRequest, token: str) -> HttpResponse:
    view = site_public_view(token[:40])
    if view is None:
        raise Http404(_("No such site."))
    return render(request, T + "public_site.html", view)


@require_GET
def public_cylinder(request: HttpRequest, serial: str) -> HttpResponse:
    view = cylinder_public_view(serial[:120])
    if view is None or not view["cylinder"].registered:
        raise Http404(_("No such cylinder."))
    view["today"] = timezone.localdate()
    return render(request, T + "public_cylinder.html", view)


# --- stations and their scale devices ----------------------------------------------------------


@login_required
@require_GET
def stations_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    stations = (
        stations_visible_to(user)
        .select_related("region")
        .annotate(active_devices=Count("devices", filter=Q(devices__revoked_at__isnull=True)))
        .order_by("region_id", "code")
    )
    return render(request, T + "stations.html", {"stations": stations})


@login_required
@require_http_methods(["GET", "POST"])
def station_page(request: HttpRequest, code: str) -> HttpResponse:
    """A station and, for the region's administrators and gas managers, its scale devices: the
    list, a form that creates one (its key shown on this answer only) and revoking."""
    user = request_user(request)
    station = station_get_for_user(user, code)
    manages = may_manage_station(user, station)
    form = ScaleDeviceForm()
    created: tuple[ScaleDevice, str] | None = None
    status = 200
    if request.method == "POST":
        check_may_manage_station(user, station)
        form = ScaleDeviceForm(request.POST)
        if form.is_valid():
            try:
                created = scale_device_create(
                    actor=user, station=station, name=form.cleaned_data["name"]
                )
                form = ScaleDeviceForm()
                status = 201
            except ValidationError as exc:
                add_service_errors(form, exc)
        if created is None:
            status = 400
    context = {
        "station": station,
        "manages": manages,
        "devices": station_devices(station) if manages else [],
        "form": form,
        "created": created,
        "capture_url": request.build_absolute_uri(reverse("epcis-capture")),
    }
    response = render(request, T + "station.html", context, status=status)
    if created is not None:
        response["Cache-Control"] = "no-store"  # the key is on this page only
    return response


@login_required
@require_POST
def station_device_revoke(request: HttpRequest, code: str, device_id: int) -> HttpResponse:
    user = request_user(request)
    station = station_get_for_user(user, code)
    device = station.devices.filter(pk=device_id).first()
    if device is None:
        raise Http404(_("No such device at this station."))
    scale_device_revoke(actor=user, device=device)
    messages.success(
        request,
        _("Device %(name)s is revoked: its key no longer captures.") % {"name": device.name},
    )
    return redirect(reverse("gas-station", args=[station.code]) + "#devices")
