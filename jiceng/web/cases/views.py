"""Pages of the case loop (问题销号): the inbox, a case and its actions, the report form, the map,
the monthly scorecards and the notifications.

Every case is read through the cases selectors, which apply the user's scope (a case outside it
is a 404, like one that does not exist), and changed only through the case services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.cases.access import is_dispatcher
from jiceng.cases.models import Case, CategoryAttribute
from jiceng.cases.photos import MAX_PHOTOS
from jiceng.cases.selectors import (
    CategoryRules,
    ScoreRow,
    case_find_by_number,
    case_get_for_user,
    case_photo_for_user,
    case_reporter_phone,
    category_rules,
    deadline_colour,
    dispatch_options,
    inbox,
    inbox_colour_counts,
    monthly_trend_cached,
    notifications_of,
    open_cases_geojson,
    page_of,
    photos_of,
    scorecard,
    timeline,
)
from jiceng.cases.services import (
    CASE_MACHINE,
    CaseChanged,
    TransitionRefused,
    case_act,
    cases_dispatch_many,
)
from jiceng.cases.services.intake import case_report
from jiceng.cases.services.notifications import notifications_mark_read
from jiceng.core import roles
from jiceng.core.spreadsheets import Sheet, xlsx_file
from jiceng.core.transitions import Transition, allowed_transitions
from jiceng.web.cases.forms import (
    COLOUR_CHOICES,
    BulkDispatchForm,
    CaseActionForm,
    CaseReportForm,
    InboxFilterForm,
    ScorecardForm,
    category_choices,
)
from jiceng.web.common import (
    add_service_errors,
    is_htmx,
    new_idempotency_key,
    render_uncached,
    request_user,
)
from jiceng.web.private_files import private_file_response
from jiceng.web.registries.upload_limit import upload_limited, upload_too_large
from jiceng.web.templatetags.case_display import localized_name

T = "web/cases/"  # the templates' folder
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DISPATCHABLE = CASE_MACHINE.by_name["dispatch"].sources

# What each action's button says.
ACTION_LABELS = {
    "accept": gettext_lazy("Accept"),
    "dismiss": gettext_lazy("Dismiss"),
    "dispatch": gettext_lazy("Dispatch"),
    "return": gettext_lazy("Return to the dispatcher"),
    "start": gettext_lazy("Start handling"),
    "resolve": gettext_lazy("Resolve"),
    "confirm": gettext_lazy("Confirm the resolution"),
    "verify": gettext_lazy("Verify and close (销号)"),
    "reject": gettext_lazy("Reject the resolution"),
    "reopen": gettext_lazy("Reopen"),
    "escalate": gettext_lazy("Escalate"),
    "suspend": gettext_lazy("Suspend"),
    "resume": gettext_lazy("Resume"),
    "merge": gettext_lazy("Merge as a duplicate"),
    "comment": gettext_lazy("Add a comment"),
    "rate": gettext_lazy("Rate"),
}
# The step each action moves a case on by: shown as the main buttons.
PRIMARY_ACTIONS = frozenset({"accept", "dispatch", "start", "resolve", "verify", "confirm", "rate"})
# Actions that take more than one click: a note, a choice or photos.
ACTIONS_WITH_INPUT = frozenset({"dispatch", "resolve", "merge", "rate"}) | {
    t.name for t in CASE_MACHINE.transitions if t.note_required
}

SCRIPT_LABELS = {
    "colours": {
        "red": gettext_lazy("Overdue"),
        "yellow": gettext_lazy("Due soon"),
        "green": gettext_lazy("In time"),
        "none": gettext_lazy("No deadline running"),
    },
    "locating": gettext_lazy("Finding your location…"),
    "located": gettext_lazy("Location found: %(lat)s, %(lon)s (±%(accuracy)s m)"),
    "picked": gettext_lazy("Place picked on the map: %(lat)s, %(lon)s"),
    "locationFailed": gettext_lazy(
        "Your location is not available: pick the place on the map or choose a region."
    ),
    "noGeolocation": gettext_lazy("This browser cannot tell your location."),
    "received": gettext_lazy("Received"),
    "closed": pgettext_lazy("scorecard", "Closed"),
    "onTimeRate": gettext_lazy("Closed on time"),
    "cases": gettext_lazy("cases"),
    "mapFailed": gettext_lazy("The map could not be loaded."),
    "shown": gettext_lazy("%(n)s open cases on the map"),
    "limited": gettext_lazy("(the most urgent %(n)s)"),
    "noPermission": gettext_lazy("You may not do this."),
    "requestFailed": gettext_lazy("The request failed; check your connection and try again."),
}


def _url_or_none(name: str, *args: Any) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- The inbox -------------------------------------------------------------------------------


def _with(params: QueryDict, **changes: Any) -> str:
    """The query string with some parameters changed (None removes one); page 1 again."""
    query = params.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = str(value)
    return query.urlencode()


def _inbox_context(
    request: HttpRequest, form: InboxFilterForm, *, bulk: dict[str, Any] | None = None
) -> dict[str, Any]:
    user = request_user(request)
    filters = form.inbox_filter()
    now = timezone.now()
    page = form.page_number()
    cases, more = page_of(inbox(user, filters, now=now), page=page)
    may_dispatch = False
    rows = []
    for case in cases:
        dispatchable = case.status in DISPATCHABLE and is_dispatcher(user, case)
        may_dispatch = may_dispatch or dispatchable
        rows.append(
            {"case": case, "colour": deadline_colour(case, now=now), "dispatchable": dispatchable}
        )
    params = request.GET
    counts = inbox_colour_counts(user, filters, now=now)
    badges = [
        {
            "colour": colour,
            "label": label,
            "count": counts[colour],
            "query": _with(params, colour=None if filters.colour == colour else colour),
            "current": filters.colour == colour,
        }
        for colour, label in COLOUR_CHOICES
    ]
    return {
        "form": form,
        "view": form.chosen_view(),
        "more_filters_used": any(
            form.value(name) for name in ("category", "town", "department", "date_from", "date_to")
        ),
        "rows": rows,
        "now": now,
        "page": page,
        "previous_query": _with(params, page=page - 1 if page > 2 else None) if page > 1 else None,
        "next_query": _with(params, page=page + 1) if more else None,
        "badges": badges,
        "open_count": counts["open"],
        "all_colours_query": _with(params, colour=None),
        "filters_query": params.urlencode(),
        "may_dispatch": may_dispatch,
        "bulk": bulk,
        "departments": form.fields["department"].choices[1:],  # type: ignore[attr-defined]
        "script_labels": SCRIPT_LABELS,
    }


def _inbox_response(
    request: HttpRequest, form: InboxFilterForm, *, bulk: dict[str, Any] | None = None
) -> HttpResponse:
    template = "_inbox_results.html" if is_htmx(request) else "inbox.html"
    response = render(request, T + template, _inbox_context(request, form, bulk=bulk))
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The cases in the user's scope with filters, the most urgent first."""
    return _inbox_response(request, InboxFilterForm(request.GET, user=request_user(request)))


