from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.lottery.models import PublicityActivity


class SalesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Sales file (CSV or Excel: date,outlet,game,amount)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ComplaintForm(forms.Form):
    outlet = forms.CharField(label=_("Outlet code"), max_length=30)
    description = forms.CharField(
        label=_("Complaint or tip-off"), widget=forms.Textarea, max_length=2000
    )
    reporter_name = forms.CharField(label=_("Reporter"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=30, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)


class SupervisorForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    affiliation = forms.CharField(label=_("Affiliation"), max_length=200, required=False)
    appointed_on = forms.DateField(
        label=_("Appointed on"), widget=forms.DateInput({"type": "date"})
    )


class VisitForm(forms.Form):
    supervisor = forms.IntegerField(label=_("Supervisor"), min_value=1)
    outlet = forms.CharField(label=_("Outlet code"), max_length=30, required=False)
    visited_on = forms.DateField(label=_("Visited on"), widget=forms.DateInput({"type": "date"}))
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea, max_length=2000)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PublicityActivity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput({"type": "date"}))
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=10_000_000)
