"""Per-process caches of database- or settings-derived data, one mechanism for all of them.

Some reads are made on nearly every request and change rarely: the working calendar, a case
category's rules, a town's dispatchers, the region index for map clicks, the colour rules, a
hall's sessions of the day, the JSON-LD contexts of captured documents. Each is kept in memory by
the app process through a `ProcessCache` made here with a name and a lifetime:

    _rules = process_cache("cases.category_rules", seconds=60)
    rules = _rules.get(code, lambda: load(code))   # fresh copy, or load and keep
    _rules.forget()                                 # after a change (all keys, or one)

- A lifetime (`seconds`) bounds how stale a copy may get in *other* processes: the process that
  makes a change forgets its own copy at once, the others see the change within the lifetime.
  `None` keeps entries until forgotten (data that never changes once written).
- `max_entries` bounds memory: when full, the cache starts over (the keys are cheap to reload).
- Loading happens outside the cache's lock, so a slow query never blocks readers of other keys;
  two threads may load the same key at once and the later copy wins. A cache whose load is
  expensive and must run once (the region index) passes `exclusive_load=True`.
- `forget_all()` empties every cache of the process: tests call it around each test, since one
  test's rows (and primary keys) must not leak into the next test's database.

These caches are per process on purpose: they hold Python objects (rules, geometry indexes) that a
shared cache would have to pickle on every read. Counters shared between processes (rate limits)
use Django's cache framework instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

_ONE = "-"  # the key of a cache that holds a single value


@dataclass(frozen=True)
class Entry(Generic[V]):
    """A value as kept, with whether it is still within the cache's lifetime."""

    value: V
    fresh: bool


class ProcessCache(Generic[V]):
    """A named in-memory cache of this process, with a lifetime and explicit invalidation."""

    def __init__(
        self,
        name: str,
        *,
        seconds: float | None,
        max_entries: int | None = None,
        exclusive_load: bool = False,
    ):
        self.name = name
        self.seconds = seconds
        self.max_entries = max_entries
        self.exclusive_load = exclusive_load
        self._entries: dict[Hashable, tuple[float, V]] = {}
        self._lock = threading.RLock()

    def get(self, key: Hashable, load: Callable[[], V]) -> V:
        """The kept value of `key` while fresh; else `load()`, kept and returned."""
        found = self.lookup(key)
        if found is not None and found.fresh:
            return found.value
        if self.exclusive_load:
            with self._lock:
                found = self.lookup(key)
                if found is not None and found.fresh:
                    return found.value
                value = load()
                self.put(key, value)
                return value
        value = load()
        self.put(key, value)
        return value

    def get_one(self, load: Callable[[], V]) -> V:
        """`get` for a cache that holds a single value."""
        return self.get(_ONE, load)

    def lookup(self, key: Hashable) -> Entry[V] | None:
        """The kept value of `key`, fresh or not (a caller that revalidates a stale copy cheaply,
        as the colour rules do), or None."""
        with self._lock:
            kept = self._entries.get(key)
        if kept is None:
            return None
        stored_at, value = kept
        fresh = self.seconds is None or time.monotonic() - stored_at < self.seconds
        return Entry(value, fresh)

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            if (
                self.max_entries is not None
                and key not in self._entries
                and len(self._entries) >= self.max_entries
            ):
                self._entries.clear()
            self._entries[key] = (time.monotonic(), value)

    def forget(self, key: Hashable | None = None) -> None:
        """Drop one key, or everything when no key is given."""
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


_registry: dict[str, ProcessCache[object]] = {}
_registry_lock = threading.Lock()


def process_cache(
    name: str,
    *,
    seconds: float | None,
    max_entries: int | None = None,
    exclusive_load: bool = False,
) -> ProcessCache[V]:
    """The process cache registered under `name` (made on first call; modules call it once, at
    import). Names are dotted by app: "cases.calendar", "risk.rules"."""
    with _registry_lock:
        found = _registry.get(name)
        if found is None:
            found = ProcessCache(
                name, seconds=seconds, max_entries=max_entries, exclusive_load=exclusive_load
            )
            _registry[name] = found
    return found  # type: ignore[return-value]


def registered_caches() -> dict[str, ProcessCache[object]]:
    with _registry_lock:
        return dict(_registry)


def forget_all() -> None:
    """Empty every process cache (tests, between databases; an operator after a bulk change)."""
    for cache in registered_caches().values():
        cache.forget()
