"""The case loop's one state machine. Every page, API endpoint and task changes cases here.

    reported ──accept──▶ accepted ──dispatch──▶ dispatched ──start──▶ in_progress
        │                    ▲  ▲                  │   │                  │
        └──dispatch──────────┼──┼──────────────────┘   └─return─▶ returned ─dispatch─┘
                             │  │                     resolve (from dispatched/in_progress)
                             │  └──────── verification failed ◀── resolved ──verify──▶ closed (销号)
                             └────────────────── reopen ◀───────────────────────────── closed

  and, on open cases: escalate, suspend ⇄ resume, merge (as a duplicate), comment; dismiss on
  reported/accepted cases; confirm and rate by the reporter.

This module is the state machine; intake (`intake.case_report`), notifications, escalation, the
clock and the timeline are the other modules of this package. The actions are declared once, as
transitions (`CASE_MACHINE`, jiceng/core/transitions.py): the statuses each starts from, the
status it leads to and who may take it; what each changes besides the status is its effect
(`_EFFECTS`). Pages and the API ask `allowed_transitions` which actions a
user may take now.

Each action runs in one transaction on a locked row. A caller that passes the version it saw
(`expected_version`) is told `CaseChanged` when somebody acted first: no lost update and no
double dispatch. An action that the case's status does not allow is refused with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.cases import photos as photo_checks
from jiceng.cases import routing
from jiceng.cases.access import (
    is_dispatcher,
    is_handler,
    is_reporter,
    may_comment,
    may_see,
)
from jiceng.cases.calendar import working_calendar
from jiceng.cases.models import (
    CLOSED_STATUSES,
    Case,
    CasePhoto,
    Department,
    EventKind,
    Outcome,
    Status,
)
from jiceng.cases.selectors import cases_numbered
from jiceng.cases.services.clock import resolve_clock, start_clock, stop_clock
from jiceng.cases.services.notifications import notify_after
from jiceng.cases.services.timeline import MAX_DESCRIPTION, clean_text, record_event, store_photos
from jiceng.core.errors import Changed, Refused
from jiceng.core.models import User
from jiceng.core.scope import code_within, county_of
from jiceng.core.transitions import (
    StateMachine,
    Transition,
    anyone_of,
    transition_check,
    transition_get,
)


class CaseChanged(Changed):
    """Somebody changed the case since the caller looked at it."""

    def __init__(self, case: Case):
        self.case = case
        super().__init__(
            _("Case %(number)s was changed by someone else (it is now %(status)s). Reload it.")
            % {"number": case.number, "status": case.get_status_display()}
        )


class TransitionRefused(Refused):
    """The action is not possible in the case's current state."""


# --- modules reacting to a case closing or reopening ------------------------------------------

CloseHandler = Callable[[Case], None]
_close_handlers: dict[str, list[CloseHandler]] = {}


def register_close_handler(category_code: str, handler: CloseHandler) -> None:
    """Call `handler(case)` whenever a case of the category closes (verified, dismissed or
    merged), inside the closing transaction: a module clears what the case was about (a gas
    hazard rectified). A handler that raises undoes the closing. Register in AppConfig.ready()."""
    handlers = _close_handlers.setdefault(category_code, [])
    if handler not in handlers:
        handlers.append(handler)


ReopenHandler = Callable[[Case], None]
_reopen_handlers: dict[str, list[ReopenHandler]] = {}


def register_reopen_handler(category_code: str, handler: ReopenHandler) -> None:
    """Call `handler(case)` whenever a closed case of the category is reopened, inside the
    reopening transaction: a module restores what closing the case cleared (a gas hazard open
    again). A handler that raises undoes the reopening. Register in AppConfig.ready()."""
    handlers = _reopen_handlers.setdefault(category_code, [])
    if handler not in handlers:
        handlers.append(handler)


# --- who may act: jiceng/cases/access.py -------------------------------------------------

# --- the state machine ---------------------------------------------------------------------

