from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.projects.models import Kind, Stage
from jiceng.projects.selectors import active_user, enterprise_by_credit_code, user_of_region
from jiceng.projects.services import MAX_MILESTONES

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


class ProjectForm(forms.Form):
    """A project's fields (its stage only when it is created: later it moves step by step).
    The owner enterprise is a registered organisation found by its credit code, or a name."""

    name = forms.CharField(label=_("Name"), max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    region = forms.ChoiceField(label=_("Region"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    owner_credit_code = forms.CharField(
        label=_("Owner enterprise's credit code"), max_length=18, required=False
    )
    owner_enterprise = forms.CharField(
        label=_("Owner enterprise (if not registered)"), max_length=200, required=False
    )
    lead = forms.CharField(label=_("Lead official (username)"), max_length=150, required=False)
    start_target = forms.DateField(label=_("Start target"), required=False)
    production_target = forms.DateField(label=_("Production target"), required=False)

    def __init__(self, *args, **kwargs):
        regions = kwargs.pop("regions")
        with_stage = kwargs.pop("with_stage", True)
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.code, f"{r.name} ({r.code})") for r in regions]
        if not with_stage:
            del self.fields["stage"]
        self.lead_user = None

    def clean(self):
        data = super().clean() or {}
        code = (data.get("owner_credit_code") or "").strip()
        if code:
            enterprise = enterprise_by_credit_code(code)
            if enterprise is None:
                self.add_error(
                    "owner_credit_code", _("No registered organisation has this credit code.")
                )
            else:
                data["owner_enterprise"] = enterprise.name
        username = (data.get("lead") or "").strip()
        region = data.get("region")
        if username and region:
            self.lead_user = user_of_region(username, region)
            if self.lead_user is None:
                self.add_error("lead", _("No user of the project's region: %s") % username)
        return data


class MilestoneForm(forms.Form):
    """One milestone row. Durations, predecessors and done dates are checked by the service,
    whose errors name the milestone."""

    code = forms.SlugField(label=_("Code"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    duration_days = forms.IntegerField(label=_("Working days"))
    after = forms.CharField(label=_("After (codes)"), max_length=1000, required=False)
    done_on = forms.DateField(label=_("Done on"), required=False)

    def item(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data["code"],
            "name": data.get("name") or data["code"],
            "duration_days": data["duration_days"],
            "after": [a for a in re.split(r"[\s,，、]+", data.get("after") or "") if a],
            "done_on": data.get("done_on"),
        }


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, extra=2, can_delete=True, max_num=MAX_MILESTONES, validate_max=True
)


def milestone_initial(milestones) -> list[dict]:
    return [
        {
            "code": m.code,
            "name": m.name,
            "duration_days": m.duration_days,
            "after": ", ".join(m.after),
            "done_on": m.done_on,
        }
        for m in milestones
    ]


class ContestScoreForm(forms.Form):
    """One panel member's scores of a project's roadshow, a field per criterion."""

    project = forms.ChoiceField(label=_("Project"))
    judge = forms.CharField(label=_("Panel member (username)"), max_length=150)

    def __init__(self, *args, **kwargs):
        projects = kwargs.pop("projects")
        criteria = kwargs.pop("criteria")
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(p.pk), p.name) for p in projects]
        self.projects = {str(p.pk): p for p in projects}
        self.criteria = [code for code, _name, _points in criteria]
        for code, name, points in criteria:
            self.fields[f"score_{code}"] = forms.DecimalField(
                label=f"{name} (≤ {points})",
                min_value=0,
                max_value=points,
                max_digits=6,
                decimal_places=2,
            )
        self.judge_user = None

    def clean(self):
        data = super().clean() or {}
        username = (data.get("judge") or "").strip()
        if username:
            self.judge_user = active_user(username)
            if self.judge_user is None:
                self.add_error("judge", _("No such user: %s") % username)
        return data

    def scores(self) -> dict:
        return {code: self.cleaned_data[f"score_{code}"] for code in self.criteria}

    def chosen_project(self):
        return self.projects[self.cleaned_data["project"]]