@login_required
@require_POST
def bulk_dispatch(request: HttpRequest) -> HttpResponse:
    """Dispatch the ticked cases, each to its default department or to the one chosen; some may
    be refused (with the reason), the others go through. The filters stay in the query string."""
    user = request_user(request)
    form = BulkDispatchForm(request.POST)
    bulk: dict[str, Any] = {"outcomes": [], "problem": None}
    if form.is_valid():
        data = form.cleaned_data
        outcomes = cases_dispatch_many(
            actor=user, picked=data["cases"], department=data["department"]
        )
        for outcome in outcomes:
            text = outcome.reason
            if outcome.case is not None:
                text = _("dispatched to %(department)s") % {
                    "department": localized_name(outcome.case.department)
                }
            bulk["outcomes"].append(
                {
                    "id": outcome.case_id,
                    "number": outcome.number,
                    "ok": outcome.case is not None,
                    "text": text,
                }
            )
    else:
        bulk["problem"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
    bulk["done"] = sum(1 for o in bulk["outcomes"] if o["ok"])
    bulk["failed"] = len(bulk["outcomes"]) - bulk["done"]
    return _inbox_response(request, InboxFilterForm(request.GET, user=user), bulk=bulk)


# --- A case ----------------------------------------------------------------------------------


class _Named:
    """A value of a list question ({"key", "name", "name_en"}) seen as a record with names."""

    def __init__(self, value: dict[str, Any]):
        self.name = value.get("name") or value.get("key") or ""
        self.name_en = value.get("name_en") or ""


def _value_name(value: dict[str, Any]) -> str:
    return localized_name(_Named(value))


def _answer_text(definition: CategoryAttribute | None, value: Any) -> str:
    names = {str(v.get("key")): _value_name(v) for v in definition.values} if definition else {}
    if isinstance(value, list):
        return ", ".join(names.get(str(v), str(v)) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return names.get(str(value), str(value))


def _attribute_answers(case: Case) -> list[tuple[str, str]]:
    """(question, answer) for each of the case's answered questions, in the category's order."""
    rules = category_rules(case.category.code)
    definitions = {a.code: a for a in rules.attributes} if rules else {}
    order = list(definitions) + [code for code in case.attributes if code not in definitions]
    answers = []
    for code in order:
        if code not in case.attributes:
            continue
        definition = definitions.get(code)
        question = localized_name(definition, "description") if definition else code
        answers.append((question, _answer_text(definition, case.attributes[code])))
    return answers


def _action_panels(available: list[Transition]) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "label": ACTION_LABELS.get(t.name, t.name),
            "primary": t.name in PRIMARY_ACTIONS,
            "needs_input": t.name in ACTIONS_WITH_INPUT,
            "note_required": t.note_required,
        }
        for t in available
        if t.name != "comment"
    ]