OPEN_ACTIVE = frozenset(
    {
        Status.REPORTED,
        Status.ACCEPTED,
        Status.DISPATCHED,
        Status.RETURNED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
    }
)


_may_comment = may_comment


def _reopened_status(case: Case) -> str:
    return Status.DISPATCHED if case.department_id else Status.ACCEPTED


def _resumed_status(case: Case) -> str:
    return case.suspended_from or Status.ACCEPTED


def _refused_text(transition: Transition, case: Case) -> str:
    return _("Cannot %(action)s a case that is %(status)s.") % {
        "action": transition.label,
        "status": case.get_status_display(),
    }


def _denied_text(transition: Transition, case: Case) -> str:
    return _("You may not %s this case.") % transition.label


# The case loop, in the order pages offer its actions. `label` is the verb of the refusals
# ("Cannot accept a case that is closed."); the pages' buttons say more.
CASE_MACHINE: StateMachine[Case] = StateMachine(
    "cases.case",
    [
        Transition(
            "accept",
            {Status.REPORTED},
            Status.ACCEPTED,
            is_dispatcher,
            label=gettext_lazy("accept"),
            event=EventKind.ACCEPTED,
        ),
        Transition(
            "dismiss",
            {Status.REPORTED, Status.ACCEPTED},
            Status.CLOSED,
            is_dispatcher,
            label=gettext_lazy("dismiss"),
            event=EventKind.DISMISSED,
            note_required=True,
        ),
        Transition(
            "dispatch",
            {Status.REPORTED, Status.ACCEPTED, Status.RETURNED},
            Status.DISPATCHED,
            is_dispatcher,
            label=gettext_lazy("dispatch"),
            event=EventKind.DISPATCHED,
        ),
        Transition(
            "return",
            {Status.DISPATCHED},
            Status.RETURNED,
            is_handler,
            label=gettext_lazy("return"),
            event=EventKind.RETURNED,
            note_required=True,
        ),
        Transition(
            "start",
            {Status.DISPATCHED},
            Status.IN_PROGRESS,
            is_handler,
            label=gettext_lazy("start"),
            event=EventKind.STARTED,
        ),
        Transition(
            "resolve",
            {Status.DISPATCHED, Status.IN_PROGRESS},
            Status.RESOLVED,
            is_handler,
            label=gettext_lazy("resolve"),
            event=EventKind.RESOLVED,
            note_required=True,
        ),
        Transition(
            "confirm",
            {Status.RESOLVED},
            None,
            anyone_of(is_reporter, is_dispatcher),
            label=gettext_lazy("confirm"),
            event=EventKind.CONFIRMED,
            offered_if=lambda case: not case.reporter_confirmed,
        ),
        Transition(
            "verify",
            {Status.RESOLVED},
            Status.CLOSED,
            is_dispatcher,
            label=gettext_lazy("verify and close"),
            event=EventKind.VERIFIED,
        ),
        Transition(
            "reject",
            {Status.RESOLVED},
            Status.DISPATCHED,
            is_dispatcher,
            label=gettext_lazy("reject the resolution of"),
            event=EventKind.VERIFICATION_FAILED,
            note_required=True,
        ),
        Transition(
            "reopen",
            {Status.CLOSED},
            _reopened_status,
            anyone_of(is_dispatcher, is_reporter),
            label=gettext_lazy("reopen"),
            event=EventKind.REOPENED,
            note_required=True,
            offered_if=lambda case: case.outcome != Outcome.MERGED,
        ),
        Transition(
            "escalate",
            OPEN_ACTIVE,
            None,
            is_dispatcher,
            label=gettext_lazy("escalate"),
            event=EventKind.ESCALATED,
            offered_if=lambda case: routing.parent_owner_code(case) is not None,
        ),
        Transition(
            "suspend",
            OPEN_ACTIVE - {Status.RESOLVED},
            Status.SUSPENDED,
            is_dispatcher,
            label=gettext_lazy("suspend"),
            event=EventKind.SUSPENDED,
            note_required=True,
        ),
        Transition(
            "resume",
            {Status.SUSPENDED},
            _resumed_status,
            is_dispatcher,
            label=gettext_lazy("resume"),
            event=EventKind.RESUMED,
        ),
        Transition(
            "merge",
            OPEN_ACTIVE | {Status.SUSPENDED},
            Status.MERGED,
            is_dispatcher,
            label=gettext_lazy("merge"),
            event=EventKind.MERGED,
        ),
        Transition(
            "comment",
            set(Status),
            None,
            anyone_of(is_dispatcher, is_handler, is_reporter, _may_comment),
            label=gettext_lazy("comment on"),
            event=EventKind.COMMENTED,
            note_required=True,
        ),
        Transition(
            "rate",
            {Status.CLOSED},
            None,
            anyone_of(is_reporter, is_dispatcher),
            label=gettext_lazy("rate"),
            event=EventKind.RATED,
            offered_if=lambda case: case.outcome == Outcome.RESOLVED and case.satisfaction is None,
        ),
    ],
    refused=TransitionRefused,
    refused_message=_refused_text,
    denied_message=_denied_text,
    visible_to=may_see,
)


