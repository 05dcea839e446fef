from django import forms
from django.utils.translation import gettext_lazy as _


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
