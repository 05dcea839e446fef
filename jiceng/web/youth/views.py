"""The youth talent reserve's pages (青苗计划): the young people with their filters, a person's
page (steps with dates and facts, what comes next and when, overdue deadlines, mentors, tags,
hours and stars) with the step form, a young person's own page, the volunteer certificate, the
pipeline with its charts and export, reserve cadres against their targets, the platforms with
their activities, the mediation studio's disputes (cases) and the overdue alerts.

Who sees what is the module's (jiceng/youth/access.py through jiceng/youth/selectors.py): a
record out of reach is a 404. A young person (role youth) uses only their own page; the other
pages are for the module's staff roles. Writes go through one service each."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import region_codes, roles
from jiceng.core.models import Region, Role, User
from jiceng.core.scope import get_in_scope_or_404, region_prefix_q, scope_queryset
from jiceng.core.spreadsheets import xlsx_file
from jiceng.web.common import add_service_errors, render_uncached, request_user
from jiceng.web.imports import import_page
from jiceng.web.registries.upload_limit import upload_limited
from jiceng.web.youth.forms import ActivityForm, PeopleFilter, StepForm, TalentImportForm
from jiceng.youth import access
from jiceng.youth.figures import chart_data, column_labels, pipeline_sheets, pipeline_table
from jiceng.youth.models import Platform, Stage, Step, Talent
from jiceng.youth.rules import StepRefused
from jiceng.youth.selectors import (
    activities_visible,
    mediations_visible,
    overdue_alerts,
    platforms_visible,
    reserve_gaps,
    stage_durations,
    talent_card,
    talent_get_visible,
    talents_visible,
    volunteer_record,
)
from jiceng.youth.services import (
    activity_record,
    step_record,
    talent_id_number_reveal,
    talents_import,
)
from jiceng.youth.services.talents import today as local_today

T = "web/youth/"
PAGE_SIZE = 50
MAX_PARTICIPANT_CHOICES = 300


def _staff(request: HttpRequest) -> User:
    """A user of the module other than a young person (who has only their own page)."""
    user = request_user(request)
    if not access.uses_module(user) or not (
        user.is_superuser or roles.roles_of(user) - {Role.YOUTH}
    ):
        raise PermissionDenied(_("The youth talent reserve is not among your tasks."))
    return user


def _steps() -> list[tuple[str, str]]:
    return [(s.code, f"{s.n}. {s.name}") for s in Step.objects.order_by("n")]


def _region(request: HttpRequest, user: User) -> Region | None:
    """The region of the `region` parameter within the user's scope (None: the whole scope)."""
    code = request.GET.get("region", "").strip()
    if not code:
        return user.region if user.region_id else None
    if not region_codes.is_well_formed(code):
        raise Http404(_("No such region."))
    return get_in_scope_or_404(Region.objects.all(), user, code=code)


def _facts_text(facts: dict[str, Any], people: dict[int, str]) -> str:
    """A step's facts in one line: names, the review, training, votes."""
    labels = {
        "mentors": _("mentors"),
        "introducers": _("introducers"),
        "result": _("result"),
        "days": _("days"),
        "hours": _("hours"),
        "expected": _("expected"),
        "present": _("present"),
        "for": _("for"),
        "extension_months": _("extended by months"),
        "note": _("note"),
    }
    parts = []
    for key, value in facts.items():
        if isinstance(value, list):
            value = "、".join(people.get(v, str(v)) if isinstance(v, int) else v for v in value)
        elif key == "result":
            value = _("passed") if value == "passed" else _("failed")
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(f"{labels.get(key, key)}: {value}")
    return "; ".join(parts)


