"""The gas pages' forms: a phone order at the call centre, a delivery by scanning, a safety
check on site. Each checks the shape of the input (numbers, lengths, one of the offered answers)
and says which field is wrong; the services check the rest (a site in scope, a size that exists)
and their errors are shown the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiceng.gas.selectors import parse_scan

VERDICTS = [("ok", _("Fine")), ("minor", _("Minor hazard")), ("major", _("Major hazard"))]


def form_problems(form: forms.Form, error: ValidationError | None = None) -> dict[str, list[str]]:
    """The form's errors (and a service's) as {field: ["Label: message", ...]}, for pages that
    list them above the form."""
    problems: dict[str, list[str]] = {}
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        problems[name] = [f"{label}: {m}" if label else str(m) for m in errors]
    if error is not None:
        found = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        for name, messages in found.items():
            problems.setdefault(name, []).extend(str(m) for m in messages)
    return problems


def problem_list(problems: dict[str, list[str]]) -> list[str]:
    return [message for messages in problems.values() for message in messages]


class OrderForm(forms.Form):
    """A caller's order: the site picked from the caller's number, the size and the count."""

    site = forms.IntegerField(label=_("Site"), min_value=1)
    nominal_kg = forms.IntegerField(label=_("Size (kg)"), min_value=1)
    count = forms.IntegerField(label=_("Cylinders"), min_value=1)
    phone = forms.CharField(label=_("Caller's phone"), max_length=30, required=False)


class DeliveryForm(forms.Form):
    """The full cylinders handed over and the empties taken back, one scan (or code) a line."""

    delivered = forms.CharField(label=_("Delivered"), max_length=5000, required=False, strip=False)
    collected = forms.CharField(label=_("Collected"), max_length=5000, required=False, strip=False)

    @staticmethod
    def _identifiers(text: str) -> list[str]:
        return [parse_scan(line) for line in text.splitlines() if line.strip()]

    def delivered_identifiers(self) -> list[str]:
        return self._identifiers(self.cleaned_data["delivered"])

    def collected_identifiers(self) -> list[str]:
        return self._identifiers(self.cleaned_data["collected"])


class SafetyCheckForm(forms.Form):
    """Each item of the checklist fine, a minor or a major hazard, with a note; a general note.
    An item not answered counts as fine (the page checks "fine" by default)."""

    note = forms.CharField(label=_("Note"), max_length=2000, required=False)

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any):
        """`items`: the gas checklist's active items (code, text), from the engine."""
        super().__init__(*args, **kwargs)
        self.item_codes = [code for code, _label in items]
        for value, label in items:
            self.fields[f"item-{value}"] = forms.ChoiceField(
                label=label, choices=VERDICTS, required=False
            )
            self.fields[f"note-{value}"] = forms.CharField(
                label=label, max_length=300, required=False
            )

    def answers_and_hazards(self) -> tuple[dict[str, dict[str, Any]], list[dict[str, str]]]:
        """The answers by item and the hazards to report, as `safety_check_record` takes them."""
        answers, hazards = {}, []
        for item in self.item_codes:
            verdict = self.cleaned_data.get(f"item-{item}") or "ok"
            note = self.cleaned_data.get(f"note-{item}") or ""
            answers[item] = {"ok": verdict == "ok", "note": note}
            if verdict in ("minor", "major"):
                hazards.append({"item": item, "grade": verdict, "description": note})
        return answers, hazards


class ScaleDeviceForm(forms.Form):
    name = forms.CharField(
        label=_("Device name"),
        max_length=100,
        help_text=_("What the device is and where it stands, e.g. 1号充装秤."),
    )
