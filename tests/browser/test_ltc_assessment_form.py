"""In a real browser at tablet size (768×1024), an assessor on a home visit fills the 17 items of
the assessment form, sees the grades and the level computed before saving, and saves; the
server's level is the same. A screenshot goes to /tmp."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from jiceng.cases.reference_data import categories_load
from jiceng.core.identifiers import make_resident_id
from jiceng.core.services.registries import person_create
from jiceng.ltc.models import Application, Assessment
from jiceng.ltc.services.applications import application_act, application_apply

pytestmark = pytest.mark.browser

TABLET = {"width": 768, "height": 1024}
SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person to look at
# ADL 40 (重度受损): everything lowest but walking and transfer (15 + 15) and eating (10).
ADL = {"adl.eating": 10, "adl.walking": 15, "adl.transfer": 15}
# Cognition 2 (中度受损): time orientation 1, memory 1; sensory 12 (intact).
COGNITION = {"cog.time": 1, "cog.memory": 1}


@pytest.fixture
def assigned(users, settings):
    settings.JICENG_REGION_CODE = "330483"
    categories_load()
    number = make_resident_id("330483", timezone.localdate().replace(year=1940, day=1), 5, "F")
    person_create(actor=None, name="沈阿婆", id_number=number, region_code="330483001001")
    application = application_apply(actor=None, person_id_number=number, care_mode="home")
    for action, data in (
        ("accept", {}),
        ("assign", {"assessor": "王丽华", "second_assessor": "陈建平"}),
    ):
        application = application_act(
            actor=None, application_id=application.pk, action=action, data=data
        )
    return application


def _answer(page, item: str, score: int) -> None:
    page.click(f"label[for='{item}-{score}']")


def _shown(page, selector: str) -> str:
    return str(page.evaluate(f"document.querySelector({selector!r}).textContent")).strip()


def test_an_assessor_sees_the_level_before_saving_on_a_tablet(
    live_server, browser, assigned, page_problems
):
    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: page_problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: page_problems.append(message.text) if message.type == "error" else None,
    )
    base = live_server.url
    page.goto(f"{base}/accounts/login/?next=/ltc/applications/{assigned.pk}/assess/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", "pw-clerk-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("[data-assessment-form]")

    # Nothing answered: no level yet.
    assert _shown(page, "[data-level]") == "—"
    from jiceng.ltc.standard import current_standard

    items = current_standard().items
    for item in items:
        if item.indicator == "adl":
            _answer(page, item.id, ADL.get(item.id, 0))
        elif item.indicator == "cognition":
            _answer(page, item.id, COGNITION.get(item.id, 0))
        else:
            _answer(page, item.id, 4)
        if item is items[5]:
            # Part-way through, the level still waits for the other items.
            assert _shown(page, "[data-level]") == "—"

    # All 17 answered: the grades and the level appear before anything is saved.
    assert _shown(page, "[data-indicator-total='adl']") == "40 / 100"
    assert _shown(page, "[data-grade='adl']") == "重度受损"
    assert _shown(page, "[data-grade='cognition']") == "中度受损"
    assert _shown(page, "[data-grade='sensory']") == "能力完好"
    assert _shown(page, "[data-level]") == "4"
    assert _shown(page, "[data-level-name]") == "重度失能Ⅱ级"
    assert not Assessment.objects.exists()
    # The result bar stays in view at the bottom of the tablet's screen.
    box = page.locator("[data-live-result]").bounding_box()
    assert box is not None and box["y"] + box["height"] <= TABLET["height"] + 1
    page.screenshot(path=str(SCREENSHOTS / "jiceng-ltc-assessment-tablet.png"))

    page.click("[data-submit-once]")
    page.wait_for_selector("[data-saved-level]")
    assert _shown(page, "[data-saved-level]") == "4"
    assessment = Assessment.objects.get()
    assert assessment.level == 4 and assessment.assessor == "王丽华"
    assert Application.objects.get(pk=assigned.pk).status == "assessed"
    assert page_problems == []
    context.close()
