"""`jiceng seed --county 330502`: 吴兴区 seeded as a deployment of its own, agreeing with the
demo county's seed on every code and name of 吴兴's region tree."""

from __future__ import annotations

import pytest

from jiceng.core.models import Person, Region, User
from jiceng.core.services.regions import parse_region_csv
from jiceng.demo.deployment import plan_deployment
from jiceng.demo.profile import REGIONS_FILE
from jiceng.demo.seed import SeedRefused, seed_demo
from jiceng.federation.selectors import own_code

SEED = 11


def _rows(county: str) -> dict[str, tuple[str, str | None]]:
    reference = parse_region_csv(REGIONS_FILE.read_text(encoding="utf-8"))
    plan = plan_deployment(county=county, scale="test", reference_rows=reference, seed=SEED)
    rows = reference + plan.tree.synthetic_rows()
    return {r.code: (r.name, r.parent) for r in rows}


def test_wuxing_has_the_same_region_tree_in_both_deployments():
    in_tongxiang = {c: v for c, v in _rows("330483").items() if c.startswith("330502")}
    in_wuxing = _rows("330502")
    assert {c: v for c, v in in_wuxing.items() if c.startswith("330502")} == in_tongxiang
    assert len([c for c in in_tongxiang if len(c) == 9]) == 5
    # 桐乡 is 吴兴's neighbour: the county and its real towns, nothing below them.
    assert [c for c in in_wuxing if c.startswith("330483")] == ["330483", *sorted(
        c for c in in_wuxing if c.startswith("330483") and len(c) == 9
    )]  # fmt: skip


def test_seeding_wuxing_makes_a_deployment_of_its_own(db, settings):
    settings.JICENG_REGION_CODE = ""
    seed_demo(scale="test", seed=SEED, reset=False, progress=False, county="330502")

    assert own_code() == "330502"
    admin = User.objects.get(username="admin")
    assert admin.region_id == "330502" and admin.is_superuser
    people = Person.objects.all()
    assert people.count() > 0
    assert not people.exclude(region__code__startswith="330502").exists()
    assert not Region.objects.filter(code__startswith="330483", level="village").exists()


def test_a_county_outside_the_agreement_is_refused(db):
    with pytest.raises(SeedRefused):
        seed_demo(scale="test", seed=SEED, reset=False, progress=False, county="330521")
    assert not Region.objects.exists()
