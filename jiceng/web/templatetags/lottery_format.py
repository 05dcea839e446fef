"""`yuan`: an amount as the welfare-lottery pages and report print it, 1,234,567.89."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value: Decimal | float | int | None) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):,.2f}"
