from __future__ import annotations

from datetime import date

import pytest

from jiceng.cases.models import Department
from jiceng.cases.reference_data import categories_load, departments_create
from jiceng.core.models import Role
from jiceng.core.services.accounts import user_create
from jiceng.projects.services import project_create

WUTONG = "330483001"


@pytest.fixture
def project_setup(users):
    """Categories and departments of 桐乡市; a task-force member and a handler of 梧桐's town
    construction office (where land-acquisition problems go)."""
    categories_load()
    departments_create(county_code="330483")
    member = user_create(
        username="member", password=None, region_code=WUTONG, roles=[Role.VILLAGE_WORKER]
    )
    builder = user_create(
        username="builder", password=None, region_code=WUTONG, roles=[Role.DEPARTMENT_HANDLER]
    )
    Department.objects.get(region_id=WUTONG, kind="construction").members.add(builder)
    users["member"], users["builder"] = member, builder
    return users


@pytest.fixture
def plant(project_setup):
    """A furniture plant of 梧桐街道 with the default approval chain, production due
    30 October 2026, planned on 1 June 2026."""
    return project_create(
        actor=project_setup["wutong"],
        name="家具智造工厂",
        stage="signed",
        region_code=WUTONG,
        kind="industrial",
        production_target=date(2026, 10, 30),
        task_force=[project_setup["member"]],
        today=date(2026, 6, 1),
    )
