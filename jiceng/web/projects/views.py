"""Key-project pages: the pipeline board, a project with its Gantt chart (early and late bars,
the critical path, today, milestones that must start this week, red when the late start has
passed), the weekly meeting's agenda and minutes, and the reviews."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core.services.regions import ImportRefused
from jiceng.core.spreadsheets import Sheet, xlsx_file
from jiceng.core.transitions import allowed_transitions
from jiceng.projects import access
from jiceng.projects.models import Decision, Project
from jiceng.projects.reference_data import problem_category_codes
from jiceng.projects.selectors import (
    annual_evaluation,
    contest_results,
    meeting_agenda,
    monthly_ranking,
    pipeline_board,
    projects_managed_by,
    projects_visible_to,
    regions_for_projects,
    review_setting,
)
from jiceng.projects.services import (
    STAGE_MACHINE,
    contest_score,
    decision_done,
    investment_record,
    meeting_record,
    milestones_replace,
    problem_report,
    project_create,
    project_schedule,
    project_stage_change,
    project_update,
    task_force_add,
)
from jiceng.projects.spreadsheet import COLUMNS, export_rows, projects_import
from jiceng.web.common import add_service_errors, request_user
from jiceng.web.projects.forms import (
    ContestScoreForm,
    InvestmentForm,
    MeetingForm,
    MemberForm,
    MilestoneFormSet,
    ProblemForm,
    ProjectForm,
    StageForm,
    milestone_initial,
)

DAY_PX = 3  # calendar days to pixels in the Gantt chart
ROW_PX = 26
LABEL_PX = 180
MAX_UPLOAD = 5 * 1024 * 1024


def _user_of_module(request: HttpRequest) -> Any:
    user = request_user(request)
    if not access.uses_module(user):
        raise PermissionDenied(_("Key projects are not among your tasks."))
    return user


def _project_or_404(request: HttpRequest, project_id: int) -> Project:
    project = (
        projects_visible_to(request_user(request))
        .select_related("lead", "region")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise Http404(_("No such project."))
    return project


def _month_param(request: HttpRequest) -> date:
    text = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in text.split("-"))
        if 2000 <= year <= 2100:
            return date(year, month, 1)
    except ValueError:
        pass
    return timezone.localdate().replace(day=1)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = _user_of_module(request)
    return render(
        request,
        "web/projects/board.html",
        {
            "columns": pipeline_board(user),
            "may_create": access.is_office(user, user.region_id or ""),
        },
    )


@login_required
@require_GET
def export(request: HttpRequest) -> FileResponse:
    user = _user_of_module(request)
    projects = projects_visible_to(user).order_by("region_id", "name")
    target = xlsx_file(
        [Sheet(title=_("Key projects"), rows=export_rows(projects), text_columns=(2,))]
    )
    stamp = timezone.localdate().isoformat()
    return FileResponse(target, as_attachment=True, filename=f"projects-{stamp}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload projects (Excel or CSV with the export's columns): all rows or none."""
    user = _user_of_module(request)
    problems: list[tuple[int, str]] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or (upload.size or 0) > MAX_UPLOAD:
            problems = [(0, _("Choose a file of at most 5 MB."))]
        else:
            try:
                created = projects_import(
                    actor=user, filename=upload.name or "", content=upload.read()
                )
            except ImportRefused as refused:
                problems = refused.problems
            else:
                messages.success(request, _("%d projects imported.") % created)
                return redirect("projects-board")
    return render(request, "web/projects/import.html", {"problems": problems, "columns": COLUMNS})