def _person_context(talent: Talent, user: User, *, today: date) -> dict[str, Any]:
    from jiceng.core.models import Person

    card = talent_card(talent, today=today)
    names = {s.code: f"{s.n}. {s.name}" for s in Step.objects.all()}
    ids = {
        v
        for step in card["steps"]
        for value in step["facts"].values()
        if isinstance(value, list)
        for v in value
        if isinstance(v, int)
    }
    people = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    for step in card["steps"]:
        step["facts_text"] = _facts_text(step["facts"], people)
    for pending in card["next"]:
        pending["name"] = names.get(pending["step"], pending["step"])
        pending["overdue"] = pending["latest"] is not None and pending["latest"] < today
    for due in card["overdue"]:
        due["name"] = names.get(due["step"], due["step"])
    mentorships = talent.mentorships.select_related("mentor_user").filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )
    return {
        "talent": talent,
        "person": talent.person,
        "card": card,
        "stage_label": dict(Stage.choices).get(card["stage"], card["stage"]),
        "mentorships": mentorships,
        "past_mentorships": talent.mentorships.filter(end__lt=today),
        "services": list(volunteer_record(talent)[:20]),
        "tag_labels": [column_tag(t) for t in card["tags"]],
        "today": today,
    }


def column_tag(tag: str) -> str:
    return {
        "wealth_leader": _("Wealth leader (致富带头人)"),
        "reserve_cadre": _("Reserve cadre (后备干部)"),
        "committee_member": _("Village committee member (村委委员)"),
    }.get(tag, tag)


# --- the people ----------------------------------------------------------------------------


