"""The welfare-lottery pages: the fund ledger of a year, the annual responsibility report (page
and PDF), and the pages of records that each figure of them links to (outlets, sales, prizes,
grants, responsibility work), filtered the way the links say. Reads go through
jiceng.lottery.selectors (role and region scope), the sales import through its service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from jiceng.cases.photos import MAX_PHOTOS
from jiceng.core.models import Region, User
from jiceng.core.region_codes import scope_prefix
from jiceng.core.scope import get_in_scope_or_404, region_prefix_q, scope_queryset
from jiceng.documents.content import BarChart
from jiceng.inspections.selectors import checklists, inspections_in_scope
from jiceng.lottery import access
from jiceng.lottery.models import (
    Game,
    Grant,
    GrantCategory,
    Outlet,
    PublicityActivity,
    SalesStaff,
    Supervisor,
    SupervisorVisit,
)
from jiceng.lottery.report import link, report_document
from jiceng.lottery.selectors import (
    annual_report,
    disbursements_visible_to,
    fund_ledger,
    is_open_on,
    money,
    outlets_visible_to,
    prizes_visible_to,
    sales_visible_to,
    tax_rule_on,
    year_bounds,
)
from jiceng.lottery.services import (
    ImportRefused,
    complaint_report,
    disbursement_record,
    grant_create,
    grant_outcome_record,
    grant_photos_add,
    outlet_close,
    outlet_create,
    outlet_update,
    publicity_activity_record,
    sales_import,
    seller_add,
    seller_leave,
    seller_pledge_sign,
    supervisor_appoint,
    supervisor_visit_record,
    training_record,
)
from jiceng.web.common import add_service_errors, new_idempotency_key, request_user
from jiceng.web.lottery.forms import (
    ActivityForm,
    ComplaintForm,
    DisbursementForm,
    GrantForm,
    GrantPhotosForm,
    OutcomeForm,
    OutletCloseForm,
    OutletEditForm,
    OutletForm,
    SalesImportForm,
    SellerDateForm,
    SellerForm,
    SupervisorForm,
    TrainingForm,
    VisitForm,
)
from jiceng.web.private_files import private_file_response
from jiceng.web.registries.upload_limit import upload_limited, upload_too_large

T = "web/lottery/"
# The uses of the central half of the fund (彩票公益金管理办法), as the ledger names them.
CENTRAL_USES = {
    "social_security": _lazy("National social security fund"),
    "special_fund": _lazy("Central special fund"),
    "civil_affairs": _lazy("Civil affairs (Ministry of Civil Affairs)"),
    "sport": _lazy("Sport (General Administration of Sport)"),
}
PAGE_SIZE = 100


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year - 1
    return min(max(year, 2000), 2100)


def _int(request: HttpRequest, name: str, low: int, high: int) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if low <= value <= high else None


def _in_region(
    queryset: QuerySet[Any], request: HttpRequest, field: str = "region"
) -> QuerySet[Any]:
    code = request.GET.get("region", "")
    if code.isdigit():
        try:
            return queryset.filter(region_prefix_q(scope_prefix(code), field))
        except (KeyError, ValueError):
            return queryset.none()
    return queryset


def _years() -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - 6, -1))


@login_required
@require_GET
def fund_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    ledger = fund_ledger(user, year)
    tax_rule = tax_rule_on(date(year, 12, 31))
    context = {
        "year": year,
        "years": _years(),
        "ledger": ledger,
        "tax_rule": tax_rule,
        # The document's number (国税发〔1994〕127号), without the data file's notes after it.
        "tax_document": tax_rule.document.split(";")[0].strip() if tax_rule else "",
        "central_allocation": [
            (CENTRAL_USES.get(code, code), amount) for code, amount in ledger.central_allocation
        ],
        "sales_link": link("sales", year=year),
        "prizes_link": link("prizes", year=year, taxed=1),
        "games": [(line, link("sales", year=year, game=line.game.code)) for line in ledger.by_game],
    }
    return render(request, T + "fund.html", context)


@login_required
@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    report = annual_report(user, year)
    document = report_document(user, report)
    blocks = []
    for block in document.blocks:
        kind = type(block).__name__.lower()
        bars: list[tuple[Any, float]] = []
        if isinstance(block, BarChart):
            largest = max((float(bar.value) for bar in block.bars), default=0.0) or 1.0
            bars = [(bar, round(100 * float(bar.value) / largest, 1)) for bar in block.bars]
        blocks.append({"kind": kind, "block": block, "bars": bars})
    context = {"year": year, "years": _years(), "document": document, "blocks": blocks}
    return render(request, T + "report.html", context)


@login_required
@require_GET
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    from jiceng.lottery.report import report_pdf as render_report

    user = request_user(request)
    access.check_read(user)
    if not 2000 <= year <= 2100:
        raise Http404("No report for that year.")
    pdf = render_report(user, year, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lottery-report-{year}.pdf"'
    return response


@login_required
@require_GET
def outlets_page(request: HttpRequest) -> HttpResponse:
    outlets = _in_region(outlets_visible_to(request_user(request)), request)
    open_on = request.GET.get("open_on", "")
    try:
        day = date.fromisoformat(open_on) if open_on else None
    except ValueError:
        day = None
    if day is not None:
        outlets = outlets.filter(is_open_on(day))
    staff = outlets.aggregate(staff=Sum("staff_count"))["staff"] or 0
    page = Paginator(outlets.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    user = request_user(request)
    context = {
        "page": page,
        "open_on": day,
        "staff": staff,
        "query": _query(request),
        "may_write": access.may_write(user),
        "form": OutletForm(user=user) if access.may_write(user) else None,
    }
    return render(request, T + "outlets.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sales_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access.check_read(user)
    form = SalesImportForm()
    report: list[Any] = []
    if request.method == "POST":
        access.check_write(user)
        form = SalesImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                stored = sales_import(actor=user, data=upload.read(), filename=upload.name)
            except ImportRefused as refused:
                report = refused.rows
                form.add_error(None, _("The file was refused; nothing was stored."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(count)d rows stored.") % {"count": stored})
                return redirect("lottery-sales")
    year = _year(request)
    start, end = year_bounds(year)
    sales = _in_region(sales_visible_to(user), request).filter(sold_on__gte=start, sold_on__lt=end)
    game = Game.objects.filter(code=request.GET.get("game", "")).first()
    if game is not None:
        sales = sales.filter(game=game)
    month = _int(request, "month", 1, 12)
    if month is not None:
        sales = sales.filter(sold_on__month=month)
    total = money(sales.aggregate(total=Sum("amount"))["total"])
    rows = sales.select_related("outlet", "game").order_by("-sold_on", "outlet__code", "game_id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "year": year,
        "game": game,
        "month": month,
        "total": total,
        "page": page,
        "form": form,
        "report": report,
        "may_write": access.may_write(user),
        "query": _query(request),
    }
    return render(request, T + "sales.html", context)


@login_required
@require_GET
def prizes_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    start, end = year_bounds(year)
    prizes = _in_region(prizes_visible_to(request_user(request)), request).filter(
        paid_on__gte=start, paid_on__lt=end
    )
    taxed = request.GET.get("taxed") == "1"
    if taxed:
        prizes = prizes.filter(tax_withheld__gt=0)
    totals = prizes.aggregate(amount=Sum("amount"), tax=Sum("tax_withheld"))
    page = Paginator(prizes.select_related("game", "outlet"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "year": year,
        "taxed": taxed,
        "page": page,
        "amount": money(totals["amount"]),
        "tax": money(totals["tax"]),
        "query": _query(request),
    }
    return render(request, T + "prizes.html", context)


@login_required
@require_GET
def grants_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    start, end = year_bounds(year)
    paid = _in_region(
        disbursements_visible_to(request_user(request)), request, "grant__region"
    ).filter(paid_on__gte=start, paid_on__lt=end)
    category = request.GET.get("category", "")
    if category in GrantCategory.values:
        paid = paid.filter(grant__category=category)
    amount = money(paid.aggregate(total=Sum("amount"))["total"])
    projects = paid.values("grant_id").distinct().count()
    rows = paid.select_related("grant", "grant__region").order_by("-paid_on", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request_user(request)
    approved = _in_region(scope_queryset(Grant.objects.all(), user), request).filter(
        approved_on__gte=start, approved_on__lt=end
    )
    if category in GrantCategory.values:
        approved = approved.filter(category=category)
    context = {
        "year": year,
        "category": GrantCategory(category).label if category in GrantCategory.values else "",
        "amount": amount,
        "projects": projects,
        "page": page,
        "query": _query(request),
        "approved": approved.select_related("region").order_by("-approved_on", "id")[:200],
        "approved_count": approved.count(),
        "may_write": access.may_write(user),
        "form": GrantForm(user=user) if access.may_write(user) else None,
    }
    return render(request, T + "grants.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def responsibility_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access.check_read(user)
    form = ComplaintForm(initial={"idempotency_key": new_idempotency_key()})
    if request.method == "POST" and request.POST.get("action") in RECORDS:
        access.check_write(user)
        response = _record_responsibility(request, user, request.POST["action"])
        if response is not None:
            return response
    elif request.method == "POST":
        access.check_write(user)
        form = ComplaintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            outlet = scope_queryset(Outlet.objects.all(), user).filter(code=data["outlet"]).first()
            if outlet is None:
                form.add_error("outlet", _("Unknown outlet."))
            else:
                try:
                    case = complaint_report(
                        actor=user,
                        description=data["description"],
                        outlet=outlet,
                        reporter_name=data["reporter_name"],
                        reporter_phone=data["reporter_phone"],
                        idempotency_key=data["idempotency_key"] or None,
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    return redirect("case-detail", case_id=case.pk)
    year = _year(request)
    start, end = year_bounds(year)
    context = {
        "year": year,
        "form": form,
        "may_write": access.may_write(user),
        "record_forms": {
            "supervisor": SupervisorForm(),
            "visit": VisitForm(),
            "activity": ActivityForm(),
        },
        "supervisors": scope_queryset(Supervisor.objects.all(), user).filter(appointed_on__lt=end),
        "visits": scope_queryset(
            SupervisorVisit.objects.select_related("supervisor", "outlet"), user
        ).filter(visited_on__gte=start, visited_on__lt=end)[:200],
        "pledged": scope_queryset(SalesStaff.objects.select_related("outlet"), user).filter(
            pledge_signed_on__gte=start, pledge_signed_on__lt=end
        )[:200],
        "activities": scope_queryset(PublicityActivity.objects.all(), user).filter(
            held_on__gte=start, held_on__lt=end
        ),
        # outlet inspections and minors' protection checks (the shared inspections engine)
        "inspections": inspections_in_scope(user, module="lottery", limit=50),
        "inspect_outlets": scope_queryset(Outlet.objects.all(), user).filter(
            closed_on__isnull=True
        )[:500],
        "inspect_checklists": checklists(module="lottery"),
    }
    return render(request, T + "responsibility.html", context)


RECORDS = ("supervisor", "visit", "activity")


def _record_responsibility(request: HttpRequest, user: User, action: str) -> HttpResponse | None:
    """Appoint a supervisor, record a visit or a publicity-month activity (in the user's region);
    a bad form is shown again with its errors."""
    form_class = {"supervisor": SupervisorForm, "visit": VisitForm, "activity": ActivityForm}
    form = form_class[action](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        region = user.region
        try:
            if region is None:
                raise ValidationError(_("Your account has no region."))
            if action == "supervisor":
                supervisor_appoint(
                    actor=user,
                    name=data["name"],
                    affiliation=data["affiliation"],
                    appointed_on=data["appointed_on"],
                    region=region,
                )
            elif action == "visit":
                supervisor = get_in_scope_or_404(
                    Supervisor.objects.all(), user, pk=data["supervisor"]
                )
                outlet = None
                if data["outlet"]:
                    outlet = get_in_scope_or_404(Outlet.objects.all(), user, code=data["outlet"])
                supervisor_visit_record(
                    actor=user,
                    supervisor=supervisor,
                    visited_on=data["visited_on"],
                    findings=data["findings"],
                    outlet=outlet,
                )
            else:
                publicity_activity_record(
                    actor=user,
                    kind=data["kind"],
                    title=data["title"],
                    held_on=data["held_on"],
                    region=region,
                    participants=data["participants"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recorded."))
            return redirect("lottery-responsibility")
    messages.error(request, "; ".join(str(m) for e in form.errors.values() for m in e))
    return redirect("lottery-responsibility")


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- managing outlets, their sellers and the grants -------------------------------------------


@login_required
@require_http_methods(["POST"])
def outlet_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access.check_write(user)
    form = OutletForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            outlet = outlet_create(
                actor=user,
                code=data["code"],
                name=data["name"],
                region_code=data["region"],
                opened_on=data["opened_on"],
                licence=data["licence"],
                address=data["address"],
                owner=data["owner"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Outlet %(code)s registered.") % {"code": outlet.code})
            return redirect("lottery-outlet", code=outlet.code)
    outlets = outlets_visible_to(user)
    page = Paginator(outlets.order_by("code"), PAGE_SIZE).get_page(1)
    context = {
        "page": page,
        "open_on": None,
        "staff": outlets.aggregate(staff=Sum("staff_count"))["staff"] or 0,
        "query": "",
        "form": form,
        "may_write": True,
    }
    return render(request, T + "outlets.html", context, status=400)


OUTLET_ACTIONS = ("edit", "close", "seller", "pledge", "leave", "training")


@login_required
@require_http_methods(["GET", "POST"])
def outlet_page(request: HttpRequest, code: str) -> HttpResponse:
    """An outlet: its details, its sellers with their pledge and trainings; the centre's staff
    edit it, close it, and add, train and sign off its sellers here."""
    user = request_user(request)
    access.check_read(user)
    outlet = get_in_scope_or_404(Outlet.objects.select_related("region"), user, code=code)
    forms_: dict[str, Any] = {
        "edit": OutletEditForm(
            initial={f: getattr(outlet, f) for f in ("name", "licence", "address", "owner")}
        ),
        "close": OutletCloseForm(),
        "seller": SellerForm(),
    }
    status = 200
    action = request.POST.get("action", "")
    if request.method == "POST":
        access.check_write(user)
        if action not in OUTLET_ACTIONS:
            raise Http404("Unknown action.")
        form, done = _outlet_action(user, outlet, action, request.POST)
        if done:
            messages.success(request, _("Saved."))
            return redirect("lottery-outlet", code=outlet.code)
        status = 400
        if action in forms_:
            forms_[action] = form
        else:
            messages.error(request, "; ".join(str(m) for e in form.errors.values() for m in e))
    sellers = list(
        SalesStaff.objects.filter(outlet=outlet).prefetch_related("trainings").order_by("id")
    )
    context = {
        "outlet": outlet,
        "sellers": sellers,
        "forms": forms_,
        "may_write": access.may_write(user),
        "today": timezone.localdate(),
    }
    return render(request, T + "outlet.html", context, status=status)


def _outlet_action(user: User, outlet: Outlet, action: str, data: Any) -> tuple[Any, bool]:
    """Run one of the outlet page's forms through its service; (the form, whether it was done)."""
    form_class: Any = {
        "edit": OutletEditForm,
        "close": OutletCloseForm,
        "seller": SellerForm,
        "pledge": SellerDateForm,
        "leave": SellerDateForm,
        "training": TrainingForm,
    }[action]
    form = form_class(data)
    if not form.is_valid():
        return form, False
    values = form.cleaned_data
    try:
        if action == "edit":
            outlet_update(actor=user, outlet=outlet, **values)
        elif action == "close":
            outlet_close(actor=user, outlet=outlet, closed_on=values["closed_on"])
        elif action == "seller":
            seller_add(
                actor=user,
                outlet=outlet,
                name=values["name"],
                pledge_signed_on=values["pledge_signed_on"],
            )
        else:
            seller = SalesStaff.objects.filter(outlet=outlet, pk=values["seller"]).first()
            if seller is None:
                raise ValidationError(_("Unknown seller."))
            if action == "pledge":
                seller_pledge_sign(actor=user, seller=seller, signed_on=values["on"])
            elif action == "leave":
                seller_leave(actor=user, seller=seller, left_on=values["on"])
            else:
                training_record(
                    actor=user, seller=seller, topic=values["topic"], held_on=values["held_on"]
                )
    except ValidationError as error:
        add_service_errors(form, error)
        return form, False
    return form, True


@login_required
@require_http_methods(["POST"])
def grant_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access.check_write(user)
    form = GrantForm(request.POST, user=user)
    if form.is_valid():
        data = form.cleaned_data
        region = Region.objects.filter(code=data["region"]).first()
        try:
            if region is None:
                raise ValidationError({"region": _("Unknown region.")})
            grant = grant_create(
                actor=user,
                title=data["title"],
                category=data["category"],
                recipient=data["recipient"],
                region=region,
                approved_amount=data["approved_amount"],
                approved_on=data["approved_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as denied:
            form.add_error("region", str(denied))
        else:
            messages.success(request, _("Grant recorded."))
            return redirect("lottery-grant", grant_id=grant.pk)
    messages.error(request, "; ".join(str(m) for e in form.errors.values() for m in e))
    return redirect("lottery-grants")


GRANT_ACTIONS = ("disburse", "outcome", "photos")


@upload_limited(files=MAX_PHOTOS)  # what the photos of one form may weigh
@login_required
@require_http_methods(["GET", "POST"])
def grant_page(request: HttpRequest, grant_id: int) -> HttpResponse:
    """A funded project: approved and paid out, its outcome and photos; the centre's staff record
    payments, the outcome and photos here."""
    user = request_user(request)
    access.check_read(user)
    grant = get_in_scope_or_404(Grant.objects.select_related("region"), user, pk=grant_id)
    forms_: dict[str, Any] = {
        "disburse": DisbursementForm(),
        "outcome": OutcomeForm(initial={"outcome": grant.outcome}),
        "photos": GrantPhotosForm(),
    }
    status = 200
    if request.method == "POST":
        access.check_write(user)
        action = request.POST.get("action", "")
        if action not in GRANT_ACTIONS:
            raise Http404("Unknown action.")
        form_class: Any = {
            "disburse": DisbursementForm,
            "outcome": OutcomeForm,
            "photos": GrantPhotosForm,
        }[action]
        form = form_class(request.POST, request.FILES)
        if upload_too_large(request):
            form.add_error(None, _("The photos are larger than the upload limit."))
        elif form.is_valid():
            values = form.cleaned_data
            try:
                if action == "disburse":
                    disbursement_record(
                        actor=user, grant=grant, amount=values["amount"], paid_on=values["paid_on"]
                    )
                elif action == "outcome":
                    grant_outcome_record(actor=user, grant=grant, outcome=values["outcome"])
                else:
                    grant_photos_add(
                        actor=user, grant=grant, photos=values["photos"], caption=values["caption"]
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("lottery-grant", grant_id=grant.pk)
        forms_[action] = form
        status = 400
    paid = grant.disbursements.order_by("paid_on", "id")
    context = {
        "grant": grant,
        "disbursements": paid,
        "paid": money(paid.aggregate(total=Sum("amount"))["total"]),
        "photos": grant.photos.order_by("id"),
        "forms": forms_,
        "may_write": access.may_write(user),
    }
    return render(request, T + "grant.html", context, status=status)


@login_required
@require_GET
def grant_photo(request: HttpRequest, grant_id: int, photo_id: int) -> HttpResponseBase:
    user = request_user(request)
    access.check_read(user)
    grant = get_in_scope_or_404(Grant.objects.all(), user, pk=grant_id)
    photo = grant.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404("No such photo.")
    name = photo.image.name.rsplit("/", 1)[-1]
    kind = {"png": "image/png", "webp": "image/webp"}.get(name.rsplit(".", 1)[-1], "image/jpeg")
    return private_file_response(photo.image, content_type=kind, filename=name)
