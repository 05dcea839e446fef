"""The demo county's summer peak load (迎峰度夏): meters of a few hundred enterprises with a
summer of 15-minute load, the county's daily temperatures, machines for their plans, and
demand-response events.

The model behind the load (synthetic, not measured):
- each enterprise's industry gives its shape: knitwear and clothing (濮院's 毛衫) two shifts
  from 07:30 to 23:30, idle on Sunday afternoons; spinning and chemical fibre three shifts round
  the clock; machinery, electronics and parts one day shift with a lunch break and some overtime,
  little at weekends; cold storage (food) round the clock, its compressors working harder in the
  heat;
- the heat adds air conditioning in the working hours (and compressor load in cold stores) in
  proportion to the degrees of the day's maximum above 28 °C;
- an enterprise's size (employees) sets its peak; each quarter hour carries a little noise, and
  a few readings are missing (gaps, as real meters have);
- the machines of the enterprises that have them run at their current times on working days, so
  the curve shows what a plan would move;
- on a demand-response event's day the meters that committed lower (or, to fill a valley, raise)
  their load in the event's window by about their commitment, some more and some less, so that
  the results table has effective and ineffective responses.

The summer is July to September of the last summer before `as_of` (the 2026 tariff applies from
July 2026). Weekdays count as working days here. A cotton mill in 濮院镇 is the seed's example:
its two opening machines (开松机) run from 18:00, in the sharp period, and its plan moves them
after 23:00; the demo user `qiye` is its contact.

Deterministic by seed; writes in bulk (jiceng/core/bulk.py). Plans are computed through the
power module's service, for the enterprises with machines; `demo_power_delete` removes it all
(the tariffs, reference data, stay).
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from auditlog.context import disable_auditlog
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from shapely.geometry import shape

from jiceng.core.bulk import insert_rows
from jiceng.core.identifiers import make_credit_code
from jiceng.core.models import Organisation, Region, RegionLevel, Site, User
from jiceng.core.region_codes import scope_prefix
from jiceng.core.scope import region_prefix_q
from jiceng.demo.names import brand
from jiceng.power.models import (
    QUARTERS,
    Category,
    DailyTemperature,
    DayType,
    DrEvent,
    DrParticipation,
    Machine,
    Meter,
    MeterDay,
    MeterPrice,
    Plan,
)

ENTERPRISES = 300
PLANNED = 20  # enterprises with machines and plans, besides the cotton mill
MILL_NAME = "桐乡市濮院恒隆棉纺有限公司"
MILL_TOWN = "330483101"  # 濮院镇
MILL_CONTACT = "qiye"
PLAN_AUTHOR = "kehu"
GAP_SHARE = 0.002  # readings missing

# Industry (Organisation.industry) → load shape.
SHAPES = {
    "毛衫": "knitwear",
    "服装": "knitwear",
    "皮草": "knitwear",
    "家纺": "knitwear",
    "纺织": "spinning",
    "化纤": "spinning",
    "机械": "machinery",
    "汽车零部件": "machinery",
    "电子": "machinery",
    "光伏": "machinery",
    "食品": "cold",
}


@dataclass(frozen=True)
class MachineSpec:
    name: str
    kind: str
    power_kw: int
    run_minutes: int
    window: tuple[str, str]
    current_start: str
    crew: str = ""
    shifts: str = ""


# The machines a plan schedules, by shape. Inflexible machines keep their time; shiftable ones
# may move within their window as one block, breakable ones in parts (a window ending before it
# starts runs past midnight). Machines of one crew never run at once. The windows of one
# enterprise leave some hour of the day outside all of them (the plan cuts the day there).
MACHINES: dict[str, tuple[MachineSpec, ...]] = {
    "mill": (
        MachineSpec(
            "开松机1号", "shiftable", 160, 180, ("18:00", "06:00"), "18:00", "清花甲班", "夜班"
        ),
        MachineSpec(
            "开松机2号", "shiftable", 160, 180, ("18:00", "06:00"), "18:00", "清花乙班", "夜班"
        ),
        MachineSpec("梳棉机组", "inflexible", 220, 960, ("06:00", "22:00"), "06:00", "", "两班"),
        MachineSpec("并条机", "shiftable", 90, 240, ("06:00", "22:00"), "16:00", "并条班", "两班"),
        MachineSpec("空压机", "breakable", 75, 480, ("06:00", "22:00"), "08:00"),
    ),
    "knitwear": (
        MachineSpec(
            "电脑横机车间", "inflexible", 120, 720, ("07:30", "19:30"), "07:30", "", "两班"
        ),
        MachineSpec("定型机", "shiftable", 180, 240, ("07:00", "01:00"), "17:00", "后整理班"),
        MachineSpec("烘干机", "shiftable", 60, 180, ("06:00", "02:00"), "18:00", "后整理班"),
    ),
    "spinning": (
        MachineSpec("清花机", "shiftable", 150, 240, ("16:00", "08:00"), "17:00", "清花班", "夜班"),
        MachineSpec("空压机", "breakable", 90, 600, ("08:00", "20:00"), "08:00"),
    ),
    "machinery": (
        MachineSpec(
            "热处理炉", "shiftable", 300, 360, ("20:00", "08:00"), "13:00", "热处理班", "夜班"
        ),
        MachineSpec("数控机床", "inflexible", 150, 540, ("08:00", "17:00"), "08:00", "", "白班"),
        MachineSpec("喷涂烘道", "shiftable", 120, 180, ("08:00", "23:00"), "15:00", "涂装班"),
    ),
    "cold": (
        MachineSpec("制冷机组", "breakable", 160, 720, ("07:00", "21:00"), "09:00"),
        MachineSpec("速冻机", "shiftable", 110, 240, ("22:00", "10:00"), "14:00", "冷冻班"),
    ),
}


@dataclass
class _Meter:
    code: str
    enterprise_id: int
    region_id: str
    shape: str
    peak_kw: float
    category: str
    machines: tuple[MachineSpec, ...] = ()
    pk: int = 0
    commitments: dict[date, np.ndarray] = field(default_factory=dict)  # day → kW added


def seed_power(
    *,
    seed: int,
    county: str,
    enterprises: int = ENTERPRISES,
    planned: int = PLANNED,
    as_of: date | None = None,
) -> dict[str, int]:
    """Seed the module's demo records for `county`; returns counts by kind."""
    rng = np.random.default_rng([seed, 15])
    pick = random.Random(seed * 13 + 15)
    today = as_of or date.today()
    first, days = summer(today)
    with transaction.atomic(), disable_auditlog():
        temperatures = _temperatures(county, first, days, rng)
        meters = _meters(county, enterprises, planned, rng, pick)
        if not meters:
            return {}
        events = _events(county, first, days, temperatures, meters, rng, pick)
        day_rows = _meter_days(meters, first, days, temperatures, rng)
        machines = _machines(meters)
        plans = _plans(meters, first)
    return {
        "power_meters": len(meters),
        "power_meter_days": day_rows,
        "power_machines": machines,
        "power_plans": plans,
        "power_events": events,
    }


