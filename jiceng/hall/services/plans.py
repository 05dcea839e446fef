"""Applying a staffing plan: the hall's weekly session plan from the plan's Monday on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.core.models import User
from jiceng.core.scope import code_in_scope
from jiceng.hall.access import may_manage
from jiceng.hall.models import Hall, Window
from jiceng.hall.selectors import hall_plans
from jiceng.hall.services.network import sessions_set
from jiceng.hall.staffing import StaffingPlan

Session = tuple[int, str, str, str]  # weekday, kind, starts, ends


@dataclass
class WindowChange:
    window_id: int
    number: int
    added: list[Session] = field(default_factory=list)
    removed: list[Session] = field(default_factory=list)


@dataclass
class PlanApplied:
    """What applying a plan changed, window by window (windows without changes left out)."""

    hall_id: int
    week: str
    windows: list[WindowChange]

    @property
    def changed(self) -> bool:
        return bool(self.windows)

    @property
    def added(self) -> int:
        return sum(len(w.added) for w in self.windows)

    @property
    def removed(self) -> int:
        return sum(len(w.removed) for w in self.windows)


def _in_force(hall_id: int, monday: date) -> dict[int, set[Session]]:
    """Each window's sessions in force in the week starting on that Monday."""
    found: dict[int, set[Session]] = {}
    for plan in hall_plans(hall_id):
        day = monday + timedelta(days=plan.weekday)
        if plan.in_force(day):
            found.setdefault(plan.window_id, set()).add(
                (
                    plan.weekday,
                    plan.kind,
                    plan.starts.strftime("%H:%M"),
                    plan.ends.strftime("%H:%M"),
                )
            )
    return found


def staffing_plan_apply(
    *, actor: User | None, hall: Hall, plan: StaffingPlan, fingerprint: str | None = None
) -> PlanApplied:
    """Write the plan's weekly sessions for every window of the hall, in force from the plan's
    Monday on (earlier weeks keep their sessions), all windows in one transaction.

    actor: a manager of the hall's region (None: the system, e.g. the command line).
    fingerprint: the plan the user reviewed; ValidationError when the plan is different now.
    Applying the same plan again changes nothing."""
    if actor is not None:
        if not code_in_scope(actor, hall.point.region_id):
            raise Hall.DoesNotExist(_("No such hall."))
        if not may_manage(actor, hall.point.region_id):
            raise PermissionDenied(
                _("Only county administrators and town officers apply a staffing plan.")
            )
    if plan.hall_id != hall.pk:
        raise ValidationError({"hall": _("The plan is for another hall.")})
    if fingerprint is not None and fingerprint != plan.fingerprint:
        raise ValidationError(
            {"plan": _("The plan has changed since it was shown: review it again.")}
        )
    if plan.history_tickets == 0:
        raise ValidationError(
            {"plan": _("The hall has no ticket history to plan from: nothing was changed.")}
        )
    week = plan.week.isoformat()
    with transaction.atomic():
        # One plan at a time per hall: a second apply waits for the first.
        Hall.objects.select_for_update().filter(pk=hall.pk).first()
        windows = {
            w.pk: w for w in Window.objects.filter(hall_id=hall.pk).select_related("hall__point")
        }
        unknown = set(plan.sessions) - set(windows)
        if unknown:
            raise ValidationError({"plan": _("The hall's windows have changed: plan again.")})
        before = _in_force(hall.pk, plan.week)
        for window_id, sessions in sorted(plan.sessions.items()):
            sessions_set(
                actor=actor, window=windows[window_id], sessions=sessions, valid_from=plan.week
            )
        after = _in_force(hall.pk, plan.week)
    changes = []
    for window_id, window in sorted(windows.items(), key=lambda item: item[1].number):
        old, new = before.get(window_id, set()), after.get(window_id, set())
        if old != new:
            changes.append(
                WindowChange(
                    window_id=window_id,
                    number=window.number,
                    added=sorted(new - old),
                    removed=sorted(old - new),
                )
            )
    return PlanApplied(hall_id=hall.pk, week=week, windows=changes)
