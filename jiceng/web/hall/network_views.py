"""Pages of the service network: the catalogue and its administration, service points with a
map, hall set-up (windows, weekly plans with tidal sessions, days of exception, tidal rules) and
handling records at every point.

Points, halls and windows are read through the hall selectors, which apply the user's scope (one
outside it is a 404, like one that does not exist); every change goes through a hall service,
which checks the role.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import roles
from jiceng.core.models import Region, User
from jiceng.hall.access import may_manage, may_record
from jiceng.hall.models import Hall, PointKind, ServiceItem, ServicePoint, SessionKind, Window
from jiceng.hall.selectors import (
    hall_days_of,
    hall_get_for_user,
    halls_of_point,
    items_all,
    items_for_kind,
    point_get_for_user,
    point_records_recent,
    point_staff_candidates,
    points_listed,
    points_visible_to,
    tidal_rules_of,
    window_get_for_user,
    window_sessions_of,
    windows_of,
)
from jiceng.hall.services.catalogue import catalogue_load, item_update
from jiceng.hall.services.network import (
    hall_day_set,
    handling_record_submit,
    point_items_set,
    point_staff_set,
    sessions_set,
    tidal_rule_set,
    window_create,
    window_update,
)
from jiceng.web.common import (
    add_service_errors,
    new_idempotency_key,
    render_uncached,
    request_user,
)
from jiceng.web.hall.network_forms import (
    WEEKDAYS,
    BaseSessionFormSet,
    CatalogueFilterForm,
    CatalogueReloadForm,
    HallDayForm,
    HandlingRecordForm,
    ItemForm,
    PlanFromForm,
    PointFilterForm,
    PointItemsForm,
    PointStaffForm,
    SessionFormSet,
    TidalRuleForm,
    WindowEditForm,
    WindowForm,
)

T = "web/hall/network/"  # the templates' folder
MAX_POINTS_LISTED = 500
UPLOAD_MAX_CHARS = 2_000_000

SCRIPT_LABELS = {
    "point": gettext_lazy("Service point"),
    "covered": gettext_lazy("Covered"),
    "uncovered": gettext_lazy("Not covered"),
    "offers": gettext_lazy("Offers the item"),
    "other": gettext_lazy("Other points"),
    "minutes": gettext_lazy("min"),
    "people": gettext_lazy("residents"),
    "nearest": gettext_lazy("Nearest"),
    "none": gettext_lazy("none"),
    "mapFailed": gettext_lazy("The map could not be loaded."),
}


def url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def region_geometry(region: Region | None) -> dict[str, Any] | None:
    """The region's boundary, else a point at its centre, else nothing."""
    if region is None:
        return None
    if region.boundary:
        return dict(region.boundary)
    if region.lat is not None and region.lon is not None:
        return {"type": "Point", "coordinates": [region.lon, region.lat]}
    return None


# --- the catalogue --------------------------------------------------------------------------


def _catalogue_context(
    request: HttpRequest, *, reload_form: CatalogueReloadForm | None = None
) -> dict[str, Any]:
    user = request_user(request)
    form = CatalogueFilterForm(request.GET)
    administers = roles.may_administer(user)
    items = [i for i in items_all() if (administers or i.is_active) and form.matches(i)]
    kinds = dict(PointKind.choices)
    counts = dict(points_visible_to(user).order_by().values_list("kind").annotate(n=Count("pk")))
    return {
        "form": form,
        "items": [
            {
                "item": i,
                "kinds": [kinds.get(k, k) for k in i.point_kinds],
            }
            for i in items
        ],
        "point_counts": [
            {"kind": k, "label": label, "count": counts.get(k, 0)} for k, label in kinds.items()
        ],
        "administers": administers,
        "reload_form": reload_form or CatalogueReloadForm(),
        "kpis_url": url_or_none("hall-kpis"),
        "coverage_url": url_or_none("hall-coverage"),
    }


@login_required
@require_GET
def catalogue_page(request: HttpRequest) -> HttpResponse:
    """The service catalogue with filters; the network's points by type; links to the rest."""
    return render(request, T + "catalogue.html", _catalogue_context(request))


def _check_administrator(user: User) -> None:
    if not roles.may_administer(user):
        raise PermissionDenied(_("Only a county administrator may change the service catalogue."))


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    _check_administrator(user)
    item = ServiceItem.objects.filter(code=code).first()
    if item is None:
        raise Http404(_("No such item."))
    if request.method != "POST":
        form = ItemForm(initial=ItemForm.initial_for(item))
        return render(request, T + "item_form.html", {"form": form, "item": item})
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            item_update(actor=user, item=item, **form.changes())
        except ValidationError as exc:
            item.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Item %(code)s saved.") % {"code": item.code})
            return redirect("hall-network")
    return render(request, T + "item_form.html", {"form": form, "item": item}, status=400)