# --- acting on a case ------------------------------------------------------------------------


def case_act(
    *,
    case_id: int,
    actor: User | None,
    action: str,
    expected_version: int | None = None,
    note: str = "",
    department: Department | int | None = None,
    duplicate_of: Case | int | None = None,
    score: int | None = None,
    photos: list[UploadedFile] | None = None,
    system: bool = False,
    at: datetime | None = None,
) -> Case:
    """Apply one action to a case, or refuse it with a reason, leaving the case as it was."""
    rule = transition_get(CASE_MACHINE, action)
    note = clean_text(note, field="note", limit=MAX_DESCRIPTION, required=rule.note_required)
    checked_photos = photo_checks.check_photos(photos or [])
    now = at or timezone.now()
    with transaction.atomic():
        case = (
            Case.objects.select_for_update()
            .select_related("category", "owner_region")
            .filter(pk=case_id)
            .first()
        )
        if case is None or not (system or may_see(actor, case)):
            raise Case.DoesNotExist(_("No such case."))
        if expected_version is not None and case.version != expected_version:
            raise CaseChanged(case)
        transition_check(CASE_MACHINE, case, action, actor, system=system)
        previous = case.status
        case.status = rule.target_for(case, previous)
        extra = _EFFECTS[action](case, _Step(actor, now, previous, department, duplicate_of, score))
        case.version += 1
        case.is_open = case.status not in CLOSED_STATUSES
        case.save()
        event = record_event(
            case,
            rule.event,
            None if system else actor,
            now,
            note=note,
            from_status=previous,
            to_status=case.status,
            department=extra.pop("department", None),
            data=extra,
        )
        if checked_photos:
            kind = CasePhoto.Kind.AFTER if action == "resolve" else CasePhoto.Kind.BEFORE
            store_photos(case, event, checked_photos, kind, actor)
        if not case.is_open and previous not in CLOSED_STATUSES:
            for handler in _close_handlers.get(case.category.code, ()):
                handler(case)
        if action == "reopen":
            for handler in _reopen_handlers.get(case.category.code, ()):
                handler(case)
        notify_after(case, action, actor)
    return case


@dataclass(frozen=True)
class _Step:
    """What an action's effect may use besides the case (its status already set)."""

    actor: User | None
    now: datetime
    previous: str
    department: Department | int | None
    duplicate_of: Case | int | None
    score: int | None


# What each action changes besides the case's status; returns data for the timeline entry.
Effect = Callable[[Case, _Step], dict[str, Any]]


def _no_effect(case: Case, step: _Step) -> dict[str, Any]:
    return {}


