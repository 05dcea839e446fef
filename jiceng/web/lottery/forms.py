from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.models import User
from jiceng.lottery.models import GrantCategory, PublicityActivity
from jiceng.web.cases.forms import PhotosField
from jiceng.web.registries.forms import region_choices


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


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput({"type": "date"}))


class OutletForm(forms.Form):
    """A new outlet (销售网点): where it is, who owns it, when it opened."""

    code = forms.SlugField(label=_("Outlet code"), max_length=30)
    name = forms.CharField(label=pgettext_lazy("outlet", "Name"), max_length=100)
    licence = forms.CharField(label=_("Licence"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)
    opened_on = _date(_("Opened on"))

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ChoiceField(
            label=_("Region"),
            choices=[("", "—"), *region_choices(user, deepest_level="village")],
        )


class OutletEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("outlet", "Name"), max_length=100)
    licence = forms.CharField(label=_("Licence"), max_length=50, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    owner = forms.CharField(label=_("Owner"), max_length=100, required=False)


class OutletCloseForm(forms.Form):
    closed_on = _date(_("Closed from"))


class SellerForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    pledge_signed_on = _date(_("Pledge signed on"), required=False)


class SellerDateForm(forms.Form):
    """The seller and a day: the pledge signed, or the day they left."""

    seller = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    on = _date(pgettext_lazy("day", "On"))


class TrainingForm(forms.Form):
    seller = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    topic = forms.CharField(label=_("Training"), max_length=200)
    held_on = _date(_("Held on"))


class GrantForm(forms.Form):
    """A project funded from the welfare fund (公益金资助项目)."""

    title = forms.CharField(label=_("Project"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=GrantCategory.choices)
    recipient = forms.CharField(label=_("Recipient organisation"), max_length=200)
    approved_amount = forms.DecimalField(
        label=_("Amount approved (yuan)"),
        min_value=Decimal("0.01"),
        max_digits=16,
        decimal_places=2,
    )
    approved_on = _date(_("Approved on"))

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"] = forms.ChoiceField(
            label=_("Region"), choices=[("", "—"), *region_choices(user, deepest_level="town")]
        )


class DisbursementForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=16, decimal_places=2
    )
    paid_on = _date(_("Paid on"))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=pgettext_lazy("grant", "Outcome"), widget=forms.Textarea, max_length=5000
    )


class GrantPhotosForm(forms.Form):
    photos = PhotosField(label=_("Photos of the outcome"), required=True)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
