from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class PeerAddForm(forms.Form):
    code = forms.CharField(label=_("County code"), max_length=6, min_length=6)
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("Address"), max_length=300, help_text=_("e.g. http://10.0.0.5:8000")
    )
    public_key = forms.CharField(
        label=_("Public key"),
        max_length=64,
        help_text=_("As the other deployment's `jiceng ltc key show` prints it."),
    )
    agreement = forms.CharField(
        label=_("Agreement (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Fields the agreement lets this deployment send, e.g. "
            '{"person_status": ["insured", "level", "valid_until"]}'
        ),
    )

    def clean_agreement(self) -> Any:
        raw = self.cleaned_data["agreement"].strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise ValidationError(_("This is not JSON.")) from None
