"""Who may manage the trust between deployments.

Peers, agreements and this deployment's key are the whole deployment's business: only a county
administrator (or a superuser) manages them and reads the message log; a town administrator
administers their town, not the county's trust. A message from a peer is authorised by its
signature (`jiceng.federation.messaging`), not by a user.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiceng.core.roles import may_administer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User


def may_manage_peers(user: User | AnonymousUser | None) -> bool:
    return user is not None and may_administer(user)


def check_may_manage_peers(actor: User | AnonymousUser | None) -> None:
    """`None` is the operator at the command line; a user must administer the county."""
    if actor is not None and not may_manage_peers(actor):
        raise PermissionDenied(_("Only a county administrator may manage peer deployments."))
