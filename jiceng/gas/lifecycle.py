"""Dates of a cylinder's life: end of design life, next periodic inspection, and whether a
cylinder may be filled. Plain functions on values, shared by services, selectors and pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Why the fill check refuses a cylinder, by code.
FILL_REASONS: dict[str, Promise] = {
    "unregistered": _("The cylinder is not registered."),
    "scrapped": _("The cylinder is scrapped."),
    "past_design_life": _("The cylinder is past its design life."),
    "inspection_overdue": _("The cylinder's periodic inspection is overdue."),
    "not_owned": _("The cylinder does not belong to this station."),
}


def years_after(start: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def end_of_life(manufactured_on: date | None, design_life_years: int) -> date | None:
    return years_after(manufactured_on, design_life_years) if manufactured_on else None


def next_inspection_due(
    *, last_inspected_on: date | None, manufactured_on: date | None, interval_years: int
) -> date | None:
    start = last_inspected_on or manufactured_on
    return years_after(start, interval_years) if start else None


@dataclass(frozen=True)
class FillCheck:
    allowed: bool
    codes: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [str(FILL_REASONS[code]) for code in self.codes]


def fill_check_values(
    *,
    registered: bool,
    scrapped: bool,
    end_of_life: date | None,
    next_inspection_due: date | None,
    owned_here: bool | None,
    on: date,
) -> FillCheck:
    """The fill check on a cylinder's values. `owned_here` None: no station to compare with."""
    if not registered:
        return FillCheck(False, ["unregistered"])
    codes = []
    if scrapped:
        codes.append("scrapped")
    if end_of_life is not None and end_of_life < on:
        codes.append("past_design_life")
    if next_inspection_due is not None and next_inspection_due < on:
        codes.append("inspection_overdue")
    if owned_here is False:
        codes.append("not_owned")
    return FillCheck(not codes, codes)
