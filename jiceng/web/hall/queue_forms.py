"""Forms of the queue pages: taking a ticket (kiosk, phone), rating it, booking a slot, and the
actions of a window's console."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.hall.models import GreenReason, Outcome, Rating
from jiceng.hall.selectors import APPOINTMENT_DAYS_AHEAD

# The green channel (绿色通道) as the kiosk offers it: who may use it.
GREEN_CHOICES = [
    ("", _("Normal")),
    (GreenReason.ELDERLY.value, _("Aged 70 or over")),
    (GreenReason.DISABLED.value, _("Disabled")),
    (GreenReason.PREGNANT.value, _("Pregnant")),
]

# The five levels of 好差评, best first, as the buttons show them.
RATING_LEVELS = [
    (Rating.VERY_SATISFIED.value, _("Very satisfied")),
    (Rating.SATISFIED.value, _("Satisfied")),
    (Rating.BASICALLY_SATISFIED.value, _("Basically satisfied")),
    (Rating.DISSATISFIED.value, _("Dissatisfied")),
    (Rating.VERY_DISSATISFIED.value, _("Very dissatisfied")),
]


def first_error(form: forms.Form) -> str:
    """The form's errors as one sentence for the message line."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class TakeTicketForm(forms.Form):
    """A ticket from the kiosk or the phone: an item, or the code of a booking for today."""

    item = forms.CharField(label=_("Item"), max_length=20, required=False)
    green = forms.ChoiceField(label=_("Green channel"), choices=GREEN_CHOICES, required=False)
    phone = forms.CharField(label=_("Phone number (optional)"), max_length=20, required=False)
    appointment = forms.CharField(label=_("Booking code"), max_length=8, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("item") and not data.get("appointment"):
            raise ValidationError(_("Choose an item, or give the code of your booking."))
        return data

    def service_arguments(self) -> dict[str, str]:
        data = self.cleaned_data
        green = data.get("green") or ""
        return {
            "item_code": data.get("item") or "",
            "priority": "green" if green else "normal",
            "green_reason": green,
            "phone": data.get("phone") or "",
            "appointment_code": data.get("appointment") or "",
        }


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating"), choices=RATING_LEVELS, coerce=int, empty_value=None
    )
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False)


class KioskRatingForm(RatingForm):
    number = forms.CharField(label=_("Ticket number"), max_length=8)


def booking_days(today: date) -> list[date]:
    return [today + timedelta(days=n) for n in range(APPOINTMENT_DAYS_AHEAD + 1)]


class BookingForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=20)
    day = forms.DateField(label=_("Day"))
    slot = forms.CharField(label=_("Time"), max_length=5)
    phone = forms.CharField(label=_("Phone number"), max_length=20)

    def clean_slot(self) -> time:
        try:
            return datetime.strptime(self.cleaned_data["slot"], "%H:%M").time()
        except ValueError:
            raise ValidationError(_("Choose a time.")) from None


CONSOLE_ACTIONS = (
    "open",
    "close",
    "call",
    "recall",
    "start",
    "no_show",
    "complete",
    "transfer",
    "switch",
)


class ConsoleActionForm(forms.Form):
    """One action at a window's console; the ticket's version guards against a stale screen."""

    action = forms.ChoiceField(choices=[(a, a) for a in CONSOLE_ACTIONS])
    ticket = forms.IntegerField(required=False, min_value=1)
    expected_version = forms.IntegerField(required=False, min_value=1)
    outcome = forms.ChoiceField(choices=Outcome.choices, required=False)
    group = forms.CharField(max_length=2, required=False)
    groups = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, group_codes: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = [(g, g) for g in group_codes]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        ticket_actions = {"recall", "start", "no_show", "complete", "transfer"}
        if action in ticket_actions and not data.get("ticket"):
            raise ValidationError(_("The window has no current ticket."))
        if action == "complete" and not data.get("outcome"):
            raise ValidationError(_("Choose the outcome: done, needs more materials or referred."))
        if action == "transfer" and not data.get("group"):
            raise ValidationError(_("Choose the group to transfer the ticket to."))
        if action == "switch" and not data.get("groups"):
            raise ValidationError(_("Tick at least one group for the window."))
        return data