def summer(as_of: date) -> tuple[date, int]:
    """The first day and the length of the last summer (July to September) begun before
    `as_of`: the one under way, or last year's before July."""
    year = as_of.year if as_of >= date(as_of.year, 7, 1) else as_of.year - 1
    start = date(year, 7, 1)
    return start, (date(year, 10, 1) - start).days


def _temperatures(county: str, first: date, days: int, rng: np.random.Generator) -> list[float]:
    """Daily maxima peaking in late July, with a heat wave in its second half."""
    index = np.arange(days)
    maxima = 31.5 + 3.5 * np.cos((index - 25) / days * 2 * np.pi) + rng.normal(0, 1.3, days)
    maxima[18:40] += 2.2  # the heat wave
    maxima = np.round(maxima, 1)
    region = Region.objects.get(code=county)
    DailyTemperature.objects.bulk_create(
        DailyTemperature(
            region=region,
            day=first + timedelta(days=i),
            max_c=Decimal(f"{value:.1f}"),
            min_c=Decimal(f"{value - 7.5 - float(rng.uniform(0, 2)):.1f}"),
            heat_day=value >= 35.0,
        )
        for i, value in enumerate(maxima.tolist())
    )
    return [float(v) for v in maxima]


def _meters(
    county: str,
    count: int,
    planned: int,
    rng: np.random.Generator,
    pick: random.Random,
) -> list[_Meter]:
    """The cotton mill and the largest industrial enterprises of the county, one meter each."""
    candidates = list(
        Organisation.objects.filter(
            region_prefix_q(scope_prefix(county), "region"),
            kind=Organisation.Kind.ENTERPRISE,
            industry__in=list(SHAPES),
        )
        .order_by("-employees", "pk")
        .values_list("pk", "region_id", "industry", "employees")[: max(count - 1, 0)]
    )
    mill = _cotton_mill(county, pick)
    if mill is None:
        return []
    meters = [
        _Meter(
            code=f"{county}-E{mill.pk:07d}",
            enterprise_id=mill.pk,
            region_id=mill.region_id,
            shape="spinning",
            peak_kw=1400.0,
            category=Category.LARGE_INDUSTRY,
            machines=MACHINES["mill"],
        )
    ]
    for index, (pk, region_id, industry, employees) in enumerate(candidates):
        shape = SHAPES[industry]
        peak = float(np.clip((employees or 10) * 6 * rng.lognormal(0, 0.35), 60, 6000))
        if shape == "cold":
            peak = max(peak, 250.0)
        meters.append(
            _Meter(
                code=f"{county}-E{pk:07d}",
                enterprise_id=pk,
                region_id=region_id,
                shape=shape,
                peak_kw=round(peak, 1),
                category=Category.LARGE_INDUSTRY if peak >= 315 else Category.GENERAL,
                machines=MACHINES[shape] if index < planned else (),
            )
        )
    created = Meter.objects.bulk_create(
        Meter(
            code=m.code,
            enterprise_id=m.enterprise_id,
            region_id=m.region_id,
            name="",
            category=m.category,
            voltage_kv=Decimal("10") if m.category == Category.LARGE_INDUSTRY else Decimal("0.4"),
            contracted_kw=Decimal(f"{m.peak_kw * 1.5:.0f}"),
            max_demand_kw=None,
        )
        for m in meters
    )
    by_code = {m.code: m.pk for m in created}
    if None in by_code.values():  # a database that does not return ids
        by_code = dict(
            Meter.objects.filter(code__in=[m.code for m in meters]).values_list("code", "pk")
        )
    for meter in meters:
        meter.pk = by_code[meter.code]
    MeterPrice.objects.bulk_create(
        MeterPrice(
            meter_id=m.pk,
            effective_from=date(2026, month, 1),
            yuan_per_kwh=Decimal(
                f"{(0.62 if m.category == Category.LARGE_INDUSTRY else 0.68) + step:.5f}"
            ),
        )
        for m in meters
        for month, step in ((7, 0.0), (8, 0.0123), (9, -0.0061))
    )
    return meters


