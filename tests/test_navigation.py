"""The module navigation: each user sees the groups their roles use, every link they are shown
opens, entries whose pages are not wired are left out, and the current page is marked."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from jiceng.core.models import Role, User
from jiceng.core.services.accounts import user_create
from jiceng.web import navigation
from jiceng.web.navigation import Entry, Registry, groups_for

WUTONG = "330483001"

# What each role finds in the bar among the first five modules (the modules its work uses);
# the modules that came later follow the roles they registered (checked below for all groups).
CORE = ("overview", "cases", "hall", "ltc", "gas")
EXPECTED_GROUPS = {
    "admin": ["overview", "cases", "hall", "ltc", "gas"],
    "townadmin": ["overview", "cases", "hall", "ltc", "gas"],
    "wutong": ["overview", "cases", "hall", "ltc"],
    "village": ["overview", "cases", "ltc"],
    "grid": ["overview", "cases"],
    "handler": ["overview", "cases", "ltc"],
    "clerk": ["overview", "hall", "ltc"],
    "regulator": ["overview", "cases", "hall", "ltc", "gas"],
    "station": ["gas"],
    "driver": ["gas"],
    "gasboss": ["gas"],
}


@pytest.fixture
def people(users, regions) -> dict[str, User]:
    """The shared users and one of each role they leave out: a town administrator and the gas
    trade (station staff, a delivery worker, the gas company's manager)."""
    extra = {
        "townadmin": (WUTONG, Role.TOWN_ADMIN),
        "station": (WUTONG, Role.STATION_STAFF),
        "driver": (WUTONG, Role.DELIVERY_WORKER),
        "gasboss": ("330483", Role.GAS_MANAGER),
    }
    made = {
        name: user_create(username=name, password=f"pw-{name}-2026", region_code=code, roles=[role])
        for name, (code, role) in extra.items()
    }
    return {**users, **made}


def _request(user: User, path: str = "/"):
    request = RequestFactory().get(path)
    request.user = user
    try:
        request.resolver_match = resolve(path)
    except Resolver404:  # a path without a page has no match
        request.resolver_match = None
    return request


def _groups(user: User, path: str = "/", registry: Registry | None = None):
    return groups_for(_request(user, path), registry=registry)


def _bar(user: User) -> list[str]:
    return [g.key for g in _groups(user) if g.placement == "bar" and g.key in CORE]


def _entries(user: User) -> set[str]:
    return {item.url_name for g in _groups(user) for item in g.items}


@pytest.mark.parametrize("username", sorted(EXPECTED_GROUPS))
def test_each_role_sees_the_groups_of_the_modules_it_uses(people, username):
    assert _bar(people[username]) == EXPECTED_GROUPS[username]


@pytest.mark.parametrize("username", sorted(EXPECTED_GROUPS))
def test_every_group_registered_is_shown_exactly_to_the_roles_that_use_it(people, username):
    user = people[username]
    mine = set(user.role_grants.values_list("role", flat=True))
    admin = bool(mine & navigation.REGION_ADMINS)
    shown = {g.key for g in _groups(user)}
    for group in navigation.REGISTRY.ordered():
        uses = admin or bool(mine & group.roles)
        if not uses:
            assert group.key not in shown, (username, group.key)
        elif group.key not in shown:  # only when none of its pages is for this user
            offered = [e for e in group.entries if e.roles is None or mine & e.roles]
            for entry in offered:
                with pytest.raises(NoReverseMatch):
                    reverse(entry.url_name)


def test_the_read_only_regulator_is_not_offered_the_pages_that_write(people):
    entries = _entries(people["regulator"])
    assert "case-report" not in entries
    assert "gas-delivery" not in entries
    assert {"cases-inbox", "cases-map", "gas-home", "gas-orders", "hall-kpis"} <= entries


def test_the_gas_trade_sees_its_own_pages(people):
    assert _entries(people["driver"]) == {"gas-home", "gas-sites", "gas-delivery"}
    assert _entries(people["station"]) == {"gas-home", "gas-sites", "gas-orders", "gas-delivery"}
    assert _entries(people["gasboss"]) == _entries(people["station"])


def test_person_status_is_only_for_the_care_insurance_staff(people):
    assert "ltc-person-status" in _entries(people["handler"])
    assert "ltc-person-status" in _entries(people["clerk"])
    assert "ltc-person-status" not in _entries(people["wutong"])
    assert "ltc-home" in _entries(people["wutong"])


def test_administration_is_in_the_user_menu_of_region_administrators_only(people):
    def user_menu(name: str) -> list[str]:
        return [
            item.url_name
            for g in _groups(people[name])
            if g.placement == "user-menu"
            for item in g.items
        ]

    county = user_menu("admin")
    assert {"federation-peers", "audit-log"} <= set(county)
    assert "federation-peers" not in user_menu("townadmin")  # peers are the county's business
    try:
        reverse("account-list")
    except NoReverseMatch:
        pass
    else:  # the accounts pages, once wired, are for both administrators
        assert "account-list" in county
        # A town administrator manages its accounts and its patrol rounds; the county's
        # checklists are the county's.
        assert user_menu("townadmin") == ["account-list", "inspection-rounds"]
        assert "inspection-checklists" in county
    for name in ("wutong", "village", "grid", "handler", "clerk", "regulator", "station"):
        assert user_menu(name) == [], name


def test_a_user_without_roles_sees_no_module_and_a_superuser_sees_them_all(people, regions):
    nobody = user_create(username="nobody", password="pw-nobody-2026", region_code=WUTONG, roles=[])
    assert _groups(nobody) == []
    root = User.objects.create_superuser("root", password="pw-root-2026")
    assert _bar(root) == EXPECTED_GROUPS["admin"]
    assert "gas-delivery" in _entries(root)


@pytest.mark.parametrize("username", sorted(EXPECTED_GROUPS))
def test_every_link_a_user_is_shown_opens_for_them(client, people, username):
    client.force_login(people[username])
    html = client.get("/").content.decode()
    shown = _groups(people[username])
    assert shown
    for group in shown:
        for item in group.items:
            assert f'href="{item.url}"' in html, (group.key, item.url_name)
            assert client.get(item.url).status_code == 200, (username, item.url_name)


def test_entries_whose_pages_are_not_wired_are_left_out_and_so_is_an_empty_group(people):
    registry = navigation.REGISTRY.copy()
    registry.add_entries("overview", Entry("no-such-page", "Nowhere"))
    registry.register_group(
        "unwired", "未接入", roles={Role.GRID_WORKER}, entries=[Entry("no-such-home", "未接入")]
    )
    groups = _groups(people["grid"], registry=registry)
    assert [g.key for g in groups if g.key in (*CORE, "unwired")] == ["overview", "cases"]
    assert "no-such-page" not in {item.url_name for g in groups for item in g.items}


def test_a_module_that_registers_later_takes_its_place_in_the_order(people):
    registry = navigation.REGISTRY.copy()
    # Registered last, placed where the platform planned it: after gas, before 迎峰度夏.
    registry.register_group(
        "power", "迎峰度夏", roles={Role.GRID_WORKER}, entries=[Entry("home", "x")]
    )
    registry.register_group(
        "ebike", "电动车", roles={Role.GRID_WORKER}, entries=[Entry("cases-map", "电动车")]
    )
    registry.register_group("zzz", "Other", roles={Role.GRID_WORKER}, entries=[Entry("home", "y")])
    mine = (*CORE, "ebike", "power", "zzz")
    keys = [g.key for g in _groups(people["admin"], registry=registry) if g.key in mine]
    assert keys == ["overview", "cases", "hall", "ltc", "gas", "ebike", "power", "zzz"]
    assert [g.key for g in _groups(people["grid"], registry=registry) if g.key in mine] == [
        "overview",
        "cases",
        "ebike",
        "power",
        "zzz",
    ]


def test_the_page_itself_is_the_active_entry_and_its_group_is_current(people):
    groups = _groups(people["admin"], reverse("cases-map"))
    active = [(g.key, i.url_name) for g in groups for i in g.items if i.active]
    assert active == [("cases", "cases-map")]
    assert [g.key for g in groups if g.active] == ["cases"]


def test_a_page_without_an_entry_marks_the_entry_it_lies_under(people):
    # /cases/notifications/ has no entry: it lies under /cases/, not under /.
    groups = _groups(people["wutong"], reverse("notifications"))
    assert [i.url_name for g in groups for i in g.items if i.active] == ["cases-inbox"]
    # A region's dashboard belongs to the overview's entry.
    groups = _groups(people["wutong"], reverse("region-dashboard", args=[WUTONG]))
    assert [i.url_name for g in groups for i in g.items if i.active] == ["home"]
    # A page under no entry marks none.
    groups = _groups(people["station"], reverse("region-dashboard", args=[WUTONG]))
    assert not any(i.active for g in groups for i in g.items)


def test_the_header_keeps_the_tools_apart_from_the_module_menus(client, people):
    client.force_login(people["admin"])
    html = client.get(reverse("cases-inbox")).content.decode()
    nav = re.search(r'<nav class="modules".*?</nav>', html, re.S).group(0)
    shown = [g for g in _groups(people["admin"]) if g.placement == "bar"]
    assert nav.count('class="nav-group-button"') == len(shown) >= 5
    assert 'class="nav-toggle"' in nav  # the phone's menu button
    # Notifications, language and the user menu are outside the module navigation.
    for tool in ("notification-bell", "language-switch", "user-menu"):
        assert tool in html and tool not in nav
    assert re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', html) == ["问题"]
    assert '<li class="nav-group is-current" data-group="cases">' in nav
    # The administration entries are in the user menu.
    user_menu = html[html.index('<details class="user-menu">') :]
    assert f'href="{reverse("federation-peers")}"' in user_menu


def test_signed_out_pages_have_no_module_navigation(client, db):
    html = client.get(reverse("login")).content.decode()
    assert 'class="modules"' not in html
    assert "language-switch" in html
