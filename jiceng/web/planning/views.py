"""Planning pages: a hall's tidal staffing plan for a week, and the service-circle plan of an item.

Halls are read through the hall selectors (the user's scope: a hall outside it is a 404, like one
that does not exist); villages through the travel matrix of the user's scope. The plans come from
the hall module's planning glue (jiceng.hall.staffing, jiceng.hall.circle); applying a staffing
plan goes through its service (jiceng.hall.services.plans), which checks the role.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiceng.core.models import User
from jiceng.hall.access import may_manage
from jiceng.hall.circle import COMMITTEE, CirclePlan, CircleUnavailable, circle_plan
from jiceng.hall.models import Hall, PointKind, SessionKind
from jiceng.hall.selectors import hall_get_for_user, halls_visible_to, items_active
from jiceng.hall.services.plans import PlanApplied, staffing_plan_apply
from jiceng.hall.staffing import (
    SHIFTS,
    StaffingPlan,
    StaffingUnavailable,
    staffing_plan,
    week_monday,
)
from jiceng.web.common import request_user
from jiceng.web.planning.forms import ApplyForm, CircleForm, TidalForm

T = "web/planning/"
WEEKDAY_NAMES = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)
SHIFT_LABELS = {
    "regular": gettext_lazy("Regular hours"),
    "early": gettext_lazy("Early start"),
    "late": gettext_lazy("Late finish"),
    "noon": gettext_lazy("Through noon"),
    "saturday": gettext_lazy("Saturday morning"),
}
TIDAL_LABELS = {
    "forecast": gettext_lazy("Expected arrivals"),
    "band": gettext_lazy("80% band"),
    "required": gettext_lazy("Windows required"),
    "open": gettext_lazy("Windows open"),
    "arrivals": gettext_lazy("Arrivals"),
    "windows": gettext_lazy("Windows"),
}
CIRCLE_LABELS = {
    "covered": gettext_lazy("Covered today"),
    "gained": gettext_lazy("Covered by the new points"),
    "uncovered": gettext_lazy("Not covered"),
    "existing": gettext_lazy("Offers the item"),
    "proposed": gettext_lazy("Proposed new point"),
    "residents": gettext_lazy("residents"),
    "mapFailed": gettext_lazy("The map could not be loaded."),
}


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else round(float(value), 2)


# --- the tidal plan ---------------------------------------------------------------------------


def _default_week(today: date) -> date:
    return week_monday(today) + timedelta(days=7)


def _shift_label(name: str) -> str:
    return str(SHIFT_LABELS.get(name, name))


def _tidal_context(plan: StaffingPlan, user: User, hall: Hall) -> dict[str, Any]:
    days = []
    shown: list[int] = []
    for i, day in enumerate(plan.days):
        if day.arrivals <= 0 and not day.shifts:
            continue
        shown.append(i)
        rows = []
        for k, label in enumerate(plan.periods):
            if plan.mean[i, k] <= 0 and plan.on_duty[i, k] == 0:
                continue
            rows.append(
                {
                    "time": label,
                    "mean": plan.mean[i, k],
                    "lower": plan.lower[i, k],
                    "upper": plan.upper[i, k],
                    "required": int(plan.required[i, k]),
                    "short": int(plan.short[i, k]),
                    "uncovered": plan.uncovered[i, k] > 0,
                    "open": int(plan.on_duty[i, k]),
                    "erlang": _number(plan.erlang_level[i, k]),
                    "wait": _number(plan.sim_wait[i, k]),
                    "level": _number(plan.sim_level[i, k]),
                }
            )
        days.append(
            {
                "index": i,
                "name": WEEKDAY_NAMES[i],
                "plan": day,
                "rows": rows,
                "shifts": [(_shift_label(n), c) for n, c in day.shifts.items()],
            }
        )
    chart = {
        "periods": plan.periods,
        "days": [
            {
                "index": i,
                "name": str(WEEKDAY_NAMES[i]),
                "date": plan.days[i].day.isoformat(),
                "mean": [round(float(v), 2) for v in plan.mean[i]],
                "lower": [round(float(v), 2) for v in plan.lower[i]],
                "upper": [round(float(v), 2) for v in plan.upper[i]],
                "required": [int(v) for v in plan.required[i] + plan.short[i]],
                "open": [int(v) for v in plan.on_duty[i]],
            }
            for i in shown
        ],
    }
    windows = sorted(plan.window_numbers.items(), key=lambda item: item[1])
    placement = [
        {
            "number": number,
            "cells": [
                _shift_label(plan.placement[w][window_id])
                if w in plan.placement and window_id in plan.placement[w]
                else ("" if w in plan.placement else None)
                for w in range(7)
            ],
        }
        for window_id, number in windows
    ]
    roster_rows = [
        {
            "name": name,
            "cells": [_shift_label(s) if s else "" for s in shifts],
            "hours": plan.roster_hours.get(name, 0.0),
            "vacancy": name in plan.vacancies,
        }
        for name, shifts in (plan.roster or {}).items()
    ]
    shifts = [
        {
            "key": shift.name,
            "name": _shift_label(shift.name),
            "sessions": [
                (f"{a // 60:02d}:{a % 60:02d}–{b // 60:02d}:{b % 60:02d}", SessionKind(kind).label)
                for kind, a, b in shift.sessions
            ],
            "hours": shift.hours,
        }
        for shift in SHIFTS
    ]
    waits = [d.mean_wait for d in plan.days if d.mean_wait is not None]
    weights = [d.arrivals for d in plan.days if d.mean_wait is not None]
    return {
        "plan": plan,
        "days": days,
        "chart_data": chart,
        "placement": placement,
        "weekday_names": WEEKDAY_NAMES,
        "roster_rows": roster_rows,
        "shifts": shifts,
        "arrivals": sum(d.arrivals for d in plan.days),
        "week_wait": (
            sum(w * a for w, a in zip(waits, weights, strict=True)) / sum(weights)
            if weights and sum(weights) > 0
            else None
        ),
        "may_apply": may_manage(user, hall.point.region_id) and plan.history_tickets > 0,
        "kept": [WEEKDAY_NAMES[d] for d in plan.kept_weekdays],
        "short_total": int(plan.short.sum()),
    }


@login_required
@require_GET
def tidal_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    halls = list(halls_visible_to(user))
    today = timezone.localdate()
    data = request.GET if "hall" in request.GET or "week" in request.GET else None
    hall_id: int | None = halls[0].pk if halls else None
    week: date | None = _default_week(today)
    form = TidalForm(data, halls=halls, initial={"hall": hall_id, "week": week})
    context: dict[str, Any] = {"form": form, "halls": halls, "labels": TIDAL_LABELS}
    status = 200
    if data is not None:
        if form.is_valid():
            hall_id, week = form.cleaned_data["hall"], form.cleaned_data["week"]
        else:
            hall_id, week, status = None, None, 400
    if hall_id is not None and week is not None:
        hall = hall_get_for_user(user, hall_id)
        try:
            plan = staffing_plan(hall, week=week, today=today)
        except StaffingUnavailable as exc:
            context["problem"] = str(exc)
        else:
            context |= _tidal_context(plan, user, hall)
            context["hall"] = hall
            context["apply_form"] = ApplyForm(
                initial={"hall": hall.pk, "week": plan.week, "fingerprint": plan.fingerprint},
                halls=[hall],
            )
    return render(request, T + "tidal.html", context, status=status)


def _changes_message(applied: PlanApplied) -> list[str]:
    if not applied.changed:
        return [_("The hall's session plan already was this plan: nothing changed.")]
    lines = [
        _("Session plan applied from %(week)s: %(added)d sessions added, %(removed)d removed.")
        % {"week": applied.week, "added": applied.added, "removed": applied.removed}
    ]
    for change in applied.windows:
        parts = [
            f"−{WEEKDAY_NAMES[d]} {a}–{b} {SessionKind(k).label}" for d, k, a, b in change.removed
        ]
        parts += [
            f"+{WEEKDAY_NAMES[d]} {a}–{b} {SessionKind(k).label}" for d, k, a, b in change.added
        ]
        lines.append(
            _("Window %(number)d: %(changes)s")
            % {"number": change.number, "changes": "; ".join(parts)}
        )
    return lines


@login_required
@require_POST
def tidal_apply(request: HttpRequest) -> HttpResponseBase:
    """Apply the reviewed plan: the hall's weekly sessions from its Monday on (managers only)."""
    user = request_user(request)
    halls = list(halls_visible_to(user))
    form = ApplyForm(request.POST, halls=halls)
    if not form.is_valid():
        return render(
            request,
            T + "tidal.html",
            {
                "form": TidalForm(
                    halls=halls, initial={"week": _default_week(timezone.localdate())}
                ),
                "halls": halls,
                "labels": TIDAL_LABELS,
                "apply_errors": form.errors,
            },
            status=400,
        )
    hall = hall_get_for_user(user, form.cleaned_data["hall"])
    if not may_manage(user, hall.point.region_id):
        raise PermissionDenied(
            _("Only county administrators and town officers apply a staffing plan.")
        )
    week = form.cleaned_data["week"]
    back = reverse("planning-tidal") + "?" + urlencode({"hall": hall.pk, "week": week.isoformat()})
    try:
        plan = staffing_plan(
            hall, week=week, today=timezone.localdate(), with_simulation=False, with_roster=False
        )
        applied = staffing_plan_apply(
            actor=user, hall=hall, plan=plan, fingerprint=form.cleaned_data["fingerprint"]
        )
    except (ValidationError, StaffingUnavailable) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return redirect(back)
    for line in _changes_message(applied):
        messages.success(request, line)
    return redirect(back)