def _cotton_mill(county: str, pick: random.Random) -> Organisation | None:
    """The seed's example enterprise, in 濮院镇 (or the county's first town elsewhere), bound
    to the demo enterprise contact."""
    town = scope_prefix(MILL_TOWN) if MILL_TOWN.startswith(county) else scope_prefix(county)
    grid = (
        Region.objects.filter(region_prefix_q(town, "code"), level=RegionLevel.GRID)
        .order_by("code")
        .first()
    ) or (
        Region.objects.filter(region_prefix_q(town, "code"), level=RegionLevel.VILLAGE)
        .order_by("code")
        .first()
    )
    if grid is None:
        return None
    name = MILL_NAME if county == "330483" else f"{brand(pick)}棉纺有限公司"
    serial = pick.randrange(90_000_000, 99_000_000)
    while Organisation.objects.filter(
        credit_code=make_credit_code("9", "1", county, serial)
    ).exists():
        serial += 1
    mill = Organisation.objects.create(
        name=name,
        kind=Organisation.Kind.ENTERPRISE,
        credit_code=make_credit_code("9", "1", county, serial),
        region=grid,
        industry="纺织",
        address="濮院镇工业园区恒隆路8号" if county == "330483" else "",
        legal_representative="沈建华",
        phone="0573-88123456",
        employees=260,
    )
    # Its premises, inside the grid (as every demo enterprise has a site in its region).
    where = shape(grid.boundary).representative_point() if grid.boundary else None
    Site.objects.create(
        name=name,
        kind=Site.Kind.PREMISES,
        region=grid,
        address=mill.address,
        lat=round(where.y, 6) if where is not None else grid.lat,
        lon=round(where.x, 6) if where is not None else grid.lon,
        organisation=mill,
        qr_token=base64.urlsafe_b64encode(pick.randbytes(16)).rstrip(b"=").decode(),
    )
    User.objects.filter(username=MILL_CONTACT).update(organisation=mill)
    return mill


