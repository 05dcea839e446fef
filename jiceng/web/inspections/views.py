"""The inspections engine's pages: answering any checklist for a target on a phone, item by
item (fine / not fine, a note and a photo per item); an inspection with its findings and cases;
the county's checklist editor; patrol rounds (夜巡夜查). Modules link to the answering page
with their checklist and target ("/inspections/new/lottery_outlet/lottery_outlet:7/")."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core.selectors import regions_in_scope
from jiceng.inspections.access import (
    may_edit_checklists,
    may_finish_round,
    may_inspect,
)
from jiceng.inspections.models import Round, Severity
from jiceng.inspections.selectors import (
    checklist_with_items,
    checklists,
    inspection_for_user,
    inspections_in_scope,
    photo_for_user,
    round_for_user,
    rounds_in_scope,
)
from jiceng.inspections.services import (
    checklist_save,
    inspection_record,
    round_finish,
    round_start,
    target_resolve,
)
from jiceng.web.common import is_htmx, request_user
from jiceng.web.private_files import private_file_response

T = "web/inspections/"


def _problems(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


# --- answering a checklist -------------------------------------------------------------------


def _answers_from_post(request: HttpRequest, items: list[Any]) -> list[dict[str, Any]]:
    """The findings as `inspection_record` takes them; an item left unanswered is missing (the
    service names it)."""
    findings = []
    for item in items:
        verdict = request.POST.get(f"item-{item.code}", "")
        if verdict not in ("ok", "fail"):
            continue
        answer: dict[str, Any] = {
            "item": item.code,
            "ok": verdict == "ok",
            "note": request.POST.get(f"note-{item.code}", "")[:300],
        }
        severity = request.POST.get(f"severity-{item.code}", "")
        if verdict == "fail" and severity:
            answer["severity"] = severity
        findings.append(answer)
    return findings


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, checklist: str, target: str) -> HttpResponse:
    """A checklist answered for a target on a phone: each item fine or not, a note and photos."""
    user = request_user(request)
    found = checklist_with_items(checklist)
    if found is None or not found.is_active:
        raise Http404
    try:
        _kind, _id, _handler, place = target_resolve(user, target)
    except ValidationError:
        raise Http404 from None
    items = found.item_list  # type: ignore[attr-defined]
    errors: list[str] = []
    if request.method == "POST":
        if not may_inspect(user):
            raise PermissionDenied(_("Your role may not record inspections."))
        photos: dict[str, list[Any]] = {"": request.FILES.getlist("photos")}
        for item in items:
            photos[item.code] = request.FILES.getlist(f"photo-{item.code}")
        try:
            inspection = inspection_record(
                actor=user,
                checklist=found.code,
                target=target,
                findings=_answers_from_post(request, items),
                note=request.POST.get("note", "")[:2000],
                photos=photos,
                round_id=request.POST.get("round") or None,
            )
        except ValidationError as error:
            errors = _problems(error)
        else:
            messages.success(
                request,
                _("Inspection recorded; %(count)d case(s) opened.")
                % {"count": len(inspection.opened_cases)},  # type: ignore[attr-defined]
            )
            url = reverse("inspection-detail", args=[inspection.pk])
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    open_rounds = [r for r in rounds_in_scope(user, limit=20) if r.ended_at is None]
    context = {
        "checklist": found,
        "items": items,
        "target": target,
        "place": place,
        "errors": errors,
        "post": request.POST if request.method == "POST" else {},
        "rounds": open_rounds,
        "severities": Severity.choices,
    }
    template = T + ("new_form.html" if is_htmx(request) and errors else "new.html")
    return render(request, template, context, status=400 if errors else 200)


@login_required
@require_GET
def inspection_start(request: HttpRequest) -> HttpResponse:
    """A module's "inspect" form (a GET of checklist and target) to the answering page."""
    checklist = request.GET.get("checklist", "")[:40]
    target = request.GET.get("target", "")[:100]
    if not checklist or not target or "/" in checklist or "/" in target:
        raise Http404
    return redirect("inspection-new", checklist=checklist, target=target)


@login_required
@require_GET
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = inspection_for_user(request_user(request), pk)
    findings = list(inspection.findings.all())
    photos = list(inspection.photos.all())
    context = {
        "inspection": inspection,
        "findings": findings,
        "failed": [f for f in findings if not f.ok],
        "general_photos": [p for p in photos if p.finding_id is None],
        "photos_by_finding": {f.pk: [p for p in photos if p.finding_id == f.pk] for f in findings},
    }
    return render(request, T + "detail.html", context)


@login_required
@require_GET
def inspection_photo(request: HttpRequest, token: str) -> FileResponse:
    """An inspection's photo, to those who may see the inspection; never a media URL."""
    photo = photo_for_user(request_user(request), token)
    return private_file_response(
        photo.file, content_type=photo.content_type, filename=photo.file.name.rsplit("/", 1)[-1]
    )


