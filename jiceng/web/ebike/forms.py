"""The forms of the e-bike pages: a live count, a lift blocker, an import file."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LiveCountForm(forms.Form):
    counted = forms.IntegerField(
        label=_("E-bikes counted"),
        min_value=0,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autofocus": True}),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LiftBlockerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    lifts = forms.IntegerField(label=_("Lifts"), min_value=1, max_value=100, initial=1)
    installed_on = forms.DateField(
        label=_("Installed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file, with the template's columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