def _quarters(text: str) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    return (hours * 60 + minutes) // 15


def _shape(shape: str, weekday: int) -> np.ndarray:
    """The share of the peak an enterprise of `shape` draws in each quarter hour of a day."""
    load = np.zeros(QUARTERS)
    hour = np.arange(QUARTERS) / 4
    if shape == "knitwear":
        load[:] = 0.18
        load[(hour >= 7.5) & (hour < 23.5)] = 0.85
        load[(hour >= 11.5) & (hour < 12.5)] = 0.6
        if weekday == 6:
            load[hour >= 12] = 0.25
    elif shape == "spinning":
        load[:] = 0.82
        for change in (0, 8, 16):
            load[int(change * 4) : int(change * 4) + 2] = 0.7
    elif shape == "machinery":
        load[:] = 0.12
        load[(hour >= 8) & (hour < 17.5)] = 0.9
        load[(hour >= 12) & (hour < 13)] = 0.45
        load[(hour >= 18) & (hour < 20)] = 0.4
        if weekday >= 5:
            load = np.minimum(load, 0.25)
    else:  # cold storage
        load[:] = 0.62
        load[(hour >= 7) & (hour < 18)] = 0.75  # doors open, goods in and out
        load[::24] = 0.45  # defrost cycles
    return load


def _meter_days(
    meters: list[_Meter],
    first: date,
    days: int,
    temperatures: list[float],
    rng: np.random.Generator,
) -> int:
    hour = np.arange(QUARTERS) / 4
    working_hours = (hour >= 8) & (hour < 20)
    shapes = {
        (s, w): _shape(s, w)
        for s in ("knitwear", "spinning", "machinery", "cold")
        for w in range(7)
    }

    def rows() -> Any:
        for meter in meters:
            runs = _machine_curve(meter.machines)
            for offset in range(days):
                day = first + timedelta(days=offset)
                heat = max(temperatures[offset] - 28.0, 0.0)
                kw = shapes[(meter.shape, day.weekday())] * meter.peak_kw
                kw = kw + working_hours * meter.peak_kw * 0.018 * heat
                if meter.shape == "cold":
                    kw = kw * (1 + 0.025 * heat)
                if day.weekday() < 5:
                    kw = kw + runs
                change = meter.commitments.get(day)
                if change is not None:
                    kw = kw + change
                kw = np.maximum(kw * rng.normal(1.0, 0.04, QUARTERS), 0.0)
                watts = np.round(kw * 1000).astype("<i4")
                gaps = rng.random(QUARTERS) < GAP_SHARE
                watts[gaps] = -1
                present = kw[~gaps]
                yield (
                    meter.pk,
                    day,
                    watts.tobytes(),
                    int(present.size),
                    round(float(present.sum()) * 0.25, 3),
                    round(float(present.max()) if present.size else 0.0, 3),
                )

    return insert_rows(MeterDay, ("meter_id", "day", "watts", "readings", "kwh", "max_kw"), rows())