def _case_context(
    request: HttpRequest,
    case: Case,
    *,
    notice: str | None = None,
    problem: str | None = None,
    conflict: bool = False,
    retry: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = request_user(request)
    allowed = allowed_transitions(CASE_MACHINE, case, user)
    available = {t.name for t in allowed}
    actions = _action_panels(allowed)
    photos = photos_of(case)
    region = case.region
    return {
        "case": case,
        "colour": deadline_colour(case),
        "events": list(timeline(case)),
        "photos_before": [p for p in photos if p.kind == "before"],
        "photos_after": [p for p in photos if p.kind == "after"],
        "reporter_phone": case_reporter_phone(user, case),
        "answers": _attribute_answers(case),
        "actions": actions,
        "primary_actions": [a for a in actions if a["primary"]],
        "other_actions": [a for a in actions if not a["primary"]],
        "other_action_names": [a["name"] for a in actions if not a["primary"]],
        "may_comment": "comment" in available,
        "dispatch": dispatch_options(case) if "dispatch" in available else None,
        "map_data": {
            "point": [case.lat, case.lon]
            if case.lat is not None and case.lon is not None
            else None,
            "boundary": region.boundary or None,
            "centre": [region.lat, region.lon]
            if region.lat is not None and region.lon is not None
            else None,
            "colour": deadline_colour(case),
        },
        "notice": notice,
        "problem": problem,
        "conflict": conflict,
        "retry": retry or {},
        "max_photos": MAX_PHOTOS,
        "script_labels": SCRIPT_LABELS,
    }


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_get_for_user(request_user(request), case_id)
    return render(request, T + "case.html", _case_context(request, case))


@upload_limited(files=MAX_PHOTOS)  # what the photos of one form may weigh
@login_required
@require_POST
def case_act_page(request: HttpRequest, case_id: int) -> HttpResponseBase:
    """Take one action on a case: an htmx form (or a plain one) on the case page."""
    user = request_user(request)
    case = case_get_for_user(user, case_id)  # 404 outside the user's scope
    form = CaseActionForm(request.POST, request.FILES)
    retry = {"action": request.POST.get("action", ""), "note": request.POST.get("note", "")}
    if upload_too_large(request):
        return _case_answer(
            request,
            case,
            problem=_("The photos are larger than the upload limit."),
            status=413,
            retry=retry,
        )
    if not form.is_valid():
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _case_answer(request, case, problem=problem, status=400, retry=retry)
    data = form.cleaned_data
    duplicate_of = None
    if data["action"] == "merge":
        duplicate_of = case_find_by_number(user, data["duplicate_of"])
        if duplicate_of is None:
            problem = _("No case numbered %(number)s in your region.") % {
                "number": data["duplicate_of"]
            }
            return _case_answer(request, case, problem=problem, status=400, retry=retry)
    try:
        case = case_act(
            case_id=case.pk,
            actor=user,
            action=data["action"],
            expected_version=data["expected_version"],
            note=data["note"],
            department=data["department"],
            duplicate_of=duplicate_of,
            score=data["score"],
            photos=data["photos"],
        )
    except CaseChanged as exc:
        problem = _(
            "This case was changed by someone else while you were looking at it: it is now "
            "%(status)s. Its current state is shown below; check it before you act again."
        ) % {"status": exc.case.get_status_display()}
        return _case_answer(
            request,
            case_get_for_user(user, case_id),
            problem=problem,
            conflict=True,
            status=409,
            retry=retry,
        )
    except TransitionRefused as exc:
        return _case_answer(
            request, case_get_for_user(user, case_id), problem=str(exc), status=409, retry=retry
        )
    except ValidationError as exc:
        return _case_answer(request, case, problem=" ".join(exc.messages), status=400, retry=retry)
    done = _("Done: %(action)s.") % {"action": ACTION_LABELS.get(data["action"], data["action"])}
    if is_htmx(request):
        return _case_answer(request, case_get_for_user(user, case_id), notice=done)
    messages.success(request, done)
    return redirect("case-detail", case_id=case_id)


def _case_answer(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
    conflict: bool = False,
    retry: dict[str, Any] | None = None,
) -> HttpResponse:
    """The case again after an action: its body for htmx, else the whole page."""
    context = _case_context(
        request, case, notice=notice, problem=problem, conflict=conflict, retry=retry
    )
    template = "_case_body.html" if is_htmx(request) else "case.html"
    response = render(request, T + template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def case_photo(request: HttpRequest, token: str) -> FileResponse:
    """A case's photo, to those who may see the case; never a public or static file."""
    photo = case_photo_for_user(request_user(request), token)
    return private_file_response(
        photo.file, content_type=photo.content_type, filename=f"{photo.token}.{photo.extension}"
    )


# --- Reporting a case ------------------------------------------------------------------------


# The input for each kind of question that is not a list or a text.
INPUT_TYPES: dict[str, str] = {
    CategoryAttribute.Datatype.NUMBER: "number",
    CategoryAttribute.Datatype.DATETIME: "datetime-local",
}


def _attribute_fields(rules: CategoryRules | None, post: QueryDict | None) -> list[dict[str, Any]]:
    """The chosen category's questions as form fields, with what was typed into them."""
    if rules is None:
        return []
    fields = []
    for attribute in rules.attributes:
        name = f"attr_{attribute.code}"
        kind = attribute.datatype
        fields.append(
            {
                "name": name,
                "id": f"id_{name}",
                "label": localized_name(attribute, "description"),
                "required": attribute.required,
                "kind": kind,
                "input_type": INPUT_TYPES.get(kind, "text"),
                "choices": [(str(v.get("key")), _value_name(v)) for v in attribute.values],
                "value": post.get(name, "") if post is not None else "",
                "values": post.getlist(name) if post is not None else [],
            }
        )
    return fields


def _report_response(
    request: HttpRequest,
    form: CaseReportForm,
    *,
    status: int = 200,
    attribute_errors: list[str] | None = None,
) -> HttpResponse:
    user = request_user(request)
    category = form["category"].value() or ""
    post = request.POST if request.method == "POST" else None
    context = {
        "form": form,
        "attribute_fields": _attribute_fields(category_rules(category) if category else None, post),
        "attribute_errors": attribute_errors or [],
        "regions_url": _url_or_none("region-map", user.region_id) if user.region_id else None,
        "centre": (
            [user.region.lat, user.region.lon]
            if user.region is not None and user.region.lat is not None
            else None
        ),
        "max_photos": MAX_PHOTOS,
        "script_labels": SCRIPT_LABELS,
    }
    # A fresh idempotency key on every render.
    return render_uncached(request, T + "report.html", context, status=status)


@upload_limited(files=MAX_PHOTOS)  # what the photos of one form may weigh
@login_required
@require_http_methods(["GET", "POST"])
def case_report_page(request: HttpRequest) -> HttpResponseBase:
    """Report a case from a phone: category, description, questions, photos and the place."""
    user = request_user(request)
    if not roles.may_write(user):
        raise PermissionDenied(_("Your role may not report cases."))
    if request.method != "POST":
        form = CaseReportForm(user=user, initial={"idempotency_key": new_idempotency_key()})
        return _report_response(request, form)
    form = CaseReportForm(request.POST, request.FILES, user=user)
    if upload_too_large(request):
        form.is_valid()
        form.add_error("photos", _("The photos are larger than the upload limit."))
        return _report_response(request, form, status=413)
    attribute_errors: list[str] = []
    if form.is_valid():
        data = form.cleaned_data
        rules = category_rules(data["category"])
        try:
            case = case_report(
                actor=user,
                category=data["category"],
                description=data["description"],
                region_code=data["region"] or None,
                lat=data["lat"],
                lon=data["lon"],
                address=data["address"],
                source=data["source"],
                priority=data["priority"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                attributes=form.attribute_answers(rules, request.POST) if rules else {},
                photos=data["photos"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                attribute_errors = exc.message_dict.get("attributes", [])
                others = {k: v for k, v in exc.message_dict.items() if k != "attributes"}
                if others:
                    add_service_errors(form, ValidationError(others), {"location": "region"})
            else:
                add_service_errors(form, exc)
        except PermissionDenied as exc:  # the place lies outside the user's region
            form.add_error("region", str(exc))
        else:
            messages.success(request, _("Case %(number)s reported.") % {"number": case.number})
            return redirect("case-detail", case_id=case.pk)
    return _report_response(request, form, status=400, attribute_errors=attribute_errors)


@login_required
@require_GET
def report_attribute_fields(request: HttpRequest) -> HttpResponse:
    """The questions of the category chosen on the report form (htmx swaps them in)."""
    code = request.GET.get("category", "")
    rules = category_rules(code) if code and len(code) <= 40 else None
    return render(
        request,
        T + "_attribute_fields.html",
        {"attribute_fields": _attribute_fields(rules, None), "attribute_errors": []},
    )


# --- The map ---------------------------------------------------------------------------------


@login_required
@require_GET
def cases_map(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    context = {
        "categories": category_choices(),
        "colours": [*COLOUR_CHOICES, ("none", gettext_lazy("No deadline running"))],
        "cases_url": reverse("cases-map-geojson"),
        "regions_url": _url_or_none("region-map", user.region_id) if user.region_id else None,
        "script_labels": SCRIPT_LABELS,
    }
    return render(request, T + "map.html", context)


@login_required
@require_GET
def cases_map_geojson(request: HttpRequest) -> JsonResponse:
    """Open cases in the user's scope as GeoJSON points with their deadline colour."""
    category = request.GET.get("category", "")
    filters: dict[str, Any] = (
        {"category__code": category} if category and len(category) <= 40 else {}
    )
    collection = open_cases_geojson(request_user(request), **filters)
    for feature in collection["features"]:
        feature["properties"]["url"] = reverse("case-detail", args=[feature["properties"]["id"]])
    response = JsonResponse(collection, content_type="application/geo+json")
    add_never_cache_headers(response)
    return response


# --- Scorecards (月晾晒) -----------------------------------------------------------------------


def _month(form: ScorecardForm) -> date:
    text = form.value("month")
    if text:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    return timezone.localdate().replace(day=1)


def _shift_month(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


SCORE_COLUMNS = [
    gettext_lazy("Rank"),
    gettext_lazy("Name"),
    gettext_lazy("Received"),
    pgettext_lazy("scorecard", "Closed"),
    gettext_lazy("Closed on time"),
    gettext_lazy("On-time rate"),
    gettext_lazy("Average hours to close"),
    gettext_lazy("Reopened"),
    gettext_lazy("Satisfaction rate"),
    gettext_lazy("Score"),
]


def _score_sheet_rows(rows: list[ScoreRow]) -> list[list[object]]:
    """The ranking as spreadsheet rows: a header, then one row per town or department."""

    def rate(value: float | None) -> float | None:
        return round(value, 4) if value is not None else None

    table: list[list[object]] = [[str(c) for c in SCORE_COLUMNS]]
    for r in rows:
        table.append(
            [
                r.rank,
                r.name,
                r.received,
                r.closed,
                r.closed_on_time,
                rate(r.on_time_rate),
                r.hours_to_close,
                r.reopened,
                rate(r.satisfaction_rate),
                r.score,
            ]
        )
    return table


@login_required
@require_GET
def scorecards_page(request: HttpRequest) -> HttpResponseBase:
    """The month's ranking of towns or departments; a wall screen; an Excel file."""
    user = request_user(request)
    form = ScorecardForm(request.GET)
    month = _month(form)
    by = form.value("by") or "town"
    rows = scorecard(user, month=month, by=by)
    if form.value("format") == "xlsx":
        title = f"{by}-{month:%Y-%m}"
        workbook = xlsx_file([Sheet(title=title, rows=_score_sheet_rows(rows))])
        response: HttpResponseBase = FileResponse(
            workbook,
            as_attachment=True,
            filename=f"scorecard-{title}.xlsx",
            content_type=XLSX_TYPE,
        )
        add_never_cache_headers(response)
        return response
    query = QueryDict(mutable=True)
    query.update({"month": f"{month:%Y-%m}", "by": by})
    context = {
        "form": form,
        "rows": rows,
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "previous_month": f"{_shift_month(month, -1):%Y-%m}",
        "next_month": f"{_shift_month(month, 1):%Y-%m}",
        "by": by,
        "query": query.urlencode(),
        "trend_url": reverse("cases-scorecards-trend") + "?" + query.urlencode(),
        "screen": bool(form.value("screen")),
        "updated_at": timezone.now(),
        "script_labels": SCRIPT_LABELS,
    }
    if context["screen"]:
        template = "_screen_board.html" if is_htmx(request) else "scorecards_screen.html"
    else:
        template = "scorecards.html"
    response = render(request, T + template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def scorecards_trend(request: HttpRequest) -> JsonResponse:
    """Received and closed cases per month for the twelve months up to the chosen one."""
    form = ScorecardForm(request.GET)
    trend = monthly_trend_cached(request_user(request), months=12, until=_month(form))
    return JsonResponse(
        {
            "months": [m["month"] for m in trend],
            "received": [m["received"] for m in trend],
            "closed": [m["closed"] for m in trend],
            "onTimeRate": [m["on_time_rate"] for m in trend],
        }
    )


# --- Notifications ---------------------------------------------------------------------------


@login_required
@require_GET
def notifications_page(request: HttpRequest) -> HttpResponse:
    items = notifications_of(request_user(request), limit=100)
    return render(
        request,
        T + "notifications.html",
        {"items": items, "unread": sum(1 for n in items if n.read_at is None)},
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    marked = notifications_mark_read(user=request_user(request))
    messages.success(request, _("%(n)d notifications marked read.") % {"n": marked})
    return redirect("notifications")
