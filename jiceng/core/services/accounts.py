"""Users, their roles, passwords and API tokens: the writes of account administration.

Who may manage whom is decided in jiceng.core.access; every service that takes an `actor` checks
it there (actor None is the operator at the command line or a data load, who may do anything).
django-auditlog records every change of users, role grants and tokens (see core.apps); the
services run with the actor set, so that the command line's and the pages' changes name who made
them. A disabled user keeps their history: nothing is ever deleted, tokens are revoked.
"""

from __future__ import annotations

import contextvars
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from auditlog.context import auditlog_value, set_actor
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core import access
from jiceng.core.models import ApiToken, Region, Role, User, UserRole
from jiceng.core.secret_keys import key_holder_find, key_new, key_revoke
from jiceng.core.services.audit import audit_record_password_reset

TOKEN_PREFIX = "jc_"  # noqa: S105 - a public prefix, not a secret
# Temporary passwords: 12 characters without look-alikes (0/O, 1/l/I), easy to read out.
_TEMPORARY_CHARACTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_PASSWORD_LENGTH = 12
T = TypeVar("T")


def as_actor(actor: User | None, write: Callable[[], T]) -> T:
    """Run `write` with `actor` as the audit trail's actor, in a copy of the context so that it
    does not outlive the call. Always set, even inside a request: django-auditlog never resets
    its context when a request ends, so a value found here may be a stale one whose signal is
    gone (a later write in the same thread would be recorded without its actor). The request's
    address, when there is one, is kept."""
    if actor is None:
        return write()
    try:
        current = auditlog_value.get()
    except LookupError:
        current = {}

    def run() -> T:
        with set_actor(
            actor, remote_addr=current.get("remote_addr"), remote_port=current.get("remote_port")
        ):
            return write()

    return contextvars.copy_context().run(run)


def new_temporary_password() -> str:
    return "".join(secrets.choice(_TEMPORARY_CHARACTERS) for _i in range(_PASSWORD_LENGTH))


def _forget_roles(user: User) -> None:
    if hasattr(user, "_jiceng_roles"):
        delattr(user, "_jiceng_roles")


