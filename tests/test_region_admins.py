"""An administrator of a region may do everything within it, in every module; a town
administrator acts as the county administrator does, inside their town only. And the region
helpers of core.scope that every module uses instead of slicing codes."""

from __future__ import annotations

import pytest

from jiceng.cases.access import is_dispatcher
from jiceng.cases.models import Case
from jiceng.core import roles
from jiceng.core.models import Role, Site
from jiceng.core.scope import code_within, county_of, region_column, town_of, village_of
from jiceng.core.services.accounts import user_create
from jiceng.gas.access import may_manage_station, may_record_checks, may_take_orders
from jiceng.gas.models import Cylinder, Station
from jiceng.hall.access import may_manage
from jiceng.ltc.access import is_ltc_staff

WUTONG, PUYUAN = "330483001", "330483101"


@pytest.fixture
def town_admin(regions):
    return user_create(
        username="wt-admin", password=None, region_code=WUTONG, roles=[Role.TOWN_ADMIN]
    )


def test_a_town_administrator_is_an_administrator_of_their_region(town_admin, users):
    assert roles.is_region_admin(town_admin) and roles.is_region_admin(users["admin"])
    assert not roles.is_region_admin(users["wutong"])
    assert roles.may_read_id_numbers(town_admin)
    # What is the whole deployment's (trust between deployments, registry imports) stays
    # with the county's administrators.
    assert not roles.may_administer(town_admin)


def test_a_town_administrator_manages_halls_and_points_of_their_town_only(town_admin):
    assert may_manage(town_admin, WUTONG)
    assert may_manage(town_admin, "330483001001")
    assert not may_manage(town_admin, PUYUAN)
    assert not may_manage(town_admin, "330483")


def test_a_town_administrator_dispatches_the_cases_their_town_owns(town_admin, regions):
    mine = Case(region_id="330483001001", owner_region_id=WUTONG)
    theirs = Case(region_id="330483101001", owner_region_id=PUYUAN)
    assert is_dispatcher(town_admin, mine)
    assert not is_dispatcher(town_admin, theirs)


def test_a_town_administrator_is_care_insurance_and_gas_staff_in_their_town(town_admin, regions):
    assert is_ltc_staff(town_admin)
    wutong = Station(code="S1", name="梧桐站", kind="supply", region_id=WUTONG)
    puyuan = Station(code="S2", name="濮院站", kind="supply", region_id=PUYUAN)
    assert may_manage_station(town_admin, wutong)
    assert not may_manage_station(town_admin, puyuan)
    assert may_record_checks(town_admin) and may_take_orders(town_admin)


def test_a_town_officer_has_no_business_in_gas_orders_and_stations(users, regions):
    wutong = Station(code="S1", name="梧桐站", kind="supply", region_id=WUTONG)
    assert not may_take_orders(users["wutong"])
    assert not may_manage_station(users["wutong"], wutong)
    assert not may_record_checks(users["grid"])


def test_region_helpers_say_where_a_code_lies_without_slicing_by_hand():
    assert code_within("330483001001001", WUTONG)
    assert code_within(WUTONG, WUTONG)
    assert not code_within(PUYUAN, WUTONG)
    assert code_within(WUTONG, "330400")  # the city's scope prefix is 3304
    assert code_within(WUTONG, "330000")
    assert not code_within("330502001", "330483")
    assert not code_within(WUTONG, "not-a-code") and not code_within("", WUTONG)
    assert county_of("330483001001001") == "330483"
    assert town_of("330483001001001") == WUTONG and town_of("330483") is None
    assert village_of("330483001001001") == "330483001001" and village_of(WUTONG) is None


def test_a_model_s_region_column_is_its_foreign_key_column():
    assert region_column(Site) == "region_id"
    assert region_column(Cylinder) == "owner__region_id"