def _machine_curve(machines: tuple[MachineSpec, ...]) -> np.ndarray:
    """The load of the machines at their current times (kW per quarter hour)."""
    curve = np.zeros(QUARTERS)
    for spec in machines:
        start = _quarters(spec.current_start)
        for step in range(spec.run_minutes // 15):
            curve[(start + step) % QUARTERS] += spec.power_kw
    return curve


def _events(
    county: str,
    first: date,
    days: int,
    temperatures: list[float],
    meters: list[_Meter],
    rng: np.random.Generator,
    pick: random.Random,
) -> int:
    """Two peak-shaving events in the sharp period on the hottest working days and one
    valley-filling event at noon; the meters invited, their commitments, and (in `commitments`)
    the change each makes on the day."""
    workdays = [offset for offset in range(days) if (first + timedelta(days=offset)).weekday() < 5]
    hottest = sorted(workdays, key=lambda o: (-temperatures[o], o))
    specs = [
        (hottest[0], time(18, 0), time(20, 0), DrEvent.Kind.PEAK_SHAVING, "4.0000"),
        (hottest[2], time(18, 30), time(20, 30), DrEvent.Kind.PEAK_SHAVING, "4.0000"),
        (
            min(workdays[-1], workdays[len(workdays) // 2 + 3]),
            time(11, 0),
            time(13, 0),
            DrEvent.Kind.VALLEY_FILLING,
            "1.2000",
        ),
    ]
    region = Region.objects.get(code=county)
    dispatcher = User.objects.filter(username="diaodu").first()
    invited = meters[: max(len(meters) // 5, 1)]
    count = 0
    for offset, start, end, kind, price in specs:
        day = first + timedelta(days=offset)
        event = DrEvent.objects.create(
            region=region,
            day=day,
            start=start,
            end=end,
            kind=kind,
            baseline="recent_workdays",
            price_yuan_per_kwh=Decimal(price),
            target_kw=None,
            note="迎峰度夏需求响应" if kind == DrEvent.Kind.PEAK_SHAVING else "午间填谷",
            created_by=dispatcher,
        )
        participants = []
        total = Decimal(0)
        window = np.zeros(QUARTERS)
        window[_quarters(f"{start:%H:%M}") : _quarters(f"{end:%H:%M}")] = 1
        for meter in pick.sample(invited, k=max(len(invited) * 3 // 4, 1)):
            committed: Decimal | None = None
            if pick.random() < 0.8:
                committed = Decimal(f"{meter.peak_kw * pick.uniform(0.08, 0.2):.0f}") or Decimal(1)
                total += committed
                delivered = float(committed) * float(rng.uniform(0.5, 1.3))
                sign = -1 if kind == DrEvent.Kind.PEAK_SHAVING else 1
                meter.commitments[day] = window * sign * delivered
            participants.append(
                DrParticipation(
                    event=event,
                    meter_id=meter.pk,
                    committed_kw=committed,
                    committed_at=None,
                )
            )
        DrParticipation.objects.bulk_create(participants)
        DrParticipation.objects.filter(event=event, committed_kw__isnull=False).update(
            committed_at=event.created_at
        )
        DrEvent.objects.filter(pk=event.pk).update(target_kw=total)
        count += 1
    return count


def _machines(meters: list[_Meter]) -> int:
    rows = [
        Machine(
            enterprise_id=meter.enterprise_id,
            name=spec.name,
            kind=spec.kind,
            power_kw=Decimal(spec.power_kw),
            run_minutes=spec.run_minutes,
            window_start=time.fromisoformat(spec.window[0]),
            window_end=time.fromisoformat(spec.window[1]),
            current_start=time.fromisoformat(spec.current_start),
            crew=spec.crew,
            shifts=spec.shifts,
        )
        for meter in meters
        for spec in meter.machines
    ]
    Machine.objects.bulk_create(rows)
    return len(rows)


def _plans(meters: list[_Meter], first: date) -> int:
    """The workday plans of the enterprises with machines, through the module's service, priced
    on the first working day of August (the typical day is the summer's July); saved by the
    demo account manager where there is one."""
    from jiceng.power.selectors import day_type_of
    from jiceng.power.services import plan_save

    author = User.objects.filter(username=PLAN_AUTHOR).first()
    on = date(first.year, 8, 1)
    while day_type_of(on) != DayType.WORKDAY:
        on += timedelta(days=1)
    made = 0
    for meter in meters:
        if not meter.machines:
            continue
        enterprise = Organisation.objects.get(pk=meter.enterprise_id)
        try:
            plan = plan_save(actor=None, enterprise=enterprise, day_type=DayType.WORKDAY, on=on)
        except ValidationError:
            continue  # a demo enterprise whose machines do not fit: left without a plan
        if author is not None:
            Plan.objects.filter(pk=plan.pk).update(created_by=author)
        made += 1
    return made


def demo_power_delete() -> None:
    """Delete the module's demo records (they refer to regions, people and organisations); the
    tariffs are reference data and stay."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (
            DrParticipation,
            DrEvent,
            Plan,
            Machine,
            MeterDay,
            MeterPrice,
            Meter,
            DailyTemperature,
        ):
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608
        # The seed's enterprise (the cotton mill) and its premises were made by this module.
        mills = list(
            User.objects.filter(username=MILL_CONTACT, organisation__isnull=False).values_list(
                "organisation_id", flat=True
            )
        )
        User.objects.filter(username=MILL_CONTACT).update(organisation=None)
        Site.objects.filter(organisation_id__in=mills).delete()
        Organisation.objects.filter(pk__in=mills).delete()
