"""In a real browser: a branch secretary opens a young person of their branch, records a step,
and an early step is refused with its article shown and nothing recorded; then, on a phone, the
pipeline's charts draw and the person's page does not overflow. Screenshots in /tmp."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest

from jiceng.youth.models import StepRecord
from jiceng.youth.services import step_record
from tests.youth import conftest as youth_fixtures
from tests.youth.test_rules import WALK

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - a screenshot for a person to look at
PHONE = {"width": 390, "height": 844}
# The youth module's fixtures (a branch of 庆丰社区 with its secretary; 王小明 of that branch).
youth = youth_fixtures.youth
wang = youth_fixtures.wang


def test_a_branch_secretary_records_a_step_and_an_early_one_is_refused_with_its_article(
    youth, wang, live_server, page, page_problems
):
    secretary = youth["secretary"]
    secretary.set_password("pw-secretary-2026")
    secretary.save(update_fields=["password"])
    for code, on, facts in WALK[:5]:
        step_record(actor=None, talent=wang, step=code, on=on, facts=facts)
    base = live_server.url
    path = f"/youth/people/{wang.pk}/"
    page.set_default_timeout(60_000)  # the first request of the live server loads everything
    page.goto(f"{base}/accounts/login/?{urlencode({'next': path})}")
    page.fill("input[name=username]", "secretary")
    page.fill("input[name=password]", "pw-secretary-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + path)

    # The half-yearly assessment: recorded.
    page.select_option("select[name=step]", "education")
    page.fill("input[name=on]", "2019-08-30")
    page.click("#youth-record button[type=submit]")
    page.wait_for_url(base + path)
    assert page.locator("#youth-steps").inner_text().count("2019-08-30") == 1
    assert StepRecord.objects.filter(talent=wang).count() == 6

    # Development object less than a year after becoming an activist: refused, article 13.
    page.select_option("select[name=step]", "development_object")
    page.fill("input[name=on]", "2019-09-10")
    page.click("#youth-record button[type=submit]")
    refusal = page.locator("#youth-refusal")
    refusal.wait_for()
    assert "13" in refusal.inner_text()
    assert StepRecord.objects.filter(talent=wang).count() == 6
    page.screenshot(path=str(SCREENSHOTS / "jiceng-youth-refused.png"), full_page=True)
    # The refusal is a 409 page by design; the browser logs its status, nothing else may.
    assert page_problems == [
        "console: Failed to load resource: the server responded with a status of 409 (Conflict)"
    ]
    page_problems.clear()

    # On a phone: the person's page fits, the pipeline's charts draw.
    page.set_viewport_size(PHONE)
    page.goto(base + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1
    page.goto(f"{base}/youth/pipeline/")
    page.wait_for_selector("[data-youth-chart='funnel'][data-drawn='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.screenshot(path=str(SCREENSHOTS / "jiceng-youth-pipeline-phone.png"), full_page=True)
    assert page_problems == []