def gantt_rows(schedule: dict[str, Any], today: date) -> dict[str, Any]:
    """Positions of the bars (early and late) and markers of an SVG Gantt chart."""
    rows = schedule["milestones"]
    dates = [today]
    for r in rows:
        dates += [d for d in (r["early_start"], r["early_finish"], r["done_on"]) if d]
        dates += [d for d in (r["late_start"], r["late_finish"]) if d]
    if schedule["deadline"]:
        dates.append(schedule["deadline"])
    first = min(dates) - timedelta(days=7)
    last = max(dates) + timedelta(days=7)

    def x(day: date) -> int:
        return LABEL_PX + (day - first).days * DAY_PX

    bars = []
    for i, r in enumerate(rows):
        y = 30 + i * ROW_PX
        bar: dict[str, Any] = {**r, "y": y, "text_y": y + 14}
        bar["early_x"] = x(r["early_start"])
        bar["early_w"] = max(DAY_PX, x(r["early_finish"]) - x(r["early_start"]) + DAY_PX)
        if r["late_start"]:
            bar["late_x"] = x(r["late_start"])
            bar["late_w"] = max(DAY_PX, x(r["late_finish"]) - x(r["late_start"]) + DAY_PX)
        bars.append(bar)
    months = []
    cursor = first.replace(day=1)
    while cursor <= last:
        if cursor >= first:
            months.append({"x": x(cursor), "label": cursor.strftime("%Y-%m")})
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return {
        "bars": bars,
        "months": months,
        "today_x": x(today),
        "deadline_x": x(schedule["deadline"]) if schedule["deadline"] else None,
        "width": x(last) + 10,
        "height": 40 + len(rows) * ROW_PX,
    }


def _project_initial(project: Project) -> dict[str, Any]:
    return {
        "name": project.name,
        "region": project.region_id,
        "kind": project.kind,
        "owner_enterprise": project.owner_enterprise,
        "lead": project.lead.username if project.lead else "",
        "start_target": project.start_target,
        "production_target": project.production_target,
    }


def _edit_regions(user: Any, project: Project) -> list[Any]:
    """The regions a project may be moved to: the user's scope, and where it is now (a lead
    whose own scope is smaller keeps the project where it is)."""
    regions = list(regions_for_projects(user))
    if all(r.code != project.region_id for r in regions):
        regions.insert(0, project.region)
    return regions


