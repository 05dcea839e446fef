"""Pages of the registries of people, organisations and sites, their import and export, and the
audit log. Every record is read through the user's scope (a record outside it is a 404); the
read-only role sees no forms and gets 403 on any write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import roles
from jiceng.core.audit_trail import (
    audit_log_query,
    audit_log_rows,
    describe_entries,
    record_history,
)
from jiceng.core.identifiers import validate_resident_id
from jiceng.core.models import Organisation, Person, Site, User
from jiceng.core.registry_export import (
    RegistryExport,
    age_on,
    organisations_export,
    people_export,
    sites_export,
)
from jiceng.core.scope import get_in_scope_or_404, scope_queryset
from jiceng.core.selectors import organisations_search, people_search, sites_search
from jiceng.core.services.audit import audit_record_export
from jiceng.core.services.registries import (
    organisation_create,
    organisation_update,
    person_create,
    person_id_number_reveal,
    person_update,
    site_create,
    site_update,
)
from jiceng.core.services.registry_io import (
    COLUMNS_BY_REGISTRY,
    IMPORTERS,
    import_template_sheets,
)
from jiceng.core.spreadsheets import Sheet, TooManyRowsForExcel, csv_stream, xlsx_file
from jiceng.web.common import add_service_errors, is_htmx, request_user
from jiceng.web.imports import import_page
from jiceng.web.registries.forms import (
    AuditQueryForm,
    ExportForm,
    FindPersonByIdForm,
    ImportForm,
    OrganisationForm,
    PersonCreateForm,
    PersonEditForm,
    RegistryFilterForm,
    SiteForm,
)
from jiceng.web.registries.paging import by_region_page, newest_first_page
from jiceng.web.registries.upload_limit import upload_limited

T = "web/registries/"  # the templates' folder


def _require_writer(user: User) -> None:
    if not roles.may_write(user):
        raise PermissionDenied(_("Your role may only read the registries."))


def _require_importer(user: User) -> None:
    if not (roles.may_administer(user) and roles.may_write(user)):
        raise PermissionDenied(_("Your role may not import into the registries."))


def _require_administrator(user: User) -> None:
    if not roles.may_administer(user):
        raise PermissionDenied(_("The audit log is for administrators."))


def _permissions(user: User) -> dict[str, bool]:
    return {
        "may_write": roles.may_write(user),
        "may_import": roles.may_administer(user) and roles.may_write(user),
        "may_read_id_numbers": roles.may_read_id_numbers(user),
        "may_administer": roles.may_administer(user),
    }


# --- Lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrySpec:
    key: str  # people, organisations, sites
    title: str | Promise
    columns: tuple[str | Promise, ...]
    row_template: str
    search_hint: str | Promise
    kinds: list[tuple[str, Any]] | None
    record_name: str  # person, organisation, site: the prefix of its url names


PEOPLE = RegistrySpec(
    key="people",
    title=gettext_lazy("People"),
    columns=(
        pgettext_lazy("person", "Name"),
        gettext_lazy("ID number"),
        gettext_lazy("Gender"),
        gettext_lazy("Region"),
        gettext_lazy("Phone"),
    ),
    row_template=T + "_person_row.html",
    search_hint=gettext_lazy("Name (starts with) or phone number"),
    kinds=None,
    record_name="person",
)
ORGANISATIONS = RegistrySpec(
    key="organisations",
    title=gettext_lazy("Organisations"),
    columns=(
        gettext_lazy("Name"),
        gettext_lazy("Kind"),
        gettext_lazy("Credit code"),
        gettext_lazy("Region"),
        gettext_lazy("Industry"),
    ),
    row_template=T + "_organisation_row.html",
    search_hint=gettext_lazy("Name (contains) or credit code"),
    kinds=list(Organisation.Kind.choices),
    record_name="organisation",
)
SITES = RegistrySpec(
    key="sites",
    title=gettext_lazy("Sites"),
    columns=(
        gettext_lazy("Name"),
        gettext_lazy("Kind"),
        gettext_lazy("Region"),
        gettext_lazy("Address"),
        gettext_lazy("Organisation"),
    ),
    row_template=T + "_site_row.html",
    search_hint=gettext_lazy("Name or address (contains)"),
    kinds=list(Site.Kind.choices),
    record_name="site",
)
SPECS = {spec.key: spec for spec in (PEOPLE, ORGANISATIONS, SITES)}


def _filter_form(request: HttpRequest, spec: RegistrySpec) -> RegistryFilterForm:
    return RegistryFilterForm(request.GET, user=request_user(request), kinds=spec.kinds)


def _list_response(
    request: HttpRequest,
    spec: RegistrySpec,
    form: RegistryFilterForm,
    queryset: Any,
    *,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    page = by_region_page(queryset, request.GET.get("cursor"))
    params = QueryDict(mutable=True)
    for name in ("q", "region", "kind"):
        if form.value(name):
            params[name] = form.value(name)
    filters = params.urlencode()
    if page.next_cursor is not None:
        params["cursor"] = page.next_cursor
    context = {
        "spec": spec,
        "form": form,
        "page": page,
        "filters": filters,
        "next_query": params.urlencode(),
        **_permissions(request_user(request)),
        **(extra or {}),
    }
    if is_htmx(request) and status == 200:
        template = "_rows.html" if request.GET.get("fragment") == "rows" else "_results.html"
    else:
        template = "list.html"
    response = render(request, T + template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request, PEOPLE)
    people = people_search(request_user(request), form.value("q"), form.value("region"))
    return _list_response(request, PEOPLE, form, people, extra={"find_form": FindPersonByIdForm()})


@login_required
@require_POST
def people_find_by_id_number(request: HttpRequest) -> HttpResponse:
    """Find a person by ID number. A POST, so that the number stays out of URLs and logs."""
    user = request_user(request)
    find_form = FindPersonByIdForm(request.POST)
    if find_form.is_valid():
        number = find_form.cleaned_data["id_number"]
        try:
            validate_resident_id(number)
        except ValidationError as exc:
            find_form.add_error("id_number", exc.messages)
        else:
            person = people_search(user, number).first()
            if person is not None:
                return redirect("person-detail", pk=person.pk)
            find_form.add_error(
                "id_number", _("Nobody with this ID number is registered in your region.")
            )
    form = RegistryFilterForm(QueryDict(), user=user, kinds=None)
    people = people_search(user)
    return _list_response(request, PEOPLE, form, people, status=400, extra={"find_form": find_form})


@login_required
@require_GET
def organisations_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request, ORGANISATIONS)
    organisations = organisations_search(
        request_user(request), form.value("q"), form.value("kind"), form.value("region")
    )
    return _list_response(request, ORGANISATIONS, form, organisations)


@login_required
@require_GET
def sites_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request, SITES)
    sites = sites_search(
        request_user(request), form.value("q"), form.value("kind"), form.value("region")
    )
    return _list_response(request, SITES, form, sites)


# --- Details ------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, record: Any, spec: RegistrySpec) -> dict[str, Any]:
    user = request_user(request)
    return {
        "spec": spec,
        "record": record,
        "history": record_history(record, viewer=user),
        **_permissions(user),
    }


def _person(request: HttpRequest, pk: int) -> Person:
    return get_in_scope_or_404(
        Person.objects.select_related("region", "site"), request_user(request), pk=pk
    )


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    return get_in_scope_or_404(
        Organisation.objects.select_related("region"), request_user(request), pk=pk
    )


def _site(request: HttpRequest, pk: int) -> Site:
    return get_in_scope_or_404(
        Site.objects.select_related("region", "organisation"), request_user(request), pk=pk
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    context = _detail_context(request, person, PEOPLE)
    context["age"] = age_on(person.birth_date, timezone.localdate())
    return render(request, T + "person_detail.html", context)


@never_cache
@login_required
@require_POST
def person_reveal_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the clear ID number to a role that reads it; the reveal goes into the audit log."""
    person = _person(request, pk)
    number = person_id_number_reveal(actor=request_user(request), person=person)
    if is_htmx(request):
        return render(request, T + "_id_number.html", {"record": person, "id_number": number})
    context = _detail_context(request, person, PEOPLE)
    context.update(age=age_on(person.birth_date, timezone.localdate()), id_number=number)
    return render(request, T + "person_detail.html", context)


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    context = _detail_context(request, organisation, ORGANISATIONS)
    context["sites"] = scope_queryset(
        organisation.sites.select_related("region"), request_user(request)
    )[:100]
    return render(request, T + "organisation_detail.html", context)


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site(request, pk)
    return render(request, T + "site_detail.html", _detail_context(request, site, SITES))


