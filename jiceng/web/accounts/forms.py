"""Forms of the account pages. They check the shape of the input; the account services check who
may grant what (jiceng.core.access) and their refusals are put back on the fields here."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core import access
from jiceng.core.models import Role, User
from jiceng.web.registries.forms import region_choices

_ACTIVE_CHOICES = [
    ("", _("All")),
    ("1", _("Active")),
    ("0", pgettext_lazy("account state", "Disabled")),
]


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _role_choices(manager: User) -> list[tuple[str, str]]:
    allowed = access.grantable_roles(manager)
    return [(value, str(label)) for value, label in Role.choices if value in allowed]


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=_ACTIVE_CHOICES)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "region").choices = [("", _("All")), *region_choices(user)]
        _choices(self, "role").choices = [("", _("All")), *_role_choices(user)]

    def value_of(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "") if self.is_valid() else ""

    def active_value(self) -> bool | None:
        value = self.value_of("active")
        return None if value == "" else value == "1"


class _ServiceCheckedChoice(forms.ChoiceField):
    """Offers the manager's own choices, but lets any value through to the service, which
    refuses what lies beyond the manager's reach with the reason (not "not a valid choice")."""

    def valid_value(self, value: Any) -> bool:
        return True


class _ServiceCheckedRoles(forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


class UserForm(forms.Form):
    """Create (with a username) or edit an account: display name, region, roles."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; it cannot be changed later."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    region = _ServiceCheckedChoice(label=_("Region (scope)"))
    roles = _ServiceCheckedRoles(
        label=_("Roles"), widget=forms.CheckboxSelectMultiple, required=True
    )

    def __init__(self, *args: Any, manager: User, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]
        _choices(self, "region").choices = [("", "—"), *region_choices(manager)]
        _choices(self, "roles").choices = _role_choices(manager)

    @staticmethod
    def initial_for(user: User) -> dict[str, Any]:
        return {
            "display_name": user.display_name,
            "region": user.region_id,
            "roles": list(user.role_grants.values_list("role", flat=True)),
        }


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the outlet's counter PC."),
    )


class WorkplacesForm(forms.Form):
    """The hall service points and gas stations a user works at (choices given by the view)."""

    points = forms.MultipleChoiceField(label=_("Service points (hall)"), required=False)
    stations = forms.MultipleChoiceField(label=_("Gas stations"), required=False)

    def __init__(
        self,
        *args: Any,
        points: list[tuple[str, str]],
        stations: list[tuple[str, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        _choices(self, "points").choices = points
        _choices(self, "stations").choices = stations
        for name in ("points", "stations"):
            self.fields[name].widget.attrs["size"] = "8"


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label=_("Staff file"),
        help_text=_("An Excel workbook (.xlsx) or CSV file with the template's columns."),
    )