# --- the service circle -----------------------------------------------------------------------


def _circle_form(request: HttpRequest) -> tuple[CircleForm, dict[str, Any] | None]:
    items = list(items_active())
    data = request.GET.copy()
    if "item" not in data and items:
        data["item"] = next((i.code for i in items if i.high_frequency), items[0].code)
    form = CircleForm(data, items=items)
    return form, form.cleaned_data if form.is_valid() else None


def _plan_for(user: User, chosen: dict[str, Any]) -> CirclePlan:
    return circle_plan(
        user,
        item_code=chosen["item"],
        as_of=timezone.localdate(),
        minutes=chosen.get("minutes"),
        p=chosen.get("p"),
    )


KIND_LABELS = dict(PointKind.choices) | {COMMITTEE: gettext_lazy("Village committee (new station)")}


@login_required
@require_GET
def circle_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, chosen = _circle_form(request)
    context: dict[str, Any] = {"form": form, "labels": CIRCLE_LABELS, "kinds": KIND_LABELS}
    status = 200
    if chosen is None:
        status = 400
    else:
        try:
            plan = _plan_for(user, chosen)
        except CircleUnavailable as exc:
            form.add_error(None, str(exc))
            status = 400
        else:
            query = {"item": plan.item_code, "minutes": f"{plan.minutes:g}"}
            if plan.p:
                query["p"] = str(plan.p)
            context |= {
                "plan": plan,
                "map_url": reverse("planning-circle-map") + "?" + urlencode(query),
                "proposed": [
                    p | {"kind_label": KIND_LABELS.get(p["site"].kind, p["site"].kind)}
                    for p in plan.proposed
                ],
                "gained_population": plan.covered_population_after - plan.covered_population_before,
            }
    return render(request, T + "circle.html", context, status=status)


