"""Load the welfare-lottery rules from jiceng/reference/lottery-rules.json (a copy of the
project's research file, with each fact's source and confidence): the games and their splits, the
prize tax rule and the fund's allocation. Run by a data migration, so a fresh database has them
without the demo; idempotent (a rule already present for its date is left as it is, since an
administrator may have corrected it).

The file gives no dates from which the splits apply: they are loaded as in force from
SPLITS_EFFECTIVE_FROM, and a changed split is a new row with its own date. What the file marks as
not verified is loaded with `verified=False`, and the pages show it as such.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "reference" / "lottery-rules.json"
SPLITS_EFFECTIVE_FROM = date(2000, 1, 1)
# The claim period of a prize (彩票管理条例实施细则: 60 days after the draw); not in the file.
CLAIM_DAYS = 60


def rules() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return data


def _dec(value: float | int | str) -> Decimal:
    return Decimal(str(value))


def rules_load(apps: Any = None) -> int:
    """Create what is missing; returns the number of rows created."""
    if apps is None:
        from django.apps import apps as installed

        apps = installed
    game_model = apps.get_model("lottery", "Game")
    split_model = apps.get_model("lottery", "GameSplit")
    tax_model = apps.get_model("lottery", "TaxRule")
    fund_model = apps.get_model("lottery", "FundRule")
    data = rules()
    created = 0
    for entry in data["games"]:
        game, made = game_model.objects.get_or_create(
            code=entry["code"], defaults={"name": entry["name"], "kind": entry.get("kind", "")}
        )
        created += made
        confidence = entry.get("confidence", "")
        _, made = split_model.objects.get_or_create(
            game=game,
            effective_from=SPLITS_EFFECTIVE_FROM,
            defaults={
                "prize_share": _dec(entry["prize"]),
                "fee_share": _dec(entry["fee"]),
                "fund_share": _dec(entry["fund"]),
                "confidence": confidence[:200],
                "verified": confidence.startswith("verified"),
                "source": entry.get("source", ""),
            },
        )
        created += made
    tax = data["tax"]
    _, made = tax_model.objects.get_or_create(
        effective_from=SPLITS_EFFECTIVE_FROM,
        defaults={
            "exempt_up_to": _dec(tax["exempt_up_to_yuan"]),
            "rate": _dec(tax["rate"]),
            "document": tax["document"][:200],
            "confidence": tax["confidence"][:200],
        },
    )
    created += made
    fund = data["fund_allocation"]
    central = fund["central_half"]
    _, made = fund_model.objects.get_or_create(
        effective_from=SPLITS_EFFECTIVE_FROM,
        defaults={
            "central_share": _dec(fund["central_share"]),
            "social_security_share": _dec(central["national_social_security_fund"]),
            "special_fund_share": _dec(central["central_special_fund"]),
            "civil_affairs_share": _dec(central["civil_affairs"]),
            "sport_share": _dec(central["sport"]),
            "claim_days": CLAIM_DAYS,
            "document": fund["document"][:200],
        },
    )
    return created + made
