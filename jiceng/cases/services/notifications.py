"""Notifications of the case loop: who hears of a new case and of each action (the officers who
own the case, the department it is dispatched to, the reporter), and marking them read."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases.access import (
    DISPATCHER_ROLES,
)
from jiceng.cases.models import (
    Case,
    Department,
    Notification,
)
from jiceng.core.caching import ProcessCache, process_cache
from jiceng.core.models import User

DISPATCHERS_CACHE: ProcessCache[list[int]] = process_cache("cases.dispatchers", seconds=30.0)


def dispatchers_of(region_code: str) -> list[int]:
    """The officers who own a region's cases, cached for half a minute per process: intake
    notifies them on every report, and the officers of a town change rarely."""
    return DISPATCHERS_CACHE.get(
        region_code,
        lambda: list(
            User.objects.filter(
                region_id=region_code, is_active=True, role_grants__role__in=DISPATCHER_ROLES
            )
            .values_list("pk", flat=True)
            .distinct()
        ),
    )


def _members_of(department: Department | None) -> list[int]:
    if department is None:
        return []
    return list(department.members.filter(is_active=True).values_list("pk", flat=True))


def notify(
    user_ids: Iterable[int], case: Case, kind: str, text: str, exclude: User | None = None
) -> None:
    Notification.objects.bulk_create(
        Notification(user_id=pk, case=case, kind=kind, text=text[:300])
        for pk in dict.fromkeys(user_ids)
        if exclude is None or pk != exclude.pk
    )


def notify_after(case: Case, action: str, actor: User | None) -> None:
    label = f"{case.number} · {case.category.name}"
    if action == "dispatch" and case.department_id:
        notify(
            _members_of(case.department), case, action, _("Dispatched to you: %s") % label, actor
        )
    elif action in ("return", "resolve"):
        texts = {
            "return": _("Returned by the department: %s"),
            "resolve": _("Resolved, to verify: %s"),
        }
        notify(dispatchers_of(case.owner_region_id), case, action, texts[action] % label, actor)
    elif action in ("verify", "reject", "reopen") and case.department_id:
        texts = {
            "verify": _("Closed: %s"),
            "reject": _("Resolution not accepted: %s"),
            "reopen": _("Reopened: %s"),
        }
        notify(_members_of(case.department), case, action, texts[action] % label, actor)
    elif action == "escalate":
        people = dispatchers_of(case.owner_region_id)
        if case.department_id:
            people += _members_of(case.department)
        notify(people, case, action, _("Escalated, overdue: %s") % label, actor)
    if action in ("resolve", "verify") and case.reporter_id:
        notify(
            [case.reporter_id],
            case,
            action,
            _("Your case %(n)s is %(s)s.") % {"n": case.number, "s": case.get_status_display()},
            actor,
        )


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
