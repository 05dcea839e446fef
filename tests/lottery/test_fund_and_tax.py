"""The fund arithmetic per game split and date, and the prize tax threshold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiceng.lottery.models import Game, GameSplit, Prize
from jiceng.lottery.selectors import fund_ledger, tax_on
from jiceng.lottery.services import prize_pay, sales_import

pytestmark = pytest.mark.django_db


def test_a_day_of_shuangseqiu_sales_of_a_million_raises_the_fund_by_360000(outlets):
    sales_import(actor=None, data="date,outlet,game,amount\n2023-03-01,wt1,ssq,1000000\n")
    ledger = fund_ledger(None, 2023)
    assert ledger.sales == Decimal("1000000.00")
    assert ledger.fund_raised == Decimal("360000.00")
    assert ledger.prize == Decimal("510000.00")
    assert ledger.fee == Decimal("130000.00")
    assert ledger.central == Decimal("180000.00")
    assert ledger.local == Decimal("180000.00")


def test_each_day_uses_its_games_split_in_force_on_that_day(outlets):
    ssq = Game.objects.get(code="ssq")
    GameSplit.objects.create(
        game=ssq,
        effective_from=date(2023, 7, 1),
        prize_share=Decimal("0.50"),
        fee_share=Decimal("0.10"),
        fund_share=Decimal("0.40"),
    )
    sales_import(
        actor=None,
        data="date,outlet,game,amount\n2023-06-30,wt1,ssq,1000\n2023-07-01,wt1,ssq,1000\n"
        "2023-07-02,py1,kl8,100.10\n",
    )
    ledger = fund_ledger(None, 2023)
    by_game = {line.game.code: line for line in ledger.by_game}
    assert by_game["ssq"].fund_raised == Decimal("360.00") + Decimal("400.00")
    assert by_game["kl8"].fund_raised == Decimal("30.03")
    assert ledger.fund_raised == Decimal("790.03")
    assert ledger.sales == Decimal("2100.10")


def test_a_12000_yuan_prize_withholds_2400_and_a_10000_yuan_prize_none(staff, outlets):
    assert tax_on(Decimal("12000"), date(2023, 1, 1)) == Decimal("2400.00")
    assert tax_on(Decimal("10000"), date(2023, 1, 1)) == Decimal("0.00")
    assert tax_on(Decimal("10000.01"), date(2023, 1, 1)) == Decimal("2000.00")
    prize = prize_pay(
        actor=staff["fucai"],
        game="ssq",
        outlet="wt1",
        amount=Decimal("12000"),
        paid_on=date(2023, 5, 1),
    )
    assert prize.tax_withheld == Decimal("2400.00")
    assert prize.region_id == "330483001001"
    assert fund_ledger(None, 2023).tax_withheld == Decimal("2400.00")


def test_a_prize_for_an_unknown_game_is_refused_and_nothing_stored(staff, outlets):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        prize_pay(actor=staff["fucai"], game="nope", amount=Decimal("5"), paid_on=date(2023, 1, 1))
    assert "game" in refused.value.message_dict
    assert Prize.objects.count() == 0


def test_an_unclaimed_prize_reaches_the_local_fund_in_the_year_its_claim_period_ends(
    staff, regions
):
    from jiceng.lottery.services import unclaimed_prize_record

    prize = unclaimed_prize_record(
        actor=staff["fucai"],
        game="ssq",
        drawn_on=date(2023, 12, 1),
        amount=Decimal("5000"),
        region=regions["330483"],
    )
    assert prize.claim_ends_on == date(2024, 1, 30)
    assert fund_ledger(None, 2023).unclaimed == Decimal("0.00")
    assert fund_ledger(None, 2024).unclaimed == Decimal("5000.00")


def test_a_town_may_not_record_an_unclaimed_prize_for_the_county(staff, regions):
    from django.core.exceptions import PermissionDenied

    from jiceng.lottery.models import UnclaimedPrize
    from jiceng.lottery.services import unclaimed_prize_record

    with pytest.raises(PermissionDenied):
        unclaimed_prize_record(
            actor=staff["fucai_wutong"],
            game="ssq",
            drawn_on=date(2023, 1, 1),
            amount=Decimal("5"),
            region=regions["330483"],
        )
    assert UnclaimedPrize.objects.count() == 0
