from __future__ import annotations

import pytest

from jiceng.cases.models import Department
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create


@pytest.fixture
def case_setup(users):
    """Categories and departments of 桐乡市, with handlers in 梧桐's and 濮院's fire stations."""
    categories_load()
    departments_create(county_code="330483")
    wutong_fire = Department.objects.get(region_id="330483001", kind="fire_station")
    wutong_fire.members.add(users["handler"])
    puyuan_handler = user_create(
        username="puyuan_handler",
        password=None,
        region_code="330483101",
        roles=[Role.DEPARTMENT_HANDLER],
    )
    Department.objects.get(region_id="330483101", kind="fire_station").members.add(puyuan_handler)
    users["puyuan_handler"] = puyuan_handler
    return users
