"""Welfare-lottery endpoints for the welfare-lottery centre's systems: outlets, games and their
splits, the daily sales import, prizes, the fund ledger and the annual responsibility report.

Only the centre's staff, the region's administrators and the regulator (reading) may call them
(jiceng/lottery/access.py): anybody else gets 403. Every figure is within the caller's region.
Money is yuan, a JSON number with at most two decimals; shares are fractions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jiceng.api.auth import request_user
from jiceng.api.schemas import Code, Day, Error, RegionCode, Yuan, answers
from jiceng.core.region_codes import scope_prefix
from jiceng.core.scope import region_prefix_q
from jiceng.lottery import access
from jiceng.lottery.models import GameSplit
from jiceng.lottery.selectors import annual_report, fund_ledger, is_open_on, outlets_visible_to
from jiceng.lottery.services import ImportRefused, prize_pay, sales_import

router = Router(tags=["lottery"])

YEAR = Field(..., ge=2000, le=2100, description="calendar year")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _yuan(value: Decimal) -> float:
    return float(value)


class LotteryOutletOut(Schema):
    code: str
    name: str
    region: str
    staff: int
    open: bool


class LotteryOutletFilter(Schema):
    region: RegionCode | None = Field(None, description="only outlets in this region")


class LotteryGameOut(Schema):
    code: str
    name: str
    prize_share: float
    fee_share: float
    fund_share: float
    effective_from: date


class LotteryStoredOut(Schema):
    stored: int


class LotteryPrizeIn(Schema):
    game: Code = Field(max_length=20)
    outlet: Code | None = Field(None, max_length=30, description="empty: paid at the centre")
    amount: Yuan
    paid_on: Day = Field(description="not in the future")


class LotteryPrizeOut(Schema):
    tax_withheld: float


class LotteryGameFundOut(Schema):
    game: str
    sales: float
    fund_raised: float


class LotteryFundOut(Schema):
    year: int
    sales: float
    fund_raised: float
    prize: float
    fee: float
    central: float
    local: float
    unclaimed: float
    by_game: list[LotteryGameFundOut]
    tax_withheld: float


class LotteryFundFilter(Schema):
    year: int = YEAR


class LotteryCategoryOut(Schema):
    category: str
    projects: int
    amount: float
    share: float = Field(description="fraction of fund_used")


class LotteryReportOut(Schema):
    year: int
    sales: float
    fund_raised: float
    tax_withheld: float
    jobs: int
    fund_used: float
    projects: int
    by_category: list[LotteryCategoryOut]


@router.get(
    "/lottery/outlets",
    response=answers({200: list[LotteryOutletOut]}, 403),
    summary="Lottery outlets in your region",
)
def outlets_list(
    request: HttpRequest, filters: Query[LotteryOutletFilter]
) -> list[LotteryOutletOut]:
    outlets = outlets_visible_to(request_user(request))
    if filters.region:
        outlets = outlets.filter(region_prefix_q(scope_prefix(filters.region)))
    today = date.today()
    open_ids = set(outlets.filter(is_open_on(today)).values_list("id", flat=True))
    return [
        LotteryOutletOut(
            code=o.code, name=o.name, region=o.region_id, staff=o.staff_count, open=o.id in open_ids
        )
        for o in outlets.order_by("code")
    ]


@router.get(
    "/lottery/games",
    response=answers({200: list[LotteryGameOut]}, 403),
    summary="Games and their splits with the dates they apply from",
)
def games_list(request: HttpRequest) -> list[LotteryGameOut]:
    access.check_read(request_user(request))
    return [
        LotteryGameOut(
            code=s.game.code,
            name=s.game.name,
            prize_share=float(s.prize_share),
            fee_share=float(s.fee_share),
            fund_share=float(s.fund_share),
            effective_from=s.effective_from,
        )
        for s in GameSplit.objects.select_related("game").order_by("game_id", "effective_from")
    ]


@router.post(
    "/lottery/sales",
    response=answers({201: LotteryStoredOut}, 400, 403),
    summary="Import daily sales (CSV date,outlet,game,amount, or an Excel workbook)",
    description="All or nothing: a bad row refuses the whole file (400, `errors` lists each bad "
    "row with its number, the header being row 1). Stored rows replace whatever was stored for "
    "the same outlet and day.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "a header line date,outlet,game,amount and a row per "
                        "outlet, day and game",
                    }
                },
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def sales_post(request: HttpRequest) -> Any:
    user = request_user(request)
    access.check_write(user)
    is_excel = request.content_type == XLSX
    try:
        stored = sales_import(
            actor=user, data=request.body, filename="sales.xlsx" if is_excel else "sales.csv"
        )
    except ImportRefused as refused:
        rows = [{"row": e.row, "message": e.message} for e in refused.rows]
        body = {"detail": _("The file was refused; nothing was stored."), "errors": rows}
        return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
    return Status(201, LotteryStoredOut(stored=stored))


@router.post(
    "/lottery/prizes",
    response=answers({201: LotteryPrizeOut}, 400, 403),
    summary="Record a prize paid; answers the tax withheld on it",
)
def prizes_post(request: HttpRequest, payload: LotteryPrizeIn) -> Any:
    prize = prize_pay(
        actor=request_user(request),
        game=payload.game,
        outlet=payload.outlet or None,
        amount=payload.amount,
        paid_on=payload.paid_on,
    )
    return Status(201, LotteryPrizeOut(tax_withheld=_yuan(prize.tax_withheld)))


@router.get(
    "/lottery/fund",
    response=answers({200: LotteryFundOut}, 403),
    summary="The welfare fund ledger of a year",
)
def fund_get(request: HttpRequest, filters: Query[LotteryFundFilter]) -> LotteryFundOut:
    ledger = fund_ledger(request_user(request), filters.year)
    return LotteryFundOut(
        year=ledger.year,
        sales=_yuan(ledger.sales),
        fund_raised=_yuan(ledger.fund_raised),
        prize=_yuan(ledger.prize),
        fee=_yuan(ledger.fee),
        central=_yuan(ledger.central),
        local=_yuan(ledger.local),
        unclaimed=_yuan(ledger.unclaimed),
        by_game=[
            LotteryGameFundOut(
                game=line.game.code, sales=_yuan(line.sales), fund_raised=_yuan(line.fund_raised)
            )
            for line in ledger.by_game
        ],
        tax_withheld=_yuan(ledger.tax_withheld),
    )


@router.get(
    "/lottery/reports/{year}",
    response=answers({200: LotteryReportOut}, 403),
    summary="The figures of a year's responsibility report",
)
def report_get(request: HttpRequest, year: int = Path(..., ge=2000, le=2100)) -> LotteryReportOut:
    report = annual_report(request_user(request), year)
    return LotteryReportOut(
        year=year,
        sales=_yuan(report.ledger.sales),
        fund_raised=_yuan(report.ledger.fund_raised),
        tax_withheld=_yuan(report.ledger.tax_withheld),
        jobs=report.jobs,
        fund_used=_yuan(report.fund_used),
        projects=report.projects,
        by_category=[
            LotteryCategoryOut(
                category=line.category,
                projects=line.projects,
                amount=_yuan(line.amount),
                share=float(line.share),
            )
            for line in report.by_category
        ],
    )


@router.get(
    "/lottery/reports/{year}/pdf",
    response={200: Any, 403: Error},
    summary="A year's responsibility report as a printable PDF",
    openapi_extra={
        "responses": {
            200: {
                "description": "the report as PDF",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_pdf(request: HttpRequest, year: int = Path(..., ge=2000, le=2100)) -> HttpResponse:
    from jiceng.lottery.report import report_pdf as render

    user = request_user(request)
    pdf = render(user, year, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lottery-report-{year}.pdf"'
    return response
