"""Summer peak-load management (迎峰度夏): meters and 15-minute load, time-of-use tariffs as
data, one load-shifting plan per enterprise (一企一策) with its advice letter, and demand-
response events verified against baselines.

For the power company's systems: meters are registered and their readings posted as CSV; the
tariff of a day and a meter's bill by period are read; dispatchers create demand-response
events, record commitments and read the verified results. Who may call what:
jiceng/power/access.py (account managers: meters and readings; dispatchers: events; enterprise
contacts: their own meters; region administrators: everything in their region; the regulator
reads). Money is yuan (a JSON number, two decimals); loads are kW, energy kWh.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.api.auth import request_user
from jiceng.api.schemas import Day, RecordId, RegionCode, answers
from jiceng.core.services.regions import ImportRefused
from jiceng.power import access
from jiceng.power.selectors import (
    MAX_BILL_DAYS,
    dr_results,
    event_for,
    meter_cost,
    meter_for,
    meters_visible_to,
    price_on,
)
from jiceng.power.services import dr_commit, dr_event_create, meter_create, readings_import
from jiceng.power.tariffs import NoTariff, day_periods

router = Router(tags=["power"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MeterCode = Annotated[
    str,
    Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="a meter's code"),
]
CategoryName = Literal["large_industry", "general_industry_commerce"]
ClockTime = Annotated[
    str,
    Field(
        pattern=r"^([01]\d|2[0-3]):(00|15|30|45)$",
        description="local time of day on a quarter hour, HH:MM",
    ),
]
CreditCode = Annotated[
    str, Field(min_length=18, max_length=18, pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$")
]
# Amounts are JSON numbers (a Decimal field would also take any text); rounded to what is kept.
FlatPrice = Annotated[float, Field(ge=0.00001, le=10, description="yuan/kWh (5 decimals kept)")]
Kw = Annotated[float, Field(ge=0.01, le=1_000_000, description="kW (2 decimals kept)")]


class PowerMeterIn(Schema):
    code: MeterCode
    enterprise: CreditCode | None = Field(None, description="the enterprise's credit code")
    category: CategoryName
    flat_price: FlatPrice
    region: RegionCode | None = Field(
        None, description="default: the enterprise's region, else the caller's"
    )
    contracted_kw: Kw | None = None


class PowerMeterOut(Schema):
    code: str
    enterprise: str | None
    region: str
    category: str
    flat_price: float | None
    contracted_kw: float | None


class PowerGapOut(Schema):
    day: date
    missing: int = Field(description="quarter hours without a reading")
    first: str = Field(description="the first missing quarter, HH:MM")


class PowerStoredOut(Schema):
    stored: int = Field(description="readings stored")
    days: int = Field(description="meter-days stored (each replaces what was stored)")
    gaps: list[PowerGapOut]
    duplicates: list[int] = Field(description="lines repeating an earlier reading (kept once)")


class PowerReadingsFilter(Schema):
    day: Day | None = Field(None, description="refuse readings outside this local day")


class PowerPeriodOut(Schema):
    start: str
    end: str
    kind: str
    ratio: float


class PowerTariffOut(Schema):
    version: str
    document: str
    effective_from: date
    periods: list[PowerPeriodOut]


class PowerTariffFilter(Schema):
    on: Day
    category: CategoryName = "large_industry"


class PowerPeriodCostOut(Schema):
    kwh: float
    yuan: float


class PowerCostOut(Schema):
    meter: str
    by_period: dict[str, PowerPeriodCostOut]
    total_kwh: float
    total_yuan: float
    days: int = Field(description="days with readings")
    missing: int = Field(description="quarter hours of those days without a reading (not billed)")
    tariffs: list[str]


class PowerCostFilter(Schema):
    start: Day = Field(..., alias="from")
    end: Day = Field(..., alias="to")


class PowerEventIn(Schema):
    day: Day
    start: ClockTime
    end: ClockTime = Field(description="00:00 is midnight at the day's end")
    kind: Literal["peak_shaving", "valley_filling", "air_conditioning", "lighting"]
    baseline: str = Field(
        min_length=1,
        max_length=30,
        pattern=r"^[a-z0-9_]+$",
        description="a method of power-rules.json: recent_workdays, high_5_of_10, ...",
    )
    price_yuan_per_kwh: Annotated[float, Field(ge=0, le=100, description="4 decimals kept")]
    region: RegionCode | None = Field(None, description="default: the caller's region")


class PowerEventOut(Schema):
    id: int


class PowerCommitmentIn(Schema):
    meter: MeterCode
    kw: Kw


class PowerCommitmentOut(Schema):
    meter: str
    committed_kw: float


class PowerResultOut(Schema):
    meter: str
    baseline_kw: float | None
    actual_kw: float | None
    reduction_kw: float | None
    committed_kw: float | None
    effective: bool
    paid_kwh: float
    compensation_yuan: float


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def _meter_out(meter: Any) -> PowerMeterOut:
    try:
        price: float | None = float(price_on(meter, date.today()))
    except NoTariff:
        price = None
    return PowerMeterOut(
        code=meter.code,
        enterprise=meter.enterprise.credit_code if meter.enterprise_id else None,
        region=meter.region_id,
        category=meter.category,
        flat_price=price,
        contracted_kw=float(meter.contracted_kw) if meter.contracted_kw else None,
    )


@router.get(
    "/power/meters",
    response=answers({200: list[PowerMeterOut]}, 403),
    summary="The meters the caller may see (an enterprise contact: their own)",
)
def meters_list(request: HttpRequest) -> list[PowerMeterOut]:
    user = request_user(request)
    access.check_read(user)
    meters = meters_visible_to(user).select_related("enterprise").order_by("code")[:10_000]
    return [_meter_out(m) for m in meters]


@router.post(
    "/power/meters",
    response=answers({201: PowerMeterOut}, 400, 403),
    summary="Register a meter with its tariff category and flat price",
)
def meters_post(request: HttpRequest, payload: PowerMeterIn) -> Any:
    meter = meter_create(
        actor=request_user(request),
        code=payload.code,
        category=payload.category,
        flat_price=_decimal(payload.flat_price),
        enterprise=payload.enterprise,
        region=payload.region,
        contracted_kw=None if payload.contracted_kw is None else _decimal(payload.contracted_kw),
    )
    return Status(201, _meter_out(meter))


@router.post(
    "/power/meters/{meter}/readings",
    response=answers({201: PowerStoredOut}, 400, 403),
    summary="Post 15-minute readings (CSV time,kw, or an Excel workbook)",
    description="All or nothing: a bad row (a wrong interval, a time outside the day, a "
    "negative or absurd kW, a time repeated with another value) refuses the whole file (400, "
    "`errors.body` lists each bad line with its reason, the header being line 1). Times are "
    "ISO 8601 with their offset and start their quarter hour. Stored meter-days replace "
    "those stored.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "a header line time,kw and a row per quarter hour, e.g. "
                        "2026-08-03T14:15:00+08:00,812.5",
                    }
                },
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def readings_post(
    request: HttpRequest,
    meter: Path[MeterCode],
    filters: Query[PowerReadingsFilter] = None,  # type: ignore[assignment]
) -> Any:
    user = request_user(request)
    access.check_manage(user)
    found = meter_for(user, meter)
    is_excel = request.content_type == XLSX
    try:
        report = readings_import(
            actor=user,
            content=request.body,
            filename="readings.xlsx" if is_excel else "readings.csv",
            meter=found,
            day=filters.day if filters is not None else None,
        )
    except ImportRefused as refused:
        rows = [{"line": line, "message": message} for line, message in refused.problems]
        body = {
            "detail": _("The readings were refused; nothing was stored."),
            "errors": {"body": rows},
        }
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return Status(
        201,
        PowerStoredOut(
            stored=report.stored,
            days=report.days,
            gaps=[PowerGapOut(day=g.day, missing=g.missing, first=g.first) for g in report.gaps],
            duplicates=report.duplicates,
        ),
    )


@router.get(
    "/power/tariffs",
    response=answers({200: PowerTariffOut}, 403, 404),
    summary="The time-of-use periods of a day for a category",
    description="Periods cover 00:00–24:00; the price of a period is the flat price × its "
    "ratio. 404 with the reason for a day before the first tariff version.",
)
def tariffs_get(request: HttpRequest, filters: Query[PowerTariffFilter]) -> PowerTariffOut:
    access.check_read(request_user(request))
    try:
        version, periods = day_periods(filters.on, filters.category)
    except NoTariff as exc:
        raise Http404(str(exc)) from exc
    return PowerTariffOut(
        version=version.code,
        document=version.document,
        effective_from=version.effective_from,
        periods=[
            PowerPeriodOut(start=p.start, end=p.end, kind=p.kind, ratio=p.ratio) for p in periods
        ],
    )


@router.get(
    "/power/meters/{meter}/cost",
    response=answers({200: PowerCostOut}, 400, 403),
    summary="A meter's bill by period from one day to another (both included)",
    description=f"At most {MAX_BILL_DAYS} days. Each quarter hour's energy is priced at the "
    "meter's flat price of its day × the ratio of its period. 404 with the reason when no "
    "tariff or price applies on the first day.",
)
def cost_get(
    request: HttpRequest, filters: Query[PowerCostFilter], meter: Path[MeterCode]
) -> PowerCostOut:
    found = meter_for(request_user(request), meter)
    try:
        bill = meter_cost(found, filters.start, filters.end)
    except NoTariff as exc:
        raise Http404(str(exc)) from exc
    except ValueError as exc:
        raise ValidationError({"to": str(exc)}) from exc
    return PowerCostOut(
        meter=bill.meter,
        by_period={
            kind: PowerPeriodCostOut(kwh=float(v["kwh"]), yuan=float(v["yuan"]))
            for kind, v in bill.by_period.items()
        },
        total_kwh=float(bill.total_kwh),
        total_yuan=float(bill.total_yuan),
        days=bill.days,
        missing=bill.missing,
        tariffs=bill.tariffs,
    )


@router.post(
    "/power/dr/events",
    response=answers({201: PowerEventOut}, 400, 403),
    summary="Create a demand-response event",
)
def events_post(request: HttpRequest, payload: PowerEventIn) -> Any:
    event = dr_event_create(
        actor=request_user(request),
        day=payload.day,
        start=_clock(payload.start),
        end=_clock(payload.end),
        kind=payload.kind,
        baseline=payload.baseline,
        price_yuan_per_kwh=_decimal(payload.price_yuan_per_kwh),
        region=payload.region,
    )
    return Status(201, PowerEventOut(id=event.pk))


@router.post(
    "/power/dr/events/{event_id}/commitments",
    response=answers({201: PowerCommitmentOut}, 400, 403),
    summary="Record a meter's commitment (kW) to an event; a later one replaces it",
)
def commitments_post(
    request: HttpRequest, payload: PowerCommitmentIn, event_id: Path[RecordId]
) -> Any:
    user = request_user(request)
    event = event_for(user, event_id)
    row = dr_commit(actor=user, event=event, meter=payload.meter, kw=_decimal(payload.kw))
    return Status(
        201, PowerCommitmentOut(meter=payload.meter, committed_kw=float(row.committed_kw or 0))
    )


@router.get(
    "/power/dr/events/{event_id}/results",
    response=answers({200: list[PowerResultOut]}, 403),
    summary="Each participant's baseline, actual load, reduction, effectiveness and pay",
    description="Baselines by the event's method and thresholds of power-rules.json "
    "(unverified defaults: effective at 80 % of the commitment, paid up to 120 %).",
)
def results_get(request: HttpRequest, event_id: Path[RecordId]) -> list[PowerResultOut]:
    user = request_user(request)
    access.check_dispatch(user)
    event = event_for(user, event_id)
    return [
        PowerResultOut(
            meter=r.meter,
            baseline_kw=r.baseline_kw,
            actual_kw=r.actual_kw,
            reduction_kw=r.reduction_kw,
            committed_kw=r.committed_kw,
            effective=r.effective,
            paid_kwh=r.paid_kwh,
            compensation_yuan=float(r.compensation_yuan),
        )
        for r in dr_results(event)
    ]