def _on_accept(case: Case, step: _Step) -> dict[str, Any]:
    case.accepted_at = step.now
    resolve_clock(case, step.now)
    return {}


def _close(case: Case, outcome: str, now: datetime) -> None:
    """What every way of closing a case does: its outcome, when, and its clock stopped."""
    case.outcome, case.closed_at = outcome, now
    stop_clock(case)


def _on_dismiss(case: Case, step: _Step) -> dict[str, Any]:
    _close(case, Outcome.DISMISSED, step.now)
    return {}


def _on_dispatch(case: Case, step: _Step) -> dict[str, Any]:
    target = _dispatch_target(case, step.department)
    if case.accepted_at is None:
        case.accepted_at = step.now
    case.department = target
    resolve_clock(case, step.now)
    return {"department": target}


def _on_return(case: Case, step: _Step) -> dict[str, Any]:
    return {"department": case.department}


def _on_resolve(case: Case, step: _Step) -> dict[str, Any]:
    case.resolved_at = step.now
    case.resolved_on_time = case.resolve_deadline is None or step.now <= case.resolve_deadline
    stop_clock(case)
    return {}


def _on_confirm(case: Case, step: _Step) -> dict[str, Any]:
    case.reporter_confirmed = True
    return {}


def _on_verify(case: Case, step: _Step) -> dict[str, Any]:
    if case.category.needs_reporter_confirmation and not case.reporter_confirmed:
        raise TransitionRefused(
            _("This category needs the reporter's confirmation before closing.")
        )
    _close(case, Outcome.RESOLVED, step.now)
    return {}


def _on_reject(case: Case, step: _Step) -> dict[str, Any]:
    case.resolved_at, case.resolved_on_time = None, None
    resolve_clock(case, step.now)
    return {}


def _on_reopen(case: Case, step: _Step) -> dict[str, Any]:
    case.reopen_count += 1
    case.outcome, case.closed_at, case.resolved_at, case.resolved_on_time = "", None, None, None
    case.reporter_confirmed, case.satisfaction = False, None
    case.accepted_at = case.accepted_at or step.now
    case.resolve_deadline = working_calendar().end_of_working_day(
        step.now, case.category.resolve_days
    )
    start_clock(case, step.now, case.resolve_deadline)
    return {}


def _on_escalate(case: Case, step: _Step) -> dict[str, Any]:
    parent = routing.parent_owner_code(case)
    if parent is None:
        raise TransitionRefused(_("The case is owned at the highest level already."))
    extra = {"from_region": case.owner_region_id, "to_region": parent}
    case.owner_region_id, case.escalation_level, case.escalated_at = (
        parent,
        case.escalation_level + 1,
        step.now,
    )
    return extra


def _on_suspend(case: Case, step: _Step) -> dict[str, Any]:
    case.suspended_from, case.suspended_at = step.previous, step.now
    stop_clock(case)
    return {}


def _on_resume(case: Case, step: _Step) -> dict[str, Any]:
    paused = step.now - (case.suspended_at or step.now)
    case.suspended_from = ""
    case.accept_deadline += paused
    if case.resolve_deadline is not None:
        case.resolve_deadline += paused
    case.suspended_at = None
    if case.status == Status.REPORTED:
        start_clock(case, case.reported_at + paused, case.accept_deadline)
    else:
        resolve_clock(case, step.now)
    return {"paused_hours": round(paused / timedelta(hours=1), 2)}


def _on_merge(case: Case, step: _Step) -> dict[str, Any]:
    original = _merge_target(case, step.duplicate_of)
    case.duplicate_of = original
    _close(case, Outcome.MERGED, step.now)
    return {"duplicate_of": original.number}


def _on_rate(case: Case, step: _Step) -> dict[str, Any]:
    if step.score is None or not 1 <= int(step.score) <= 5:
        raise ValidationError({"score": _("Give a score from 1 to 5.")})
    case.satisfaction = int(step.score)
    return {"score": case.satisfaction}


