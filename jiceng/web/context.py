"""Template context shared by every page: the module navigation (see jiceng/web/navigation.py)."""

from __future__ import annotations

from django.http import HttpRequest

from jiceng.web.navigation import NavGroup, NavItem, groups_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """``nav_groups``: the bar's menus; ``nav_user_menu``: the groups shown in the user menu
    (administration); ``nav_items``: every entry the user is shown, in order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "nav_user_menu": [], "nav_items": []}
    groups: list[NavGroup] = groups_for(request)
    items: list[NavItem] = [item for group in groups for item in group.items]
    return {
        "nav_groups": [g for g in groups if g.placement == "bar"],
        "nav_user_menu": [g for g in groups if g.placement == "user-menu"],
        "nav_items": items,
    }
