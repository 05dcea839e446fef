"""The KPI page of the service network: for a point, a town or the county (within the user's
scope), by day, week or month over a period: tickets and handled items, waits, handling time,
satisfaction, items handled in tidal sessions (分流) and the change of handling time against the
previous period; by item, window, hour, town and point type; ECharts charts and an Excel file
holding the same figures as the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jiceng.core.models import Region, User
from jiceng.core.spreadsheets import Sheet, xlsx_file
from jiceng.hall import kpis
from jiceng.hall.models import PointKind, ServicePoint
from jiceng.hall.selectors import halls_of_point, point_get_for_user, points_visible_to
from jiceng.web.common import request_user
from jiceng.web.hall.network_forms import DATE_INPUT, town_choices
from jiceng.web.templatetags.region_names import localized_region_name

T = "web/hall/network/"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_DAYS = 400
DEFAULT_DAYS = 30

SCRIPT_LABELS = {
    "tickets": gettext_lazy("Tickets"),
    "handled": gettext_lazy("Items handled"),
    "meanWait": gettext_lazy("Mean wait (min)"),
    "meanHandle": gettext_lazy("Handling time per item (min)"),
    "tidal": gettext_lazy("Handled in tidal sessions"),
    "noData": gettext_lazy("No data"),
}


class KpiForm(forms.Form):
    region = forms.ChoiceField(label=_("Area"), required=False)
    point = forms.TypedChoiceField(
        label=_("Or one point"), required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    granularity = forms.ChoiceField(
        label=_("By"),
        required=False,
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ChoiceField, self.fields["region"]).choices = town_choices(user)
        cast(forms.ChoiceField, self.fields["point"]).choices = [
            ("", _("(the whole area)")),
            *points_visible_to(user).values_list("pk", "name"),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        last = data.get("date_to") or timezone.localdate()
        first = data.get("date_from") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            self.add_error("date_from", _("The period starts after it ends."))
        elif (last - first).days + 1 > MAX_DAYS:
            self.add_error("date_from", _("At most %d days at a time.") % MAX_DAYS)
        data["date_from"], data["date_to"] = first, last
        data["granularity"] = data.get("granularity") or "day"
        user_region = self.user.region.code if self.user.region else ""
        data["region"] = data.get("region") or user_region
        return data


@dataclass
class Column:
    label: str
    kind: str = "int"  # int, number, percent, change, text


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)

    def shown(self) -> list[list[str]]:
        return [
            [_shown(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows
        ]

    def sheet_rows(self) -> list[list[Any]]:
        return [[str(c.label) for c in self.columns], *self.rows]


def _shown(value: Any, kind: str) -> str:
    """How the page shows a figure; the Excel file holds the value itself."""
    if value is None:
        return "—"
    if kind == "percent":
        return f"{value * 100:.1f}%"
    if kind == "change":
        return f"{value * 100:+.1f}%"
    if kind == "number":
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


def _period_label(period: date, granularity: str) -> str:
    return f"{period:%Y-%m}" if granularity == "month" else period.isoformat()


def _summary(figures: dict[str, Any]) -> list[tuple[str, Any, str]]:
    queue, totals = figures["queue"], figures["totals"]
    handled = totals["handled"]
    return [
        (_("Tickets"), queue["tickets"], "int"),
        (_("Items handled"), handled, "int"),
        (_("Mean wait (minutes)"), queue["mean_wait_minutes"], "number"),
        (_("95th-percentile wait (minutes)"), queue["p95_wait_minutes"], "number"),
        (_("Handling time per item (minutes)"), totals["mean_handle_minutes"], "number"),
        (_("Satisfaction rate"), queue["satisfaction_rate"], "percent"),
        (_("Ratings"), queue["ratings"], "int"),
        (_("Handled in tidal sessions (分流)"), totals["tidal"], "int"),
        (
            _("Share handled in tidal sessions"),
            round(totals["tidal"] / handled, 4) if handled else None,
            "percent",
        ),
        (
            _("Handling time per item, previous period (minutes)"),
            figures["previous"]["mean_handle_minutes"],
            "number",
        ),
        (
            _("Change of handling time against the previous period"),
            figures["handle_time_change"],
            "change",
        ),
    ]


def _tables(figures: dict[str, Any], hall_figures: list[dict[str, Any]]) -> list[Table]:
    granularity = figures["granularity"]
    series = Table(
        "series",
        _("By period"),
        [
            Column(_("Period"), "text"),
            Column(_("Tickets")),
            Column(_("Items handled")),
            Column(_("Mean wait (min)"), "number"),
            Column(_("95th-percentile wait (min)"), "number"),
            Column(_("Handling time per item (min)"), "number"),
            Column(_("Satisfaction rate"), "percent"),
            Column(_("Handled in tidal sessions")),
        ],
    )
    for row in figures["series"]:
        queue = row["queue"] or {}
        series.rows.append(
            [
                _period_label(row["period"], granularity),
                queue.get("tickets", 0),
                row["handled"],
                queue.get("mean_wait_minutes"),
                queue.get("p95_wait_minutes"),
                row["mean_handle_minutes"],
                queue.get("satisfaction_rate"),
                row["tidal"],
            ]
        )
    by_item = Table(
        "items",
        _("By item"),
        [
            Column(_("Item"), "text"),
            Column(_("Name"), "text"),
            Column(_("Items handled")),
            Column(_("Handling time per item (min)"), "number"),
            Column(_("Standard minutes"), "number"),
            Column(_("Handled in tidal sessions")),
            Column(_("Needs more materials")),
        ],
    )
    for row in figures["by_item"]:
        by_item.rows.append(
            [
                row["item"],
                row["name"],
                row["handled"],
                row["mean_handle_minutes"],
                row["standard_minutes"],
                row["tidal"],
                row["more_materials"],
            ]
        )
    by_hour = Table(
        "hours",
        _("By hour"),
        [
            Column(_("Hour"), "text"),
            Column(_("Items handled")),
            Column(_("Handling time per item (min)"), "number"),
            Column(_("Handled in tidal sessions")),
        ],
    )
    for row in figures["by_hour"]:
        by_hour.rows.append(
            [f"{row['hour']:02d}:00", row["handled"], row["mean_handle_minutes"], row["tidal"]]
        )
    tables = [series, by_item, by_hour]
    for hall in hall_figures:
        by_window = Table(
            f"windows-{hall['hall']['id']}",
            _("By window: %(hall)s") % {"hall": hall["hall"]["name"]},
            [
                Column(_("Window"), "text"),
                Column(_("Tickets")),
                Column(_("Served")),
                Column(_("Mean wait (min)"), "number"),
                Column(_("95th-percentile wait (min)"), "number"),
                Column(_("Handling time per item (min)"), "number"),
                Column(_("Satisfaction rate"), "percent"),
                Column(_("Served in tidal sessions")),
            ],
        )
        for row in hall["by_window"]:
            by_window.rows.append(
                [
                    row["name"],
                    row["tickets"],
                    row["served"],
                    row["mean_wait_minutes"],
                    row["p95_wait_minutes"],
                    row["mean_handle_minutes"],
                    row["satisfaction_rate"],
                    row["tidal_served"],
                ]
            )
        tables.append(by_window)
    if len(figures["by_town"]) > 1:
        names = dict(
            Region.objects.filter(code__in=[r["town"] for r in figures["by_town"]]).values_list(
                "code", "name"
            )
        )
        by_town = Table(
            "towns",
            _("By town"),
            [
                Column(_("Town"), "text"),
                Column(_("Items handled")),
                Column(_("Handling time per item (min)"), "number"),
                Column(_("Handled in tidal sessions")),
            ],
        )
        for row in figures["by_town"]:
            by_town.rows.append(
                [
                    names.get(row["town"], row["town"]),
                    row["handled"],
                    row["mean_handle_minutes"],
                    row["tidal"],
                ]
            )
        tables.append(by_town)
    kinds = dict(PointKind.choices)
    by_kind = Table(
        "kinds",
        _("By type of point"),
        [
            Column(_("Type"), "text"),
            Column(_("Items handled")),
            Column(_("Handling time per item (min)"), "number"),
            Column(_("Handled in tidal sessions")),
        ],
    )
    for row in figures["by_point_kind"]:
        by_kind.rows.append(
            [
                str(kinds.get(row["kind"], row["kind"])),
                row["handled"],
                row["mean_handle_minutes"],
                row["tidal"],
            ]
        )
    tables.append(by_kind)
    return tables


def _chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    granularity = figures["granularity"]
    series = figures["series"]
    return {
        "series": {
            "periods": [_period_label(r["period"], granularity) for r in series],
            "tickets": [(r["queue"] or {}).get("tickets", 0) for r in series],
            "handled": [r["handled"] for r in series],
            "tidal": [r["tidal"] for r in series],
            "meanWait": [(r["queue"] or {}).get("mean_wait_minutes") for r in series],
            "meanHandle": [r["mean_handle_minutes"] for r in series],
        },
        "hours": {
            "hours": [f"{r['hour']:02d}" for r in figures["by_hour"]],
            "handled": [r["handled"] for r in figures["by_hour"]],
        },
        "items": {
            "names": [f"{r['item']} {r['name']}" for r in figures["by_item"]],
            "handled": [r["handled"] for r in figures["by_item"]],
            "meanHandle": [r["mean_handle_minutes"] for r in figures["by_item"]],
        },
    }


def _figures(
    user: User, data: dict[str, Any]
) -> tuple[str, ServicePoint | None, dict[str, Any], list[dict[str, Any]]]:
    first, last, granularity = data["date_from"], data["date_to"], data["granularity"]
    point = point_get_for_user(user, data["point"]) if data.get("point") else None
    if point is not None:
        figures = kpis.network_kpis(
            region_code=point.region_id,
            point=point,
            date_from=first,
            date_to=last,
            granularity=granularity,
        )
        halls = [
            kpis.hall_kpis(hall, date_from=first, date_to=last, granularity=granularity)
            for hall in halls_of_point(point)
        ]
        return point.name, point, figures, halls
    code = data["region"]
    region = Region.objects.get(code=code)
    figures = kpis.network_kpis(
        region_code=code, date_from=first, date_to=last, granularity=granularity
    )
    return localized_region_name(region), None, figures, []


@login_required
@require_GET
def kpis_page(request: HttpRequest) -> HttpResponseBase:
    user = request_user(request)
    query = request.GET.copy()  # the defaults shown in the form: the last 30 days, own area
    today = timezone.localdate()
    if not query.get("date_to"):
        query["date_to"] = today.isoformat()
    if not query.get("date_from") and query["date_to"] == today.isoformat():
        query["date_from"] = (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
    if not query.get("region") and user.region is not None:
        query["region"] = user.region.code
    form = KpiForm(query, user=user)
    if not form.is_valid() or not form.cleaned_data["region"]:
        return render(request, T + "kpis.html", {"form": form, "figures": None}, status=400)
    data = form.cleaned_data
    title, point, figures, halls = _figures(user, data)
    summary = _summary(figures)
    tables = _tables(figures, halls)
    if request.GET.get("format") == "xlsx":
        head = [
            [_("KPIs of the service network"), title],
            [_("From"), data["date_from"].isoformat()],
            [_("To"), data["date_to"].isoformat()],
            [_("By"), str(dict(form.fields["granularity"].choices)[data["granularity"]])],  # type: ignore[attr-defined]
            [],
            *[[label, value] for label, value, _kind in summary],
        ]
        sheets = [Sheet(title=_("Summary"), rows=head)]
        sheets += [Sheet(title=t.title[:31], rows=t.sheet_rows()) for t in tables]
        name = f"hall-kpis-{data['date_from']:%Y%m%d}-{data['date_to']:%Y%m%d}.xlsx"
        response: HttpResponseBase = FileResponse(
            xlsx_file(sheets), as_attachment=True, filename=name, content_type=XLSX_TYPE
        )
        add_never_cache_headers(response)
        return response
    query = request.GET.copy()
    query.pop("format", None)
    query["format"] = "xlsx"
    context = {
        "form": form,
        "figures": figures,
        "title": title,
        "point": point,
        "summary": [(label, _shown(value, kind), kind) for label, value, kind in summary],
        "tables": [{"table": t, "rows": t.shown()} for t in tables],
        "chart_data": _chart_data(figures),
        "script_labels": SCRIPT_LABELS,
        "xlsx_query": query.urlencode(),
        "date_from": data["date_from"],
        "date_to": data["date_to"],
        "previous": figures["previous"],
    }
    return render(request, T + "kpis.html", context)
