"""The summer peak-load pages (迎峰度夏): meters (a day's load against the tariff's periods, the
bill by period), the readings and temperature imports, the enterprises' plans (一企一策: machines
edited on the page, the plan recomputed with htmx, saved, printed as the advice letter),
demand-response events (create, invite, commit, results) and the county's summer page with its
wall screen and Excel export.

Reads go through jiceng.power.selectors and jiceng.power.figures (role, region scope, and an
enterprise contact's own enterprise); writes through jiceng.power.services; who may do what is
jiceng/power/access.py."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core.services.regions import ImportRefused
from jiceng.core.spreadsheets import Sheet, xlsx_file
from jiceng.power import access, figures, selectors
from jiceng.power.letter import letter_pdf
from jiceng.power.models import DayType, Machine, MeterDay, PeriodKind, Plan
from jiceng.power.plans import compute
from jiceng.power.services import (
    baselines,
    dr_commit,
    dr_event_create,
    dr_invite,
    machine_delete,
    machine_save,
    plan_save,
    readings_import,
    temperatures_import,
)
from jiceng.power.tariffs import NoTariff, day_periods
from jiceng.web.common import add_service_errors, is_htmx, request_user
from jiceng.web.imports import import_page
from jiceng.web.power.forms import (
    CommitForm,
    DayForm,
    EventForm,
    InviteForm,
    MachineForm,
    PlanForm,
    ReadingsForm,
    TemperaturesForm,
)
from jiceng.web.registries.upload_limit import upload_limited

T = "web/power/"
PAGE_SIZE = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day_type(request: HttpRequest) -> str:
    value = request.GET.get("day_type") or request.POST.get("day_type") or DayType.WORKDAY
    return value if value in DayType.values else DayType.WORKDAY


# -- meters --------------------------------------------------------------------------------------


@login_required
@require_GET
def meters_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access.check_read(user)
    meters = selectors.meters_visible_to(user).select_related("enterprise", "region")
    query = request.GET.get("q", "").strip()[:50]
    if query:
        meters = meters.filter(
            Q(code__icontains=query)
            | Q(enterprise__name__icontains=query)
            | Q(name__icontains=query)
        )
    meters = meters.annotate(last_day=Max("days__day")).order_by("code")
    page = Paginator(meters, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "may_manage": access.may_manage(user)}
    return render(request, T + "meters.html", context)


@login_required
@require_GET
def meter_page(request: HttpRequest, code: str) -> HttpResponse:
    """A meter's day against the tariff's periods (the latest day with readings unless another
    is chosen) and its bill by period for a range (the day's month so far by default)."""
    user = request_user(request)
    access.check_read(user)
    meter = selectors.meter_for(user, code)
    form = DayForm(request.GET or None)
    chosen: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    latest = MeterDay.objects.filter(meter=meter).aggregate(d=Max("day"))["d"]
    day = chosen.get("day") or latest or timezone.localdate()
    loads = selectors.day_loads(meter, day)
    chart: dict[str, Any] | None = None
    periods: list[Any] = []
    problem = ""
    try:
        version, periods = day_periods(day, meter.category)
    except NoTariff as exc:
        problem = str(exc)
        version = None
    if loads is not None and periods:
        kinds = [p.kind for p in periods for _q in range(_quarters(p.start), _quarters(p.end))]
        values = [None if v != v else float(v) for v in loads]  # NaN: no reading
        chart = figures.chart_data(kinds=kinds, series={_("Load (kW)"): values})
    labels = dict(PeriodKind.choices)
    start = chosen.get("start") or day.replace(day=1)
    end = chosen.get("end") or day
    bill = None
    bill_problem = ""
    try:
        bill = selectors.meter_cost(meter, start, end)
    except (NoTariff, ValueError) as exc:
        bill_problem = str(exc)
    context = {
        "meter": meter,
        "form": form,
        "day": day,
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "has_loads": loads is not None,
        "chart": chart,
        "periods": [
            {
                "start": p.start,
                "end": p.end,
                "kind": p.kind,
                "label": labels[p.kind],
                "ratio": p.ratio,
            }
            for p in periods
        ],
        "tariff": version,
        "problem": problem,
        "bill": bill,
        "bill_rows": _bill_rows(bill),
        "bill_problem": bill_problem,
        "start": start,
        "end": end,
    }
    return render(request, T + "meter.html", context)


def _quarters(clock: str) -> int:
    hours, minutes = (int(part) for part in clock.split(":"))
    return (hours * 60 + minutes) // 15


def _bill_rows(bill: selectors.Bill | None) -> list[tuple[str, Any, Any]]:
    if bill is None:
        return []
    labels = dict(PeriodKind.choices)
    return [
        (str(labels.get(kind, kind)), figures_["kwh"], figures_["yuan"])
        for kind, figures_ in bill.by_period.items()
        if figures_["kwh"]
    ]


# -- imports -------------------------------------------------------------------------------------


@upload_limited()
@login_required
@require_http_methods(["GET", "POST"])
def readings_page(request: HttpRequest) -> HttpResponse:
    """15-minute readings, all or nothing, with the gaps and repeated readings reported."""
    user = request_user(request)
    access.check_manage(user)

    def importer(filename: str, content: bytes) -> Any:
        code = request.POST.get("meter", "").strip()
        meter = None
        if code:
            meter = selectors.meters_visible_to(user).filter(code=code).first()
            if meter is None:
                raise ImportRefused([(0, _("No meter %(code)s in your region.") % {"code": code})])
        return readings_import(actor=user, content=content, filename=filename, meter=meter)

    return import_page(
        request,
        form_class=ReadingsForm,
        importer=importer,
        template=T + "readings.html",
        context={"refused": _("The file was refused; nothing was stored.")},
    )


@upload_limited()
@login_required
@require_http_methods(["GET", "POST"])
def temperatures_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access.check_manage(user)
    return import_page(
        request,
        form_class=TemperaturesForm,
        importer=lambda filename, content: temperatures_import(
            actor=user, content=content, filename=filename
        ),
        template=T + "temperatures.html",
        context={"refused": _("The file was refused; nothing was stored.")},
    )


# -- plans ---------------------------------------------------------------------------------------


@login_required
@require_GET
def plans_page(request: HttpRequest) -> HttpResponse:
    """The enterprises with machines or plans, with their latest workday plan's figures."""
    user = request_user(request)
    access.check_read(user)
    with_machines = Machine.objects.values("enterprise_id")
    with_plans = Plan.objects.values("enterprise_id")
    enterprises = selectors.enterprises_visible_to(user).filter(
        Q(pk__in=with_machines) | Q(pk__in=with_plans)
    )
    query = request.GET.get("q", "").strip()[:50]
    if query:
        enterprises = enterprises.filter(name__icontains=query)
    page = Paginator(enterprises.order_by("name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    latest = {
        plan.enterprise_id: plan
        for plan in figures.latest_plans(user)
        if plan.day_type == DayType.WORKDAY
    }
    rows = [(enterprise, latest.get(enterprise.pk)) for enterprise in page]
    return render(request, T + "plans.html", {"page": page, "rows": rows, "q": query})


def _plan_on(page: dict[str, Any], enterprise_id: int) -> date:
    """The day a new computation is priced on: the saved plan's, else the last day with readings
    (so the typical day has data), else the module's default."""
    if page["plan"] is not None:
        return page["plan"].priced_on
    last = MeterDay.objects.filter(meter__enterprise_id=enterprise_id).aggregate(d=Max("day"))["d"]
    return last or page["priced_on"]


def _plan_context(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    user = request_user(request)
    access.check_read(user)
    enterprise = selectors.enterprise_for(user, enterprise_id)
    day_type = _day_type(request)
    page = selectors.plan_page(user, enterprise, day_type)
    page["on"] = _plan_on(page, enterprise.pk)
    page["user"] = user
    return page


@login_required
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """An enterprise's plan for a day type: the saved plan's chart and figures, its machines
    (editable by account managers), and the form that recomputes (htmx) and saves the plan."""
    page = _plan_context(request, enterprise_id)
    user = page["user"]
    enterprise = page["enterprise"]
    plan_form = PlanForm(initial={"on": page["on"]}, machines=page["machines"])
    if request.method == "POST":
        access.check_manage(user)
        plan_form = PlanForm(request.POST, machines=page["machines"])
        if plan_form.is_valid():
            try:
                plan_save(
                    actor=user,
                    enterprise=enterprise,
                    day_type=page["day_type"],
                    on=plan_form.cleaned_data["on"],
                    starts=plan_form.starts(),  # type: ignore[arg-type]
                    note=plan_form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(plan_form, error)
            else:
                messages.success(request, _("The plan was saved as a new version."))
                url = reverse("power-plan", args=[enterprise.pk])
                return redirect(f"{url}?day_type={page['day_type']}")
    plan = page["plan"]
    context = {
        **page,
        "plan_form": plan_form,
        "machine_forms": [
            (machine, MachineForm(initial=_machine_initial(machine), prefix=f"m{machine.pk}"))
            for machine in page["machines"]
        ],
        "new_machine": MachineForm(prefix="new"),
        "result": _result(plan.schedule, plan) if plan is not None else None,
        "day_types": DayType.choices,
    }
    status = 400 if plan_form.errors else 200
    return render(request, T + "plan.html", context, status=status)


def _machine_initial(machine: Machine) -> dict[str, Any]:
    return {
        "name": machine.name,
        "kind": machine.kind,
        "power_kw": machine.power_kw,
        "run_minutes": machine.run_minutes,
        "window_start": machine.window_start,
        "window_end": machine.window_end,
        "current_start": machine.current_start,
        "crew": machine.crew,
        "shifts": machine.shifts,
    }


def _result(schedule: dict[str, Any], figures_of: Any) -> dict[str, Any]:
    """A plan (saved or computed) as the page shows it: figures, periods, machines, chart."""
    return {
        "figures": figures_of,
        "periods": figures.plan_periods(schedule),
        "machines": schedule.get("machines") or [],
        "shifted_kwh": figures.shifted_kwh(schedule),
        "chart": figures.chart_data(
            kinds=schedule.get("kinds") or [],
            series={
                _("Now"): schedule.get("current_load") or [],
                _("Planned"): schedule.get("planned_load") or [],
            },
        ),
    }


@login_required
@require_POST
def plan_preview(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The plan recomputed from the form (not saved): a fragment for htmx."""
    page = _plan_context(request, enterprise_id)
    access.check_manage(page["user"])
    form = PlanForm(request.POST, machines=page["machines"])
    context: dict[str, Any] = {**page, "plan_form": form, "result": None, "problem": ""}
    if form.is_valid():
        try:
            computed = compute(
                page["enterprise"],
                page["day_type"],
                on=form.cleaned_data["on"],
                starts=form.starts(),  # type: ignore[arg-type]
            )
        except ValidationError as error:
            context["problem"] = "; ".join(error.messages)
        else:
            context["result"] = _result(computed.schedule, computed)
            context["preview"] = True
    else:
        context["problem"] = "; ".join(str(m) for e in form.errors.values() for m in e)
    template = T + "_plan_result.html" if is_htmx(request) else T + "plan_preview.html"
    return render(request, template, context, status=400 if context["problem"] else 200)


@login_required
@require_POST
def machine_edit(
    request: HttpRequest, enterprise_id: int, machine_id: int | None = None
) -> HttpResponse:
    """Add or change a machine; back to the plan page with the outcome."""
    page = _plan_context(request, enterprise_id)
    user = page["user"]
    access.check_manage(user)
    machine = None
    if machine_id is not None:
        machine = next((m for m in page["machines"] if m.pk == machine_id), None)
        if machine is None:
            raise Http404(_("No such machine."))
    form = MachineForm(request.POST, prefix=f"m{machine_id}" if machine else "new")
    if form.is_valid():
        try:
            machine_save(
                actor=user, enterprise=page["enterprise"], machine=machine, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, _("Machine saved; recompute the plan to see its effect."))
    else:
        messages.error(
            request,
            "; ".join(
                f"{form.fields[f].label}: {m}" if f in form.fields else str(m)
                for f, e in form.errors.items()
                for m in e
            ),
        )
    return _back_to_plan(page)


@login_required
@require_POST
def machine_remove(request: HttpRequest, enterprise_id: int, machine_id: int) -> HttpResponse:
    page = _plan_context(request, enterprise_id)
    access.check_manage(page["user"])
    machine = next((m for m in page["machines"] if m.pk == machine_id), None)
    if machine is None:
        raise Http404(_("No such machine."))
    machine_delete(actor=page["user"], machine=machine)
    messages.success(request, _("Machine removed."))
    return _back_to_plan(page)


def _back_to_plan(page: dict[str, Any]) -> HttpResponse:
    url = reverse("power-plan", args=[page["enterprise"].pk])
    return redirect(f"{url}?day_type={page['day_type']}")


@login_required
@require_GET
def letter_page(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """The advice letter (节能降耗建议书) of the latest saved plan, as a PDF."""
    page = _plan_context(request, enterprise_id)
    if page["plan"] is None:
        raise Http404(_("No saved plan for this day type."))
    pdf = letter_pdf(page, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"advice-{page['enterprise'].pk}-{page['day_type']}-v{page['plan'].version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    add_never_cache_headers(response)
    return response


# -- demand response -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def events_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access.check_read(user)
    form = EventForm(baselines=baselines())
    if request.method == "POST":
        access.check_dispatch(user)
        form = EventForm(request.POST, baselines=baselines())
        if form.is_valid():
            try:
                event = dr_event_create(actor=user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Event created; now invite the meters."))
                return redirect("power-event", event_id=event.pk)
    events = selectors.events_visible_to(user).select_related("region")
    page = Paginator(events.order_by("-day", "start"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "may_dispatch": access.may_dispatch(user)}
    return render(request, T + "events.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    """An event: invite meters (dispatchers), record commitments (dispatchers, account managers,
    the enterprise's contact for their own meters), and the results against the baseline."""
    user = request_user(request)
    access.check_read(user)
    event = selectors.event_for(user, event_id)
    invite = InviteForm()
    commit = CommitForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite":
                access.check_dispatch(user)
                invite = InviteForm(request.POST)
                if invite.is_valid():
                    count = dr_invite(actor=user, event=event, meters=invite.codes())
                    messages.success(request, _("%(count)d meters invited.") % {"count": count})
                    return redirect("power-event", event_id=event.pk)
            elif action == "commit":
                commit = CommitForm(request.POST)
                if commit.is_valid():
                    dr_commit(
                        actor=user,
                        event=event,
                        meter=commit.cleaned_data["meter"],
                        kw=commit.cleaned_data["kw"],
                    )
                    messages.success(request, _("Commitment recorded."))
                    return redirect("power-event", event_id=event.pk)
            else:
                raise Http404(_("Unknown action."))
        except ValidationError as error:
            add_service_errors(invite if action == "invite" else commit, error)
    visible = set(selectors.meters_visible_to(user).values_list("code", flat=True))
    participants = [p for p in selectors.participants_of(event) if p.meter.code in visible]
    results = [r for r in selectors.dr_results(event) if r.meter in visible]
    done = event.day <= timezone.localdate()
    context = {
        "event": event,
        "participants": participants,
        "results": results if done else [],
        "done": done,
        "invite": invite,
        "commit": commit,
        "may_dispatch": access.may_dispatch(user),
        "may_commit": any(_may_commit(user, p.meter.enterprise_id) for p in participants),
        "totals": _result_totals(results if done else []),
    }
    status = 400 if invite.errors or commit.errors else 200
    return render(request, T + "event.html", context, status=status)


def _may_commit(user: Any, enterprise_id: int | None) -> bool:
    try:
        access.check_commit(user, enterprise_id)
    except PermissionDenied:
        return False
    return True


def _result_totals(results: list[selectors.DrResult]) -> dict[str, Any]:
    committed = [r for r in results if r.committed_kw is not None]
    return {
        "committed_kw": sum(r.committed_kw or 0 for r in committed),
        "reduction_kw": sum(r.reduction_kw or 0 for r in committed),
        "effective": sum(1 for r in committed if r.effective),
        "committed": len(committed),
        "compensation": sum((r.compensation_yuan for r in committed), start=0),
    }


# -- the summer ----------------------------------------------------------------------------------


@login_required
@require_GET
def summer_page(request: HttpRequest) -> HttpResponseBase:
    """The county's summer: peak load by day against temperature, load shifted out of the sharp
    and peak periods, the plans and their savings, the events and their effective response;
    `?screen=1` the wall screen, `?format=xlsx` the Excel export."""
    user = request_user(request)
    access.check_read(user)
    this = figures.summer_of()[0].year
    try:
        year = int(request.GET.get("year", this))
    except ValueError:
        year = this
    year = min(max(year, 2020), this)
    start, end = date(year, 7, 1), date(year, 9, 30)
    found = figures.summer(user, start, end)
    if request.GET.get("format") == "xlsx":
        return _summer_xlsx(found)
    chart = {
        "days": [d.day.isoformat() for d in found.days],
        "peak": [round(d.peak_kw / 1000, 2) for d in found.days],  # MW
        "temperature": [float(d.max_c) if d.max_c is not None else None for d in found.days],
        "heat": [d.heat_day for d in found.days],
        "labels": {"peak": _("Peak load (MW)"), "temperature": _("Maximum temperature (°C)")},
    }
    context = {
        "summer": found,
        "year": year,
        "years": list(range(this, max(this - 4, 2019), -1)),
        "chart": chart,
        "screen": request.GET.get("screen") == "1",
    }
    template = T + ("summer_screen.html" if context["screen"] else "summer.html")
    return render(request, template, context)


def _summer_xlsx(found: figures.Summer) -> FileResponse:
    days: list[Any] = [
        [_("Day"), _("Maximum temperature (°C)"), _("Heat day"), _("Peak load (kW)"), _("kWh")],
        *[
            [
                d.day.isoformat(),
                float(d.max_c) if d.max_c is not None else None,
                _("yes") if d.heat_day else "",
                round(d.peak_kw, 1),
                round(d.kwh, 1),
            ]
            for d in found.days
        ],
    ]
    plans: list[Any] = [
        [
            _("Enterprise"),
            _("Day type"),
            _("Version"),
            _("Saved per day (yuan)"),
            _("Saved per summer (yuan)"),
            _("Peak removed (kW)"),
            _("Moved after 23:00 (kWh)"),
            _("Out of sharp and peak (kWh/day)"),
        ],
        *[
            [
                line.plan.enterprise.name,
                str(DayType(line.plan.day_type).label),
                line.plan.version,
                float(line.plan.saved_per_day),
                float(line.plan.saved_per_summer),
                float(line.plan.peak_removed_kw),
                float(line.plan.after_23_kwh),
                round(line.shifted_kwh_per_day, 1),
            ]
            for line in found.plans
        ],
    ]
    events: list[Any] = [
        [
            _("Day"),
            _("Window"),
            _("Kind"),
            _("Invited"),
            _("Committed"),
            _("Committed (kW)"),
            _("Effective"),
            _("Response (kW)"),
            _("Compensation (yuan)"),
        ],
        *[
            [
                line.event.day.isoformat(),
                f"{line.event.start:%H:%M}–{line.event.end:%H:%M}",
                str(line.event.get_kind_display()),
                line.invited,
                line.committed,
                round(line.committed_kw, 1),
                line.effective,
                round(line.reduction_kw, 1),
                float(line.compensation_yuan),
            ]
            for line in found.events
        ],
    ]
    sheets = [
        Sheet(title=_("Days"), rows=days),
        Sheet(title=_("Plans"), rows=plans),
        Sheet(title=_("Events"), rows=events),
    ]
    name = f"summer-{found.start.year}.xlsx"
    response = FileResponse(
        xlsx_file(sheets), as_attachment=True, filename=name, content_type=XLSX_TYPE
    )
    add_never_cache_headers(response)
    return response
