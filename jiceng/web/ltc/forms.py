"""The long-term-care pages' forms. They check the shape of what is sent (whole numbers, dates,
a month, one of the offered choices, bounded lengths) and name the field that is wrong; what the
values mean (an ID number, a status the step allows, a peer that exists) is for the services,
whose errors the pages show the same way. Text fields are optional here so that an empty one
reaches the service, which says why it is needed."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.ltc.models import CareMode
from jiceng.ltc.standard import current_standard


def _text(label: Any, max_length: int = 200) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False)


def form_problem(form: forms.Form) -> str:
    """The form's errors as one line, each with its field's label."""
    parts = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        text = " ".join(str(m) for m in messages)
        parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


class ValuesForm(forms.Form):
    """A form whose page shows back what was typed (`values`), stripped."""

    def values(self) -> dict[str, str]:
        return {
            name: str(self.data.get(name, "")).strip()
            for name, field in self.fields.items()
            if not isinstance(field, forms.MultipleChoiceField)
        }


class ApplicationForm(ValuesForm):
    person_id_number = _text(_("ID number"), 30)
    name = _text(_("Name"), 50)
    care_mode = _text(_("Care mode"), 20)
    note = _text(_("Note"), 500)


class StepForm(forms.Form):
    """One workflow step from the application page; the people or place a step names."""

    action = _text(_("Step"), 30)
    expected_version = forms.IntegerField(label=_("Version"), required=False, min_value=0)
    note = _text(_("Note"), 500)
    assessor = _text(_("Assessor"), 100)
    second_assessor = _text(_("Second assessor"), 100)
    institution = _text(_("Institution"), 200)
    reviewer = _text(_("Reviewer"), 100)

    def step_data(self) -> dict[str, str]:
        return {
            k: self.cleaned_data[k]
            for k in ("assessor", "second_assessor", "institution", "reviewer")
            if self.cleaned_data[k]
        }


class AssessmentForm(ValuesForm):
    """The visit's facts; the answers to the standard's items come as one field per item."""

    assessed_on = forms.DateField(
        label=_("Assessed on"),
        error_messages={
            "required": _("Give the date of the assessment."),
            "invalid": _("Give the date of the assessment."),
        },
    )
    assessor = _text(_("Assessor"), 100)
    institution = _text(_("Institution"), 200)
    person_id_number = _text(_("ID number"), 30)
    name = _text(_("Name"), 50)
    intake_key = _text(_("Form key"), 100)

    def scores(self) -> dict[str, str]:
        """The answers given, by item id (an item left empty is not answered)."""
        return {
            item.id: str(self.data[item.id])
            for item in current_standard().items
            if str(self.data.get(item.id, "")) != ""
        }


class PeerForm(forms.Form):
    peer = _text(_("Peer region"), 12)


class InstitutionForm(ValuesForm):
    name = _text(_("Name"), 200)
    credit_code = _text(_("Credit code"), 18)
    region = _text(_("Region"), 15)
    beds = forms.IntegerField(
        label=_("Beds"),
        required=False,
        min_value=0,
        error_messages={"invalid": _("Beds and capacity are whole numbers.")},
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=0,
        error_messages={"invalid": _("Beds and capacity are whole numbers.")},
    )
    address = _text(_("Address"), 200)
    phone = _text(_("Phone"), 30)
    care_modes = forms.MultipleChoiceField(
        label=_("Care modes"), choices=CareMode.choices, required=False
    )


class StatusForm(forms.Form):
    status = _text(_("Status"), 20)


class ComplaintForm(forms.Form):
    description = _text(_("Complaint"), 2000)


class ChooseInstitutionForm(forms.Form):
    """An institution from the list: "i:<id>" one of ours, "s:<id>" one the peer shares."""

    institution = forms.RegexField(
        label=_("Institution"),
        regex=r"^[is]:\d{1,12}$",
        error_messages={"invalid": _("Choose an institution from the list.")},
        required=False,
    )
    care_mode = _text(_("Care mode"), 20)

    def chosen(self) -> tuple[str, int | None]:
        kind, _sep, ident = (self.cleaned_data["institution"] or "").partition(":")
        return kind, int(ident) if ident else None


class MonthField(forms.CharField):
    """A month as YYYY-MM, cleaned to its first day."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return date.fromisoformat(text + "-01")
        except ValueError:
            raise ValidationError(_("Give the month as YYYY-MM."), code="invalid") from None


class ServiceRecordForm(forms.Form):
    """A month of care: for one of our insured, or for a recognised person of the peer region
    at one of our institutions."""

    month = MonthField(label=_("Month"), max_length=7)
    units = forms.IntegerField(label=_("Days or visits"), min_value=0)
    care_mode = _text(_("Care mode"), 20)
    insured = forms.IntegerField(required=False, min_value=1)
    recognition = forms.IntegerField(required=False, min_value=1)
    institution = forms.IntegerField(required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("insured") and not (data.get("recognition") and data.get("institution")):
            raise ValidationError(_("Give the month, the number of days or visits, and the place."))
        return data


class PersonStatusForm(ValuesForm):
    peer = _text(_("Peer region"), 12)
    id_number = _text(_("ID number"), 30)
    purpose = _text(_("Purpose"), 200)
