"""The youth pages' forms: a step with its facts, a volunteer activity with its participants,
the import file, and the people list's filters. They check the shape of the input; the rules
(dates, ages, votes, training) are the services' (jiceng/youth/rules.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.youth.models import Stage

MAX_NAMES = 10


def _names(text: str) -> list[str]:
    for separator in ("、", "，", ",", ";", "；", "\n"):
        text = text.replace(separator, " ")
    return [name for name in text.split() if name]


class StepForm(forms.Form):
    """A step on a date; the facts that step needs (the others are left out)."""

    step = forms.ChoiceField(label=_("Step"))
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    names = forms.CharField(
        label=_("Mentors or introducers"),
        required=False,
        max_length=400,
        help_text=_("Names separated by commas: 1 or 2 mentors, exactly 2 introducers."),
    )
    result = forms.ChoiceField(
        label=_("Review result"),
        required=False,
        choices=[
            ("", "—"),
            ("passed", pgettext_lazy("review result", "Passed")),
            ("failed", pgettext_lazy("review result", "Failed")),
        ],
    )
    days = forms.DecimalField(
        label=_("Training days"), required=False, min_value=0, max_value=1000, decimal_places=1
    )
    hours = forms.DecimalField(
        label=_("Training hours"), required=False, min_value=0, max_value=10000, decimal_places=1
    )
    expected = forms.IntegerField(
        label=_("Voting members expected"), required=False, min_value=1, max_value=10000
    )
    present = forms.IntegerField(
        label=_("Members present"), required=False, min_value=0, max_value=10000
    )
    votes_for = forms.IntegerField(
        label=_("Votes for"), required=False, min_value=0, max_value=10000
    )
    extension_months = forms.IntegerField(
        label=_("Probation extended by (months)"), required=False, min_value=1, max_value=24
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, steps: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["step"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = steps

    def facts(self) -> dict[str, Any]:
        """The facts of the chosen step, as the service takes them."""
        data = self.cleaned_data
        step = data["step"]
        facts: dict[str, Any] = {}
        if step in ("mentors", "introducers"):
            facts[step] = _names(data.get("names") or "")[:MAX_NAMES]
        if step == "political_review" and data.get("result"):
            facts["result"] = data["result"]
        if step == "training":
            facts["days"] = float(data.get("days") or 0)
            facts["hours"] = float(data.get("hours") or 0)
        if step in ("branch_meeting", "conversion_meeting") and data.get("expected") is not None:
            facts["expected"] = data["expected"]
            facts["present"] = data.get("present") or 0
            facts["for"] = data.get("votes_for") or 0
        if step == "probation_education" and data.get("extension_months"):
            facts["extension_months"] = data["extension_months"]
        if data.get("note"):
            facts["note"] = data["note"]
        return facts


class ActivityForm(forms.Form):
    """A volunteer activity on a platform with who took part (records the user may see)."""

    name = forms.CharField(label=_("Activity"), max_length=200)
    on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label=_("Hours each"), min_value=0.5, max_value=24, decimal_places=1)
    participants = forms.MultipleChoiceField(
        label=_("Participants"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(pk), name) for pk, name in people]

    def participant_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["participants"]]


class TalentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("Excel (.xlsx) or CSV with a header row."),
    )


class PeopleFilter(forms.Form):
    """The people list's filters; anything malformed is ignored rather than refused."""

    q = forms.CharField(label=_("Name"), required=False, max_length=50)
    region = forms.RegexField(label=_("Town or village"), required=False, regex=r"^\d{9}(\d{3})?$")
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", "—"), *Stage.choices])
    tag = forms.ChoiceField(
        label=_("Tag"),
        required=False,
        choices=[
            ("", "—"),
            ("wealth_leader", _("Wealth leader")),
            ("reserve_cadre", _("Reserve cadre")),
            ("committee_member", _("Village committee member")),
        ],
    )
