"""Forms of the power pages: they check the shape of what is typed; the services check the rest
(jiceng/power/services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiceng.power.models import DrEvent, Machine

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class ReadingsForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or Excel: columns meter,time,kw (or time,kw for the meter named below); one "
            "row per quarter hour, the time with its offset or in local time."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    meter = forms.CharField(label=_("Meter (for a time,kw file)"), max_length=40, required=False)


class TemperaturesForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel: columns date,max[,min] in °C, one row per day."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class DayForm(forms.Form):
    day = forms.DateField(label=_("Day"), required=False, widget=DATE)
    start = forms.DateField(label=_("Bill from"), required=False, widget=DATE)
    end = forms.DateField(label=_("Bill until"), required=False, widget=DATE)


class MachineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Machine.Kind.choices)
    power_kw = forms.DecimalField(label=_("kW"), max_digits=10, decimal_places=2, min_value=0)
    run_minutes = forms.IntegerField(label=_("Minutes"), min_value=15, max_value=1440)
    window_start = forms.TimeField(label=_("Window from"), widget=TIME)
    window_end = forms.TimeField(label=_("Window until"), widget=TIME)
    current_start = forms.TimeField(label=_("Starts now at"), widget=TIME)
    crew = forms.CharField(label=_("Crew"), max_length=50, required=False)
    shifts = forms.CharField(label=_("Shifts"), max_length=100, required=False)


class PlanForm(forms.Form):
    """The plan's day and the account manager's pinned starts (`start_<machine id>`)."""

    on = forms.DateField(label=_("Priced on"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: object, machines: list[Machine], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.machines = machines
        for machine in machines:
            self.fields[f"start_{machine.pk}"] = forms.TimeField(
                label=machine.name, required=False, widget=TIME
            )

    def starts(self) -> dict[int, object]:
        return {
            machine.pk: self.cleaned_data[f"start_{machine.pk}"]
            for machine in self.machines
            if self.cleaned_data.get(f"start_{machine.pk}") is not None
        }


class EventForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    start = forms.TimeField(label=_("From"), widget=TIME)
    end = forms.TimeField(label=_("Until"), widget=TIME)
    kind = forms.ChoiceField(label=_("Kind"), choices=DrEvent.Kind.choices)
    baseline = forms.ChoiceField(label=_("Baseline"), choices=())
    price_yuan_per_kwh = forms.DecimalField(
        label=_("Price (yuan/kWh)"), max_digits=8, decimal_places=4, min_value=0
    )
    target_kw = forms.DecimalField(
        label=_("Target (kW)"), max_digits=12, decimal_places=2, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: object, baselines: dict[str, str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["baseline"].choices = list(baselines.items())  # type: ignore[attr-defined]


class InviteForm(forms.Form):
    meters = forms.CharField(
        label=_("Meters to invite"),
        help_text=_("Meter codes, separated by spaces, commas or lines."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def codes(self) -> list[str]:
        text = self.cleaned_data["meters"].replace(",", " ").replace("，", " ")
        return [code for code in text.split() if code]


class CommitForm(forms.Form):
    meter = forms.CharField(label=_("Meter"), max_length=40)
    kw = forms.DecimalField(label=_("Commitment (kW)"), max_digits=12, decimal_places=2)
