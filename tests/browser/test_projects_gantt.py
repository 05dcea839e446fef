"""In a real browser: a town officer opens a key project's Gantt chart. The project was planned
on 1 June 2026 for production on 30 October 2026 with the default approval chain, and nothing is
done: early bars run from today, late bars back from the deadline, the critical path is marked,
today is a line, and milestones whose late start has passed are red. Screenshot in /tmp."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest

from jiceng.projects.services import project_create

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")  # noqa: S108 - a screenshot for a person to look at
RED = "rgb(207, 34, 46)"


def test_a_town_officer_reads_the_gantt_chart_of_a_late_project(
    users, live_server, page, page_problems
):
    today = date.today()
    project = project_create(
        actor=users["wutong"],
        name="家具智造工厂",
        stage="signed",
        region_code="330483001",
        kind="industrial",
        production_target=date(2026, 10, 30),
        today=date(2026, 6, 1),
    )
    near = project_create(
        actor=users["wutong"],
        name="竹海山地度假村",
        stage="signed",
        region_code="330483001",
        kind="infrastructure",
        production_target=date(today.year + 3, 6, 30),
    )
    base = live_server.url
    path = f"/projects/{project.pk}/"
    page.set_default_timeout(60_000)  # the first request of the live server loads everything
    page.goto(f"{base}/accounts/login/?{urlencode({'next': path})}")
    page.fill("input[name=username]", "wutong")
    page.fill("input[name=password]", "pw-wutong-2026")
    page.click("form.form button[type=submit]")
    page.wait_for_url(base + path)

    gantt = page.locator("svg#gantt")
    assert gantt.is_visible()
    assert page.locator("svg#gantt g.milestone").count() == 12
    assert page.locator("svg#gantt rect.late").count() == 12
    assert page.locator("#gantt-today").count() == 1
    assert page.locator("svg#gantt g.milestone.critical").count() == 9
    if today > date(2026, 6, 1):
        # Nothing is done, so every milestone's late start has passed by now: red, and flagged.
        label = page.locator("svg#gantt g[data-code='code_filing'] text.label")
        assert label.evaluate("e => getComputedStyle(e).fill") == RED
        assert page.locator("#infeasible").is_visible()
        assert page.locator("#milestones tr.late").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "jiceng-projects-gantt.png"), full_page=True)

    page.goto(f"{base}/projects/{near.pk}/")
    assert page.locator("svg#gantt g.milestone.late").count() == 0
    assert page.locator("#infeasible").count() == 0
    page.goto(f"{base}/projects/")
    assert page.locator(".pipeline-card").count() == 2
    assert page_problems == []
