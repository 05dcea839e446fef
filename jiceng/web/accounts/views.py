"""The account pages (用户与权限) for region administrators: list, create, edit roles and region,
reset a password, disable and enable, API tokens, the places a user works at, and the staff
import. Anyone else gets 403; an account outside the administrator's scope is a 404. Temporary
passwords and new tokens are shown once, in the answer to the POST that made them, and never
stored in clear."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.core import access
from jiceng.core.audit_trail import record_history
from jiceng.core.models import ApiToken, User
from jiceng.core.selectors import user_get_for_manager, user_tokens, users_search
from jiceng.core.services.accounts import (
    api_token_create,
    api_token_revoke,
    new_temporary_password,
    user_create,
    user_disable,
    user_enable,
    user_password_changed,
    user_password_reset,
    user_update,
)
from jiceng.core.spreadsheets import xlsx_file
from jiceng.web.accounts.forms import (
    StaffImportForm,
    TokenForm,
    UserFilterForm,
    UserForm,
    WorkplacesForm,
)
from jiceng.web.accounts.staff_import import STAFF_COLUMNS, import_template_sheets, staff_import
from jiceng.web.accounts.workplaces import (
    point_choices,
    station_choices,
    user_point_codes,
    user_station_codes,
    user_workplaces_set,
)
from jiceng.web.common import add_service_errors, is_htmx, request_user
from jiceng.web.imports import import_page
from jiceng.web.registries.upload_limit import upload_limited

T = "web/accounts/"
PAGE_SIZE = 25


def _manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not access.may_manage_users(user):
        raise PermissionDenied(_("Accounts are managed by county and town administrators."))
    return user


def _refusal(form: Any, exc: ValidationError | PermissionDenied, **renamed: str) -> None:
    if isinstance(exc, ValidationError):
        add_service_errors(form, exc, renamed)
    else:
        form.add_error(None, str(exc))


# --- list ----------------------------------------------------------------------------------


@login_required
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    manager = _manager(request)
    form = UserFilterForm(request.GET, user=manager)
    users = users_search(
        manager,
        form.value_of("q"),
        form.value_of("region"),
        form.value_of("role"),
        form.active_value(),
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "filters": query.urlencode()}
    template = "_results.html" if is_htmx(request) else "list.html"
    response = render(request, T + template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- create, view, edit -------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def user_create_page(request: HttpRequest) -> HttpResponse:
    manager = _manager(request)
    if request.method != "POST":
        return render(request, T + "form.html", {"form": UserForm(manager=manager)})
    form = UserForm(request.POST, manager=manager)
    if form.is_valid():
        data = form.cleaned_data
        password = new_temporary_password()
        try:
            user = user_create(
                actor=manager,
                username=data["username"],
                password=password,
                must_change_password=True,
                region_code=data["region"],
                roles=data["roles"],
                display_name=data["display_name"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("The account was created."))
            return _detail(request, manager, user, one_time_password=password, status=201)
    return render(request, T + "form.html", {"form": form}, status=400)


def _detail(
    request: HttpRequest,
    manager: User,
    user: User,
    *,
    status: int = 200,
    edit_form: UserForm | None = None,
    token_form: TokenForm | None = None,
    workplaces_form: WorkplacesForm | None = None,
    **extra: Any,
) -> HttpResponse:
    context = {
        "account": user,
        "roles": [grant.get_role_display() for grant in user.role_grants.order_by("role")],
        "edit_form": edit_form
        or UserForm(initial=UserForm.initial_for(user), manager=manager, editing=True),
        "token_form": token_form or TokenForm(),
        "tokens": user_tokens(user),
        "workplaces_form": workplaces_form
        or WorkplacesForm(
            initial={"points": user_point_codes(user), "stations": user_station_codes(user)},
            points=point_choices(user),
            stations=station_choices(user),
        ),
        "history": record_history(user, viewer=manager),
        "is_self": manager.pk == user.pk,
        **extra,
    }
    response = render(request, T + "detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _manager(request)
    return _detail(request, manager, user_get_for_manager(manager, pk))


@login_required
@require_POST
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _manager(request)
    user = user_get_for_manager(manager, pk)
    form = UserForm(request.POST, manager=manager, editing=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user_update(
                actor=manager,
                user=user,
                display_name=data["display_name"],
                region_code=data["region"],
                roles=data["roles"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("account-detail", pk=user.pk)
    return _detail(request, manager, user, edit_form=form, status=400)


# --- password, disable, enable ---------------------------------------------------------------


@never_cache
@login_required
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _manager(request)
    user = user_get_for_manager(manager, pk)
    password = user_password_reset(actor=manager, user=user)
    return _detail(request, manager, user, one_time_password=password)


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    manager = _manager(request)
    user = user_get_for_manager(manager, pk)
    if active:
        user_enable(actor=manager, user=user)
        messages.success(request, _("The account is enabled again."))
    else:
        revoked = user_disable(actor=manager, user=user)
        messages.success(
            request,
            _("The account is disabled; %(n)d API tokens were revoked.") % {"n": revoked},
        )
    return redirect("account-detail", pk=user.pk)


# --- tokens ---------------------------------------------------------------------------------


@never_cache
@login_required
@require_POST
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _manager(request)
    user = user_get_for_manager(manager, pk)
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            name = form.cleaned_data["name"]
            token, plain = api_token_create(actor=manager, user=user, name=name)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _detail(request, manager, user, new_token=plain, new_token_name=token.name)
    return _detail(request, manager, user, token_form=form, status=400)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int, token_id: int) -> HttpResponse:
    manager = _manager(request)
    user = user_get_for_manager(manager, pk)
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    api_token_revoke(actor=manager, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("account-detail", pk=user.pk)


# --- workplaces -----------------------------------------------------------------------------


@login_required
@require_POST
def user_workplaces(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _manager(request)
    user = user_get_for_manager(manager, pk)
    form = WorkplacesForm(request.POST, points=point_choices(user), stations=station_choices(user))
    if form.is_valid():
        try:
            user_workplaces_set(
                actor=manager,
                user=user,
                point_codes=form.cleaned_data["points"],
                station_codes=form.cleaned_data["stations"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("account-detail", pk=user.pk)
    return _detail(request, manager, user, workplaces_form=form, status=400)


# --- import ---------------------------------------------------------------------------------


@never_cache
@upload_limited()
@login_required
@require_http_methods(["GET", "POST"])
def staff_import_page(request: HttpRequest) -> HttpResponse:
    """Upload a staff sheet: every account is created, or none and each problem is named."""
    manager = _manager(request)
    return import_page(
        request,
        form_class=StaffImportForm,
        importer=lambda filename, content: staff_import(
            actor=manager, filename=filename, content=content
        ),
        template=T + "import.html",
        context={"columns": STAFF_COLUMNS},
    )


@login_required
@require_GET
def staff_import_template(request: HttpRequest) -> HttpResponseBase:
    _manager(request)
    return FileResponse(
        xlsx_file(import_template_sheets()),
        as_attachment=True,
        filename="staff-import-template.xlsx",
    )


# --- the user's own password ----------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; choosing one's own password ends a temporary password."""

    template_name = "registration/password_change_form.html"

    def get_success_url(self) -> str:
        target = self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts=None):
            return target
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user_password_changed(user=form.user)
        messages.success(self.request, _("Your password was changed."))
        return response