@login_required
@require_GET
def people_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = local_today()
    talents = talents_visible(user, today=today)
    form = PeopleFilter(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            talents = talents.filter(person__name__startswith=data["q"].strip())
        if data["region"]:
            talents = talents.filter(region_prefix_q(region_codes.scope_prefix(data["region"])))
        if data["stage"]:
            talents = talents.filter(stage=data["stage"])
        if data["tag"]:
            talents = talents.filter(**{data["tag"]: True})
    page = Paginator(talents.order_by("region_id", "person__name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    towns = scope_queryset(Region.objects.filter(level="town"), user).order_by("code")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        T + "people.html",
        {
            "page": page,
            "form": form,
            "towns": towns,
            "stages": dict(Stage.choices),
            "query": query.urlencode(),
            "today": today,
            "may_import": access.is_organiser(user) or access.is_secretary(user),
        },
    )


def _render_person(
    request: HttpRequest,
    talent: Talent,
    *,
    form: StepForm | None = None,
    refusal: StepRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    today = local_today()
    may_manage = access.may_manage(user, talent)
    if may_manage and form is None:
        pending = talent_card(talent, today=today)["next"]
        form = StepForm(
            steps=_steps(),
            initial={"step": pending[0]["step"] if pending else "", "on": today},
        )
    context = _person_context(talent, user, today=today)
    context.update(
        {
            "own": talent.user_id == user.pk,
            "may_manage": may_manage,
            "may_reveal": access.may_reveal_id_number(user, talent),
            "form": form if may_manage else None,
            "refusal": refusal,
        }
    )
    return render_uncached(request, T + "person.html", context, status=status)


@login_required
@require_GET
def person_page(request: HttpRequest, talent_id: int) -> HttpResponse:
    talent = talent_get_visible(request_user(request), talent_id)
    return _render_person(request, talent)


@login_required
@require_GET
def own_page(request: HttpRequest) -> HttpResponse:
    """A young person's own record: steps, what comes next, hours and stars, mentors."""
    user = request_user(request)
    talent = talents_visible(user).filter(user=user).first()
    if talent is None:
        raise Http404(_("No record of the youth talent reserve is linked to your account."))
    return _render_person(request, talent)


@login_required
@require_POST
def step_add(request: HttpRequest, talent_id: int) -> HttpResponse:
    """Record a step; a refused one shows the rule and its article, with nothing stored."""
    user = request_user(request)
    talent = talent_get_visible(user, talent_id)
    if not access.may_manage(user, talent):
        raise PermissionDenied(_("You may not record steps of this person."))
    form = StepForm(request.POST, steps=_steps())
    if not form.is_valid():
        return _render_person(request, talent, form=form, status=400)
    try:
        result = step_record(
            actor=user,
            talent=talent,
            step=form.cleaned_data["step"],
            on=form.cleaned_data["on"],
            facts=form.facts(),
        )
    except StepRefused as refused:
        return _render_person(request, talent, form=form, refusal=refused, status=409)
    except ValidationError as error:
        add_service_errors(form, error, renamed={"facts": "names"})
        return _render_person(request, talent, form=form, status=400)
    messages.success(
        request,
        _("Step %(step)s recorded on %(on)s.")
        % {"step": result.record.step.name, "on": result.record.on.isoformat()},
    )
    return redirect("youth-person", talent_id=talent.pk)


@login_required
@require_POST
def id_number_reveal(request: HttpRequest, talent_id: int) -> HttpResponse:
    """The full ID number, for the organisation roles of the person's region (audited)."""
    user = request_user(request)
    talent = talent_get_visible(user, talent_id)
    number = talent_id_number_reveal(actor=user, talent=talent)
    return render_uncached(request, T + "_id_number.html", {"number": number})


@login_required
@require_GET
def certificate(request: HttpRequest, talent_id: int) -> HttpResponse:
    """The volunteer service record certificate (PDF) of a person the user may see."""
    from jiceng.youth.certificate import certificate_pdf

    talent = talent_get_visible(request_user(request), talent_id)
    pdf = certificate_pdf(talent, today=local_today())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="volunteer-record-{talent.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@upload_limited()
@login_required
@require_http_methods(["GET", "POST"])
def import_people(request: HttpRequest) -> HttpResponse:
    """Excel import of young people: all rows or none, each problem by its row."""
    user = _staff(request)
    if not (access.is_organiser(user) or access.is_secretary(user)):
        raise PermissionDenied(_("Only organisers and branch secretaries register people."))
    from jiceng.youth.services.imports import HEADERS, REQUIRED

    aliases: dict[str, list[str]] = {}
    for header, key in HEADERS.items():
        if header != key:
            aliases.setdefault(key, []).append(header)
    columns = [
        {"key": key, "aliases": aliases.get(key, []), "required": key in REQUIRED, "help": ""}
        for key in dict.fromkeys(HEADERS.values())
    ]
    return import_page(
        request,
        form_class=TalentImportForm,
        importer=lambda filename, content: talents_import(
            actor=user, filename=filename, content=content
        ),
        template=T + "import.html",
        context={"columns": columns},
    )


# --- pipeline, reserve, overdue --------------------------------------------------------------


@login_required
@require_GET
def pipeline_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = local_today()
    region = _region(request, user)
    table = pipeline_table(user, region, today=today)
    durations = stage_durations(user, region.code if region else None)
    return render(
        request,
        T + "pipeline.html",
        {
            "table": table,
            "region": region,
            "labels": column_labels(),
            "columns": ["none", "applicant", "activist", "development_object", "probationary",
                        "member"],
            "extra": ["reserve_cadre", "under_35", "leaders", "overdue"],
            "durations": durations,
            "chart": chart_data(table, durations),
            "stages": dict(Stage.choices),
            "drill": table.level == "town",
        },
    )  # fmt: skip


@login_required
@require_GET
def pipeline_export(request: HttpRequest) -> FileResponse:
    user = _staff(request)
    today = local_today()
    region = _region(request, user)
    target = xlsx_file(pipeline_sheets(user, region, today=today))
    code = region.code if region else "all"
    return FileResponse(
        target, as_attachment=True, filename=f"youth-pipeline-{code}-{today.isoformat()}.xlsx"
    )


@login_required
@require_GET
def reserve_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    region = _region(request, user)
    gaps = reserve_gaps(user, region.code if region else None)
    return render(
        request,
        T + "reserve.html",
        {
            "region": region,
            "gaps": gaps,
            "cadres": sum(g["cadres"] for g in gaps),
            "target": sum(g["target"] for g in gaps),
            "gap": sum(g["gap"] for g in gaps),
            "short": sum(1 for g in gaps if g["gap"]),
        },
    )


@login_required
@require_GET
def overdue_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    today = local_today()
    alerts = overdue_alerts(user, today=today)
    names = {s.code: f"{s.n}. {s.name}" for s in Step.objects.all()}
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "talent": t,
            "step": names.get(t.due_step, t.due_step),
            "days": (today - t.due_on).days if t.due_on else 0,
        }
        for t in page
    ]
    return render(request, T + "overdue.html", {"page": page, "rows": rows, "today": today})


# --- platforms, activities, the mediation studio ---------------------------------------------


@login_required
@require_GET
def platforms_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    platforms = (
        platforms_visible(user)
        .annotate(services=Count("activities", distinct=True))
        .order_by("region_id", "name")
    )
    hours = dict(
        activities_visible(user)
        .values("platform_id")
        .annotate(h=Sum("participations__hours"))
        .values_list("platform_id", "h")
    )
    rows = [{"platform": p, "hours": hours.get(p.pk) or 0} for p in platforms]
    return render(
        request, T + "platforms.html", {"rows": rows, "kinds": dict(Platform.Kind.choices)}
    )


def _platform(user: User, platform_id: int) -> Platform:
    platform = platforms_visible(user).filter(pk=platform_id).first()
    if platform is None:
        raise Http404(_("No such platform."))
    return platform


def _participant_choices(user: User, platform: Platform) -> list[tuple[int, str]]:
    talents = talents_visible(user).filter(region_prefix_q(region_codes.scope_prefix(
        platform.region_id
    ))).order_by("region_id", "person__name")[:MAX_PARTICIPANT_CHOICES]  # fmt: skip
    return [(t.pk, f"{t.person.name} · {t.region.name}") for t in talents]


@login_required
@require_http_methods(["GET", "POST"])
def platform_page(request: HttpRequest, platform_id: int) -> HttpResponse:
    """A platform's activities, and the organiser's form recording one with its participants."""
    user = _staff(request)
    platform = _platform(user, platform_id)
    may_record = access.may_record_activity(user, platform)
    form = None
    status = 200
    if may_record:
        form = ActivityForm(
            request.POST or None,
            people=_participant_choices(user, platform),
            initial={"on": local_today(), "hours": 2},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the platform's organisers record its activities."))
        if form.is_valid():
            try:
                activity_record(
                    actor=user,
                    platform=platform,
                    name=form.cleaned_data["name"],
                    on=form.cleaned_data["on"],
                    hours=form.cleaned_data["hours"],
                    participants=form.participant_ids(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The activity and its hours are recorded."))
                return redirect("youth-platform", platform_id=platform.pk)
        status = 400
    activities = (
        activities_visible(user)
        .filter(platform=platform)
        .annotate(people=Count("participations"))
        .select_related("recorded_by")
        .order_by("-on", "-id")
    )
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        T + "platform.html",
        {"platform": platform, "page": page, "form": form},
        status=status,
    )


@login_required
@require_GET
def studio_page(request: HttpRequest) -> HttpResponse:
    """The mediation studios' disputes, each a case of the case loop (linked to its page)."""
    user = _staff(request)
    mediations = (
        mediations_visible(user)
        .select_related("case", "case__category", "studio", "activity")
        .prefetch_related("mediators__person")
        .order_by("-case__reported_at", "-id")
    )
    page = Paginator(mediations, PAGE_SIZE).get_page(request.GET.get("page"))
    studios = platforms_visible(user).filter(kind=Platform.Kind.MEDIATION_STUDIO)
    return render(request, T + "studio.html", {"page": page, "studios": studios})
