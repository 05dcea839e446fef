"""Pages of long-term-care insurance (长护险): applications and their workflow, the assessment
form for home visits (the level is computed in the browser as the assessor answers, and again by
the server, which decides), institutions of both regions, the insured who live in the peer
region, recognitions, person-status queries and the monthly cross-border statement.

Every record is read through the ltc selectors, which apply the user's region scope (a record
outside it is a 404), and changed only through the ltc services."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import roles
from jiceng.core.scope import county_of
from jiceng.core.spreadsheets import Sheet, xlsx_file
from jiceng.core.transitions import allowed_transitions
from jiceng.federation.selectors import peers_all
from jiceng.ltc import policy, selectors
from jiceng.ltc.access import is_ltc_staff
from jiceng.ltc.models import (
    ApplicationStatus,
    CareMode,
    Institution,
    Recognition,
)
from jiceng.ltc.services.applications import (
    APPLICATION_MACHINE,
    ApplicationChanged,
    TransitionRefused,
    application_act,
    application_apply,
    complaint_report,
)
from jiceng.ltc.services.assessments import assessment_create_for_person
from jiceng.ltc.services.exchanges import (
    ExchangeFailed,
    assessment_share,
    institutions_import,
    person_status_ask,
)
from jiceng.ltc.services.institutions import (
    institution_create,
    institution_set_status,
    insured_choose_institution,
    service_record_set,
)
from jiceng.ltc.standard import current_standard
from jiceng.web.common import new_idempotency_key, request_user
from jiceng.web.ltc.forms import (
    ApplicationForm,
    AssessmentForm,
    ChooseInstitutionForm,
    ComplaintForm,
    InstitutionForm,
    PeerForm,
    PersonStatusForm,
    ServiceRecordForm,
    StatusForm,
    StepForm,
    form_problem,
)

T = "web/ltc/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
# The fields a person-status answer may hold, as the page names them.
STATUS_LABELS = {
    "insured": gettext_lazy("Insured there"),
    "level": gettext_lazy("Level"),
    "valid_until": gettext_lazy("Valid until"),
    "assessed_on": gettext_lazy("Assessed on"),
    "care_mode": gettext_lazy("Care mode"),
    "name": gettext_lazy("Name"),
}


def _errors_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    return " ".join(error.messages)


def _common(request: HttpRequest, section: str) -> dict[str, Any]:
    user = request_user(request)
    return {
        "section": section,
        "staff": is_ltc_staff(user) and roles.may_write(user),
        "reads_ids": roles.may_read_id_numbers(user),
        "levels": current_standard().levels,
        "grade_names": current_standard().grade_names,
    }


# --- Applications ------------------------------------------------------------------------------


@login_required
@require_GET
def applications_page(request: HttpRequest) -> HttpResponse:
    """The applications in the user's region, newest first, with a filter by status."""
    user = request_user(request)
    status = request.GET.get("status", "open")
    if status not in {"", "open", *ApplicationStatus.values}:
        status = "open"
    query = request.GET.get("q", "")[:50]
    rows = selectors.applications_for(user, status=status, query=query)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    window = list(rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        T + "applications.html",
        {
            **_common(request, "applications"),
            "rows": window[:PAGE_SIZE],
            "page": page,
            "has_more": len(window) > PAGE_SIZE,
            "status": status,
            "query": query,
            "statuses": ApplicationStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_new_page(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    values = {"care_mode": CareMode.HOME, "person_id_number": "", "name": "", "note": ""}
    problem = None
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        values = form.values()
        if not form.is_valid():
            problem = form_problem(form)
        else:
            data = form.cleaned_data
            try:
                application = application_apply(
                    actor=user,
                    person_id_number=data["person_id_number"],
                    name=data["name"],
                    care_mode=data["care_mode"],
                    note=data["note"],
                )
            except (ValidationError, PermissionDenied) as exc:
                problem = _errors_text(exc) if isinstance(exc, ValidationError) else str(exc)
            else:
                messages.success(request, _("Application %s taken in.") % application.number)
                return redirect("ltc-application", pk=application.pk)
    return render(
        request,
        T + "application_new.html",
        {
            **_common(request, "applications"),
            "values": values,
            "problem": problem,
            "care_modes": CareMode.choices,
        },
    )


@login_required
@require_GET
def application_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    application = selectors.application_for_user(user, pk)
    # The steps that move the application on first; rejecting and withdrawing last.
    allowed = allowed_transitions(APPLICATION_MACHINE, application, user)
    allowed.sort(key=lambda step: step.name in ("reject", "withdraw", "return"))
    steps = [{"name": step.name, "step": step} for step in allowed]
    labels = {step.name: step.label for step in APPLICATION_MACHINE.transitions}
    assessments = list(application.assessments.order_by("-pk"))
    return render(
        request,
        T + "application.html",
        {
            **_common(request, "applications"),
            "application": application,
            "events": [
                {
                    "event": event,
                    "label": labels.get(event.action) or _("Taken in"),
                    "to": ApplicationStatus(event.to_status).label if event.to_status else "",
                }
                for event in application.events.select_related("actor")
            ],
            "steps": steps,
            "assessments": assessments,
            "recognition": selectors.recognition_for_person(
                application.person, today=timezone.localdate()
            ),
            "rate": (
                policy.rate_for(
                    level=application.assessment.level,
                    care_mode=application.care_mode,
                    on=timezone.localdate(),
                )
                if application.assessment
                else None
            ),
        },
    )


@login_required
@require_POST
def application_step(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one workflow step from the application page (the assessment has its own form)."""
    user = request_user(request)
    selectors.application_for_user(user, pk)  # 404 outside the region
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("ltc-application", pk=pk)
    try:
        application = application_act(
            actor=user,
            application_id=pk,
            action=form.cleaned_data["action"],
            expected_version=form.cleaned_data["expected_version"],
            note=form.cleaned_data["note"],
            data=form.step_data(),
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except (TransitionRefused, ApplicationChanged, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Done: the application is now “%(status)s”.")
            % {"status": application.get_status_display()},
        )
    return redirect("ltc-application", pk=pk)


# --- The assessment form -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assessment_form_page(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    """The 17 items of the standard on one page for a home visit. With an application, its
    assessment step; without one, an assessment (or re-assessment) of any person by ID number."""
    user = request_user(request)
    if not is_ltc_staff(user) or not roles.may_write(user):
        raise PermissionDenied
    application = selectors.application_for_user(user, pk) if pk is not None else None
    if application is not None and application.status != ApplicationStatus.ASSIGNED:
        messages.error(request, _("This application is not waiting for an assessment."))
        return redirect("ltc-application", pk=application.pk)
    today = timezone.localdate()
    values: dict[str, Any] = {
        "assessed_on": today.isoformat(),
        "assessor": application.assessor if application else (user.display_name or ""),
        "institution": application.assessment_institution if application else "",
        "person_id_number": "",
        "name": "",
        "intake_key": new_idempotency_key(),
    }
    chosen: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        values.update(form.values())
        chosen = form.scores()
        if not form.is_valid():
            errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        else:
            assessed_on = form.cleaned_data["assessed_on"]
        if not errors:
            try:
                if application is not None:
                    application = application_act(
                        actor=user,
                        application_id=application.pk,
                        action="assess",
                        data={"scores": chosen, "assessed_on": assessed_on},
                    )
                    assert application.assessment is not None
                    assessment = application.assessment
                else:
                    assessment = assessment_create_for_person(
                        actor=user,
                        person_id_number=values["person_id_number"],
                        name=values["name"],
                        assessed_on=assessed_on,
                        assessor=values["assessor"],
                        institution=values["institution"],
                        scores=chosen,
                        idempotency_key=values["intake_key"],
                    )
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            except (TransitionRefused, ApplicationChanged, PermissionDenied) as exc:
                errors = {"": [str(exc)]}
            else:
                messages.success(
                    request,
                    _("Assessment saved: level %(level)d %(name)s.")
                    % {
                        "level": assessment.level,
                        "name": current_standard().levels[assessment.level],
                    },
                )
                return redirect("ltc-assessment", pk=assessment.pk)
    standard = current_standard()
    items = [
        {
            "item": item,
            "chosen": chosen.get(item.id, ""),
            "errors": errors.get(item.id, []),
            "indicator_name": standard.indicators[item.indicator]["name"],
        }
        for item in standard.items
    ]
    other_errors = {k: v for k, v in errors.items() if standard.item(k) is None}
    return render(
        request,
        T + "assessment_form.html",
        {
            **_common(request, "applications"),
            "application": application,
            "values": values,
            "items": items,
            "errors": other_errors,
            "has_errors": bool(errors),
            "standard_data": standard.as_data(),
            "script_labels": {
                "answered": _("%(n)s of %(total)s items answered"),
                "incomplete": _("Answer every item to see the level."),
                "level": _("Level"),
            },
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_for_user(user, pk)
    standard = current_standard()
    rows = [
        {
            "indicator": standard.indicators[code]["name"],
            "total": getattr(assessment, f"{code}_total"),
            "max": standard.indicators[code]["max"],
            "grade": standard.grade_names.get(getattr(assessment, f"{code}_grade"), ""),
        }
        for code in standard.indicators
    ]
    answers = [
        {
            "item": item,
            "score": assessment.scores.get(item.id),
            "label": next(
                (o.label for o in item.options if o.score == assessment.scores.get(item.id)), ""
            ),
        }
        for item in standard.items
    ]
    superseded_by = getattr(assessment, "superseded_by", None) if assessment.superseded_at else None
    return render(
        request,
        T + "assessment.html",
        {
            **_common(request, "applications"),
            "assessment": assessment,
            "rows": rows,
            "answers": answers,
            "superseded_by": superseded_by,
            "valid_today": assessment.valid_until >= timezone.localdate()
            and assessment.superseded_at is None,
            "peers": list(peers_all().filter(enabled=True)),
            "shares": list(assessment.shares.select_related("shared_by")[:20]),
        },
    )


@login_required
@require_POST
def assessment_share_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_for_user(user, pk)
    form = PeerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_problem(form))
        answer = assessment_share(
            actor=user, assessment=assessment, peer_code=form.cleaned_data["peer"]
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except (ExchangeFailed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Sent to %(peer)s, which recognised it (recognition %(id)s).")
            % {"peer": answer["peer"], "id": answer.get("recognition_id")},
        )
    return redirect("ltc-assessment", pk=pk)


# --- Institutions ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def institutions_page(request: HttpRequest) -> HttpResponseBase:
    """Our designated institutions (in the user's region) and the peer regions' shared ones."""
    user = request_user(request)
    values = {
        "name": "",
        "credit_code": "",
        "region": user.region_id or "",
        "beds": "0",
        "capacity": "0",
        "address": "",
        "phone": "",
    }
    modes: list[str] = []
    problem = None
    if request.method == "POST":
        form = InstitutionForm(request.POST)
        values = form.values()
        modes = request.POST.getlist("care_modes")
        if not form.is_valid():
            problem = form_problem(form)
        else:
            data = form.cleaned_data
            try:
                institution = institution_create(
                    actor=user,
                    name=data["name"],
                    credit_code=data["credit_code"],
                    region_code=data["region"],
                    care_modes=data["care_modes"],
                    beds=data["beds"] or 0,
                    capacity=data["capacity"] or 0,
                    address=data["address"],
                    phone=data["phone"],
                )
            except ValidationError as exc:
                problem = _errors_text(exc)
            except PermissionDenied as exc:
                problem = str(exc)
            else:
                messages.success(request, _("%s is designated.") % institution.name)
                return redirect("ltc-institutions")
    return render(
        request,
        T + "institutions.html",
        {
            **_common(request, "institutions"),
            "own": selectors.institutions_for(user),
            "shared": selectors.shared_institutions().order_by("peer_code", "region_code", "name"),
            "peers": list(peers_all().filter(enabled=True)),
            "values": values,
            "modes": modes,
            "problem": problem,
            "care_modes": CareMode.choices,
        },
        status=400 if problem else 200,
    )


@login_required
@require_POST
def institutions_import_page(request: HttpRequest) -> HttpResponse:
    form = PeerForm(request.POST)
    peer = form.cleaned_data["peer"] if form.is_valid() else ""
    try:
        if not form.is_valid():
            raise ValidationError(form_problem(form))
        count = institutions_import(actor=request_user(request), peer_code=peer)
    except (ExchangeFailed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Imported the list of %(peer)s: %(n)d institutions.") % {"peer": peer, "n": count},
        )
    return redirect("ltc-institutions")


@login_required
@require_GET
def institution_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    institution = selectors.institution_for_user(user, pk)
    return render(
        request,
        T + "institution.html",
        {
            **_common(request, "institutions"),
            "institution": institution,
            "insured": selectors.insured_served_by(user, institution),
            "statuses": Institution.Status.choices,
            "services": institution.services.select_related(
                "insured__person", "recognition"
            ).order_by("-month", "pk")[:200],
        },
    )


@login_required
@require_POST
def institution_status_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    institution = selectors.institution_for_user(user, pk)
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_problem(form))
        institution_set_status(
            actor=user, institution=institution, status=form.cleaned_data["status"]
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The status is now “%s”.") % institution.get_status_display())
    return redirect("ltc-institution", pk=pk)


@login_required
@require_POST
def institution_complaint_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A complaint about an institution's care: a case in the case loop (问题销号)."""
    user = request_user(request)
    institution = selectors.institution_for_user(user, pk)
    form = ComplaintForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form_problem(form))
        description = form.cleaned_data["description"]
        case = complaint_report(
            actor=user,
            region_code=institution.region_id,
            description=_("Complaint about %(name)s: %(text)s")
            % {"name": institution.name, "text": description}
            if description
            else "",
            reference=institution.credit_code,
        )
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Case %s opened.") % case.number)
    return redirect("ltc-institution", pk=pk)


# --- The insured living in the peer region, their institutions and services ------------------


@login_required
@require_GET
def living_elsewhere_page(request: HttpRequest) -> HttpResponse:
    """Our insured who live in the peer region: their level, the institution they chose (ours or
    the peer's), and the services they received; and the peer's insured recognised here."""
    user = request_user(request)
    today = timezone.localdate()
    rows = []
    for insured in selectors.insured_living_abroad(user)[:200]:
        assessment = selectors.current_assessment(insured.person, today=today)
        peer_code = county_of(insured.residence_code)
        rows.append(
            {
                "insured": insured,
                "assessment": assessment,
                "choices": list(selectors.shared_institutions(peer_code=peer_code)),
            }
        )
    return render(
        request,
        T + "living_elsewhere.html",
        {
            **_common(request, "living"),
            "rows": rows,
            "recognitions": selectors.recognitions_for(user).filter(
                status=Recognition.Status.ACTIVE, valid_until__gte=today
            )[:200],
            "own_institutions": selectors.institutions_for(user).filter(
                status=Institution.Status.DESIGNATED
            ),
            "care_modes": CareMode.choices,
            "this_month": today.replace(day=1).isoformat()[:7],
        },
    )


@login_required
@require_POST
def insured_choose_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    insured = selectors.insured_for_user(user, pk)
    form = ChooseInstitutionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_problem(form))
        return redirect("ltc-living-elsewhere")
    kind, ident = form.chosen()
    institution = shared = None
    try:
        if kind == "s" and ident is not None:
            shared = selectors.shared_institution_by_id(ident)
        elif kind == "i" and ident is not None:
            institution = selectors.institution_for_user(user, ident)
        insured_choose_institution(
            actor=user,
            insured=insured,
            care_mode=form.cleaned_data["care_mode"],
            institution=institution,
            shared_institution=shared,
        )
    except Http404:
        messages.error(request, _("Choose an institution from the list."))
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The care arrangement of %s is saved.") % insured.person.name)
    return redirect("ltc-living-elsewhere")


@login_required
@require_POST
def service_record_page(request: HttpRequest) -> HttpResponse:
    """Record a month of care: our insured at their chosen institution, or a recognised person
    of the peer region at one of our institutions."""
    user = request_user(request)
    form = ServiceRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the month, the number of days or visits, and the place."))
        return redirect("ltc-living-elsewhere")
    data = form.cleaned_data
    month, care_mode = data["month"], data["care_mode"]
    try:
        if data["insured"]:
            insured = selectors.insured_for_user(user, data["insured"])
            service_record_set(
                actor=user,
                month=month,
                care_mode=care_mode or insured.care_mode,
                units=data["units"],
                insured=insured,
                institution=insured.institution,
                shared_institution=insured.shared_institution,
            )
        else:
            recognition = selectors.recognitions_for(user).get(pk=data["recognition"])
            service_record_set(
                actor=user,
                month=month,
                care_mode=care_mode,
                units=data["units"],
                recognition=recognition,
                institution=selectors.institution_for_user(user, data["institution"]),
            )
    except (Recognition.DoesNotExist, Http404):
        messages.error(request, _("Give the month, the number of days or visits, and the place."))
    except ValidationError as exc:
        messages.error(request, _errors_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The services of %s are recorded.") % month.strftime("%Y-%m"))
    return redirect("ltc-living-elsewhere")


# --- Recognitions and person status ------------------------------------------------------------


@login_required
@require_GET
def recognitions_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        T + "recognitions.html",
        {
            **_common(request, "recognitions"),
            "rows": selectors.recognitions_for(request_user(request))[:500],
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_status_page(request: HttpRequest) -> HttpResponse:
    """Ask the peer region about a person (互通); the log of queries both ways (staff only)."""
    user = request_user(request)
    if not is_ltc_staff(user):
        raise PermissionDenied
    answer = problem = None
    values = {"peer": "", "id_number": "", "purpose": ""}
    if request.method == "POST":
        form = PersonStatusForm(request.POST)
        values = form.values()
        if not form.is_valid():
            problem = form_problem(form)
        else:
            try:
                answer = person_status_ask(
                    actor=user,
                    peer_code=form.cleaned_data["peer"],
                    id_number=form.cleaned_data["id_number"],
                    purpose=form.cleaned_data["purpose"],
                )
            except ValidationError as exc:
                problem = _errors_text(exc)
            except (ExchangeFailed, PermissionDenied) as exc:
                problem = str(exc)
        values["id_number"] = ""  # not echoed back in clear
    return render(
        request,
        T + "person_status.html",
        {
            **_common(request, "status"),
            "peers": list(peers_all().filter(enabled=True)),
            "values": values,
            "answer": answer,
            "answer_rows": [(STATUS_LABELS.get(k, k), v) for k, v in (answer or {}).items()],
            "problem": problem,
            "queries": selectors.status_queries(user, limit=50),
        },
    )


# --- The cross-border statement ---------------------------------------------------------------


def _statement_rows(statement: selectors.Statement) -> list[list[object]]:
    rows: list[list[object]] = [
        [
            _("Side"),
            _("Name"),
            _("ID number"),
            _("Institution"),
            _("Care mode"),
            _("Level"),
            _("Days or visits"),
            _("Amount (yuan)"),
        ]
    ]
    for label, side in ((_("We owe"), statement.we_owe), (_("Owed to us"), statement.owed_to_us)):
        for row in side.rows:
            name, masked = selectors.service_subject_name(row)
            rows.append(
                [
                    label,
                    name,
                    masked,
                    selectors.provider_name(row),
                    row.get_care_mode_display(),
                    row.level,
                    row.units,
                    float(row.amount),
                ]
            )
        rows.append([label, _("Total"), "", "", "", "", "", float(side.total)])
    rows.append(
        [
            _("Balance (owed to us less what we owe)"),
            "",
            "",
            "",
            "",
            "",
            "",
            float(statement.balance),
        ]
    )
    return rows


@login_required
@require_GET
def statement_page(request: HttpRequest) -> HttpResponseBase:
    """The month's services across the border, for settlement between the two bureaus."""
    user = request_user(request)
    peers = list(peers_all())
    months = selectors.settlement_months(user)
    peer_code = request.GET.get("peer") or (
        months[0][0] if months else (peers[0].code if peers else "")
    )
    try:
        month = date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = months[0][1] if months else timezone.localdate().replace(day=1)
    statement = selectors.settlement_statement(user, peer_code=peer_code, month=month)
    if request.GET.get("format") == "xlsx":
        title = f"{peer_code}-{month:%Y-%m}"
        workbook = xlsx_file(
            [Sheet(title=title, rows=_statement_rows(statement), text_columns=[2])]
        )
        return FileResponse(
            workbook,
            as_attachment=True,
            filename=f"ltc-statement-{title}.xlsx",
            content_type=XLSX_TYPE,
        )
    return render(
        request,
        T + "statement.html",
        {
            **_common(request, "statement"),
            "statement": statement,
            "peers": peers,
            "peer_code": peer_code,
            "month": month,
            "months": sorted({m for _p, m in months}, reverse=True),
            "export_url": reverse("ltc-statement")
            + f"?peer={peer_code}&month={month:%Y-%m}&format=xlsx",
            "sides": [
                (_("We owe the peer: our insured cared for by its institutions"), statement.we_owe),
                (
                    _("The peer owes us: its insured cared for by our institutions"),
                    statement.owed_to_us,
                ),
            ],
        },
    )
