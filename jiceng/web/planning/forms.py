"""Forms of the planning pages: they check the shape of the input; the hall's planning glue and
services check the rest (scope, roles)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.hall.models import Hall, ServiceItem
from jiceng.web.templatetags.case_display import localized_name

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TidalForm(forms.Form):
    """Which hall and which week (any day of it; the plan starts on its Monday). The hall is
    looked up in the user's scope by the view (one outside it is a 404)."""

    hall = forms.IntegerField(label=_("Hall"), min_value=1)
    week = forms.DateField(label=_("Week of"), widget=DATE_INPUT)

    def __init__(self, *args: Any, halls: list[Hall], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["hall"].widget = forms.Select(choices=[(h.pk, h.name) for h in halls])


class ApplyForm(TidalForm):
    """Applying the plan the manager reviewed (its fingerprint)."""

    fingerprint = forms.CharField(max_length=40, widget=forms.HiddenInput)


class CircleForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"))
    minutes = forms.FloatField(
        label=_("Within (minutes)"), required=False, min_value=1, max_value=180
    )
    p = forms.IntegerField(
        label=_("New points (empty: the fewest that cover every village)"),
        required=False,
        min_value=1,
        max_value=500,
    )

    def __init__(self, *args: Any, items: list[ServiceItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["item"]).choices = [
            (i.code, f"{i.code} {localized_name(i)}") for i in items
        ]
