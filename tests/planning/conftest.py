"""Halls with a ticket history for the planning glue, the `jiceng plan` command and the planning
pages: the small network of tests/hall (a hall in 梧桐 and one in 濮院, four windows each, the
fourth a tidal window) and five weeks of tickets before the planned week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.core.cache import cache
from django.utils import translation

from jiceng.cases.calendar import working_calendar
from jiceng.hall.models import Hall, ServiceItem, Ticket, TicketSource, TicketStatus
from jiceng.hall.selectors import HALL_SESSIONS_CACHE
from tests.hall.conftest import Network, network  # noqa: F401 - the fixture, reused

TZ = ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 3, 16)  # the planned week's Monday
HISTORY_FROM = date(2026, 2, 2)
# Share of a day's arrivals per half hour from 08:00 (tickets are taken from 08:00 for 08:30).
PROFILE = (0.5, 1.4, 1.8, 1.9, 1.7, 1.4, 1.0, 0.5, 0, 0, 0.5, 1.1, 1.3, 1.3, 1.1, 0.9, 0.6, 0.3)
DAILY = (70, 56, 50, 48, 46)  # Monday to Friday


@dataclass
class Planned:
    network: Network
    week: date
    tickets: int


def add_history(hall: Hall, *, first: date, last: date, seed: int = 1, scale: float = 1.0) -> int:
    """Tickets of a hall on its working days from `first` to `last`, taken per PROFILE."""
    rng = np.random.default_rng(seed)
    items = {
        "A": list(ServiceItem.objects.filter(code__in=["YB12", "YB15", "YB18"])),
        "B": list(ServiceItem.objects.filter(code__in=["YB03", "YB04"])),
    }
    weights = np.array(PROFILE) / sum(PROFILE)
    national = working_calendar().exceptions
    rows = []
    day = first
    while day <= last:
        if day.weekday() < 5 and national.get(day, True):
            count = int(rng.poisson(DAILY[day.weekday()] * scale))
            periods = rng.choice(len(PROFILE), size=count, p=weights)
            minutes = np.sort(480 + 30 * periods + rng.uniform(0, 30, count))
            for n, minute in enumerate(minutes, start=1):
                group = "A" if rng.random() < 0.75 else "B"
                item = items[group][int(rng.integers(len(items[group])))]
                taken = datetime.combine(day, time(0), TZ) + timedelta(minutes=float(minute))
                rows.append(
                    Ticket(
                        hall=hall,
                        service_day=day,
                        number=f"{group}{n:03d}",
                        sequence=n,
                        group_id=group,
                        item=item,
                        source=TicketSource.KIOSK,
                        status=TicketStatus.DONE,
                        queue_at=taken,
                        taken_at=taken,
                        hour=taken.hour,
                    )
                )
        day += timedelta(days=1)
    Ticket.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Cached timetables and arrival histories must not carry one test's halls into the next
    (ids are reused from one test database to the next)."""
    HALL_SESSIONS_CACHE.forget()
    cache.clear()
    yield
    HALL_SESSIONS_CACHE.forget()
    cache.clear()


@pytest.fixture
def planned(network: Network, client, settings):  # noqa: F811 - the fixture imported above
    """The network with five weeks of tickets at both halls before WEEK; messages in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    last = WEEK - timedelta(days=3)
    tickets = add_history(network.wutong, first=HISTORY_FROM, last=last)
    tickets += add_history(network.puyuan, first=HISTORY_FROM, last=last, seed=2, scale=0.6)
    with translation.override("en"):
        yield Planned(network=network, week=WEEK, tickets=tickets)
