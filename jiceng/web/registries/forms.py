"""Forms of the registry pages. They check the shape of the input; the services check the rest
(ID numbers, credit codes, scope) and their errors are put back on the fields here."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiceng.core.audit_trail import AUDITED_MODELS
from jiceng.core.models import Organisation, Person, Site, User
from jiceng.core.selectors import regions_in_scope

_INDENT = {"county": 0, "town": 1, "village": 2, "grid": 3}


def region_choices(user: User, *, deepest_level: str = "grid") -> list[tuple[str, str]]:
    """The regions of the user's scope, indented by level, for a select."""
    return [
        (region.code, "\u3000" * _INDENT.get(region.level, 0) + f"{region.name} ({region.code})")
        for region in regions_in_scope(user, deepest_level=deepest_level).only(
            "code", "name", "level"
        )
    ]


class RegionField(forms.ChoiceField):
    def __init__(self, *, user: User, **kwargs: Any):
        super().__init__(choices=[("", "—"), *region_choices(user)], **kwargs)


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class PersonCreateForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        min_length=1,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("18 characters; the last may be X."),
    )
    region = forms.ChoiceField(label=_("Region"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionField(user=user, label=_("Region"))


class PersonEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    region = forms.ChoiceField(label=_("Region"))
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionField(user=user, label=_("Region"))

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {
            "name": person.name,
            "region": person.region_id,
            "phone": person.phone,
            "address": person.address,
        }


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Required except for government departments and bank outlets."),
    )
    region = forms.ChoiceField(label=_("Region"))
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    legal_representative = forms.CharField(
        label=_("Legal representative"), max_length=50, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    employees = forms.IntegerField(label=_("Employees"), min_value=0, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionField(user=user, label=_("Region"))

    @staticmethod
    def initial_for(org: Organisation) -> dict[str, Any]:
        return {
            "name": org.name,
            "kind": org.kind,
            "credit_code": org.credit_code or "",
            "region": org.region_id,
            "industry": org.industry,
            "address": org.address,
            "legal_representative": org.legal_representative,
            "phone": org.phone,
            "employees": org.employees,
        }


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Site.Kind.choices)
    region = forms.ChoiceField(label=_("Region"))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    organisation_credit_code = forms.CharField(
        label=_("Organisation (credit code)"),
        max_length=18,
        required=False,
        help_text=_("The credit code of the organisation the site belongs to, if any."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionField(user=user, label=_("Region"))

    @staticmethod
    def initial_for(site: Site) -> dict[str, Any]:
        return {
            "name": site.name,
            "kind": site.kind,
            "region": site.region_id,
            "address": site.address,
            "lat": site.lat,
            "lon": site.lon,
            "organisation_credit_code": (
                site.organisation.credit_code if site.organisation else ""
            ),
        }


class RegistryFilterForm(forms.Form):
    """The list filters; a bad value is ignored rather than refused (they come from URLs)."""

    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(
        self, *args: Any, user: User, kinds: list[tuple[str, Any]] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        _choice_field(self, "region").choices = [
            ("", _("All of my region")),
            *region_choices(user, deepest_level="village"),
        ]
        if kinds is None:
            del self.fields["kind"]
        else:
            _choice_field(self, "kind").choices = [("", _("All kinds")), *kinds]

    def value(self, name: str) -> str:
        if not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")


class FindPersonByIdForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file, with the template's columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel")], initial="csv")
    q = forms.CharField(max_length=100, required=False)
    region = forms.CharField(max_length=15, required=False)
    kind = forms.CharField(max_length=30, required=False)
    clear_id_numbers = forms.BooleanField(required=False)


class AuditQueryForm(forms.Form):
    model = forms.ChoiceField(label=_("Record type"), required=False)
    user = forms.CharField(label=_("User"), max_length=150, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    object = forms.CharField(
        label=_("Record number"),
        max_length=64,
        required=False,
        help_text=_("With a record type: the record's number (or a region's code)."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choice_field(self, "model").choices = [
            ("", _("All")),
            *[(name, model._meta.verbose_name) for name, model in AUDITED_MODELS.items()],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("The start date is after the end date."))
        return data