def _clean_roles(roles: Iterable[str]) -> list[str]:
    chosen = [str(r).strip() for r in roles if str(r).strip()]
    chosen = list(dict.fromkeys(chosen))
    unknown = [r for r in chosen if r not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %s") % ", ".join(unknown)})
    return chosen


def _region(region_code: str) -> Region:
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region code: %s") % region_code})
    return region


def _check_username(username: str) -> None:
    if not username or len(username) > 150:
        raise ValidationError({"username": _("A username has 1 to 150 characters.")})
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise ValidationError({"username": exc.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A user with this username exists already.")})


def user_create(
    *,
    username: str,
    password: str | None,
    region_code: str,
    roles: Iterable[str],
    display_name: str = "",
    is_superuser: bool = False,
    actor: User | None = None,
    must_change_password: bool = False,
) -> User:
    """A new account. With an actor, the roles and region must be ones the actor may grant
    (PermissionDenied otherwise) and at least one role is needed. A password given with
    `must_change_password` is a temporary one: the user chooses their own at first sign-in."""
    username = (username or "").strip()
    chosen = _clean_roles(roles)
    region = _region(region_code)
    if actor is not None:
        if not chosen:
            raise ValidationError({"roles": _("Give the user at least one role.")})
        access.check_grant(actor, role_codes=chosen, region=region)
    _check_username(username)
    if len(display_name) > 100:
        raise ValidationError({"display_name": _("A display name has at most 100 characters.")})

    def write() -> User:
        with transaction.atomic():
            user = User(
                username=username,
                region=region,
                display_name=display_name.strip(),
                is_superuser=is_superuser,
                is_staff=is_superuser,
                must_change_password=bool(password) and must_change_password,
            )
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save()
            for role in chosen:  # one by one, so that each grant is in the audit trail
                UserRole.objects.create(user=user, role=role)
        return user

    return as_actor(actor, write)


def user_update(
    *,
    actor: User | None,
    user: User,
    display_name: str,
    region_code: str,
    roles: Iterable[str],
) -> User:
    """Change a user's display name, region and roles (granted and withdrawn as given)."""
    chosen = _clean_roles(roles)
    region = _region(region_code)
    if len(display_name) > 100:
        raise ValidationError({"display_name": _("A display name has at most 100 characters.")})
    if actor is not None:
        access.check_manage_user(actor, user)
        if not chosen:
            raise ValidationError({"roles": _("Give the user at least one role.")})
        access.check_grant(actor, role_codes=chosen, region=region)
        if actor.pk == user.pk and not set(access.USER_MANAGER_ROLES) & set(chosen):
            raise PermissionDenied(_("You cannot take away your own administrator role."))

    def write() -> User:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            changed = []
            if locked.display_name != display_name.strip():
                locked.display_name = display_name.strip()
                changed.append("display_name")
            if locked.region_id != region.code:
                locked.region = region
                changed.append("region")
            if changed:
                locked.save(update_fields=changed)
            held = set(UserRole.objects.filter(user=locked).values_list("role", flat=True))
            for grant in UserRole.objects.filter(user=locked).exclude(role__in=chosen):
                grant.delete()  # one by one: each withdrawal is in the audit trail
            for role in chosen:
                if role not in held:
                    UserRole.objects.create(user=locked, role=role)
        user.display_name, user.region = locked.display_name, locked.region
        _forget_roles(user)
        return user

    return as_actor(actor, write)


def user_password_reset(*, actor: User | None, user: User) -> str:
    """Give the user a temporary password, returned once, which they must change at their next
    sign-in. Their API tokens stay valid (a forgotten password is not a compromised token)."""
    if actor is not None:
        access.check_manage_user(actor, user)
    password = new_temporary_password()

    def write() -> str:
        with transaction.atomic():
            user.set_password(password)
            user.must_change_password = True
            user.save(update_fields=["password", "must_change_password"])
            audit_record_password_reset(actor=actor, user=user)
        return password

    return as_actor(actor, write)


def user_password_changed(*, user: User) -> None:
    """The user chose their own password: the temporary one's obligation ends."""
    if user.must_change_password:
        user.must_change_password = False
        as_actor(user, lambda: user.save(update_fields=["must_change_password"]))


def user_disable(*, actor: User | None, user: User) -> int:
    """Refuse the user's sign-in from now on and revoke all their API tokens (returns how many).
    The account and its history stay."""
    if actor is not None:
        access.check_manage_user(actor, user)
        if actor.pk == user.pk:
            raise PermissionDenied(_("You cannot disable your own account."))

    def write() -> int:
        with transaction.atomic():
            if user.is_active:
                user.is_active = False
                user.save(update_fields=["is_active"])
            revoked = 0
            for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
                key_revoke(token)
                revoked += 1
        return revoked

    return as_actor(actor, write)


def user_enable(*, actor: User | None, user: User) -> User:
    """Allow the user to sign in again (their revoked tokens stay revoked)."""
    if actor is not None:
        access.check_manage_user(actor, user)

    def write() -> User:
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        return user

    return as_actor(actor, write)


def api_token_create(
    *, user: User, name: str = "", actor: User | None = None
) -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and never stored. A manager creates tokens
    for the users they manage; nobody creates one for a disabled user."""
    if actor is not None and actor.pk != user.pk:
        access.check_manage_user(actor, user)
    if not user.is_active:
        raise ValidationError(_("The user is disabled."))
    plain, key_fields = key_new(TOKEN_PREFIX)

    def write() -> ApiToken:
        return ApiToken.objects.create(user=user, name=name.strip()[:100], **key_fields)

    return as_actor(actor, write), plain


def api_token_revoke(*, token: ApiToken, actor: User | None = None) -> None:
    if actor is not None and actor.pk != token.user_id:
        access.check_manage_user(actor, token.user)
    as_actor(actor, lambda: key_revoke(token))


def api_token_authenticate(plain: str) -> User | None:
    """The active user a token belongs to, or None for an unknown or revoked token."""
    tokens = ApiToken.objects.select_related("user", "user__region").filter(user__is_active=True)
    token = key_holder_find(tokens, plain, prefix=TOKEN_PREFIX)
    return token.user if token is not None else None
