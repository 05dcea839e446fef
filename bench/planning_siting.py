"""Siting on a travel-time matrix: LSCP and MCLP, jiceng.planning.coverage vs spopt (PuLP + CBC).

The instance: demand points (villages) and candidate sites spread over a region of 5.5 km² per
candidate site, travel at 25 km/h over roads 1.3 times the straight line, a 10-minute circle;
about six candidate sites within reach of each village. Villages no site can reach are left out
of the LSCP instance (it would be infeasible) and kept in the MCLP one.

spopt builds its model from the dense cost matrix term by term, so its time grows with demand x
sites: it runs on growing instances (same density), up to the full size, as long as its last run
predicts (linearly in demand x sites) that the next finishes within ten minutes; each size it
finished is compared (same optimum asserted, time).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from bench.report import Figure, median_seconds
from jiceng.planning import coverage

RADIUS = 10.0
PEER_BUDGET_SECONDS = 600.0  # the issue: spopt on the largest size it finishes in ten minutes


def instance(demand: int, sites: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Travel times (minutes, float32) and populations."""
    rng = np.random.default_rng(seed)
    area = sites * 5.5
    width = np.sqrt(area * 150 / 110)
    height = area / width
    villages = rng.uniform([0, 0], [width, height], (demand, 2))
    candidates = rng.uniform([0, 0], [width, height], (sites, 2))
    minutes = np.empty((demand, sites), dtype=np.float32)
    for first in range(0, demand, 2048):
        block = villages[first : first + 2048]
        distance = np.sqrt(((block[:, None, :] - candidates[None, :, :]) ** 2).sum(axis=2))
        minutes[first : first + 2048] = distance * (60 / 25 * 1.3)
    population = rng.integers(50, 3000, demand).astype(np.float64)
    return minutes, population


def spopt_lscp(cost: np.ndarray) -> int:
    import pulp
    from spopt.locate import LSCP

    model = LSCP.from_cost_matrix(cost, RADIUS).solve(pulp.PULP_CBC_CMD(msg=False))
    return round(sum(v.value() for v in model.fac_vars))


def spopt_mclp(cost: np.ndarray, population: np.ndarray, p: int) -> float:
    import pulp
    from spopt.locate import MCLP

    model = MCLP.from_cost_matrix(cost, population, RADIUS, p_facilities=p)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    chosen = [j for j, v in enumerate(model.fac_vars) if v.value() > 0.5]
    return float(population[(cost[:, chosen] <= RADIUS).any(axis=1)].sum())


def run(quick: bool) -> list[Figure]:
    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    full = (2000, 300) if quick else (20000, 3000)
    peer_sizes = [(1000, 150), (2000, 300)] if quick else [(2000, 300), (4000, 600), (8000, 1200)]
    figures: list[Figure] = []

    for problem in ("LSCP", "MCLP"):
        compared = None
        for demand, sites in dict.fromkeys([*peer_sizes, full]):
            if compared is not None:
                rows_before, sites_before, seconds_before = compared
                predicted = seconds_before * demand * sites / (rows_before * sites_before)
                if predicted > PEER_BUDGET_SECONDS:
                    break
            cost, population = instance(demand, sites)
            p = max(sites // 30, 2)
            if problem == "LSCP":
                cost = cost[(cost <= RADIUS).any(axis=1)]
                start = time.perf_counter()
                peer_answer: float = spopt_lscp(cost)
                peer_seconds = time.perf_counter() - start
                ours_answer: float = coverage.lscp(cost, RADIUS).sites.size
                ours_seconds = median_seconds(lambda c=cost: coverage.lscp(c, RADIUS), repeat=3)
            else:
                start = time.perf_counter()
                peer_answer = spopt_mclp(cost, population, p)
                peer_seconds = time.perf_counter() - start
                ours_answer = coverage.mclp(cost, RADIUS, p, weights=population).covered_weight
                ours_seconds = median_seconds(
                    lambda c=cost, w=population, k=p: coverage.mclp(c, RADIUS, k, weights=w),
                    repeat=3,
                )
            assert abs(ours_answer - peer_answer) < 1e-6, (problem, ours_answer, peer_answer)
            compared = (cost.shape[0], sites, peer_seconds)
            objective = (
                f"{int(ours_answer)} sites"
                if problem == "LSCP"
                else f"p={p}, covered {ours_answer:,.0f}"
            )
            figures.append(
                Figure(
                    benchmark="planning-siting",
                    what=f"{problem} {cost.shape[0]:,} demand x {sites:,} sites",
                    unit="seconds",
                    ours=ours_seconds,
                    peer=peer_seconds,
                    peer_name="spopt 0.7 + CBC",
                    note=f"same optimum ({objective}); spopt: one run, model building included",
                )
            )
        assert compared is not None
        rows, sites, peer_seconds = compared
        if sites == full[1]:
            continue  # spopt finished the full size: compared above
        peer_cells = rows * sites

        demand, sites = full
        cost, population = instance(demand, sites)
        p = 100 if not quick else max(sites // 30, 2)
        if problem == "LSCP":
            cost = cost[(cost <= RADIUS).any(axis=1)]
            solution = coverage.lscp(cost, RADIUS)
            seconds = median_seconds(lambda c=cost: coverage.lscp(c, RADIUS), repeat=3, warmup=0)
            objective = f"{solution.sites.size} sites"
        else:
            solution = coverage.mclp(cost, RADIUS, p, weights=population)
            seconds = median_seconds(
                lambda c=cost, w=population, k=p: coverage.mclp(c, RADIUS, k, weights=w),
                repeat=3,
                warmup=0,
            )
            objective = f"p={p}, {solution.covered_weight / population.sum():.1%} of population"
        figures.append(
            Figure(
                benchmark="planning-siting",
                what=f"{problem} {cost.shape[0]:,} demand x {sites:,} sites",
                unit="seconds",
                ours=seconds,
                note=f"proved optimal: {solution.optimal}; {objective}"
                + (
                    ""
                    if quick
                    else "; spopt not run at this size (predicted over ten minutes: "
                    f"about {peer_seconds * cost.shape[0] * sites / peer_cells:,.0f} s "
                    "by linear extrapolation of its largest run)"
                ),
            )
        )
    return figures