def _render_project(
    request: HttpRequest,
    project: Project,
    *,
    edit_form: ProjectForm | None = None,
    milestone_formset: Any = None,
    milestone_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The project page; a form sent with errors is shown again as it was sent."""
    user = request_user(request)
    today = timezone.localdate()
    schedule = project_schedule(project, today=today)
    may_manage = access.may_manage(user, project)
    if may_manage and edit_form is None:
        edit_form = ProjectForm(
            initial=_project_initial(project),
            regions=_edit_regions(user, project),
            with_stage=False,
        )
    if may_manage and milestone_formset is None:
        milestone_formset = MilestoneFormSet(
            initial=milestone_initial(project.milestones.all()), prefix="m"
        )
    return render(
        request,
        "web/projects/project.html",
        {
            "project": project,
            "schedule": schedule,
            "gantt": gantt_rows(schedule, today),
            "today": today,
            "must_start": [m for m in schedule["milestones"] if m["status"] == "start_this_week"],
            "late": [m for m in schedule["milestones"] if m["status"] == "late"],
            "problems": project.problems.select_related("case", "member"),
            "stage_changes": project.stage_changes.select_related("by"),
            "steps": allowed_transitions(STAGE_MACHINE, project, user),
            "task_force": project.task_force.all(),
            "investments": project.investments.all(),
            "may_manage": may_manage,
            "investment_form": InvestmentForm(initial={"month": today.replace(day=1)}),
            "member_form": MemberForm(),
            "may_report": access.may_report_problem(user, project),
            "problem_form": ProblemForm(categories=_problem_categories()),
            "edit_form": edit_form,
            "milestone_formset": milestone_formset,
            "milestone_errors": milestone_errors or [],
        },
        status=status,
    )


@login_required
@require_GET
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    return _render_project(request, _project_or_404(request, project_id))


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    """Create a project (from the pipeline board): the office of a region in the user's scope."""
    user = _user_of_module(request)
    if not access.is_office(user, user.region_id or ""):
        raise PermissionDenied(_("Only the region's office may create projects."))
    form = ProjectForm(
        request.POST or None,
        regions=regions_for_projects(user),
        initial={"region": user.region_id, "stage": "planning"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = project_create(
                actor=user,
                name=data["name"],
                stage=data["stage"],
                region_code=data["region"],
                kind=data["kind"],
                owner_enterprise=data["owner_enterprise"],
                lead=form.lead_user,
                start_target=data["start_target"],
                production_target=data["production_target"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is created."))
            return redirect("projects-project", project_id=project.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/projects/new.html", {"form": form}, status=status)


@login_required
@require_POST
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_or_404(request, project_id)
    user = request_user(request)
    if not access.may_manage(user, project):
        raise PermissionDenied(_("Only the region's office and the project's lead may do this."))
    form = ProjectForm(request.POST, regions=_edit_regions(user, project), with_stage=False)
    version = request.POST.get("version", "")
    if form.is_valid() and version.isdigit():
        data = form.cleaned_data
        try:
            project_update(
                actor=user,
                project_id=project.pk,
                expected_version=int(version),
                name=data["name"],
                region_code=data["region"],
                kind=data["kind"],
                owner_enterprise=data["owner_enterprise"],
                lead=form.lead_user,
                start_target=data["start_target"],
                production_target=data["production_target"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("projects-project", project_id=project.pk)
    elif not version.isdigit():
        form.add_error(None, _("The form is incomplete; reload the page."))
    return _render_project(request, project, edit_form=form, status=400)


@login_required
@require_POST
def milestones_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    """Save the milestones table (through the service of `PUT .../milestones`): all or none."""
    project = _project_or_404(request, project_id)
    user = request_user(request)
    if not access.may_manage(user, project):
        raise PermissionDenied(_("Only the region's office and the project's lead may do this."))
    formset = MilestoneFormSet(request.POST, prefix="m")
    errors: list[str] = []
    if formset.is_valid():
        kept = [f for f in formset.forms if f.cleaned_data and f not in formset.deleted_forms]
        try:
            milestones_replace(actor=user, project_id=project.pk, items=[f.item() for f in kept])
        except ValidationError as error:
            by_code = {f.cleaned_data["code"]: f for f in kept}
            for code, texts in error.message_dict.items():
                if code in by_code:
                    by_code[code].add_error(None, texts)
                errors += texts
        else:
            messages.success(request, _("The milestones are saved."))
            return redirect("projects-project", project_id=project.pk)
    else:
        errors = [str(e) for e in formset.non_form_errors()] or [
            _("Some rows have errors: see below.")
        ]
    return _render_project(
        request, project, milestone_formset=formset, milestone_errors=errors, status=400
    )


@login_required
@require_POST
def stage_change(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_or_404(request, project_id)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step."))
        return redirect("projects-project", project_id=project.pk)
    project_stage_change(
        actor=request_user(request),
        project_id=project.pk,
        action=form.cleaned_data["action"],
        expected_version=form.cleaned_data["version"],
    )
    return redirect("projects-project", project_id=project.pk)


def _errors_text(form: forms.Form) -> str:
    """A form's errors in one line, for a message above the page the form is on."""
    return "; ".join(str(e) for errs in form.errors.values() for e in errs)


@login_required
@require_POST
def investment(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_or_404(request, project_id)
    form = InvestmentForm(request.POST)
    if form.is_valid():
        investment_record(
            actor=request_user(request),
            project=project,
            month=form.cleaned_data["month"],
            planned=form.cleaned_data["planned"],
            completed=form.cleaned_data["completed"],
        )
        messages.success(request, _("The month's investment is recorded."))
    else:
        messages.error(request, _errors_text(form))
    return redirect("projects-project", project_id=project.pk)


def _problem_categories() -> list[tuple[str, str]]:
    from jiceng.cases.models import Category

    codes = problem_category_codes()
    names = dict(Category.objects.filter(code__in=codes).values_list("code", "name"))
    return [(code, names.get(code, code)) for code in codes]


@login_required
@require_POST
def problem_add(request: HttpRequest, project_id: int) -> HttpResponse:
    """Report a problem of the project: it becomes a case (and the member who took it on)."""
    project = _project_or_404(request, project_id)
    form = ProblemForm(request.POST, categories=_problem_categories())
    if form.is_valid():
        try:
            problem = problem_report(
                actor=request_user(request),
                project_id=project.pk,
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(
                request, _("The problem is case %(number)s.") % {"number": problem.case.number}
            )
    else:
        messages.error(request, _errors_text(form))
    return redirect("projects-project", project_id=project.pk)


@login_required
@require_POST
def member_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _project_or_404(request, project_id)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            task_force_add(
                actor=request_user(request), project=project, username=form.cleaned_data["username"]
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
    else:
        messages.error(request, _("Give a username."))
    return redirect("projects-project", project_id=project.pk)


@login_required
@require_http_methods(["GET", "POST"])
def agenda(request: HttpRequest) -> HttpResponse:
    """The agenda of a meeting (a date; today by default), printable, and its minutes form."""
    user = _user_of_module(request)
    try:
        on = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        on = timezone.localdate()
    projects = list(projects_visible_to(user))
    by_id = {str(p.pk): p for p in projects}
    form = MeetingForm(request.POST or None, projects=projects, initial={"held_on": on})
    if request.method == "POST" and form.is_valid():
        decisions = form.decisions(by_id)
        if form.is_valid():
            region = user.region_id or ""
            try:
                meeting_record(
                    actor=user,
                    region_code=region,
                    held_on=form.cleaned_data["held_on"],
                    minutes=form.cleaned_data["minutes"],
                    decisions=decisions,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The minutes are recorded."))
                return redirect(f"{request.path}?date={form.cleaned_data['held_on']}")
    the_agenda = meeting_agenda(user, on)
    return render(
        request,
        "web/projects/agenda.html",
        {
            "agenda": the_agenda,
            "markable": {
                d.pk
                for d in the_agenda["last_decisions"]
                if not d.done_on and access.may_mark_decision(user, d)
            },
            "form": form,
            "may_record": access.is_office(user, user.region_id or ""),
        },
    )


@login_required
@require_GET
def agenda_pdf(request: HttpRequest) -> HttpResponse:
    """The agenda of a meeting as a printable PDF."""
    from jiceng.projects.agenda_pdf import agenda_pdf as render_agenda

    user = _user_of_module(request)
    try:
        on = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        on = timezone.localdate()
    response = HttpResponse(render_agenda(meeting_agenda(user, on)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agenda-{on:%Y-%m-%d}.pdf"'
    return response


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    user = _user_of_module(request)
    month = _month_param(request)
    rows = monthly_ranking(user, month)
    return render(
        request,
        "web/projects/ranking.html",
        {
            "month": month,
            "rows": rows,
            "red": [r for r in rows if r["board"] == "red"],
            "blue": [r for r in rows if r["board"] == "blue"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contest(request: HttpRequest) -> HttpResponse:
    """The quarter's contest results, and the office's form for a panel member's scores."""
    user = _user_of_module(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        quarter = int(request.GET.get("quarter", (today.month - 1) // 3 + 1))
    except ValueError:
        year, quarter = today.year, (today.month - 1) // 3 + 1
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        year, quarter = today.year, (today.month - 1) // 3 + 1
    projects = projects_managed_by(user)
    form = ContestScoreForm(
        request.POST or None,
        projects=projects,
        criteria=review_setting("contest")["criteria"],
        initial={"judge": user.username},
    )
    if request.method == "POST":
        if not projects:
            raise PermissionDenied(_("Only the region's office may record contest scores."))
        if form.is_valid():
            try:
                contest_score(
                    actor=user,
                    project=form.chosen_project(),
                    year=year,
                    quarter=quarter,
                    scores=form.scores(),
                    judge=form.judge_user,
                )
            except ValidationError as error:
                add_service_errors(form, error, renamed={c: f"score_{c}" for c in form.criteria})
            else:
                messages.success(request, _("The scores are recorded."))
                return redirect(f"{request.path}?year={year}&quarter={quarter}")
    return render(
        request,
        "web/projects/contest.html",
        {
            "year": year,
            "quarter": quarter,
            "rows": contest_results(user, year, quarter),
            "form": form if projects else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def decision_mark_done(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Mark a meeting's decision (an assignment) done today; back to the agenda it was on."""
    user = _user_of_module(request)
    try:
        decision = decision_done(actor=user, decision_id=decision_id)
    except Decision.DoesNotExist:
        raise Http404(_("No such decision.")) from None
    messages.success(request, _("The decision is marked done."))
    try:
        on = date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        on = decision.meeting.held_on + timedelta(days=7)
    return redirect(f"{reverse('projects-agenda')}?date={on:%Y-%m-%d}")


@login_required
@require_GET
def annual(request: HttpRequest) -> HttpResponse:
    user = _user_of_module(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    return render(
        request,
        "web/projects/annual.html",
        {"year": year, "evaluation": annual_evaluation(user, year)},
    )
