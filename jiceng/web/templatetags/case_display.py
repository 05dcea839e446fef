"""How the case pages show things: names in the page's language, rates, the unread count.

{% load case_display %}{{ category|localized }} {{ row.on_time_rate|percent }}
{% unread_notification_count as unread %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from jiceng.cases.selectors import unread_notifications

register = template.Library()


def in_english() -> bool:
    return (get_language() or "").startswith("en")


def localized_name(record: Any, field: str = "name") -> str:
    """`record.<field>_en` on English pages when it has one, `record.<field>` otherwise."""
    if record is None:
        return ""
    if in_english():
        english = getattr(record, f"{field}_en", "")
        if english:
            return str(english)
    return str(getattr(record, field, ""))


@register.filter
def localized(record: Any, field: str = "name") -> str:
    return localized_name(record, field)


@register.filter
def percent(rate: float | None) -> str:
    """0.8567 → "85.7%"; nothing to divide → "—"."""
    if rate is None:
        return "—"
    return f"{rate * 100:.1f}%"


@register.simple_tag(takes_context=True)
def unread_notification_count(context: template.Context) -> int:
    """The signed-in user's unread notifications: one indexed COUNT, once per page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = unread_notifications(user).count()
        request._unread_notifications = cached  # type: ignore[union-attr]
    return int(cached)
