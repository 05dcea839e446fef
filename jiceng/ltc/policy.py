"""This region's long-term-care rules, read as data from jiceng/reference/ltc-policy.json: how long
an assessment is valid, how long a result is published (公示), and the benefit table by level and
care mode with effective dates. The setting LTC_ASSESSMENT_VALID_MONTHS overrides the validity."""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

POLICY_FILE = Path(__file__).resolve().parent.parent / "reference" / "ltc-policy.json"
# How the benefit table's units read on the pages; a unit missing here shows as written in the file.
UNIT_LABELS: dict[str, Promise] = {
    "day": pgettext_lazy("benefit unit", "day"),
    "month": pgettext_lazy("benefit unit", "month"),
    "visit": pgettext_lazy("benefit unit", "visit"),
}


@dataclass(frozen=True)
class Rate:
    level: int
    care_mode: str
    unit: str  # day, month or visit
    amount: Decimal
    max_units_per_month: int
    effective_from: date
    effective_to: date | None

    @property
    def unit_label(self) -> Promise | str:
        return UNIT_LABELS.get(self.unit, self.unit)


@lru_cache(maxsize=1)
def policy() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    return data


def valid_months() -> int:
    return int(
        getattr(settings, "LTC_ASSESSMENT_VALID_MONTHS", policy()["assessment_valid_months"])
    )


def publication_days() -> int:
    return int(policy()["publication_days"])


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(assessed_on: date) -> date:
    """The last day an assessment made on `assessed_on` is valid."""
    return date.fromordinal(add_months(assessed_on, valid_months()).toordinal() - 1)


@lru_cache(maxsize=1)
def rates() -> tuple[Rate, ...]:
    found = []
    for period in policy()["benefits"]:
        start = date.fromisoformat(period["effective_from"])
        end = date.fromisoformat(period["effective_to"]) if period.get("effective_to") else None
        for rate in period["rates"]:
            found.append(
                Rate(
                    level=int(rate["level"]),
                    care_mode=rate["care_mode"],
                    unit=rate["unit"],
                    amount=Decimal(rate["amount"]),
                    max_units_per_month=int(rate["max_units_per_month"]),
                    effective_from=start,
                    effective_to=end,
                )
            )
    return tuple(found)


def rate_for(*, level: int, care_mode: str, on: date) -> Rate | None:
    """The benefit for a level and care mode on a day, or None when it is not entitled."""
    for rate in rates():
        if (
            rate.level == level
            and rate.care_mode == care_mode
            and rate.effective_from <= on
            and (rate.effective_to is None or on <= rate.effective_to)
        ):
            return rate
    return None


def rates_on(on: date) -> list[Rate]:
    return [
        r
        for r in rates()
        if r.effective_from <= on and (r.effective_to is None or on <= r.effective_to)
    ]
