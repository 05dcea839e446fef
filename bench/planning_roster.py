"""Shift counts covering a week of 15-minute requirements: jiceng.planning.roster vs pyworkforce."""

from __future__ import annotations

import numpy as np

from bench.report import Figure, median_seconds, paired_medians
from jiceng.planning import erlang, roster

PERIODS = 96  # 15-minute periods of a day
MAX_PERIOD, MAX_SHIFT = 80, 60


def week_requirement(seed: int = 3) -> np.ndarray:
    """Windows per 15 minutes for 7 days: open 07:00-20:00, two peaks, Sunday closed."""
    rng = np.random.default_rng(seed)
    t = np.arange(PERIODS)
    profile = np.where(
        (t >= 28) & (t < 80),
        6 + 40 * np.exp(-(((t - 40) / 6) ** 2)) + 34 * np.exp(-(((t - 60) / 6) ** 2)),
        0.0,
    )
    arrivals = np.round(
        profile[None, :] * rng.uniform(0.7, 1.3, (7, 1)) * rng.uniform(0.85, 1.15, (7, PERIODS))
    )
    arrivals[6] = 0
    return erlang.required_servers(arrivals, 8.0, 15.0, 5.0, 0.8)


def shift_types() -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """32 shift types: 8 start times from 07:00 to 12:00 × 4, 6, 8 and 9 hours."""
    shifts, costs = {}, {}
    for start in (28, 30, 32, 34, 36, 40, 44, 48):
        for length in (16, 24, 32, 36):
            row = np.zeros(PERIODS, dtype=int)
            row[start : start + length] = 1
            name = f"{start // 4:02d}:{start % 4 * 15:02d}+{length // 4}h"
            shifts[name] = row
            costs[name] = length // 4 + 2  # hours plus a fixed cost per shift
    return shifts, costs


def run(quick: bool) -> list[Figure]:
    from pyworkforce.scheduling import MinRequiredResources

    requirement = week_requirement()
    shifts, costs = shift_types()
    assert len(shifts) == 32

    def ours() -> roster.Cover:
        return roster.cover(
            requirement, shifts, costs, max_period_staff=MAX_PERIOD, max_shift_staff=MAX_SHIFT
        )

    def peer() -> dict:
        return MinRequiredResources(
            num_days=7,
            periods=PERIODS,
            shifts_coverage={name: row.tolist() for name, row in shifts.items()},
            required_resources=requirement.tolist(),
            max_period_concurrency=MAX_PERIOD,
            max_shift_concurrency=MAX_SHIFT,
            cost_dict=costs,
        ).solve()

    ours_result, peer_result = ours(), peer()
    assert ours_result.optimal and (ours_result.coverage >= requirement).all()
    assert peer_result["status"] == "OPTIMAL"
    assert ours_result.cost <= peer_result["cost"] + 1e-9
    a, b, ratio = paired_medians(ours, peer, repeat=3 if quick else 7)
    figures = [
        Figure(
            benchmark="planning-roster",
            what="cover 7 days x 96 periods x 32 shift types",
            unit="seconds",
            ours=a,
            peer=b,
            peer_name="pyworkforce MinRequiredResources (CP-SAT, 2 workers)",
            note=(
                f"cost {ours_result.cost:g} vs {peer_result['cost']:g} (both optimal); "
                f"median pairwise ratio {ratio:.1f}"
            ),
        )
    ]
    people = max(sum(day.values()) for day in ours_result.counts)
    staff = [roster.StaffMember(f"clerk {i:03d}", max_hours=44) for i in range(int(people * 1.6))]
    assignment = roster.assign(staff, ours_result.counts, shifts, period_minutes=15)
    seconds = median_seconds(
        lambda: roster.assign(staff, ours_result.counts, shifts, period_minutes=15),
        repeat=1 if quick else 3,
        warmup=0,
    )
    figures.append(
        Figure(
            benchmark="planning-roster",
            what=f"assign {len(staff)} named staff to that week",
            unit="seconds",
            ours=seconds,
            note=(
                f"11 h rest, at most 6 days in a row, 44 h a week; optimal {assignment.optimal}; "
                "pyworkforce's rostering has no such rules, so no peer"
            ),
        )
    )
    return figures