@login_required
@require_POST
def catalogue_reload(request: HttpRequest) -> HttpResponse:
    """Load the catalogue again from the reference CSV (or an uploaded one), all or nothing."""
    user = request_user(request)
    _check_administrator(user)
    form = CatalogueReloadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data.get("file")
        text = None
        if upload is not None:
            raw = upload.read(UPLOAD_MAX_CHARS + 1)
            if len(raw) > UPLOAD_MAX_CHARS:
                form.add_error("file", _("The file is too large."))
            else:
                text = raw.decode("utf-8-sig", errors="replace")
        if not form.errors:
            try:
                count = catalogue_load(actor=user, text=text)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(n)d items loaded.") % {"n": count})
                return redirect("hall-network")
    context = _catalogue_context(request, reload_form=form)
    return render(request, T + "catalogue.html", context, status=400)


# --- points ---------------------------------------------------------------------------------


@login_required
@require_GET
def points_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PointFilterForm(request.GET, user=user)
    points = points_listed(
        user,
        kind=form.value("kind") or "",
        item=form.value("item") or "",
        area=form.value("town") or "",
    )
    total = points.count()
    return render(
        request,
        T + "points.html",
        {
            "form": form,
            "points": list(points[:MAX_POINTS_LISTED]),
            "total": total,
            "limited": total > MAX_POINTS_LISTED,
        },
    )


def _point_context(
    request: HttpRequest,
    point: ServicePoint,
    *,
    items_form: PointItemsForm | None = None,
    staff_form: PointStaffForm | None = None,
) -> dict[str, Any]:
    user = request_user(request)
    region = point.region
    town = region.parent if region.level == "village" and region.parent_id else None
    items = list(point.items.select_related("group").order_by("code"))
    staff = list(point.staff.order_by("username"))
    manages = may_manage(user, point.region_id)
    context: dict[str, Any] = {
        "point": point,
        "items": items,
        "staff": staff,
        "halls": halls_of_point(point),
        "manages": manages,
        "may_record": may_record(user, point),
        "map_data": {
            "point": [point.lat, point.lon]
            if point.lat is not None and point.lon is not None
            else None,
            "name": point.name,
            "boundary": region_geometry(region),
            "town": region_geometry(town) if town is not None else None,
        },
        "kpis_url": url_or_none("hall-kpis"),
        "script_labels": SCRIPT_LABELS,
    }
    if manages:
        context["items_form"] = items_form or PointItemsForm(
            initial={"items": [i.code for i in items]},
            choices=list(items_for_kind(point.kind)),
        )
        context["staff_form"] = staff_form or PointStaffForm(
            initial={"staff": [u.pk for u in staff]},
            choices=list(point_staff_candidates(point, user)),
        )
    return context


@login_required
@require_http_methods(["GET", "POST"])
def point_page(request: HttpRequest, point_id: int) -> HttpResponse:
    """A point: opening hours, halls, items, staff and a map; its managers set items and staff."""
    user = request_user(request)
    point = point_get_for_user(user, point_id)  # 404 outside the user's scope
    if request.method != "POST":
        return render(request, T + "point.html", _point_context(request, point))
    if not may_manage(user, point.region_id):
        raise PermissionDenied(
            _("Only county administrators and town officers manage the service network.")
        )
    action = request.POST.get("action", "")
    if action == "items":
        items_form = PointItemsForm(request.POST, choices=list(items_for_kind(point.kind)))
        if items_form.is_valid():
            try:
                point_items_set(actor=user, point=point, items=items_form.cleaned_data["items"])
            except ValidationError as exc:
                add_service_errors(items_form, exc)
            else:
                messages.success(request, _("Items of the point saved."))
                return redirect("hall-point", point_id=point.pk)
        context = _point_context(request, point, items_form=items_form)
        return render(request, T + "point.html", context, status=400)
    if action == "staff":
        candidates = list(point_staff_candidates(point, user))
        staff_form = PointStaffForm(request.POST, choices=candidates)
        if staff_form.is_valid():
            chosen = set(staff_form.cleaned_data["staff"])
            try:
                point_staff_set(
                    actor=user, point=point, users=[u for u in candidates if u.pk in chosen]
                )
            except ValidationError as exc:
                add_service_errors(staff_form, exc)
            else:
                messages.success(request, _("Staff of the point saved."))
                return redirect("hall-point", point_id=point.pk)
        context = _point_context(request, point, staff_form=staff_form)
        return render(request, T + "point.html", context, status=400)
    raise Http404(_("Unknown action."))


