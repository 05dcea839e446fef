"""The steps and the dispute-mediation category are loaded by the youth data migration."""

import pytest

from jiceng.cases.models import Category, CategoryRoute
from jiceng.youth.models import Step

pytestmark = pytest.mark.django_db


def test_the_25_steps_are_loaded_with_their_rules():
    steps = list(Step.objects.order_by("n"))
    assert [s.n for s in steps] == list(range(1, 26))
    assert steps[0].code == "application" and steps[0].rules[0]["article"] == 5
    assert {s.stage for s in steps} == {
        "applicant",
        "activist",
        "development_object",
        "admission",
        "probation",
    }


def test_the_mediation_category_routes_to_the_towns_studio():
    category = Category.objects.get(code="youth_mediation")
    assert not category.public
    assert CategoryRoute.objects.filter(
        category=category, department_kind="youth_mediation"
    ).exists()
