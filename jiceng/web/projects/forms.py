from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DECISION_ROWS = 3


class MeetingForm(forms.Form):
    """The minutes of a weekly meeting and up to three decisions with due dates."""

    held_on = forms.DateField(label=_("Date"))
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, max_length=20000)

    def __init__(self, *args, **kwargs):
        projects = kwargs.pop("projects")
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(p.pk), p.name) for p in projects]
        for i in range(DECISION_ROWS):
            self.fields[f"text_{i}"] = forms.CharField(
                label=_("Decision"), max_length=500, required=False
            )
            self.fields[f"project_{i}"] = forms.ChoiceField(
                label=_("Project"), choices=choices, required=False
            )
            self.fields[f"due_{i}"] = forms.DateField(label=_("Due on"), required=False)

    def decisions(self, projects_by_id):
        rows = []
        for i in range(DECISION_ROWS):
            text = self.cleaned_data.get(f"text_{i}")
            if not text:
                continue
            due = self.cleaned_data.get(f"due_{i}")
            if due is None:
                self.add_error(f"due_{i}", _("A decision needs a due date."))
                continue
            project = projects_by_id.get(self.cleaned_data.get(f"project_{i}") or "")
            rows.append({"text": text, "due_on": due, "project": project})
        return rows


class StageForm(forms.Form):
    action = forms.ChoiceField(choices=[("advance", "advance"), ("revert", "revert")])
    version = forms.IntegerField(min_value=1)


class InvestmentForm(forms.Form):
    """One month's planned and completed investment (10,000 yuan)."""

    month = forms.DateField(label=_("Month (any day of it)"))
    planned = forms.DecimalField(label=_("Planned"), min_value=0, max_digits=14, decimal_places=2)
    completed = forms.DecimalField(
        label=_("Completed"), min_value=0, max_digits=14, decimal_places=2
    )


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


class ProblemForm(forms.Form):
    """A problem of the project, reported as a case of its category."""

    title = forms.CharField(label=_("Problem"), max_length=200)
    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args, **kwargs):
        categories = kwargs.pop("categories")
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = categories