# --- handling records -----------------------------------------------------------------------


def _record_form_initial() -> dict[str, Any]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "started_at": now - timedelta(minutes=10),
        "ended_at": now,
        "idempotency_key": new_idempotency_key(),
    }


def _records_response(
    request: HttpRequest,
    point: ServicePoint,
    form: HandlingRecordForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render_uncached(  # a fresh idempotency key on every render
        request,
        T + "records.html",
        {"point": point, "form": form, "records": list(point_records_recent(point))},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_records(request: HttpRequest, point_id: int) -> HttpResponseBase:
    """Record what a point handled (a form that fits a phone), and its latest records."""
    user = request_user(request)
    point = point_get_for_user(user, point_id)  # 404 outside the user's scope
    allowed = may_record(user, point)
    items = list(point.items.filter(is_active=True).order_by("code"))
    if request.method != "POST":
        form = HandlingRecordForm(initial=_record_form_initial(), items=items) if allowed else None
        return _records_response(request, point, form)
    if not allowed:
        raise PermissionDenied(_("Only the point's staff and managers record its work."))
    form = HandlingRecordForm(request.POST, items=items)
    if not form.is_valid():
        return _records_response(request, point, form, status=400)
    data = form.cleaned_data
    try:
        record = handling_record_submit(
            actor=user,
            point_id=point.pk,
            idempotency_key=data["idempotency_key"],
            item_code=data["item"],
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            outcome=data["outcome"],
            id_number=data["id_number"],
            credit_code=data["credit_code"],
            note=data["note"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _records_response(request, point, form, status=400)
    except ServicePoint.DoesNotExist:  # closed down meanwhile
        raise Http404(_("No such service point.")) from None
    if record is None:
        messages.info(request, _("This record was saved already."))
        return redirect("hall-point-records", point_id=point.pk)
    messages.success(request, _("Recorded."))
    return redirect("hall-point-records", point_id=point.pk)


# --- hall set-up ----------------------------------------------------------------------------


def _setup_context(
    request: HttpRequest, hall: Hall, forms: dict[str, Any] | None = None
) -> dict[str, Any]:
    user = request_user(request)
    forms = forms or {}
    windows = windows_of(hall)
    next_number = max((w.number for w in windows), default=0) + 1
    return {
        "hall": hall,
        "point": hall.point,
        "manages": may_manage(user, hall.point.region_id),
        "windows": [
            {
                "window": w,
                "form": forms.get(f"window-{w.pk}")
                or WindowEditForm(
                    prefix=f"w{w.pk}",
                    initial={
                        "window": w.pk,
                        "number": w.number,
                        "name": w.name,
                        "groups": w.default_groups,
                        "is_tidal": w.is_tidal,
                    },
                ),
                "sessions_url": reverse("hall-window-sessions", args=[w.pk]),
            }
            for w in windows
        ],
        "window_form": forms.get("window") or WindowForm(initial={"number": next_number}),
        "rules": list(tidal_rules_of(hall)),
        "rule_form": forms.get("rule") or TidalRuleForm(),
        "days": list(hall_days_of(hall, since=timezone.localdate() - timedelta(days=30))),
        "day_form": forms.get("day") or HallDayForm(),
        "weekdays": dict(WEEKDAYS),
        "queue_url": url_or_none("hall-queue"),
    }


def _setup_post(request: HttpRequest, hall: Hall) -> tuple[str, dict[str, Any]]:
    """Apply one set-up form; (what was done, or "", and the forms with errors)."""
    user = request_user(request)
    action = request.POST.get("action", "")
    if action == "window_add":
        form: Any = WindowForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if any(w.number == data["number"] for w in windows_of(hall)):
                form.add_error("number", _("The hall has a window with this number."))
            else:
                try:
                    window_create(
                        actor=user,
                        hall=hall,
                        number=data["number"],
                        groups=data["groups"],
                        name=data["name"],
                        is_tidal=data["is_tidal"],
                    )
                    return _("Window added."), {}
                except ValidationError as exc:
                    add_service_errors(form, exc)
        return "", {"window": form}
    if action == "window_edit":
        window_id = request.POST.get("window_id", "")
        window = next((w for w in windows_of(hall) if str(w.pk) == window_id), None)
        if window is None:
            raise Http404(_("No such window."))
        form = WindowEditForm(
            request.POST, prefix=f"w{window.pk}", initial={"number": window.number}
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                window_update(
                    actor=user,
                    window=window,
                    groups=data["groups"],
                    name=data["name"],
                    is_tidal=data["is_tidal"],
                )
                return _("Window %(n)d saved.") % {"n": window.number}, {}
            except ValidationError as exc:
                add_service_errors(form, exc)
        return "", {f"window-{window.pk}": form}
    if action == "rule":
        form = TidalRuleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                tidal_rule_set(
                    actor=user,
                    hall=hall,
                    group=data["group"],
                    waiting_more_than=data["waiting_more_than"],
                    is_active=data["is_active"],
                )
                return _("Tidal rule saved."), {}
            except ValidationError as exc:
                add_service_errors(form, exc)
        return "", {"rule": form}
    if action == "day":
        form = HallDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                hall_day_set(
                    actor=user,
                    hall=hall,
                    day=data["date"],
                    is_open=data["is_open"],
                    plan_weekday=data["plan_weekday"] if data["is_open"] else None,
                    note=data["note"],
                )
                return _("Day of exception saved."), {}
            except ValidationError as exc:
                add_service_errors(form, exc)
        return "", {"day": form}
    raise Http404(_("Unknown action."))


@login_required
@require_http_methods(["GET", "POST"])
def hall_setup(request: HttpRequest, hall_id: int) -> HttpResponse:
    """A hall's windows and their groups, its tidal rules and days of exception."""
    user = request_user(request)
    hall = hall_get_for_user(user, hall_id)  # 404 outside the user's scope
    if request.method != "POST":
        return render(request, T + "hall_setup.html", _setup_context(request, hall))
    if not may_manage(user, hall.point.region_id):
        raise PermissionDenied(_("Only county administrators and town officers set up halls."))
    done, failed = _setup_post(request, hall)
    if done:
        messages.success(request, done)
        return redirect("hall-setup", hall_id=hall.pk)
    return render(request, T + "hall_setup.html", _setup_context(request, hall, failed), status=400)


def _sessions_initial(window: Window) -> list[dict[str, Any]]:
    return [
        {"weekday": s.weekday, "kind": s.kind, "starts": s.starts, "ends": s.ends}
        for s in window_sessions_of(window)
        if s.valid_from is None or s.valid_from <= timezone.localdate()
    ]


def _sessions_context(
    request: HttpRequest, window: Window, formset: Any, plan_form: PlanFromForm
) -> dict[str, Any]:
    user = request_user(request)
    sessions = list(window_sessions_of(window))
    today = timezone.localdate()
    days: dict[int, list[Any]] = {d: [] for d, _label in WEEKDAYS}
    for s in sessions:
        if s.valid_from is None or s.valid_from <= today:
            days[s.weekday].append(s)
    return {
        "window": window,
        "hall": window.hall,
        "formset": formset,
        "plan_form": plan_form,
        "week": [(label, days[d]) for d, label in WEEKDAYS],
        "upcoming": [s for s in sessions if s.valid_from is not None and s.valid_from > today],
        "weekdays": dict(WEEKDAYS),
        "kinds": dict(SessionKind.choices),
        "manages": may_manage(user, window.hall.point.region_id),
    }


@login_required
@require_http_methods(["GET", "POST"])
def window_sessions(request: HttpRequest, window_id: int) -> HttpResponse:
    """A window's weekly plan: regular hours and early, late, noon and Saturday (tidal) sessions."""
    user = request_user(request)
    window = window_get_for_user(user, window_id)  # 404 outside the user's scope
    if request.method != "POST":
        formset = SessionFormSet(initial=_sessions_initial(window), prefix="s")
        context = _sessions_context(request, window, formset, PlanFromForm())
        return render(request, T + "window_sessions.html", context)
    if not may_manage(user, window.hall.point.region_id):
        raise PermissionDenied(_("Only county administrators and town officers set up halls."))
    formset = cast(BaseSessionFormSet, SessionFormSet(request.POST, prefix="s"))
    plan_form = PlanFromForm(request.POST)
    if formset.is_valid() and plan_form.is_valid():
        try:
            sessions_set(
                actor=user,
                window=window,
                sessions=formset.sessions(),
                valid_from=plan_form.cleaned_data["valid_from"],
            )
        except ValidationError as exc:
            add_service_errors(plan_form, exc)
        else:
            messages.success(request, _("Weekly plan of %(window)s saved.") % {"window": window})
            return redirect("hall-window-sessions", window_id=window.pk)
    context = _sessions_context(request, window, formset, plan_form)
    return render(request, T + "window_sessions.html", context, status=400)
