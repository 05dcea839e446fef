"""Demo welfare-lottery records: a centre whose 2023 records add up exactly to the figures of
《2023杭州市福利彩票责任彩票报告》, and 2024-2025 records that continue them.

2023 to the yuan: sales 3,493,000,000; fund raised 972,000,000 (each game's sales times its
split: see GAME_SALES_2023); income tax withheld 23,617,500 (20 % of 118,087,500 paid in prizes
over 10,000 yuan); 3,000 outlets open on 31 December with more than 2,500 staff; 341,000,000 of
the fund used on 970 projects: 390 for the elderly (240,000,000, 70.38 %), 25 for the disabled,
41 for children and 514 for the public good; four conduct supervisors appointed and ten sellers
reading the pledge on 16 August; the six activities of the first publicity month.

To keep the demo's first seed quick, an outlet's sales of a game are stored as one row a month
in 2023 and one row a quarter in 2024-2025 (dated on a day of that period), rather than one row
a day: the import takes daily rows as well, and every figure adds up the same way.
Deterministic by seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.db import transaction

from jiceng.core.models import Region, RegionLevel
from jiceng.core.region_codes import scope_prefix
from jiceng.core.scope import region_prefix_q
from jiceng.lottery.models import (
    DailySale,
    Disbursement,
    Game,
    Grant,
    GrantCategory,
    Outlet,
    Prize,
    PublicityActivity,
    SalesStaff,
    Supervisor,
    SupervisorVisit,
    Training,
    UnclaimedPrize,
)
from jiceng.lottery.reference_data import rules_load

OUTLETS = 3000
# 2023 sales by game (yuan): with the reference splits (36 %, 34 %, 37 %, 28 %, 30 %, 20 %)
# they raise 252 + 68 + 18.5 + 28 + 350.7 + 254.8 = 972 million.
GAME_SALES_2023 = {
    "ssq": 700_000_000,
    "3d": 200_000_000,
    "qlc": 50_000_000,
    "k3": 100_000_000,
    "kl8": 1_169_000_000,
    "instant": 1_274_000_000,
}
GROWTH = {2024: Decimal("1.03"), 2025: Decimal("1.05")}
TAXED_PRIZES_2023 = 118_087_500  # 20 % of it is 23,617,500
TAXED_PRIZE_COUNT = 1200
SMALL_PRIZE_COUNT = 2000
GRANTS_2023 = {  # category: (projects, yuan)
    GrantCategory.ELDERLY: (390, 240_000_000),
    GrantCategory.DISABLED: (25, 15_000_000),
    GrantCategory.CHILDREN: (41, 20_000_000),
    GrantCategory.PUBLIC_GOOD: (514, 66_000_000),
}
MONTH_WEIGHTS = (9, 7, 8, 8, 8, 8, 8, 9, 8, 8, 9, 10)
BATCH = 5000

GRANT_TITLES = {
    GrantCategory.ELDERLY: (
        "居家养老服务中心建设",
        "老年食堂补助",
        "养老机构护理床位改造",
        "困难老人助餐",
    ),
    GrantCategory.DISABLED: ("残疾人康复服务", "残疾人之家设施更新", "辅具适配补助"),
    GrantCategory.CHILDREN: ("儿童福利院设施改造", "困境儿童关爱", "儿童之家建设"),
    GrantCategory.PUBLIC_GOOD: ("社区公益服务项目", "社会组织孵化", "慈善救助", "志愿服务站点"),
}
ACTIVITIES = (
    (PublicityActivity.Kind.REPORT, "发布2023年度责任彩票报告", 120),
    (PublicityActivity.Kind.CHARITY, "福彩公益进社区系列活动", 800),
    (PublicityActivity.Kind.OFFLINE, "责任彩票线下地推活动", 300),
    (PublicityActivity.Kind.ONLINE, "责任彩票线上推广", 5000),
    (PublicityActivity.Kind.TRAINING, "责任彩票专题培训", 200),
    (PublicityActivity.Kind.SURVEY, "责任彩票调研", 60),
)


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` yuan in whole yuan over `weights`, adding up exactly."""
    scale = sum(weights)
    parts = [int(total * w / scale) for w in weights]
    for index in range(total - sum(parts)):
        parts[index % len(parts)] += 1
    return parts


def _periods(year: int) -> list[tuple[date, date, float]]:
    """(first day, last day, weight) of the periods one row each: months in 2023, quarters later."""
    if year == 2023:
        spans = [(date(year, m, 1), m, m + 1) for m in range(1, 13)]
    else:
        spans = [(date(year, m, 1), m, m + 3) for m in (1, 4, 7, 10)]
    periods = []
    for first, start_month, end_month in spans:
        end = date(year + 1, 1, 1) if end_month > 12 else date(year, end_month, 1)
        weight = float(sum(MONTH_WEIGHTS[start_month - 1 : end_month - 1]))
        periods.append((first, end - timedelta(days=1), weight))
    return periods