# --- Create and edit ----------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    spec: RegistrySpec,
    form: Any,
    *,
    heading: str,
    record: Any = None,
    status: int = 200,
) -> HttpResponse:
    context = {"spec": spec, "form": form, "heading": heading, "record": record}
    return render(request, T + "form.html", context, status=status)


def _save(
    request: HttpRequest,
    spec: RegistrySpec,
    form: Any,
    heading: str,
    write: Callable[[dict[str, Any]], Any],
    *,
    record: Any = None,
    renamed: dict[str, str] | None = None,
) -> HttpResponse:
    """Validate the form, call the service, and go to the record; or show the form's errors."""
    if form.is_valid():
        try:
            saved = write(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, renamed)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{spec.record_name}-detail", pk=saved.pk)
    return _form_page(request, spec, form, heading=heading, record=record, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def person_create_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_writer(user)
    heading = _("Register a person")
    if request.method != "POST":
        return _form_page(request, PEOPLE, PersonCreateForm(user=user), heading=heading)
    return _save(
        request,
        PEOPLE,
        PersonCreateForm(request.POST, user=user),
        heading,
        lambda data: person_create(
            actor=user,
            name=data["name"],
            id_number=data["id_number"],
            region_code=data["region"],
            phone=data["phone"],
            address=data["address"],
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    person = _person(request, pk)
    _require_writer(user)
    heading = _("Edit %s") % person.name
    if request.method != "POST":
        form = PersonEditForm(initial=PersonEditForm.initial_for(person), user=user)
        return _form_page(request, PEOPLE, form, heading=heading, record=person)
    return _save(
        request,
        PEOPLE,
        PersonEditForm(request.POST, user=user),
        heading,
        lambda data: person_update(
            actor=user,
            person=person,
            name=data["name"],
            region_code=data["region"],
            phone=data["phone"],
            address=data["address"],
        ),
        record=person,
    )


def _organisation_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "credit_code": data["credit_code"],
        "region_code": data["region"],
        "industry": data["industry"],
        "address": data["address"],
        "legal_representative": data["legal_representative"],
        "phone": data["phone"],
        "employees": data["employees"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_writer(user)
    heading = _("Register an organisation")
    if request.method != "POST":
        return _form_page(request, ORGANISATIONS, OrganisationForm(user=user), heading=heading)
    return _save(
        request,
        ORGANISATIONS,
        OrganisationForm(request.POST, user=user),
        heading,
        lambda data: organisation_create(actor=user, **_organisation_fields(data)),
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    organisation = _organisation(request, pk)
    _require_writer(user)
    heading = _("Edit %s") % organisation.name
    if request.method != "POST":
        form = OrganisationForm(initial=OrganisationForm.initial_for(organisation), user=user)
        return _form_page(request, ORGANISATIONS, form, heading=heading, record=organisation)
    return _save(
        request,
        ORGANISATIONS,
        OrganisationForm(request.POST, user=user),
        heading,
        lambda data: organisation_update(
            actor=user, organisation=organisation, **_organisation_fields(data)
        ),
        record=organisation,
    )


def _site_owner(user: User, credit_code: str) -> Organisation | None:
    """The organisation a site form names by credit code, in the user's scope."""
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    organisation = scope_queryset(Organisation.objects.all(), user).filter(credit_code=code).first()
    if organisation is None:
        raise ValidationError(
            {"organisation": _("No organisation with credit code %s in your region.") % code}
        )
    return organisation


def _site_fields(user: User, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "kind": data["kind"],
        "region_code": data["region"],
        "address": data["address"],
        "lat": data["lat"],
        "lon": data["lon"],
        "organisation": _site_owner(user, data["organisation_credit_code"]),
    }


_SITE_ERRORS_RENAMED = {"organisation": "organisation_credit_code"}


@login_required
@require_http_methods(["GET", "POST"])
def site_create_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _require_writer(user)
    heading = _("Register a site")
    if request.method != "POST":
        return _form_page(request, SITES, SiteForm(user=user), heading=heading)
    return _save(
        request,
        SITES,
        SiteForm(request.POST, user=user),
        heading,
        lambda data: site_create(actor=user, **_site_fields(user, data)),
        renamed=_SITE_ERRORS_RENAMED,
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    site = _site(request, pk)
    _require_writer(user)
    heading = _("Edit %s") % site.name
    if request.method != "POST":
        form = SiteForm(initial=SiteForm.initial_for(site), user=user)
        return _form_page(request, SITES, form, heading=heading, record=site)
    return _save(
        request,
        SITES,
        SiteForm(request.POST, user=user),
        heading,
        lambda data: site_update(actor=user, site=site, **_site_fields(user, data)),
        record=site,
        renamed=_SITE_ERRORS_RENAMED,
    )


# --- Import -------------------------------------------------------------------------------


@upload_limited()
@login_required
@require_http_methods(["GET", "POST"])
def registry_import(request: HttpRequest, registry: str) -> HttpResponse:
    """Upload a file into a registry: all rows are imported, or none and each problem is named."""
    user = request_user(request)
    _require_importer(user)
    importer = IMPORTERS[registry]
    return import_page(
        request,
        form_class=ImportForm,
        importer=lambda filename, content: importer(actor=user, filename=filename, content=content),
        template=T + "import.html",
        context={"spec": SPECS[registry], "columns": COLUMNS_BY_REGISTRY[registry]},
    )


@login_required
@require_GET
def registry_import_template(request: HttpRequest, registry: str, fmt: str) -> HttpResponseBase:
    """An empty file with the columns an import needs (Excel: with a sheet that explains them)."""
    spec = SPECS[registry]
    sheets = import_template_sheets(spec.key)
    filename = f"{spec.key}-import-template.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            b"".join(csv_stream(sheets[0].rows)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(xlsx_file(sheets), as_attachment=True, filename=filename)


# --- Export -------------------------------------------------------------------------------

_EXPORTS: dict[str, Callable[..., RegistryExport]] = {
    "people": people_export,
    "organisations": organisations_export,
    "sites": sites_export,
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def registry_export(request: HttpRequest, registry: str) -> HttpResponseBase:
    """Download the records of a list (with its filters) as CSV or Excel.

    Masked by default; clear ID numbers only by POST, asked for explicitly, by a role that reads
    them. Every export is recorded in the audit log.
    """
    spec = SPECS[registry]
    user = request_user(request)
    form = ExportForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return HttpResponse(_("Unknown export format."), status=400, content_type="text/plain")
    data = form.cleaned_data
    clear = bool(data["clear_id_numbers"]) and request.method == "POST" and spec is PEOPLE
    filters = {"query": data["q"], "region_code": data["region"]}
    if spec is PEOPLE:
        export = people_export(user=user, clear_id_numbers=clear, **filters)
    else:
        export = _EXPORTS[registry](user=user, kind=data["kind"], **filters)
    fmt = data["format"]
    audit_record_export(
        actor=user,
        model=export.model,
        description=_("Export of %(what)s (%(format)s)") % {"what": spec.title, "format": fmt},
        details={
            "format": fmt,
            "clear_id_numbers": clear,
            "filters": {k: v for k, v in {**filters, "kind": data["kind"]}.items() if v},
        },
    )
    filename = f"{spec.key}-{timezone.localdate():%Y%m%d}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(export.all_rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        try:
            workbook = xlsx_file(
                [Sheet(title=spec.key, rows=export.all_rows(), text_columns=export.text_columns)]
            )
        except TooManyRowsForExcel:
            return HttpResponse(
                _("Too many rows for one Excel sheet: export as CSV, or narrow the list."),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        response = FileResponse(
            workbook, as_attachment=True, filename=filename, content_type=XLSX_TYPE
        )
    add_never_cache_headers(response)
    return response


# --- Audit log ----------------------------------------------------------------------------


def _audit_entries(form: AuditQueryForm) -> Any:
    data = form.cleaned_data if form.is_valid() else {}
    return audit_log_query(
        model_name=data.get("model") or "",
        username=(data.get("user") or "").strip(),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        object_pk=(data.get("object") or "").strip(),
    )


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log for administrators: who changed or looked at what, and when."""
    user = request_user(request)
    _require_administrator(user)
    form = AuditQueryForm(request.GET)
    entries = _audit_entries(form) if form.is_valid() else _audit_entries(AuditQueryForm())
    page = newest_first_page(entries, request.GET.get("cursor"))
    params = request.GET.copy()
    for name in ("cursor", "fragment"):
        params.pop(name, None)
    filters = params.urlencode()
    if page.next_cursor is not None:
        params["cursor"] = page.next_cursor
    context = {
        "form": form,
        "lines": describe_entries(page.items, viewer=user),
        "page": page,
        "filters": filters,
        "next_query": params.urlencode(),
    }
    if is_htmx(request) and request.GET.get("fragment") == "rows":
        template = "_audit_rows.html"
    elif is_htmx(request):
        template = "_audit_results.html"
    else:
        template = "audit_log.html"
    response = render(request, T + template, context, status=200 if form.is_valid() else 400)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def audit_log_export(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    _require_administrator(user)
    form = AuditQueryForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(" ".join(str(e) for e in errors) for errors in form.errors.values()),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(
        csv_stream(audit_log_rows(_audit_entries(form), viewer=user)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="audit-log-{timezone.localdate():%Y%m%d}.csv"'
    )
    add_never_cache_headers(response)
    return response
