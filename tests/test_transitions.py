"""One shape for every state machine (jiceng/core/transitions.py): the checks a service makes
before a step, the steps a page offers, and the machines of the case loop, long-term care and the
hall queue declared in it — a page or endpoint offers exactly the steps the service takes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jiceng.cases.models import CaseEvent, Department
from jiceng.cases.services import CASE_MACHINE, case_act
from jiceng.cases.services import TransitionRefused as CaseRefused
from jiceng.cases.services.intake import case_report
from jiceng.core.errors import Refused
from jiceng.core.transitions import (
    StateMachine,
    Transition,
    allowed_names,
    allowed_transitions,
    anyone_of,
    transition_check,
    transition_get,
)
from jiceng.hall.services.queue import (
    TICKET_MACHINE,
    QueueRefused,
    ticket_call_next,
    ticket_no_show,
    ticket_start,
    ticket_take,
    window_open,
)
from jiceng.ltc.models import ApplicationEvent
from jiceng.ltc.services.applications import (
    APPLICATION_MACHINE,
    TransitionRefused,
    application_act,
)
from tests.cases.conftest import case_setup  # noqa: F401 (a fixture)
from tests.hall.conftest import network  # noqa: F401 (a fixture)
from tests.ltc.conftest import applied, ltc, make_person, walk  # noqa: F401 (fixtures)

# --- the shape, on a record of its own -----------------------------------------------------


class DoorRefused(Refused):
    pass


@dataclass
class Door:
    status: str
    number: str = "D-1"
    owner: str = "ann"
    painted: bool = False

    def get_status_display(self) -> str:
        return {"shut": "shut", "open": "open", "locked": "locked"}[self.status]


def owner(user: str | None, door: Door) -> bool:
    return user == door.owner


def janitor(user: str | None, door: Door) -> bool:
    return user == "janitor"


def anybody(user: str | None, door: Door) -> bool:
    return user is not None


DOOR = StateMachine(
    "door",
    [
        Transition("open", {"shut"}, "open", anybody, label="swing open"),
        Transition("shut", ["open"], "shut", anybody),
        Transition("lock", {"shut"}, "locked", owner),
        Transition("unlock", {"locked"}, lambda door: "shut", anyone_of(owner, janitor)),
        Transition("paint", {"shut", "open"}, None, janitor, offered_if=lambda d: not d.painted),
    ],
    refused=DoorRefused,
    refused_message="Cannot %(action)s door %(number)s: it is %(status)s.",
    denied_message="You may not %(action)s this door.",
    visible_to=lambda user, door: user != "stranger",
)


def test_a_step_from_a_state_it_does_not_start_from_is_refused_with_the_reason():
    with pytest.raises(DoorRefused, match="Cannot swing open door D-1: it is open"):
        transition_check(DOOR, Door("open"), "open", "ann")


def test_a_step_the_user_may_not_take_is_permission_denied():
    with pytest.raises(PermissionDenied, match="You may not lock this door"):
        transition_check(DOOR, Door("shut"), "lock", "bob")


def test_the_state_is_checked_before_who_may_act():
    with pytest.raises(DoorRefused):
        transition_check(DOOR, Door("open"), "lock", "bob")


def test_the_systems_own_steps_are_not_checked_for_a_user():
    assert transition_check(DOOR, Door("shut"), "lock", None, system=True).name == "lock"
    with pytest.raises(DoorRefused):
        transition_check(DOOR, Door("open"), "lock", None, system=True)


def test_an_unknown_step_is_bad_input_on_the_action():
    with pytest.raises(ValidationError) as caught:
        transition_get(DOOR, "slam")
    assert "action" in caught.value.message_dict
    with pytest.raises(ValidationError):
        transition_check(DOOR, Door("shut"), "slam", "ann")


def test_the_allowed_steps_follow_the_state_who_and_the_offer_condition():
    assert allowed_names(DOOR, Door("shut"), "ann") == ["open", "lock"]
    assert allowed_names(DOOR, Door("shut"), "janitor") == ["open", "paint"]
    assert allowed_names(DOOR, Door("shut", painted=True), "janitor") == ["open"]
    assert allowed_names(DOOR, Door("locked"), "janitor") == ["unlock"]
    assert allowed_names(DOOR, Door("locked"), "bob") == []
    assert [t.name for t in allowed_transitions(DOOR, Door("open"), "bob")] == ["shut"]


def test_nobody_who_may_not_see_the_record_is_offered_a_step():
    assert allowed_names(DOOR, Door("shut"), "stranger") == []


def test_every_allowed_step_passes_the_check_and_no_other_does():
    for state in ("shut", "open", "locked"):
        for user in ("ann", "bob", "janitor", None):
            door = Door(state)
            allowed = set(allowed_names(DOOR, door, user))
            for name in DOOR.names:
                try:
                    transition_check(DOOR, door, name, user)
                except (DoorRefused, PermissionDenied):
                    assert name not in allowed
                else:
                    assert name in allowed or name == "paint"


def test_a_target_is_a_state_the_same_state_or_one_that_depends_on_the_record():
    door = Door("locked")
    assert transition_get(DOOR, "lock").target_for(door, "shut") == "locked"
    assert transition_get(DOOR, "unlock").target_for(door, "locked") == "shut"
    assert transition_get(DOOR, "paint").target_for(door, "open") == "open"


def test_a_label_defaults_to_the_name_and_sources_are_a_frozenset():
    shut = transition_get(DOOR, "shut")
    assert shut.label == "shut" and shut.sources == frozenset({"open"})


def test_two_steps_of_one_machine_may_not_share_a_name():
    with pytest.raises(ValueError, match="share a name"):
        StateMachine("twice", [Transition("a", {"x"}, "y", anybody)] * 2)


# --- long-term care: the application page and the API offer what the service takes ----------


def test_the_care_staff_are_offered_the_workflow_and_a_town_officer_only_withdrawing(
    applied,  # noqa: F811
    ltc,  # noqa: F811
):
    assert allowed_names(APPLICATION_MACHINE, applied, ltc["clerk"]) == [
        "accept",
        "reject",
        "withdraw",
    ]
    assert allowed_names(APPLICATION_MACHINE, applied, ltc["wutong"]) == ["withdraw"]
    assert allowed_names(APPLICATION_MACHINE, applied, ltc["regulator"]) == []


def test_a_step_that_is_not_offered_is_refused_and_changes_nothing(applied, ltc):  # noqa: F811
    events = ApplicationEvent.objects.count()
    with pytest.raises(PermissionDenied):
        application_act(actor=ltc["wutong"], application_id=applied.pk, action="accept")
    with (
        translation.override("en"),
        pytest.raises(TransitionRefused, match="not possible while the application is “Applied”"),
    ):
        application_act(actor=ltc["clerk"], application_id=applied.pk, action="publish")
    with pytest.raises(ValidationError):
        application_act(actor=ltc["clerk"], application_id=applied.pk, action="skip")
    applied.refresh_from_db()
    assert applied.status == "applied" and applied.version == 1
    assert ApplicationEvent.objects.count() == events


def test_each_step_leads_where_its_transition_says(applied, ltc):  # noqa: F811
    application = applied
    for name in ("accept", "assign", "assess", "return", "assess", "review", "publish"):
        expected = transition_get(APPLICATION_MACHINE, name).target
        application = walk(application, ltc["clerk"], name)
        assert application.status == expected


def test_the_application_page_shows_a_button_for_each_allowed_step(client, applied, ltc):  # noqa: F811
    client.force_login(ltc["clerk"])
    page = client.get(f"/ltc/applications/{applied.pk}/").content.decode()
    for name in ("accept", "reject", "withdraw"):
        assert f'value="{name}"' in page
    assert 'value="publish"' not in page


# --- the case loop: its page offers what case_act takes ------------------------------------


@pytest.fixture
def reported_case(case_setup):  # noqa: F811
    return case_report(
        actor=case_setup["grid"],
        category="ebike_charging",
        description="3号楼楼道飞线充电",
        region_code="330483001001001",
        attributes={"place": "flying_lead"},
    )


def test_an_officer_of_the_town_is_offered_the_dispatching_actions_and_others_comments(
    reported_case,
    case_setup,  # noqa: F811
):
    officer = allowed_names(CASE_MACHINE, reported_case, case_setup["wutong"])
    assert officer == [
        "accept",
        "dismiss",
        "dispatch",
        "escalate",  # the town owns the case: the county is above it
        "suspend",
        "merge",
        "comment",
    ]
    assert allowed_names(CASE_MACHINE, reported_case, case_setup["handler"]) == ["comment"]
    assert allowed_names(CASE_MACHINE, reported_case, case_setup["grid"]) == ["comment"]
    assert allowed_names(CASE_MACHINE, reported_case, case_setup["puyuan"]) == []


def test_the_case_page_shows_a_button_for_each_allowed_action_and_no_other(
    client,
    reported_case,
    case_setup,  # noqa: F811
):
    client.force_login(case_setup["wutong"])
    page = client.get(f"/cases/{reported_case.pk}/").content.decode()
    for name in ("accept", "dismiss", "dispatch", "suspend", "merge"):
        assert f'name="action" value="{name}"' in page
    for name in ("start", "resolve", "verify", "resume", "rate"):
        assert f'name="action" value="{name}"' not in page


def test_each_case_action_leads_where_its_transition_says(reported_case, case_setup):  # noqa: F811
    case, officer, handler = reported_case, case_setup["wutong"], case_setup["handler"]
    department = Department.objects.get(region_id="330483001", kind="fire_station")
    steps = [
        (officer, "accept", {}),
        (officer, "dispatch", {"department": department.pk}),
        (handler, "start", {}),
        (handler, "resolve", {"note": "已拆除飞线"}),
        (officer, "verify", {}),
    ]
    for actor, name, extra in steps:
        assert name in allowed_names(CASE_MACHINE, case, actor)
        case = case_act(case_id=case.pk, actor=actor, action=name, **extra)
        assert case.status == transition_get(CASE_MACHINE, name).target
    assert allowed_names(CASE_MACHINE, case, officer) == ["reopen", "comment", "rate"]


def test_a_suspended_case_resumes_to_the_status_it_was_suspended_from(
    reported_case,
    case_setup,  # noqa: F811
):
    officer = case_setup["wutong"]
    case = case_act(case_id=reported_case.pk, actor=officer, action="accept")
    case = case_act(case_id=case.pk, actor=officer, action="suspend", note="等待产权人")
    assert case.status == "suspended" and case.suspended_from == "accepted"
    assert allowed_names(CASE_MACHINE, case, officer) == ["resume", "merge", "comment"]
    case = case_act(case_id=case.pk, actor=officer, action="resume")
    assert case.status == "accepted" and case.suspended_from == ""


def test_a_case_action_that_is_not_allowed_changes_nothing(reported_case, case_setup):  # noqa: F811
    events = CaseEvent.objects.count()
    with pytest.raises(PermissionDenied):
        case_act(case_id=reported_case.pk, actor=case_setup["handler"], action="accept")
    with translation.override("en"), pytest.raises(CaseRefused, match="Cannot verify"):
        case_act(case_id=reported_case.pk, actor=case_setup["wutong"], action="verify")
    reported_case.refresh_from_db()
    assert reported_case.status == "reported" and reported_case.version == 1
    assert CaseEvent.objects.count() == events


# --- the hall queue: the console shows the steps the clerk may take on the called ticket -----


@pytest.fixture
def called_ticket(network):  # noqa: F811
    window = network.windows[1]  # group A
    window_open(actor=network.users["clerk"], window_id=window.pk)
    ticket_take(hall_id=network.wutong.pk, item_code="YB15")
    ticket = ticket_call_next(actor=network.users["clerk"], window_id=window.pk)
    assert ticket is not None and ticket.status == "called"
    return ticket


def test_the_clerk_of_the_hall_may_take_every_step_on_a_called_ticket_and_another_halls_none(
    called_ticket,
    network,  # noqa: F811
):
    assert allowed_names(TICKET_MACHINE, called_ticket, network.users["clerk"]) == [
        "recall",
        "start",
        "no_show",
        "complete",
        "transfer",
    ]
    assert allowed_names(TICKET_MACHINE, called_ticket, network.users["puyuan_clerk"]) == []


def test_the_console_offers_start_for_a_called_ticket_and_completion_once_it_is_served(
    client,
    called_ticket,
    network,  # noqa: F811
):
    client.force_login(network.users["clerk"])
    console = f"/hall/windows/{network.windows[1].pk}/"
    page = client.get(console).content.decode()
    assert 'value="start"' in page and 'value="no_show"' in page and 'value="complete"' in page
    served = ticket_start(actor=network.users["clerk"], ticket_id=called_ticket.pk)
    assert served.status == transition_get(TICKET_MACHINE, "start").target
    page = client.get(console).content.decode()
    assert 'value="start"' not in page and 'value="recall"' not in page
    assert 'value="complete"' in page and 'value="transfer"' in page


def test_a_ticket_step_from_the_wrong_status_is_refused_and_changes_nothing(
    called_ticket,
    network,  # noqa: F811
):
    clerk = network.users["clerk"]
    served = ticket_start(actor=clerk, ticket_id=called_ticket.pk)
    with translation.override("en"), pytest.raises(QueueRefused, match="Cannot start ticket"):
        ticket_start(actor=clerk, ticket_id=called_ticket.pk)
    with pytest.raises(PermissionDenied):
        ticket_no_show(actor=network.users["regulator"], ticket_id=called_ticket.pk)
    called_ticket.refresh_from_db()
    assert called_ticket.status == "serving" and called_ticket.version == served.version
