from __future__ import annotations

from collections import Counter
from datetime import date

from jiceng.cases.models import Case, CaseCounter, CaseEvent, Status
from jiceng.cases.selectors import scorecard
from jiceng.demo.cases import seed_cases


def test_a_year_of_demo_cases_follows_the_rules_of_the_state_machine(users):
    created = seed_cases(seed=7, per_year=1500, as_of=date(2026, 11, 20))
    assert 1200 < created < 1900
    cases = list(Case.objects.all())
    statuses = Counter(c.status for c in cases)
    assert statuses[Status.CLOSED] > 0.8 * created
    assert (
        statuses[Status.IN_PROGRESS] + statuses[Status.DISPATCHED] + statuses[Status.REPORTED] > 0
    )
    for case in cases:
        assert case.is_open == (case.status not in (Status.CLOSED, Status.MERGED))
        assert (case.clock_due_at is None) == (case.status in (Status.CLOSED, Status.RESOLVED))
        if case.status == Status.CLOSED and case.outcome == "resolved":
            assert case.resolved_at <= case.closed_at
            assert case.resolved_on_time == (case.resolved_at <= case.resolve_deadline)
        events = [e.kind for e in case.events.all()]
        assert events[0] == "reported"
        assert events[-1] in {
            "reported",
            "dispatched",
            "started",
            "escalated",
            "resolved",
            "verified",
            "rated",
            "dismissed",
        }
    assert CaseCounter.objects.get(county_code="330483", year=2026).last == max(
        c.sequence for c in cases if c.year == 2026
    )
    # Monthly rankings show differences between towns.
    rows = scorecard(users["admin"], month=date(2026, 10, 1), by="town")
    assert len(rows) == 2 and all(r.received > 0 for r in rows)
    assert CaseEvent.objects.count() > 4 * created
