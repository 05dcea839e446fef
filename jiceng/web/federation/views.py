"""Peer deployments (federation): this deployment's identity, its peers, the message log and
the refused envelopes. County administrators only; every change goes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jiceng.core.roles import may_administer
from jiceng.federation.selectors import (
    messages_recent,
    own_identity,
    peers_all,
    refusals_recent,
)
from jiceng.federation.services import peer_add, peer_disable
from jiceng.web.common import add_service_errors
from jiceng.web.federation.forms import PeerAddForm


def _require_admin(request: HttpRequest) -> None:
    if not may_administer(request.user):
        raise PermissionDenied(_("Only a county administrator manages peer deployments."))


@login_required
@require_http_methods(["GET", "POST"])
def peers_page(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = PeerAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            peer = peer_add(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                url=data["url"],
                public_key=data["public_key"],
                agreement=data["agreement"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Peer %(peer)s saved.") % {"peer": peer})
            return redirect("federation-peers")
    status = 400 if request.method == "POST" else 200
    context = {
        "identity": own_identity(),
        "peers": peers_all(),
        "form": form,
        "log": messages_recent(limit=50),
        "refusals": refusals_recent(limit=50),
    }
    return render(request, "web/federation/peers.html", context, status=status)


@login_required
@require_POST
def peer_disable_view(request: HttpRequest, code: str) -> HttpResponse:
    _require_admin(request)
    try:
        peer = peer_disable(actor=request.user, code=code)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Peer %(peer)s disabled.") % {"peer": peer})
    return redirect("federation-peers")