@login_required
@require_GET
def circle_map(request: HttpRequest) -> JsonResponse:
    """The villages of the user's scope (status before and after the plan), the points offering
    the item and the proposed new points, as GeoJSON."""
    user = request_user(request)
    form, chosen = _circle_form(request)
    if chosen is None:
        reason = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        return JsonResponse({"detail": reason}, status=400)
    try:
        plan = _plan_for(user, chosen)
    except CircleUnavailable as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    features: list[dict[str, Any]] = []
    for village in plan.village_points:
        geometry = village["boundary"] or {
            "type": "Point",
            "coordinates": [village["lon"], village["lat"]],
        }
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "role": "village",
                    "code": village["code"],
                    "name": village["name"],
                    "population": village["population"],
                    "status": village["status"],
                },
            }
        )
    for site in plan.existing:
        if site.lat is None or site.lon is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                "properties": {
                    "role": "existing",
                    "name": site.name,
                    "kind": str(KIND_LABELS.get(site.kind, site.kind)),
                },
            }
        )
    for rank, proposal in enumerate(plan.proposed, start=1):
        site = proposal["site"]
        if site.lat is None or site.lon is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
                "properties": {
                    "role": "proposed",
                    "rank": rank,
                    "name": site.name,
                    "kind": str(KIND_LABELS.get(site.kind, site.kind)),
                    "villages": len(proposal["villages"]),
                    "population": proposal["population"],
                },
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features}, content_type="application/geo+json"
    )
