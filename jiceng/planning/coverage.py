"""Siting service points so that villages are within reach: set covering and maximal covering.

`cost` is a travel-time matrix, demand points × candidate sites (minutes); a site covers a demand
point when the travel time is at most `radius` (NaN or inf: unreachable). Both problems are
integer programs solved by HiGHS (scipy.optimize.milp) on the sparse coverage relation, after
reductions that leave the optimum unchanged:

- demand points already covered by existing sites are dropped (and, for MCLP, counted);
- demand points covered by exactly the same sites are merged (their weights summed);
- for LSCP, a site that is the only one covering some point is forced open; a site whose covered
  points are a subset of another's at no lower cost is dropped (and the two repeat until stable);
- for MCLP, a point only one site covers becomes part of that site's value; a site whose other
  points are a subset of another site's, and which has no such value of its own, is dropped.

LSCP: the fewest (or cheapest) new sites such that every demand point is covered.
MCLP: p new sites covering the most demand weight (population).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["Siting", "coverage_matrix", "lscp", "mclp"]

IntArray = NDArray[np.int64]
_ROW_CHUNK = 2048


@dataclass(frozen=True)
class Siting:
    """A siting solution.

    sites: open candidate sites (indices), existing ones included; new_sites: those not existing.
    covered: per demand point, whether an open site is within the radius.
    covered_weight: the weight (population) of the covered points.
    cost: the objective: the new sites' total cost (LSCP) or their count (MCLP).
    optimal: whether the solver proved the optimum (False when its time budget ran out).
    """

    sites: IntArray
    new_sites: IntArray
    covered: NDArray[np.bool_]
    covered_weight: float
    cost: float
    optimal: bool


def coverage_matrix(cost: ArrayLike, radius: float) -> sparse.csr_array:
    """The coverage relation cost <= radius as a sparse 0/1 matrix (demand × candidates).

    ValueError if cost is not a 2-D matrix, or has negative entries. NaN and inf never cover.
    """
    if sparse.issparse(cost):
        raise ValueError("cost must be a dense matrix of travel times")
    matrix: NDArray[np.floating] = np.asarray(
        cost, dtype=np.result_type(np.asarray(cost), np.float32)
    )
    if matrix.ndim != 2:
        raise ValueError(
            f"cost must be a demand × candidate sites matrix, not shape {matrix.shape}"
        )
    if not np.isfinite(radius) or radius < 0:
        raise ValueError(f"radius must be a finite number of at least 0, not {radius!r}")
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    for first in range(0, matrix.shape[0], _ROW_CHUNK):
        block = matrix[first : first + _ROW_CHUNK]
        if (block < 0).any():
            where = np.argwhere(block < 0)[0]
            raise ValueError(
                f"cost: travel times must not be negative (demand point {first + where[0]}, "
                f"site {where[1]})"
            )
        r, c = np.nonzero(block <= radius)
        rows.append(r + first)
        cols.append(c)
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    col = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    data = np.ones(row.shape[0], dtype=np.int8)
    return sparse.csr_array((data, (row, col)), shape=matrix.shape)


def _site_indices(name: str, value: ArrayLike | None, count: int) -> IntArray:
    if value is None:
        return np.zeros(0, dtype=np.int64)
    array = np.asarray(value)
    if array.dtype == bool:
        if array.shape != (count,):
            raise ValueError(f"{name}: a mask must have one entry per candidate site ({count})")
        return np.flatnonzero(array).astype(np.int64)
    indices = array.astype(np.int64).ravel()
    if indices.size and (indices.min() < 0 or indices.max() >= count):
        raise ValueError(f"{name}: site indices must be within 0..{count - 1}")
    return np.unique(indices)


def _distinct_rows(
    matrix: sparse.csr_array, weights: NDArray[np.float64]
) -> tuple[sparse.csr_array, NDArray[np.float64]]:
    """Merge rows with the same set of columns, summing their weights."""
    if matrix.shape[0] == 0:
        return matrix, weights
    rng = np.random.default_rng(12345)
    keys = matrix @ rng.random(matrix.shape[1])
    sizes = np.diff(matrix.indptr)
    _, first, inverse = np.unique(
        np.stack([keys, sizes.astype(np.float64)], axis=1),
        axis=0,
        return_index=True,
        return_inverse=True,
    )
    merged = np.bincount(inverse.ravel(), weights=weights, minlength=first.shape[0]).astype(
        np.float64
    )
    return matrix[first], merged


def _dominated_columns(
    matrix: sparse.csr_array, value: NDArray[np.float64] | None = None
) -> NDArray[np.bool_]:
    """Columns whose rows are a subset of another column's rows, where the other is worth at
    least as much (`value`, higher is better; None: all equal); of equal columns one is kept.
    Columns without rows are left alone."""
    columns = matrix.shape[1]
    if columns < 2 or matrix.nnz == 0:
        return np.zeros(columns, dtype=bool)
    binary = matrix.astype(np.int32)
    overlap = (binary.T @ binary).tocoo()
    size = np.asarray(binary.sum(axis=0)).ravel()
    j, k, shared = overlap.row, overlap.col, overlap.data
    subset = (j != k) & (shared == size[j])
    j, k = j[subset], k[subset]
    equal = size[j] == size[k]
    if value is None:
        beats = ~equal | (k < j)
    else:
        better = value[k] > value[j]
        same = value[k] == value[j]
        beats = better | (same & (~equal | (k < j)))
    dominated = np.zeros(columns, dtype=bool)
    dominated[j[beats]] = True
    return dominated


def _dominated_rows(matrix: sparse.csr_array) -> NDArray[np.bool_]:
    """Rows (of a matrix without duplicate rows) whose columns include all of another row's:
    covering the other row covers them too."""
    if matrix.shape[0] < 2 or matrix.nnz == 0:
        return np.zeros(matrix.shape[0], dtype=bool)
    binary = matrix.astype(np.int32)
    overlap = (binary @ binary.T).tocoo()
    size = np.diff(binary.indptr)
    i, k, shared = overlap.row, overlap.col, overlap.data
    contains = (i != k) & (shared == size[i])
    dominated = np.zeros(matrix.shape[0], dtype=bool)
    dominated[k[contains]] = True
    return dominated


# HiGHS settings for set covering (passed to HiGHS as they are; scipy warns that it does not know
# them). On the hard instances (a core of several hundred points whose relaxation is several
# sites below the optimum) HiGHS spent most of its time in strong branching (85% of the simplex
# iterations of the 7,966 x 1,200 benchmark instance) and in node LPs next to a pool of thousands
# of cuts: trusting pseudocosts from the first branching (no strong-branching warm-up) and a
# smaller cut pool prove the same optimum two to three times faster there; the easy instances
# stay within a few hundredths of a second of what they took.
SET_COVER_OPTIONS: dict[str, float | int | bool] = {
    "mip_pscost_minreliable": 0,
    "mip_pool_soft_limit": 2000,
}


def _solve(
    objective: NDArray[np.float64],
    integrality: NDArray[np.float64],
    bounds: Bounds,
    constraints: list[LinearConstraint],
    max_search_seconds: float | None,
    highs_options: dict[str, float | int | bool] | None = None,
) -> tuple[NDArray[np.float64], bool]:
    options: dict[str, float | int | bool] = {"mip_rel_gap": 0.0, **(highs_options or {})}
    if max_search_seconds is not None:
        options["time_limit"] = max(max_search_seconds, 0.01)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        outcome = milp(
            objective,
            integrality=integrality,
            bounds=bounds,
            constraints=constraints,
            options=options,
        )
    if outcome.x is None:
        raise ValueError(f"siting: the solver found no solution ({outcome.message})")
    return outcome.x, outcome.status == 0


def _covered_by(matrix: sparse.csr_array, sites: IntArray) -> NDArray[np.bool_]:
    if sites.size == 0:
        return np.zeros(matrix.shape[0], dtype=bool)
    return np.asarray(matrix[:, sites].sum(axis=1)).ravel() > 0


def lscp(
    cost: ArrayLike,
    radius: float,
    *,
    existing: ArrayLike | None = None,
    site_cost: ArrayLike | None = None,
    max_search_seconds: float | None = None,
) -> Siting:
    """Location set covering: the fewest (or, with `site_cost`, cheapest) new sites such that
    every demand point is within `radius` of an open site.

    existing: sites already open (indices or a mask over the candidates); they stay open and
    cost nothing. ValueError names a demand point that no site can reach within the radius.
    """
    started = time.monotonic()
    relation = coverage_matrix(cost, radius)
    candidates = relation.shape[1]
    opened = _site_indices("existing", existing, candidates)
    price = np.ones(candidates)
    if site_cost is not None:
        price = np.asarray(site_cost, dtype=np.float64)
        if price.shape != (candidates,):
            raise ValueError(f"site_cost must have one entry per candidate site ({candidates})")
        if not np.isfinite(price).all() or (price < 0).any():
            raise ValueError("site_cost must be finite numbers of at least 0")
    reach = np.diff(relation.indptr)
    unreachable = np.flatnonzero(reach == 0)
    if unreachable.size:
        first = int(unreachable[0])
        row = np.asarray(cost)[first]
        nearest = float(np.nanmin(row)) if np.isfinite(row).any() else float("inf")
        more = f" (and {unreachable.size - 1} more)" if unreachable.size > 1 else ""
        raise ValueError(
            f"demand point {first} is not within {radius:g} of any candidate site "
            f"(the nearest is {nearest:.4g}){more}"
        )
    covered = _covered_by(relation, opened)
    is_free = np.zeros(candidates, dtype=bool)
    is_free[opened] = True
    rows = relation[~covered][:, ~is_free]
    columns = np.flatnonzero(~is_free)
    rows, _ = _distinct_rows(rows, np.ones(rows.shape[0]))
    forced: list[int] = []
    while rows.shape[0]:
        before = rows.shape
        sizes = np.diff(rows.indptr)
        single = np.unique(rows.indices[rows.indptr[:-1][sizes == 1]])
        if single.size:  # the only site covering some point must open
            forced.extend(int(c) for c in columns[single])
            hit = _covered_by(rows, single)
            keep = np.ones(rows.shape[1], dtype=bool)
            keep[single] = False
            rows, columns = rows[~hit][:, keep], columns[keep]
            if rows.shape[0] == 0:
                break
        rows = rows[~_dominated_rows(rows)]
        used = np.asarray(rows.sum(axis=0)).ravel() > 0
        drop = ~used | _dominated_columns(rows, -price[columns])
        if drop.any():
            rows, columns = rows[:, ~drop], columns[~drop]
            rows, _ = _distinct_rows(rows, np.ones(rows.shape[0]))
        if rows.shape == before:
            break
    chosen = list(forced)
    optimal = True
    if rows.shape[0]:
        budget = None
        if max_search_seconds is not None:
            budget = max_search_seconds - (time.monotonic() - started)
        x, optimal = _solve(
            price[columns],
            np.ones(columns.size),
            Bounds(0, 1),
            [LinearConstraint(rows, 1, np.inf)],
            budget,
            SET_COVER_OPTIONS,
        )
        chosen.extend(int(c) for c in columns[x > 0.5])
    new_sites = np.unique(np.array(chosen, dtype=np.int64))
    sites = np.union1d(opened, new_sites)
    covered = _covered_by(relation, sites)
    return Siting(
        sites=sites,
        new_sites=new_sites,
        covered=covered,
        covered_weight=float(covered.sum()),
        cost=float(price[new_sites].sum()),
        optimal=optimal,
    )


def mclp(
    cost: ArrayLike,
    radius: float,
    p: int,
    *,
    weights: ArrayLike | None = None,
    existing: ArrayLike | Sequence[int] | None = None,
    max_search_seconds: float | None = None,
) -> Siting:
    """Maximal covering: open `p` new sites to cover the most demand weight within `radius`.

    weights: per demand point (e.g. population; default 1 each). existing: sites already open
    (indices or a mask); they stay open, cover what they cover, and do not count towards p.
    Demand points no site can reach are simply not covered.
    """
    started = time.monotonic()
    relation = coverage_matrix(cost, radius)
    demand, candidates = relation.shape
    if int(p) != p or p < 0:
        raise ValueError(f"p must be a whole number of at least 0, not {p!r}")
    p = int(p)
    weight = np.ones(demand)
    if weights is not None:
        weight = np.asarray(weights, dtype=np.float64)
        if weight.shape != (demand,):
            raise ValueError(
                f"weights must have one entry per demand point ({demand}), not shape {weight.shape}"
            )
        if not np.isfinite(weight).all() or (weight < 0).any():
            raise ValueError("weights must be finite numbers of at least 0")
    opened = _site_indices("existing", existing, candidates)
    is_free = np.zeros(candidates, dtype=bool)
    is_free[opened] = True
    if p > candidates - opened.size:
        raise ValueError(
            f"p={p} new sites asked for, but only {candidates - opened.size} candidates "
            "are not open yet"
        )
    covered = _covered_by(relation, opened)
    rows = relation[~covered & (weight > 0)][:, ~is_free]
    row_weight = weight[~covered & (weight > 0)]
    columns = np.flatnonzero(~is_free)
    reachable = np.diff(rows.indptr) > 0
    rows, row_weight = rows[reachable], row_weight[reachable]
    rows, row_weight = _distinct_rows(rows, row_weight)
    # A point only one site covers adds its weight to that site's value instead of a row.
    value = np.zeros(columns.size)
    while True:
        before = rows.shape
        sizes = np.diff(rows.indptr)
        single = sizes == 1
        if single.any():
            np.add.at(value, rows.indices[rows.indptr[:-1][single]], row_weight[single])
            rows, row_weight = rows[~single], row_weight[~single]
        # a site whose points another site also covers adds nothing, unless some point only it
        # covers (folded into its value)
        drop = _dominated_columns(rows, value) & (value == 0)
        used = (np.asarray(rows.sum(axis=0)).ravel() > 0) | (value > 0)
        drop |= ~used
        if drop.any():
            rows, columns, value = rows[:, ~drop], columns[~drop], value[~drop]
            reachable = np.diff(rows.indptr) > 0
            rows, row_weight = rows[reachable], row_weight[reachable]
            rows, row_weight = _distinct_rows(rows, row_weight)
        if rows.shape == before:
            break
    chosen: list[int] = []
    optimal = True
    if p > 0 and columns.size:
        if columns.size <= p:
            chosen = [int(c) for c in columns]
        else:
            n_rows, n_cols = rows.shape
            # variables: y (sites, binary), then z (points covered, continuous in [0, 1])
            objective = np.concatenate([-value, -row_weight])
            link = sparse.hstack(
                [rows.astype(np.float64), -sparse.identity(n_rows, format="csr")], format="csr"
            )
            count = sparse.csr_array(np.concatenate([np.ones(n_cols), np.zeros(n_rows)])[None, :])
            budget = None
            if max_search_seconds is not None:
                budget = max_search_seconds - (time.monotonic() - started)
            x, optimal = _solve(
                objective,
                np.concatenate([np.ones(n_cols), np.zeros(n_rows)]),
                Bounds(0, 1),
                [LinearConstraint(link, 0, np.inf), LinearConstraint(count, p, p)],
                budget,
            )
            chosen = [int(c) for c in columns[x[:n_cols] > 0.5]]
    if len(chosen) < p:  # fewer useful sites than p: the rest cover nothing new
        spare = np.setdiff1d(np.flatnonzero(~is_free), chosen)[: p - len(chosen)]
        chosen.extend(int(c) for c in spare)
    new_sites = np.unique(np.array(chosen, dtype=np.int64))
    sites = np.union1d(opened, new_sites)
    covered = _covered_by(relation, sites)
    return Siting(
        sites=sites,
        new_sites=new_sites,
        covered=covered,
        covered_weight=float(weight[covered].sum()),
        cost=float(new_sites.size),
        optimal=optimal,
    )