@login_required
@require_GET
def inspection_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    module = request.GET.get("module", "")[:20]
    context = {
        "inspections": inspections_in_scope(user, module=module or None),
        "module": module,
    }
    return render(request, T + "list.html", context)


# --- the county's checklists -----------------------------------------------------------------


@login_required
@require_GET
def checklist_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "checklists": checklists(active_only=False),
        "may_edit": may_edit_checklists(user),
    }
    return render(request, T + "checklists.html", context)


EXTRA_ROWS = 3


def _items_from_post(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for index in range(int(request.POST.get("rows", "0") or 0)):
        code = request.POST.get(f"code-{index}", "").strip()
        text = request.POST.get(f"text-{index}", "").strip()
        if not code and not text:
            continue  # an empty row for adding an item
        if request.POST.get(f"remove-{index}"):
            continue
        items.append(
            {
                "code": code,
                "text": text,
                "text_en": request.POST.get(f"text_en-{index}", ""),
                "category": request.POST.get(f"category-{index}", ""),
                "severity": request.POST.get(f"severity-{index}", "minor"),
                "is_active": bool(request.POST.get(f"active-{index}")),
            }
        )
    return items


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The county's editor: items in order, with their category and severity; an item removed
    after it was answered is kept, inactive."""
    user = request_user(request)
    if not may_edit_checklists(user):
        raise PermissionDenied(_("Only the county's administrators edit checklists."))
    found = checklist_with_items(code, active_only=False)
    if found is None:
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        try:
            days = {
                "major": request.POST.get("days-major", ""),
                "minor": request.POST.get("days-minor", ""),
            }
            checklist_save(
                user,
                found.code,
                _items_from_post(request),
                name=request.POST.get("name", found.name),
                name_en=request.POST.get("name_en", found.name_en),
                deadline_days=days,
                is_active=bool(request.POST.get("is_active")),
            )
        except ValidationError as error:
            errors = _problems(error)
        else:
            messages.success(request, _("Checklist saved."))
            return redirect("inspection-checklist", code=found.code)
    rows = [
        {
            "code": item.code,
            "text": item.text,
            "text_en": item.text_en,
            "category": item.category,
            "severity": item.severity,
            "is_active": item.is_active,
        }
        for item in found.item_list  # type: ignore[attr-defined]
    ]
    empty = {"code": "", "text": "", "text_en": "", "category": "", "severity": "minor"}
    rows += [{**empty, "is_active": True} for _row in range(EXTRA_ROWS)]
    context = {
        "checklist": found,
        "rows": rows,
        "errors": errors,
        "severities": Severity.choices,
    }
    return render(request, T + "checklist_edit.html", context, status=400 if errors else 200)


# --- patrol rounds -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    """Patrol rounds in the user's region; a new one started here (the user leads it)."""
    user = request_user(request)
    errors: list[str] = []
    if request.method == "POST":
        try:
            started = round_start(
                actor=user,
                region_code=request.POST.get("region", ""),
                kind=request.POST.get("kind", "night_patrol") or "night_patrol",
                members=request.POST.get("members", ""),
                route=request.POST.get("route", ""),
                note=request.POST.get("note", ""),
            )
        except ValidationError as error:
            errors = _problems(error)
        else:
            messages.success(request, _("Patrol round started."))
            return redirect("inspection-round", pk=started.pk)
    context = {
        "rounds": rounds_in_scope(user),
        "regions": regions_in_scope(user, deepest_level="village")[:400],
        "may_start": may_inspect(user),
        "errors": errors,
        "post": request.POST if request.method == "POST" else {},
    }
    return render(request, T + "rounds.html", context, status=400 if errors else 200)


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    patrol: Round = round_for_user(user, pk)
    context = {
        "round": patrol,
        "inspections": list(
            patrol.inspections.select_related("checklist", "inspector").order_by("inspected_at")
        ),
        "may_finish": patrol.ended_at is None and may_finish_round(user, patrol),
        "route_text": "\n".join(
            str(p) if isinstance(p, str) else f"{p[0]:.5f}, {p[1]:.5f}" for p in patrol.route
        ),
        "now": timezone.now(),
    }
    return render(request, T + "round.html", context)


@login_required
@require_POST
def round_finish_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    patrol = round_for_user(user, pk)
    try:
        round_finish(
            actor=user,
            round_id=patrol.pk,
            route=request.POST.get("route", "") or None,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for problem in _problems(error):
            messages.error(request, problem)
    else:
        messages.success(request, _("Patrol round finished."))
    return redirect("inspection-round", pk=patrol.pk)
