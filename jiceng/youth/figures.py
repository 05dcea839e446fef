"""The pipeline's figures as the pages, charts and the Excel export show them, built on the
module's selectors (jiceng/youth/selectors.py: `funnel`, `pipeline`, `stage_durations`,
`reserve_gaps`), which apply who may see what. Nothing here reads a record the selectors would
not show: it names regions, orders rows and shapes the same numbers for a table, an ECharts
chart and a workbook, so that the three always agree with the funnel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from jiceng.core import region_codes
from jiceng.core.models import Region
from jiceng.core.spreadsheets import Sheet
from jiceng.youth.models import Stage
from jiceng.youth.selectors import (
    FUNNEL_KEYS,
    funnel,
    pipeline,
    reserve_gaps,
    stage_durations,
)

if TYPE_CHECKING:
    from jiceng.core.models import User

# The funnel's columns in order, the people not yet applying first.
COLUMNS = ("none", *FUNNEL_KEYS)
EXTRA = ("reserve_cadre", "under_35", "leaders", "overdue")


def column_labels() -> dict[str, str]:
    return {
        "none": _("Not applied"),
        "applicant": _("Applicants"),
        "activist": _("Activists"),
        "development_object": _("Development objects"),
        "probationary": _("Probationary members"),
        "member": _("Full members"),
        "reserve_cadre": _("Reserve cadres"),
        "under_35": _("Under 35"),
        "leaders": _("Wealth leaders"),
        "overdue": _("Overdue steps"),
    }


@dataclass(frozen=True)
class PipelineTable:
    """The funnel of a region (`total`) and of each town or village under it (`rows`)."""

    region: Region | None
    level: str  # the rows' level: town or village
    total: dict[str, int]
    rows: list[dict[str, Any]]


def child_level(region: Region | None) -> str:
    """The level the rows break a region into: a county into towns, a town into villages."""
    if region is None or region.level in ("province", "city", "county"):
        return "town"
    return "village"


def pipeline_table(user: User, region: Region | None, *, today: date) -> PipelineTable:
    """The funnel of `region` (the user's scope when None) and its rows by town or village."""
    code = region.code if region is not None else None
    level = child_level(region)
    by_area = pipeline(user, code, level=level, today=today)
    names = dict(Region.objects.filter(code__in=list(by_area)).values_list("code", "name"))
    rows = [
        {"code": area, "name": names.get(area, area), **counts}
        for area, counts in by_area.items()
        if len(area) == region_codes.LEVEL_PREFIX_LENGTH[level]
    ]
    return PipelineTable(region, level, funnel(user, code, today=today), rows)


def stage_labels() -> dict[str, str]:
    return {str(s.value): str(s.label) for s in Stage}


def chart_data(table: PipelineTable, durations: dict[str, Any]) -> dict[str, Any]:
    """What the pipeline page's charts draw (web/static/web/youth/youth.js)."""
    labels = column_labels()
    stages = stage_labels()
    average = durations.get("average_days", {})
    return {
        "funnel": [{"key": k, "label": labels[k], "value": table.total[k]} for k in COLUMNS],
        "areas": [r["name"] for r in table.rows],
        "series": [
            {"key": k, "label": labels[k], "values": [r[k] for r in table.rows]} for k in COLUMNS
        ],
        "durations": [
            {"stage": s, "label": stages.get(s, s), "days": average[s]}
            for s in stages
            if s in average
        ],
        "conversions": [
            {"year": year, "value": n}
            for year, n in sorted(durations.get("conversions_by_year", {}).items())
        ],
    }


def pipeline_sheets(user: User, region: Region | None, *, today: date) -> list[Sheet]:
    """The export: the funnel by area, how long each stage took, and the villages' reserve."""
    table = pipeline_table(user, region, today=today)
    labels = column_labels()
    keys = (*COLUMNS, *EXTRA)
    funnel_rows: list[list[object]] = [[_("Code"), _("Region"), *(labels[k] for k in keys)]]
    for row in table.rows:
        funnel_rows.append([row["code"], row["name"], *(row[k] for k in keys)])
    total_name = table.region.name if table.region is not None else _("Total")
    funnel_rows.append(
        [table.region.code if table.region else "", total_name, *(table.total[k] for k in keys)]
    )
    durations = stage_durations(user, table.region.code if table.region else None)
    stages = stage_labels()
    duration_rows: list[list[object]] = [[_("Stage"), _("Average days in the stage")]]
    for stage, days in durations["average_days"].items():
        duration_rows.append([stages.get(stage, stage), days])
    duration_rows.append([])
    duration_rows.append([_("Year"), _("Conversions to full member")])
    for year, n in sorted(durations["conversions_by_year"].items()):
        duration_rows.append([year, n])
    reserve_rows: list[list[object]] = [
        [_("Code"), _("Village"), _("Reserve cadres"), _("Maximum age"), _("Target"), _("Gap")]
    ]
    for gap in reserve_gaps(user, table.region.code if table.region else None):
        reserve_rows.append(
            [gap["region"], gap["name"], gap["cadres"], gap["max_age"], gap["target"], gap["gap"]]
        )
    return [
        Sheet(title=_("Pipeline"), rows=funnel_rows, text_columns=(0,)),
        Sheet(title=_("Stage durations"), rows=duration_rows),
        Sheet(title=_("Reserve cadres"), rows=reserve_rows, text_columns=(0,)),
    ]
