"""Timing and reporting shared by the benchmarks."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    """One measured figure: ours and the peer's, with the ratio peer/ours (> 1: we are faster)."""

    benchmark: str
    what: str
    unit: str
    ours: float
    peer: float | None = None
    peer_name: str = ""
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.peer is None or self.ours == 0:
            return None
        return self.peer / self.ours


def median_seconds(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(
    ours: Callable[[], object], peer: Callable[[], object], *, repeat: int = 5, warmup: int = 1
) -> tuple[float, float, float]:
    """Run ours and the peer in turn (A B A B ...); the medians and the median pairwise ratio."""
    for _ in range(warmup):
        ours()
        peer()
    a, b = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        ours()
        a.append(time.perf_counter() - start)
        start = time.perf_counter()
        peer()
        b.append(time.perf_counter() - start)
    ratio = statistics.median(pb / pa for pa, pb in zip(a, b, strict=True) if pa > 0)
    return statistics.median(a), statistics.median(b), ratio


def print_table(figures: list[Figure]) -> None:
    header = f"{'benchmark':<24} {'what':<48} {'ours':>12} {'peer':>12} {'peer/ours':>9}  peer"
    print(header)
    print("-" * len(header))
    for f in figures:
        peer = f"{f.peer:12.4g}" if f.peer is not None else f"{'':>12}"
        ratio = f"{f.ratio:9.2f}" if f.ratio is not None else f"{'':>9}"
        print(f"{f.benchmark:<24} {f.what:<48} {f.ours:12.4g} {peer} {ratio}  {f.peer_name}")
        if f.note:
            print(f"{'':<24}   {f.unit}; {f.note}")


def save(figures: list[Figure], name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    rows = [{**asdict(f), "ratio": f.ratio} for f in figures]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    return path
