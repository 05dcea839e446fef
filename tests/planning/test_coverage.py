"""Set covering and maximal covering against enumeration on instances small enough to enumerate."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jiceng.planning import coverage


def travel_times(demand: int, sites: int, seed: int, size: float = 10.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0, size, (demand, 2))
    candidates = rng.uniform(0, size, (sites, 2))
    return np.linalg.norm(points[:, None, :] - candidates[None, :, :], axis=2) * 2.0


def coverable(cost: np.ndarray, radius: float) -> np.ndarray:
    return cost[(cost <= radius).any(axis=1)]


@pytest.mark.parametrize("seed", range(6))
def test_lscp_is_the_smallest_cover(seed: int) -> None:
    cost = coverable(travel_times(40, 12, seed), 6.0)
    result = coverage.lscp(cost, 6.0)
    assert result.covered.all() and result.optimal
    reach = cost <= 6.0
    smallest = next(
        size
        for size in range(1, 13)
        if any(reach[:, list(c)].any(axis=1).all() for c in itertools.combinations(range(12), size))
    )
    assert result.sites.size == smallest == result.cost


@pytest.mark.parametrize("seed", range(4))
def test_lscp_with_site_costs_and_existing_sites(seed: int) -> None:
    cost = coverable(travel_times(30, 10, seed), 6.0)
    rng = np.random.default_rng(seed)
    price = rng.integers(1, 6, 10).astype(float)
    existing = [0, 3]
    result = coverage.lscp(cost, 6.0, existing=existing, site_cost=price)
    reach = cost <= 6.0
    best = np.inf
    others = [j for j in range(10) if j not in existing]
    for size in range(len(others) + 1):
        for chosen in itertools.combinations(others, size):
            if reach[:, [*existing, *chosen]].any(axis=1).all():
                best = min(best, price[list(chosen)].sum())
    assert result.cost == pytest.approx(best)
    assert set(existing) <= set(result.sites.tolist())
    assert not set(existing) & set(result.new_sites.tolist())
    assert result.covered.all()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_mclp_covers_the_most_weight(seed: int, p: int) -> None:
    cost = travel_times(50, 11, seed)
    weights = np.random.default_rng(seed).integers(1, 100, 50).astype(float)
    result = coverage.mclp(cost, 5.0, p, weights=weights)
    reach = cost <= 5.0
    best = max(
        weights[reach[:, list(c)].any(axis=1)].sum() for c in itertools.combinations(range(11), p)
    )
    assert result.covered_weight == pytest.approx(best)
    assert result.new_sites.size == p
    assert weights[result.covered].sum() == pytest.approx(result.covered_weight)


def test_mclp_with_existing_sites_adds_p_new_ones() -> None:
    cost = travel_times(60, 10, 7)
    weights = np.arange(1, 61, dtype=float)
    existing = np.zeros(10, dtype=bool)
    existing[[2, 5]] = True
    result = coverage.mclp(cost, 5.0, 2, weights=weights, existing=existing)
    reach = cost <= 5.0
    others = [j for j in range(10) if j not in (2, 5)]
    best = max(
        weights[reach[:, [2, 5, *c]].any(axis=1)].sum() for c in itertools.combinations(others, 2)
    )
    assert result.covered_weight == pytest.approx(best)
    assert result.sites.size == 4 and {2, 5} <= set(result.sites.tolist())


def test_duplicate_demand_and_more_sites_than_useful() -> None:
    cost = np.array([[1.0, 9.0, 9.0], [1.0, 9.0, 9.0], [9.0, 9.0, 9.0]])
    result = coverage.mclp(cost, 2.0, 2, weights=[3.0, 4.0, 5.0])
    assert result.covered_weight == 7.0
    assert result.new_sites.size == 2
    assert result.covered.tolist() == [True, True, False]


def test_uncoverable_demand_point_is_named() -> None:
    cost = np.array([[1.0, 5.0], [7.0, 8.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match=r"demand point 1 is not within 4 of any candidate site"):
        coverage.lscp(cost, 4.0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: coverage.lscp(np.array([[-1.0]]), 2.0), "negative"),
        (lambda: coverage.lscp(np.ones(3), 2.0), "matrix"),
        (lambda: coverage.lscp(np.ones((2, 2)), np.nan), "radius"),
        (lambda: coverage.lscp(np.ones((2, 2)), 2.0, site_cost=[1.0]), "site_cost"),
        (lambda: coverage.lscp(np.ones((2, 2)), 2.0, existing=[5]), "existing"),
        (lambda: coverage.mclp(np.ones((2, 2)), 2.0, 1, weights=[1.0]), "weights"),
        (lambda: coverage.mclp(np.ones((2, 2)), 2.0, 3), "p=3"),
        (lambda: coverage.mclp(np.ones((2, 2)), 2.0, 1.5), "whole number"),
    ],
)
def test_bad_input_names_the_problem(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_larger_instance_is_solved_quickly() -> None:
    # about four candidate sites within reach of each demand point
    cost = coverable(travel_times(3000, 400, 11, size=60.0), 8.0)
    result = coverage.lscp(cost, 8.0, max_search_seconds=20)
    assert result.covered.all() and result.optimal
    weights = np.random.default_rng(1).integers(10, 500, cost.shape[0]).astype(float)
    best = coverage.mclp(cost, 8.0, 20, weights=weights, max_search_seconds=20)
    assert best.optimal and best.new_sites.size == 20
