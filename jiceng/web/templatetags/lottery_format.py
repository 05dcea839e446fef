"""`yuan`: an amount as the welfare-lottery pages and report print it, 1,234,567.89; `percent`:
a share or rate as a percentage, 0.2000 → 20%, 0.7038 → 70.38%."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value: Decimal | float | int | None) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f}"


@register.filter
def percent(value: Decimal | float | int | None) -> str:
    if value is None or value == "":
        return ""
    text = f"{Decimal(str(value)) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"
