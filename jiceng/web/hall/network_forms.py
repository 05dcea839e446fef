"""Forms of the service network's pages: the catalogue, points, hall set-up (windows, weekly
plans, days of exception, tidal rules) and handling records. They check the shape of the input;
the hall services check the rest, and their errors are put back on the fields here."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.identifiers import validate_credit_code, validate_resident_id
from jiceng.core.models import User
from jiceng.core.selectors import regions_in_scope
from jiceng.hall.models import (
    Audience,
    ItemGroup,
    Outcome,
    PointKind,
    ServiceItem,
    SessionKind,
)
from jiceng.web.templatetags.case_display import localized_name
from jiceng.web.templatetags.region_names import localized_region_name

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def group_choices() -> list[tuple[str, str]]:
    return [(g.code, f"{g.code} {localized_name(g)}") for g in ItemGroup.objects.all()]


def town_choices(user: User) -> list[tuple[str, str]]:
    """The county and towns of the user's scope (a village user: their own village)."""
    regions = regions_in_scope(user, deepest_level="town").only("code", "name", "name_en")
    found = [(r.code, localized_region_name(r)) for r in regions]
    if not found and user.region is not None:
        found = [(user.region.code, localized_region_name(user.region))]
    return found


class FilterForm(forms.Form):
    """Filters from the URL: a bad value is ignored rather than refused."""

    def value(self, name: str) -> Any:
        self.is_valid()
        return self.cleaned_data.get(name) or None


# --- the catalogue --------------------------------------------------------------------------


class CatalogueFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    audience = forms.ChoiceField(
        label=_("For"), required=False, choices=[("", _("Everybody")), *Audience.choices]
    )
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        required=False,
        choices=[("", _("All items")), ("high", _("High-frequency items"))],
    )
    group = forms.ChoiceField(label=_("Queue group"), required=False)
    kind = forms.ChoiceField(
        label=_("Handled at"),
        required=False,
        choices=[("", _("Any type of point")), *PointKind.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "group").choices = [("", _("All groups")), *group_choices()]

    def matches(self, item: ServiceItem) -> bool:
        query = (self.value("q") or "").strip().lower()
        if query and query not in f"{item.code} {item.name} {item.name_en}".lower():
            return False
        if self.value("audience") and item.audience != self.value("audience"):
            return False
        if self.value("frequency") == "high" and not item.high_frequency:
            return False
        if self.value("group") and item.group_id != self.value("group"):
            return False
        return not (self.value("kind") and self.value("kind") not in item.point_kinds)


class ItemForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    high_frequency = forms.BooleanField(label=_("High-frequency item"), required=False)
    standard_minutes = forms.IntegerField(
        label=_("Standard handling minutes"), min_value=1, max_value=10_000
    )
    promised_workdays = forms.IntegerField(
        label=_("Promised working days"), min_value=0, max_value=10_000
    )
    materials = forms.CharField(
        label=_("Required materials"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )
    point_kinds = forms.MultipleChoiceField(
        label=_("Point types that may handle it"),
        choices=PointKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    group = forms.ChoiceField(label=_("Queue group"))
    is_active = forms.BooleanField(label=_("Offered"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "group").choices = group_choices()

    @staticmethod
    def initial_for(item: ServiceItem) -> dict[str, Any]:
        return {
            "name": item.name,
            "name_en": item.name_en,
            "high_frequency": item.high_frequency,
            "standard_minutes": item.standard_minutes,
            "promised_workdays": item.promised_workdays,
            "materials": "\n".join(item.materials),
            "point_kinds": list(item.point_kinds),
            "group": item.group_id,
            "is_active": item.is_active,
        }

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["materials"] = [m.strip() for m in data["materials"].splitlines() if m.strip()]
        return data


class CatalogueReloadForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file (CSV)"),
        required=False,
        help_text=_("Leave empty to reload the catalogue shipped with Jiceng."),
    )


# --- points ---------------------------------------------------------------------------------


class PointFilterForm(FilterForm):
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *PointKind.choices]
    )
    town = forms.ChoiceField(label=_("Town"), required=False)
    item = forms.ChoiceField(label=_("Offers item"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        towns = [(c, n) for c, n in town_choices(user) if len(c) == 9]
        _choices(self, "town").choices = [("", _("All towns")), *towns]
        self.show_towns = len(towns) > 1
        _choices(self, "item").choices = [
            ("", _("Any item")),
            *[
                (i.code, f"{i.code} {localized_name(i)}")
                for i in ServiceItem.objects.filter(is_active=True)
            ],
        ]


class PointItemsForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Items handled here"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[ServiceItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "items").choices = [
            (i.code, f"{i.code} {localized_name(i)}") for i in choices
        ]


class PointStaffForm(forms.Form):
    staff = forms.TypedMultipleChoiceField(
        label=_("Staff"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "staff").choices = [
            (u.pk, f"{u} ({u.get_username()})" if str(u) != u.get_username() else str(u))
            for u in choices
        ]


# --- hall set-up ----------------------------------------------------------------------------


class WindowForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=999)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    groups = forms.MultipleChoiceField(label=_("Usual groups"), widget=forms.CheckboxSelectMultiple)
    is_tidal = forms.BooleanField(label=_("Tidal window"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "groups").choices = group_choices()


class WindowEditForm(WindowForm):
    window = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["number"].required = False
        self.fields["number"].disabled = True


class HallDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    is_open = forms.TypedChoiceField(
        label=_("The hall is"),
        choices=[
            ("0", pgettext_lazy("hall state", "Closed")),
            ("1", pgettext_lazy("hall state", "Open")),
        ],
        coerce=lambda v: v == "1",
        initial="0",
    )
    plan_weekday = forms.TypedChoiceField(
        label=_("Open with the plan of"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("(the day's own weekday)")), *WEEKDAYS],
    )
    note = forms.CharField(label=_("Note"), max_length=100, required=False)


class TidalRuleForm(forms.Form):
    group = forms.ChoiceField(label=_("When group"))
    waiting_more_than = forms.IntegerField(
        label=_("has more than this many waiting"), min_value=0, max_value=999
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "group").choices = group_choices()


class SessionForm(forms.Form):
    # An empty first choice, so that a row left blank is skipped rather than refused.
    weekday = forms.TypedChoiceField(label=_("Day"), choices=[("", "—"), *WEEKDAYS], coerce=int)
    kind = forms.ChoiceField(label=_("Session"), choices=[("", "—"), *SessionKind.choices])
    starts = forms.TimeField(label=_("Starts"), widget=TIME_INPUT)
    ends = forms.TimeField(label=_("Ends"), widget=TIME_INPUT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("A session ends after it starts."))
        return data


class BaseSessionFormSet(forms.BaseFormSet):
    def sessions(self) -> list[dict[str, object]]:
        """The rows kept (filled and not deleted) as the service takes them."""
        found = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            found.append(
                {
                    "weekday": data["weekday"],
                    "kind": data["kind"],
                    "starts": data["starts"].strftime("%H:%M"),
                    "ends": data["ends"].strftime("%H:%M"),
                }
            )
        return found


SessionFormSet = forms.formset_factory(
    SessionForm, formset=BaseSessionFormSet, extra=3, can_delete=True, max_num=100
)


class PlanFromForm(forms.Form):
    valid_from = forms.DateField(
        label=_("The new plan applies from"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty to replace the plan altogether."),
    )


# --- handling records -----------------------------------------------------------------------


class HandlingRecordForm(forms.Form):
    """What a point handled: the item, for whom, when, with what outcome."""

    item = forms.ChoiceField(label=_("Item"))
    id_number = forms.CharField(
        label=_("Resident's ID number"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    credit_code = forms.CharField(
        label=_("Enterprise's unified social credit code"),
        required=False,
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    started_at = forms.DateTimeField(
        label=_("Started"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    ended_at = forms.DateTimeField(
        label=_("Ended"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.DONE)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, items: list[ServiceItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "item").choices = [(i.code, f"{i.code} {localized_name(i)}") for i in items]

    def clean_id_number(self) -> str:
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        if value:
            validate_resident_id(value)
        return value

    def clean_credit_code(self) -> str:
        value = (self.cleaned_data.get("credit_code") or "").strip().upper()
        if value:
            validate_credit_code(value)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("id_number") and data.get("credit_code"):
            self.add_error(
                "credit_code",
                _("Give the resident's ID number or the enterprise's code, not both."),
            )
        started, ended = data.get("started_at"), data.get("ended_at")
        if started and ended and ended < started:
            self.add_error("ended_at", _("Handling ends after it starts."))
        return data
