"""Staffing a week of half hours: required windows by Erlang C (vs pyworkforce) and Erlang A."""

from __future__ import annotations

import time

import numpy as np

from bench.report import Figure, median_seconds, paired_medians
from jiceng.planning import erlang

AHT, INTERVAL, TARGET_WAIT, LEVEL, MAX_OCCUPANCY = 8.0, 30.0, 5.0, 0.8, 0.85


def week_of_half_hours(seed: int = 1) -> np.ndarray:
    """7 days × 48 half hours of arrivals: a two-peaked day, quiet but never empty at night
    (pyworkforce refuses intervals without arrivals)."""
    rng = np.random.default_rng(seed)
    t = np.arange(48)
    profile = 3 + 60 * np.exp(-(((t - 20) / 5) ** 2)) + 50 * np.exp(-(((t - 30) / 5) ** 2))
    daily = rng.uniform(0.8, 1.2, (7, 1))
    return np.round(profile[None, :] * daily * rng.uniform(0.9, 1.1, (7, 48)))


def run(quick: bool) -> list[Figure]:
    from pyworkforce.queuing import ErlangC  # the peer, from the bench dependency group

    arrivals = week_of_half_hours()
    loops = 5 if quick else 20

    def ours() -> np.ndarray:
        for _ in range(loops):
            result = erlang.required_servers(
                arrivals, AHT, INTERVAL, TARGET_WAIT, LEVEL, max_occupancy=MAX_OCCUPANCY
            )
        return result

    def peer() -> list[int]:
        for _ in range(loops):
            result = [
                ErlangC(
                    transactions=float(a), aht=AHT, asa=TARGET_WAIT, interval=int(INTERVAL)
                ).required_positions(service_level=LEVEL, max_occupancy=MAX_OCCUPANCY)[
                    "raw_positions"
                ]
                for a in arrivals.ravel()
            ]
        return result

    ours_result, peer_result = ours().ravel(), np.array(peer())
    assert (ours_result == peer_result).all(), "required servers differ from pyworkforce"
    a, b, ratio = paired_medians(ours, peer, repeat=3 if quick else 9)
    figures = [
        Figure(
            benchmark="planning-erlang",
            what="required servers, Erlang C, 7 days x 48 half hours",
            unit="ms per week grid",
            ours=a / loops * 1e3,
            peer=b / loops * 1e3,
            peer_name="pyworkforce ErlangC",
            note=(
                f"identical answers on all {arrivals.size} intervals (asserted); "
                f"median pairwise ratio {ratio:.1f}; peak {int(ours_result.max())} windows"
            ),
        )
    ]
    erlang_a_seconds = median_seconds(
        lambda: erlang.required_servers(
            arrivals, AHT, INTERVAL, TARGET_WAIT, LEVEL, max_occupancy=MAX_OCCUPANCY, patience=10.0
        ),
        repeat=3 if quick else 9,
    )
    figures.append(
        Figure(
            benchmark="planning-erlang",
            what="required servers, Erlang A (patience 10 min), same grid",
            unit="ms per week grid",
            ours=erlang_a_seconds * 1e3,
            note="no peer has Erlang A; target < 100 ms",
        )
    )
    big = np.linspace(100.0, 4999.0, 336)
    start = time.perf_counter()
    waiting = erlang.erlang_c(big, 5000)
    big_seconds = time.perf_counter() - start
    assert np.isfinite(waiting).all()
    figures.append(
        Figure(
            benchmark="planning-erlang",
            what="Erlang C at 5,000 servers, 336 loads",
            unit="ms",
            ours=big_seconds * 1e3,
            note="finite and in [0, 1] for every load",
        )
    )
    return figures
