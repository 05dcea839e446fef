from django import forms
from django.utils.translation import gettext_lazy as _


class SalesImportForm(forms.Form):
    file = forms.FileField(
        label=_("Sales file (CSV or Excel: date,outlet,game,amount)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
