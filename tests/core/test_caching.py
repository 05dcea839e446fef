"""The per-process cache helper: lifetimes, explicit invalidation, and one call that empties
every cache (what tests run between databases)."""

from __future__ import annotations

import pytest

from jiceng.core import caching
from jiceng.core.caching import ProcessCache, forget_all, process_cache


def test_a_kept_value_is_served_without_loading_again():
    cache: ProcessCache[int] = ProcessCache("test.kept", seconds=60)
    loads = []
    assert cache.get("a", lambda: loads.append(1) or 7) == 7
    assert cache.get("a", lambda: loads.append(1) or 8) == 7
    assert len(loads) == 1


def test_a_value_past_its_lifetime_is_loaded_again(monkeypatch):
    cache: ProcessCache[int] = ProcessCache("test.expiry", seconds=30)
    clock = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock[0])
    cache.put("a", 1)
    clock[0] += 29
    assert cache.get("a", lambda: 2) == 1
    clock[0] += 2
    stale = cache.lookup("a")
    assert stale is not None and stale.value == 1 and not stale.fresh
    assert cache.get("a", lambda: 2) == 2


def test_forgetting_one_key_keeps_the_others():
    cache: ProcessCache[str] = ProcessCache("test.one", seconds=None)
    cache.put("a", "x")
    cache.put("b", "y")
    cache.forget("a")
    assert cache.lookup("a") is None
    assert cache.get("b", lambda: "z") == "y"


def test_a_full_cache_starts_over_rather_than_growing():
    cache: ProcessCache[int] = ProcessCache("test.full", seconds=None, max_entries=3)
    for key in range(3):
        cache.put(key, key)
    cache.put(2, 20)  # replacing a key does not count as growing
    assert len(cache) == 3
    cache.put(3, 3)
    assert len(cache) == 1 and cache.lookup(3) is not None


def test_the_same_name_gives_the_same_cache_and_forget_all_empties_every_one():
    first: ProcessCache[int] = process_cache("test.registry", seconds=None)
    again: ProcessCache[int] = process_cache("test.registry", seconds=5)
    assert first is again
    other: ProcessCache[int] = process_cache("test.registry-other", seconds=None)
    first.put("a", 1)
    other.put("b", 2)
    forget_all()
    assert first.lookup("a") is None and other.lookup("b") is None


@pytest.mark.django_db
def test_every_module_cache_is_registered_so_tests_can_forget_them_all():
    import jiceng.cases.calendar
    import jiceng.cases.selectors
    import jiceng.cases.services
    import jiceng.core.geography
    import jiceng.hall.selectors
    import jiceng.ledger.selectors
    import jiceng.risk.selectors  # noqa: F401

    names = set(caching.registered_caches())
    assert {
        "cases.calendar",
        "cases.category_rules",
        "cases.dispatchers",
        "core.geography",
        "hall.sessions",
        "ledger.contexts",
        "risk.rules",
    } <= names
