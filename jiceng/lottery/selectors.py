"""Reads of the welfare-lottery module: the rules in force on a day, the fund ledger of a year and
the figures of the annual responsibility report, each within the reader's region scope.

The arithmetic, decided once here:
- The fund raised (and the prize pool and the issuing fee) is each day's sales times its game's
  share on that day. Sales are summed per game and per split period (a split applies from its
  `effective_from` until the next split of the game), and each sum is multiplied by the period's
  share and rounded to the fen (half up); the year's figure is the sum of these.
- `central` is the fund raised times the fund rule's central share (the rule in force on 1
  January), `local` the rest; unclaimed prizes whose claim period ended in the year are shown on
  their own (`unclaimed`): they add to the local fund only.
- The tax withheld is the sum of the tax stored on each prize paid in the year.
- The fund used in a year is what was disbursed on grants in it; a project counts in the year
  when something was disbursed on it; a category's share is its amount over the fund used.
- Jobs are the staff of the outlets open on 31 December.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum

from jiceng.core.scope import scope_queryset
from jiceng.lottery import access
from jiceng.lottery.models import (
    DailySale,
    Disbursement,
    FundRule,
    Game,
    GameSplit,
    GrantCategory,
    Outlet,
    Prize,
    TaxRule,
    UnclaimedPrize,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jiceng.core.models import User

    Reader = User | AnonymousUser | None

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _scoped(queryset: QuerySet, user: Reader) -> QuerySet:
    access.check_read(user)
    return queryset if user is None else scope_queryset(queryset, user)


def outlets_visible_to(user: Reader) -> QuerySet[Outlet]:
    return _scoped(Outlet.objects.select_related("region"), user)


def sales_visible_to(user: Reader) -> QuerySet[DailySale]:
    return _scoped(DailySale.objects.all(), user)


def prizes_visible_to(user: Reader) -> QuerySet[Prize]:
    return _scoped(Prize.objects.all(), user)


def disbursements_visible_to(user: Reader) -> QuerySet[Disbursement]:
    return _scoped(Disbursement.objects.select_related("grant"), user)


def is_open_on(day: date) -> Q:
    return Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def tax_rule_on(day: date) -> TaxRule | None:
    return TaxRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def fund_rule_on(day: date) -> FundRule | None:
    return FundRule.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def tax_on(amount: Decimal, day: date) -> Decimal:
    """The tax withheld on a single prize paid on `day`: nothing up to the exempt amount, the
    rate on the whole amount above it."""
    rule = tax_rule_on(day)
    if rule is None or amount <= rule.exempt_up_to:
        return ZERO
    return money(amount * rule.rate)


@dataclass(frozen=True)
class Period:
    """A game's split over [start, end)."""

    split: GameSplit
    start: date
    end: date


def split_periods(start: date, end: date) -> list[Period]:
    """Every game's splits in force over [start, end), cut to it."""
    periods = []
    by_game: dict[int, list[GameSplit]] = defaultdict(list)
    for split in GameSplit.objects.select_related("game").order_by("game_id", "effective_from"):
        by_game[split.game_id].append(split)
    for splits in by_game.values():
        for index, split in enumerate(splits):
            until = splits[index + 1].effective_from if index + 1 < len(splits) else date.max
            lo, hi = max(split.effective_from, start), min(until, end)
            if lo < hi:
                periods.append(Period(split, lo, hi))
    return periods


@dataclass
class GameLine:
    game: Game
    sales: Decimal = ZERO
    fund_raised: Decimal = ZERO
    prize: Decimal = ZERO
    fee: Decimal = ZERO


@dataclass
class Ledger:
    year: int
    sales: Decimal = ZERO
    fund_raised: Decimal = ZERO
    prize: Decimal = ZERO
    fee: Decimal = ZERO
    central: Decimal = ZERO
    local: Decimal = ZERO
    unclaimed: Decimal = ZERO
    tax_withheld: Decimal = ZERO
    by_game: list[GameLine] = field(default_factory=list)
    central_allocation: list[tuple[str, Decimal]] = field(default_factory=list)
    unverified_games: list[str] = field(default_factory=list)
    by_month: list[tuple[int, Decimal]] = field(default_factory=list)  # sales of each month


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _sales_by_game_day(user: Reader, start: date, end: date) -> dict[tuple[int, date], Decimal]:
    """Each game's sales of each day in [start, end): one scan of the sales, however many split
    periods and months the year is cut into afterwards (a year is millions of rows)."""
    rows = (
        sales_visible_to(user)
        .filter(sold_on__gte=start, sold_on__lt=end)
        .values_list("game_id", "sold_on")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(game, day): Decimal(total) for game, day, total in rows}


