"""Forms of the case pages. They check the shape of the input; the case services check the rest
(scope, the state machine, categories' questions, photos) and their errors are put back on the
fields here."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiceng.cases.models import CategoryAttribute, Priority, Source, Status
from jiceng.cases.photos import MAX_PHOTOS
from jiceng.cases.selectors import (
    CategoryRules,
    InboxFilter,
    active_categories,
    inbox_departments,
    own_inbox,
)
from jiceng.cases.services import CASE_MACHINE, MAX_DESCRIPTION
from jiceng.core.models import User
from jiceng.core.selectors import regions_in_scope
from jiceng.web.templatetags.case_display import localized_name

_INDENT = {"county": 0, "town": 1, "village": 2, "grid": 3}
COLOUR_CHOICES = [
    ("red", _("Overdue")),
    ("yellow", _("Due soon")),
    ("green", _("In time")),
]


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active categories grouped for a select with option groups."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in active_categories():
        groups.setdefault(localized_name(category, "group"), []).append(
            (category.code, localized_name(category))
        )
    return list(groups.items())


# --- the inbox -------------------------------------------------------------------------------


class InboxFilterForm(forms.Form):
    """The inbox's filters, from the URL. A bad value is ignored rather than refused."""

    view = forms.ChoiceField(
        label=_("Cases"),
        required=False,
        choices=[("mine", _("Mine to handle")), ("all", _("Everything in my region"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("all", _("All")), *Status.choices],
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    colour = forms.ChoiceField(
        label=_("Deadline"), required=False, choices=[("", _("Any")), *COLOUR_CHOICES]
    )
    town = forms.ChoiceField(label=_("Town"), required=False)
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label=_("Reported from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Reported until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        _choices(self, "category").choices = [("", _("All categories")), *category_choices()]
        towns = [
            (town.code, localized_name(town))
            for town in regions_in_scope(user, deepest_level="town")
            .filter(level="town")
            .only("code", "name", "name_en")
        ]
        _choices(self, "town").choices = [("", _("All towns")), *towns]
        self.show_towns = len(towns) > 1
        _choices(self, "department").choices = [
            ("", _("All departments")),
            *[(d.pk, localized_name(d)) for d in inbox_departments(user)],
        ]

    def value(self, name: str) -> Any:
        """A field's clean value, or its empty value when it was missing or bad."""
        self.is_valid()
        return self.cleaned_data.get(name) or None

    def chosen_view(self) -> str:
        """ "mine" unless asked otherwise; naming a department or a town looks beyond one's own."""
        view = self.value("view")
        if view:
            return str(view)
        return "all" if self.value("department") or self.value("town") else "mine"

    def inbox_filter(self) -> InboxFilter:
        mine = own_inbox(self.user) if self.chosen_view() == "mine" else {}
        return InboxFilter(
            status=self.value("status") or "open",
            category=self.value("category") or "",
            colour=self.value("colour") or "",
            town=self.value("town") or "",
            department=self.value("department"),
            date_from=self.value("date_from"),
            date_to=self.value("date_to"),
            query=(self.value("q") or "").strip(),
            **mine,
        )

    def page_number(self) -> int:
        return int(self.value("page") or 1)


class CaseVersionsField(forms.Field):
    """Ticked cases, each as "id.version": the case and the version of it the user saw."""

    widget = forms.MultipleHiddenInput
    most = 200

    def to_python(self, value: Any) -> list[tuple[int, int]]:
        picked: list[tuple[int, int]] = []
        for item in value or []:
            case_id, _dot, version = str(item).partition(".")
            if len(item) > 30 or not (case_id.isdigit() and version.isdigit()):
                raise ValidationError(_("Unknown case."))
            picked.append((int(case_id), int(version)))
        if len(picked) > self.most:
            raise ValidationError(_("At most %(n)d cases at once.") % {"n": self.most})
        return list(dict.fromkeys(picked))


class BulkDispatchForm(forms.Form):
    cases = CaseVersionsField(error_messages={"required": _("Tick the cases to dispatch.")})
    department = forms.IntegerField(required=False, min_value=1)


# --- photos ----------------------------------------------------------------------------------


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input; the case services check what each one really is."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(_("At most %(n)d photos.") % {"n": MAX_PHOTOS})
        cleaned = []
        for upload in files:
            cleaned.append(super().clean(upload, initial))
        return cleaned


# --- reporting a case ------------------------------------------------------------------------


def place_choices(user: User) -> list[tuple[str, str]]:
    """The villages and grids of the user's scope (and their own region), indented by level."""
    regions = regions_in_scope(user, deepest_level="grid").only("code", "name", "name_en", "level")
    return [
        (region.code, "\u3000" * max(_INDENT.get(region.level, 0) - 2, 0) + localized_name(region))
        for region in regions
        if region.level in ("village", "grid") or region.code == user.region_id
    ]


class CaseReportForm(forms.Form):
    category = forms.ChoiceField(label=_("What is the problem?"))
    description = forms.CharField(
        label=_("Description"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What, where exactly, since when; anything the handler should know."),
    )
    region = forms.ChoiceField(label=_("Village or grid"), required=False)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    address = forms.CharField(label=_("Address or landmark"), max_length=300, required=False)
    photos = PhotosField(label=_("Photos"))
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    source = forms.ChoiceField(
        label=_("Reported by"),
        choices=[
            (Source.GRID_WORKER, Source.GRID_WORKER.label),
            (Source.RESIDENT, Source.RESIDENT.label),
            (Source.HOTLINE, Source.HOTLINE.label),
            (Source.INSPECTION, Source.INSPECTION.label),
        ],
        initial=Source.GRID_WORKER,
    )
    reporter_name = forms.CharField(label=_("Resident's name"), max_length=100, required=False)
    reporter_phone = forms.CharField(
        label=_("Resident's phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "category").choices = [("", _("Choose a category")), *category_choices()]
        # Changing the category brings its questions (htmx swaps them in).
        self.fields["category"].widget.attrs.update(
            {
                "hx-get": reverse("case-report-attributes"),
                "hx-trigger": "change",
                "hx-target": "#attribute-fields",
                "hx-swap": "outerHTML",
            }
        )
        places = place_choices(user)
        _choices(self, "region").choices = [("", _("Choose, or locate on the map")), *places]
        if len(places) == 1 and not self.is_bound:
            self.initial.setdefault("region", places[0][0])

    def more_fields(self) -> list[forms.BoundField]:
        """The fields folded away under "more": priority and who reported the case."""
        return [self[name] for name in ("priority", "source", "reporter_name", "reporter_phone")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_point = data.get("lat") is not None and data.get("lon") is not None
        if not data.get("region") and not has_point and "region" not in self.errors:
            self.add_error(
                "region",
                _("Say where: use your location, pick the place on the map or choose a region."),
            )
        return data

    def attribute_answers(self, rules: CategoryRules, post: Any) -> dict[str, Any]:
        """The answers to the chosen category's questions, from fields named attr_<code>."""
        answers: dict[str, Any] = {}
        for attribute in rules.attributes:
            name = f"attr_{attribute.code}"
            if attribute.datatype == CategoryAttribute.Datatype.MULTIVALUELIST:
                values = [v for v in post.getlist(name) if v]
                if values:
                    answers[attribute.code] = values
            elif post.get(name, "").strip():
                answers[attribute.code] = post.get(name).strip()
        return answers


# --- acting on a case ------------------------------------------------------------------------


class CaseActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, name) for name in CASE_MACHINE.names])
    expected_version = forms.IntegerField(min_value=1)
    note = forms.CharField(
        label=_("Note"), max_length=MAX_DESCRIPTION, required=False, widget=forms.Textarea
    )
    department = forms.IntegerField(label=_("Department"), required=False, min_value=1)
    duplicate_of = forms.CharField(
        label=_("Duplicate of case number"), max_length=30, required=False
    )
    score = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
    )
    photos = PhotosField(label=_("Photos"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "merge" and not data.get("duplicate_of"):
            self.add_error("duplicate_of", _("Give the number of the case this one duplicates."))
        if action == "rate" and data.get("score") is None:
            self.add_error("score", _("Choose from one to five stars."))
        return data


# --- scorecards ------------------------------------------------------------------------------


class ScorecardForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)
    by = forms.ChoiceField(
        required=False, choices=[("town", _("Towns")), ("department", _("Departments"))]
    )
    screen = forms.BooleanField(required=False)
    format = forms.ChoiceField(required=False, choices=[("", "HTML"), ("xlsx", "Excel")])

    def value(self, name: str) -> Any:
        self.is_valid()
        return self.cleaned_data.get(name) or None