_EFFECTS: dict[str, Effect] = {
    "accept": _on_accept,
    "dismiss": _on_dismiss,
    "dispatch": _on_dispatch,
    "return": _on_return,
    "start": _no_effect,
    "resolve": _on_resolve,
    "confirm": _on_confirm,
    "verify": _on_verify,
    "reject": _on_reject,
    "reopen": _on_reopen,
    "escalate": _on_escalate,
    "suspend": _on_suspend,
    "resume": _on_resume,
    "merge": _on_merge,
    "comment": _no_effect,
    "rate": _on_rate,
}
assert set(_EFFECTS) == set(CASE_MACHINE.by_name), "every action of the case loop has its effect"


def _dispatch_target(case: Case, department: Department | int | None) -> Department:
    if department is None:
        default = routing.default_department(case.category, case.owner_region_id)
        if default is None:
            raise ValidationError(
                {"department": _("Choose a department: none is configured for this category here.")}
            )
        return default
    target = (
        department
        if isinstance(department, Department)
        else Department.objects.filter(pk=department).first()
    )
    if target is None or not target.is_active:
        raise ValidationError({"department": _("Unknown or inactive department.")})
    if not code_within(case.region_id, target.region_id):
        raise ValidationError(
            {"department": _("%s does not serve this case's region.") % target.name}
        )
    return target


def _merge_target(case: Case, duplicate_of: Case | int | None) -> Case:
    if duplicate_of is None:
        raise ValidationError({"duplicate_of": _("Name the case this one duplicates.")})
    original = (
        duplicate_of
        if isinstance(duplicate_of, Case)
        else Case.objects.filter(pk=duplicate_of).first()
    )
    if original is None or original.pk == case.pk:
        raise ValidationError({"duplicate_of": _("Unknown case, or the case itself.")})
    if original.status == Status.MERGED:
        raise ValidationError(
            {"duplicate_of": _("That case is itself a duplicate; merge into its original.")}
        )
    if county_of(original.region_id) != county_of(case.region_id):
        raise ValidationError({"duplicate_of": _("That case belongs to another county.")})
    return original


# --- dispatching many at once -----------------------------------------------------------------


@dataclass(frozen=True)
class DispatchOutcome:
    """What became of one case of a bulk dispatch: `case` once dispatched, else `reason`."""

    case_id: int
    number: str
    case: Case | None
    reason: str = ""


def cases_dispatch_many(
    *, actor: User, picked: Iterable[tuple[int, int]], department: int | None = None
) -> list[DispatchOutcome]:
    """Dispatch each (case id, version the actor saw), to the case's default department or to
    `department`, each in its own transaction: a case refused (changed meanwhile, not in a
    dispatchable state, outside the actor's region) is reported with its reason and the others
    go through."""
    picked = list(picked)
    numbers = cases_numbered(actor, [case_id for case_id, _version in picked])
    outcomes = []
    for case_id, version in picked:
        number = numbers.get(case_id)
        if number is None:
            outcomes.append(
                DispatchOutcome(case_id, f"#{case_id}", None, _("not found in your region"))
            )
            continue
        try:
            case = case_act(
                case_id=case_id,
                actor=actor,
                action="dispatch",
                expected_version=version,
                department=department,
            )
        except CaseChanged as exc:
            reason = _("changed by someone else meanwhile (it is now %(status)s)") % {
                "status": exc.case.get_status_display()
            }
            outcomes.append(DispatchOutcome(case_id, number, None, reason))
        except (TransitionRefused, PermissionDenied) as exc:
            outcomes.append(DispatchOutcome(case_id, number, None, str(exc)))
        except ValidationError as exc:
            outcomes.append(DispatchOutcome(case_id, number, None, " ".join(exc.messages)))
        except Case.DoesNotExist:
            outcomes.append(DispatchOutcome(case_id, number, None, _("not found in your region")))
        else:
            outcomes.append(DispatchOutcome(case_id, number, case))
    return outcomes