def fund_ledger(user: Reader, year: int) -> Ledger:
    start, end = year_bounds(year)
    ledger = Ledger(year=year)
    days = _sales_by_game_day(user, start, end)
    ledger.by_month = _by_month(days)
    lines: dict[int, GameLine] = {g.id: GameLine(g) for g in Game.objects.all()}
    for period in split_periods(start, end):
        split = period.split
        total = money(
            sum(
                (
                    amount
                    for (game, day), amount in days.items()
                    if game == split.game_id and period.start <= day < period.end
                ),
                ZERO,
            )
        )
        line = lines[split.game_id]
        line.sales += total
        line.fund_raised += money(total * split.fund_share)
        line.prize += money(total * split.prize_share)
        line.fee += money(total * split.fee_share)
        if not split.verified and split.game.name not in ledger.unverified_games:
            ledger.unverified_games.append(split.game.name)
    ledger.by_game = list(lines.values())
    for line in ledger.by_game:
        ledger.sales += line.sales
        ledger.fund_raised += line.fund_raised
        ledger.prize += line.prize
        ledger.fee += line.fee
    rule = fund_rule_on(start)
    if rule is not None:
        ledger.central = money(ledger.fund_raised * rule.central_share)
        ledger.central_allocation = [
            ("social_security", money(ledger.central * rule.social_security_share)),
            ("special_fund", money(ledger.central * rule.special_fund_share)),
            ("civil_affairs", money(ledger.central * rule.civil_affairs_share)),
            ("sport", money(ledger.central * rule.sport_share)),
        ]
    ledger.local = ledger.fund_raised - ledger.central
    ledger.unclaimed = money(
        _scoped(UnclaimedPrize.objects.all(), user)
        .filter(claim_ends_on__gte=start, claim_ends_on__lt=end)
        .aggregate(total=Sum("amount"))["total"]
    )
    ledger.tax_withheld = money(
        prizes_visible_to(user)
        .filter(paid_on__gte=start, paid_on__lt=end)
        .aggregate(total=Sum("tax_withheld"))["total"]
    )
    return ledger


def _by_month(days: dict[tuple[int, date], Decimal]) -> list[tuple[int, Decimal]]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (_game, day), amount in days.items():
        totals[day.month] += amount
    return [(month, money(totals.get(month, ZERO))) for month in range(1, 13)]


def sales_by_month(user: Reader, year: int) -> list[tuple[int, Decimal]]:
    start, end = year_bounds(year)
    return _by_month(_sales_by_game_day(user, start, end))


@dataclass
class CategoryLine:
    category: str
    label: str
    projects: int = 0
    amount: Decimal = ZERO
    share: Decimal = Decimal("0.0000")


@dataclass
class Report:
    year: int
    ledger: Ledger
    jobs: int
    outlets_open: int
    fund_used: Decimal
    projects: int
    by_category: list[CategoryLine]
    by_region: list[tuple[str, str, Decimal]]  # (code, name, amount)
    by_month: list[tuple[int, Decimal]]


def jobs_at(user: Reader, day: date) -> tuple[int, int]:
    """(staff, outlets) of the outlets open on `day`."""
    row = (
        outlets_visible_to(user)
        .filter(is_open_on(day))
        .aggregate(staff=Sum("staff_count"), outlets=Count("id"))
    )
    return int(row["staff"] or 0), int(row["outlets"] or 0)


def annual_report(user: Reader, year: int) -> Report:
    start, end = year_bounds(year)
    ledger = fund_ledger(user, year)
    jobs, outlets_open = jobs_at(user, end - timedelta(days=1))
    used = disbursements_visible_to(user).filter(paid_on__gte=start, paid_on__lt=end)
    rows = used.values("grant__category").annotate(
        amount=Sum("amount"), projects=Count("grant_id", distinct=True)
    )
    found = {row["grant__category"]: row for row in rows}
    fund_used = money(sum((money(row["amount"]) for row in rows), ZERO))
    lines = []
    for category in GrantCategory:
        row = found.get(category.value)
        amount = money(row["amount"]) if row else ZERO
        share = (
            (amount / fund_used).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            if fund_used
            else Decimal("0.0000")
        )
        lines.append(
            CategoryLine(
                category.value,
                str(category.label),
                projects=int(row["projects"]) if row else 0,
                amount=amount,
                share=share,
            )
        )
    projects = used.values("grant_id").distinct().count()
    by_region = [
        (row["grant__region__code"], row["grant__region__name"], money(row["amount"]))
        for row in used.values("grant__region__code", "grant__region__name")
        .annotate(amount=Sum("amount"))
        .order_by("grant__region__code")
    ]
    return Report(
        year=year,
        ledger=ledger,
        jobs=jobs,
        outlets_open=outlets_open,
        fund_used=fund_used,
        projects=projects,
        by_category=lines,
        by_region=by_region,
        by_month=ledger.by_month,
    )