def seed_lottery(*, seed: int, county: str) -> dict[str, int]:
    rng = random.Random(seed * 11 + 18)
    rules_load()
    prefix = scope_prefix(county)
    county_region = Region.objects.get(code=county)
    villages = list(
        Region.objects.filter(region_prefix_q(prefix, "code"), level=RegionLevel.VILLAGE)
        .order_by("code")
        .values_list("code", flat=True)
    )
    towns = list(
        Region.objects.filter(region_prefix_q(prefix, "code"), level=RegionLevel.TOWN)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not villages:
        return {}
    games = {g.code: g for g in Game.objects.all()}
    with transaction.atomic(), disable_auditlog():
        outlets = _outlets(rng, villages)
        staff = _staff(rng, outlets)
        sales = 0
        for year in (2023, 2024, 2025):
            sales += _sales(rng, outlets, games, year)
        prizes = _prizes(rng, outlets, games, county_region)
        grants = _grants(rng, villages + towns)
        _responsibility(rng, county_region, outlets)
    return {
        "lottery_outlets": len(outlets),
        "lottery_staff": staff,
        "lottery_sales": sales,
        "lottery_prizes": prizes,
        "lottery_grants": grants,
    }


def _outlets(rng: random.Random, villages: list[str]) -> list[Outlet]:
    outlets = []
    for number in range(1, OUTLETS + 1):
        region = villages[(number * 7) % len(villages)]
        opened = date(2008, 1, 1) + timedelta(days=rng.randrange(0, 5000))
        closed = None
        if number % 40 == 0:  # 75 outlets close in 2024-2025
            closed = date(2024, 1, 1) + timedelta(days=rng.randrange(30, 700))
        outlets.append(
            Outlet(
                code=f"33{number:05d}",
                name=f"福利彩票{number:04d}号投注站",
                licence=f"ZJFC{number:06d}",
                address="",
                region_id=region,
                owner=f"业主{number:04d}",
                staff_count=1 if number % 6 else 2,
                opened_on=opened,
                closed_on=closed,
            )
        )
    return Outlet.objects.bulk_create(outlets, batch_size=BATCH)


def _staff(rng: random.Random, outlets: list[Outlet]) -> int:
    people = []
    for outlet in outlets:
        for index in range(outlet.staff_count):
            signed = date(2023, 8, 16) + timedelta(days=rng.randrange(0, 45))
            people.append(
                SalesStaff(
                    outlet=outlet,
                    name=f"销售员{outlet.code[-4:]}-{index + 1}",
                    pledge_signed_on=signed,
                )
            )
    made = SalesStaff.objects.bulk_create(people, batch_size=BATCH)
    Training.objects.bulk_create(
        [
            Training(staff=person, topic="责任彩票专题培训", held_on=date(2023, 9, 20))
            for person in made[::10]
        ],
        batch_size=BATCH,
    )
    return len(made)


def _sales(rng: random.Random, outlets: list[Outlet], games: dict[str, Game], year: int) -> int:
    growth = GROWTH.get(year, Decimal(1))
    periods = _periods(year)
    rows: list[DailySale] = []
    for code, total_2023 in GAME_SALES_2023.items():
        total = int(Decimal(total_2023) * growth)
        sellers = [
            o
            for i, o in enumerate(outlets)
            if (code not in ("qlc", "k3") or i % (2 if code == "qlc" else 3) == 0)
        ]
        cells: list[tuple[Outlet, date, date, float]] = []
        for outlet in sellers:
            size = 0.5 + rng.random()
            for first, last, weight in periods:
                if outlet.opened_on > last or (outlet.closed_on and outlet.closed_on <= first):
                    continue
                cells.append((outlet, first, last, size * weight))
        amounts = _split(total, [c[3] for c in cells])
        for (outlet, first, last, _w), amount in zip(cells, amounts, strict=True):
            end = min(last, outlet.closed_on - timedelta(days=1)) if outlet.closed_on else last
            day = first + timedelta(days=rng.randrange(0, (end - first).days + 1))
            rows.append(
                DailySale(
                    outlet=outlet,
                    game=games[code],
                    sold_on=day,
                    amount=amount,
                    region_id=outlet.region_id,
                )
            )
    DailySale.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _prizes(
    rng: random.Random, outlets: list[Outlet], games: dict[str, Game], centre: Region
) -> int:
    rows: list[Prize] = []
    big_games = ["ssq", "kl8", "3d", "qlc", "instant"]
    for year, growth in ((2023, Decimal(1)), *GROWTH.items()):
        taxed_total = int(Decimal(TAXED_PRIZES_2023) * growth)
        floor = 10_001
        extra = _split(
            taxed_total - floor * TAXED_PRIZE_COUNT,
            [rng.paretovariate(1.3) for _ in range(TAXED_PRIZE_COUNT)],
        )
        for amount in (floor + e for e in extra):
            day = date(year, 1, 1) + timedelta(days=rng.randrange(0, 365))
            big = amount > 50_000
            outlet = None if big else outlets[rng.randrange(len(outlets))]
            region = centre.code if outlet is None else outlet.region_id
            rows.append(
                Prize(
                    game=games[rng.choice(big_games)],
                    outlet=outlet,
                    amount=amount,
                    paid_on=day,
                    tax_withheld=(Decimal(amount) * Decimal("0.20")).quantize(Decimal("0.01")),
                    region_id=region,
                )
            )
        for _ in range(SMALL_PRIZE_COUNT):
            outlet = outlets[rng.randrange(len(outlets))]
            rows.append(
                Prize(
                    game=games[rng.choice(big_games)],
                    outlet=outlet,
                    amount=rng.choice((1000, 3000, 5000, 10000)),
                    paid_on=date(year, 1, 1) + timedelta(days=rng.randrange(0, 365)),
                    tax_withheld=Decimal("0.00"),
                    region_id=outlet.region_id,
                )
            )
        for month in (3, 6, 9, 12):
            drawn = date(year, month, 1)
            UnclaimedPrize.objects.create(
                game=games["ssq"],
                drawn_on=drawn,
                amount=rng.choice((5000, 10000, 200000)),
                claim_ends_on=drawn + timedelta(days=60),
                region=centre,
            )
    Prize.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _grants(rng: random.Random, regions: list[str]) -> int:
    made = 0
    for year, growth in ((2023, Decimal(1)), *GROWTH.items()):
        grants: list[Grant] = []
        payments: list[tuple[int, int, date]] = []  # (grant index, amount, paid_on)
        for category, (projects, total) in GRANTS_2023.items():
            amounts = _split(
                int(Decimal(total) * growth), [0.3 + rng.random() for _ in range(projects)]
            )
            for number, amount in enumerate(amounts, start=1):
                approved = date(year, 1, 1) + timedelta(days=rng.randrange(0, 200))
                titles = GRANT_TITLES[category]
                grants.append(
                    Grant(
                        title=f"{titles[number % len(titles)]}（{year}-{number:03d}）",
                        category=category,
                        recipient=f"公益组织{rng.randrange(1, 400):03d}",
                        region_id=regions[rng.randrange(len(regions))],
                        approved_amount=amount,
                        approved_on=approved,
                        outcome="",
                    )
                )
                first = amount // 2 if amount > 100_000 else amount
                payments.append((len(grants) - 1, first, approved + timedelta(days=30)))
                if amount - first:
                    payments.append(
                        (len(grants) - 1, amount - first, approved + timedelta(days=120))
                    )
        saved = Grant.objects.bulk_create(grants, batch_size=BATCH)
        Disbursement.objects.bulk_create(
            [
                Disbursement(grant=saved[i], amount=amount, paid_on=day)
                for i, amount, day in payments
            ],
            batch_size=BATCH,
        )
        made += len(saved)
    return made


def _responsibility(rng: random.Random, centre: Region, outlets: list[Outlet]) -> None:
    appointed = date(2023, 8, 16)
    supervisors = [
        Supervisor.objects.create(
            name=name,
            affiliation=affiliation,
            appointed_on=appointed,
            term_ends_on=date(2025, 8, 15),
            region=centre,
        )
        for name, affiliation in (
            ("周明", "市人大代表"),
            ("陈静", "市政协委员"),
            ("王磊", "桐乡日报记者"),
            ("李芳", "市人大代表"),
        )
    ]
    for index in range(24):
        SupervisorVisit.objects.create(
            supervisor=supervisors[index % 4],
            outlet=outlets[rng.randrange(len(outlets))],
            visited_on=appointed + timedelta(days=20 + index * 20),
            findings="未成年人禁售标识张贴到位，购彩提示规范。"
            if index % 5
            else "理性购彩提示未张贴，已当场整改。",
        )
    for kind, title, participants in ACTIVITIES:
        PublicityActivity.objects.create(
            kind=kind,
            title=title,
            held_on=appointed + timedelta(days=rng.randrange(0, 30)),
            participants=participants,
            region=centre,
        )


def demo_lottery_delete() -> None:
    """Delete the demo's lottery records (they refer to regions)."""
    for model in (
        SupervisorVisit,
        Supervisor,
        PublicityActivity,
        Disbursement,
        Grant,
        UnclaimedPrize,
        Prize,
        DailySale,
        Training,
        SalesStaff,
        Outlet,
    ):
        model.objects.all().delete()
