"""Time-of-use tariffs read as data: which version applies on a day, the periods of that day
(by season, with a holiday's deep valleys laid over them), and the price of each quarter hour
for a meter's category and flat price.

A version applies from its `effective_from` until the next version's (`TariffVersion` rows,
loaded from jiceng/reference/power-tou-zhejiang.json). A day before the first version has no
tariff: `NoTariff`. Holidays come from the national working calendar (CalendarDay rows, the
cases engine's); which calendar holidays a version's keys mean ("labour_day_first_3_days") is
in jiceng/reference/power-rules.json. Both are cached per process for a few minutes
(`TARIFF_CACHE.forget()` after a change)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from numpy.typing import NDArray

from jiceng.core.caching import ProcessCache, process_cache
from jiceng.power.models import QUARTERS, PeriodKind, TariffVersion
from jiceng.power.reference_data import rules

KINDS: tuple[str, ...] = tuple(PeriodKind.values)  # sharp, peak, flat, valley, deep_valley
KIND_INDEX = {kind: i for i, kind in enumerate(KINDS)}

TARIFF_CACHE: ProcessCache[Tariffs] = process_cache("power.tariffs", seconds=300)


class NoTariff(LookupError):
    """No tariff version applies on the day (it is before the first one)."""


@dataclass(frozen=True)
class Version:
    """A tariff version as plain data (the row's fields, quarters precomputed per season)."""

    id: int
    code: str
    document: str
    effective_from: date
    confidence: str
    season_of_month: dict[int, str]
    season_kinds: dict[str, NDArray[np.int8]]  # season -> kind index of each quarter
    holidays: tuple[str, ...]
    holiday_quarters: NDArray[np.bool_]  # quarters that are deep valley on a listed holiday
    ratios: dict[str, dict[str, float]]


@dataclass(frozen=True)
class Tariffs:
    versions: tuple[Version, ...]
    starts: tuple[date, ...]
    # kind of holiday key -> the days it covers (from the calendar)
    holiday_days: dict[str, frozenset[date]]


def minutes(text: str) -> int:
    """'HH:MM' → minutes after midnight ('24:00' is 1440)."""
    hours, mins = text.split(":")
    value = int(hours) * 60 + int(mins)
    if not 0 <= value <= 1440:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def clock(quarter: int) -> str:
    """Quarter index (0..96) → 'HH:MM' ('24:00' for 96)."""
    return f"{quarter // 4:02d}:{quarter % 4 * 15:02d}"


def _quarters(periods: Sequence[Sequence[str]]) -> list[int]:
    found: list[int] = []
    for start, end in periods:
        a, b = minutes(start), minutes(end)
        found.extend(range(a // 15, (b + 14) // 15))
    return found


def _version(row: TariffVersion) -> Version:
    season_of_month: dict[int, str] = {}
    season_kinds: dict[str, NDArray[np.int8]] = {}
    for season in row.seasons:
        kinds = np.full(QUARTERS, KIND_INDEX["flat"], dtype=np.int8)
        for kind, periods in season["periods"].items():
            kinds[_quarters(periods)] = KIND_INDEX[kind]
        season_kinds[season["name"]] = kinds
        for month in season["months"]:
            season_of_month[int(month)] = season["name"]
    holiday_quarters = np.zeros(QUARTERS, dtype=bool)
    holiday_quarters[_quarters(row.holiday_periods or [])] = True
    return Version(
        id=row.pk,
        code=row.code,
        document=row.document,
        effective_from=row.effective_from,
        confidence=row.confidence,
        season_of_month=season_of_month,
        season_kinds=season_kinds,
        holidays=tuple(row.holidays or ()),
        holiday_quarters=holiday_quarters,
        ratios={c: {k: float(v) for k, v in r.items()} for c, r in row.ratios.items()},
    )


def _holiday_days(keys: set[str]) -> dict[str, frozenset[date]]:
    from jiceng.cases.models import CalendarDay

    meaning: dict[str, Any] = rules()["holidays"]
    rest = list(
        CalendarDay.objects.filter(is_workday=False).order_by("date").values_list("date", "name")
    )
    found: dict[str, frozenset[date]] = {}
    for key in keys:
        spec = meaning.get(key)
        if not isinstance(spec, dict):
            found[key] = frozenset()
            continue
        days = [day for day, name in rest if spec["name"] in name]
        first = spec.get("first_days")
        picked: list[date] = []
        run = 0
        for i, day in enumerate(days):
            run = run + 1 if i and days[i - 1] == day - timedelta(days=1) else 1
            if first is None or run <= int(first):
                picked.append(day)
        found[key] = frozenset(picked)
    return found


def _load() -> Tariffs:
    versions = tuple(_version(row) for row in TariffVersion.objects.order_by("effective_from"))
    keys = {key for v in versions for key in v.holidays}
    return Tariffs(
        versions=versions,
        starts=tuple(v.effective_from for v in versions),
        holiday_days=_holiday_days(keys),
    )


def tariffs() -> Tariffs:
    return TARIFF_CACHE.get_one(_load)


def version_on(day: date) -> Version:
    """The version in force on `day`; NoTariff before the first."""
    loaded = tariffs()
    at = bisect_right(loaded.starts, day) - 1
    if at < 0:
        first = loaded.starts[0].isoformat() if loaded.starts else None
        if first is None:
            raise NoTariff(_("No time-of-use tariff is recorded."))
        raise NoTariff(
            _("No time-of-use tariff applies on %(day)s: the first applies from %(first)s.")
            % {"day": day.isoformat(), "first": first}
        )
    return loaded.versions[at]


def is_deep_valley_day(version: Version, day: date) -> bool:
    loaded = tariffs()
    return any(day in loaded.holiday_days.get(key, frozenset()) for key in version.holidays)


def quarter_kinds(day: date, version: Version | None = None) -> NDArray[np.int8]:
    """The period kind (index into KINDS) of each of the day's 96 quarters."""
    version = version or version_on(day)
    season = version.season_of_month.get(day.month)
    if season is None:
        raise NoTariff(
            _("Tariff %(code)s has no season for month %(month)d.")
            % {"code": version.code, "month": day.month}
        )
    kinds = version.season_kinds[season]
    if version.holiday_quarters.any() and is_deep_valley_day(version, day):
        kinds = kinds.copy()
        kinds[version.holiday_quarters] = KIND_INDEX["deep_valley"]
    return kinds


def ratio_table(version: Version, category: str) -> NDArray[np.float64]:
    """The ratio to the flat price of each kind (indexed as KINDS) for a category."""
    ratios = version.ratios.get(category)
    if ratios is None:
        raise NoTariff(
            _("Tariff %(code)s has no ratios for the category %(category)s.")
            % {"code": version.code, "category": category}
        )
    return np.array([ratios.get(kind, 1.0) for kind in KINDS], dtype=np.float64)


def quarter_prices(day: date, category: str, flat_price: float) -> NDArray[np.float64]:
    """Yuan per kWh of each quarter of the day: the flat price × the quarter's period ratio."""
    version = version_on(day)
    return ratio_table(version, category)[quarter_kinds(day, version)] * flat_price


@dataclass(frozen=True)
class Period:
    start: str  # "HH:MM"
    end: str  # "HH:MM", "24:00" at the day's end
    kind: str
    ratio: float


def day_periods(day: date, category: str) -> tuple[Version, list[Period]]:
    """The version in force and the day's periods in order, covering 00:00–24:00, each run of
    quarters of one kind as one period."""
    version = version_on(day)
    kinds = quarter_kinds(day, version)
    ratios = ratio_table(version, category)
    periods: list[Period] = []
    start = 0
    for q in range(1, QUARTERS + 1):
        if q == QUARTERS or kinds[q] != kinds[start]:
            kind = int(kinds[start])
            periods.append(Period(clock(start), clock(q), KINDS[kind], float(ratios[kind])))
            start = q
    return version, periods
