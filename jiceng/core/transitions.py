"""One shape for every state machine: a model's transitions declared as data.

A transition has a name, the states it may start from, the state it leads to and who may take it:

    TICKET_MACHINE = StateMachine(
        "ticket",
        [
            Transition("start", {CALLED}, SERVING, who=operates, label=gettext_lazy("start")),
            Transition("recall", {CALLED, NO_SHOW}, CALLED, who=operates, ...),
        ],
        refused=QueueRefused,
        refused_message=gettext_lazy("Cannot %(action)s ticket %(number)s: it is %(status)s."),
    )

The machines so far: `CASE_MACHINE` (jiceng/cases/services), `APPLICATION_MACHINE` (long-term
care applications, jiceng/ltc/services/applications.py) and `TICKET_MACHINE` (hall tickets,
jiceng/hall/services/queue.py). A module declares its machine once, next to the model's
services (the `who` predicates come from the app's access rules), and uses it twice:

- a service takes a step with `transition_check(machine, record, name, user)`, which refuses a
  step the record's state does not allow (the machine's `Refused` subclass, with a reason) or the
  user may not take (`PermissionDenied`), and then sets `record.<field>` to
  `transition.target_for(record, current)` and does what the step does besides;
- a page or endpoint asks `allowed_transitions(machine, record, user)` which steps the user may
  take now, so it shows a button exactly when the service would take the step.

The check of the version a caller saw (`Changed`) stays in each service, before the transition
check, where the record is locked: it is about the row, not about the machine.

`target` is usually a state; `None` means the step leaves the state as it is (a comment, a
rating); a function of the record names a state that depends on the record (a suspended case
resumes to where it was). `offered_if` is a further condition for offering a step on a page
(nothing to rate yet); the service gives its own reason when the step is tried anyway.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, Union

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jiceng.core.errors import Refused

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

R = TypeVar("R")
# Who may take a step: a predicate of the user (None for the system itself) and the record.
Who = Callable[[Any, Any], bool]
# A refusal's text: a (lazy) format string, or a function of the transition and the record.
Message = Union["StrOrPromise", Callable[["Transition", Any], str]]


def anyone_of(*predicates: Who) -> Who:
    """Who may act: anyone for whom one of the predicates holds."""

    def who(user: Any, record: Any) -> bool:
        return any(predicate(user, record) for predicate in predicates)

    who.__name__ = " | ".join(getattr(p, "__name__", "?") for p in predicates)
    return who


@dataclass(frozen=True)
class Transition:
    """One step of a state machine (see the module's docstring)."""

    name: str
    sources: Collection[str]
    target: str | Callable[[Any], str] | None
    who: Who
    _: KW_ONLY
    label: StrOrPromise = ""  # the verb in messages ("Cannot %(action)s …")
    note_required: bool = False
    event: str = ""  # the kind of history entry the step writes, where the module keeps one
    offered_if: Callable[[Any], bool] | None = None

    def __post_init__(self) -> None:
        # Frozen: `sources` may be given as any iterable of states and is kept as a frozenset.
        object.__setattr__(self, "sources", frozenset(str(s) for s in self.sources))
        if not self.label:
            object.__setattr__(self, "label", self.name)

    def starts_from(self, state: str) -> bool:
        return state in self.sources

    def permits(self, user: Any, record: Any) -> bool:
        return bool(self.who(user, record))

    def target_for(self, record: Any, current: str) -> str:
        """The state the step leads `record` to (from `current`)."""
        if self.target is None:
            return current
        if callable(self.target):
            return str(self.target(record))
        return self.target


@dataclass(frozen=True)
class StateMachine(Generic[R]):
    """The transitions of one model's state field, with the refusals its module speaks.

    `refused_message` and `denied_message` are formatted with `action` (the step's label, also
    named `step`), `status` (the display of the record's state) and `number` (the record's
    number, if it has one); either may instead be a function of the transition and the record.
    `visible_to` is who may see the record at all: nobody else is offered any step."""

    name: str
    transitions: Sequence[Transition]
    _: KW_ONLY
    field: str = "status"
    refused: type[Refused] = Refused
    refused_message: Message = ""
    denied_message: Message = ""
    visible_to: Who | None = None
    by_name: Mapping[str, Transition] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "transitions", tuple(self.transitions))
        by_name = {t.name: t for t in self.transitions}
        if len(by_name) != len(self.transitions):
            raise ValueError(f"{self.name}: two transitions share a name")
        object.__setattr__(self, "by_name", by_name)

    @property
    def names(self) -> list[str]:
        return list(self.by_name)

    def state_of(self, record: R) -> str:
        return str(getattr(record, self.field))

    def describe(self, transition: Transition, record: R) -> dict[str, Any]:
        display = getattr(record, f"get_{self.field}_display", None)
        return {
            "action": transition.label,
            "step": transition.label,
            "status": display() if callable(display) else self.state_of(record),
            "number": getattr(record, "number", ""),
        }


def transition_get(machine: StateMachine[Any], name: str) -> Transition:
    """The named transition; an unknown name is bad input (a ValidationError on `action`)."""
    transition = machine.by_name.get(name)
    if transition is None:
        raise ValidationError({"action": _("Unknown action: %s") % name})
    return transition


def allowed_transitions(machine: StateMachine[R], record: R, user: Any) -> list[Transition]:
    """The steps `user` may take on `record` now, in the machine's order (for buttons)."""
    if machine.visible_to is not None and not machine.visible_to(user, record):
        return []
    state = machine.state_of(record)
    return [
        t
        for t in machine.transitions
        if t.starts_from(state)
        and t.permits(user, record)
        and (t.offered_if is None or t.offered_if(record))
    ]


def allowed_names(machine: StateMachine[R], record: R, user: Any) -> list[str]:
    """The names of `allowed_transitions` (what an API answers)."""
    return [t.name for t in allowed_transitions(machine, record, user)]


def transition_check(
    machine: StateMachine[R], record: R, name: str, user: Any, *, system: bool = False
) -> Transition:
    """Check that `user` may take step `name` on `record` now and return it: an unknown step is
    a ValidationError, a state the step does not start from is the machine's `Refused`, a user
    the step does not permit is PermissionDenied (not checked for the system's own steps)."""
    transition = transition_get(machine, name)
    if not transition.starts_from(machine.state_of(record)):
        raise machine.refused(_message(machine.refused_message, machine, transition, record))
    if not system and not transition.permits(user, record):
        raise PermissionDenied(_message(machine.denied_message, machine, transition, record))
    return transition


def _message(template: Message, machine: StateMachine[R], transition: Transition, record: R) -> str:
    if not template:
        return _("This action is not possible now.")
    if isinstance(template, str | Promise):
        return str(template) % machine.describe(transition, record)
    return str(template(transition, record))
