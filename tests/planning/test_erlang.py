"""Erlang B/C/A against closed forms with factorials and an independent birth-death computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import linalg

from jiceng.planning import erlang


def erlang_c_with_factorials(load: float, servers: int) -> float:
    below = sum(load**k / math.factorial(k) for k in range(servers))
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    return top / (below + top)


@pytest.mark.parametrize("servers", [1, 2, 3, 5, 8, 13, 21, 34])
@pytest.mark.parametrize("utilisation", [0.05, 0.3, 0.6, 0.85, 0.97, 0.999])
def test_erlang_c_matches_the_closed_form(servers: int, utilisation: float) -> None:
    load = servers * utilisation
    expected = erlang_c_with_factorials(load, servers)
    assert erlang.erlang_c(load, servers) == pytest.approx(expected, rel=1e-10)
    level = erlang.service_level(load, servers, 2.0, 5.0)
    assert level == pytest.approx(1 - expected * math.exp(-(servers - load) * 2.0 / 5.0), rel=1e-10)
    wait = erlang.average_wait(load, servers, 5.0)
    assert wait == pytest.approx(expected * 5.0 / (servers - load), rel=1e-10)


def test_erlang_b_matches_the_recursion() -> None:
    for load in (0.5, 7.0, 40.0):
        blocking = 1.0
        for servers in range(1, 60):
            blocking = load * blocking / (servers + load * blocking)
            assert erlang.erlang_b(load, servers) == pytest.approx(blocking, rel=1e-10)


def test_erlang_c_is_finite_for_thousands_of_servers() -> None:
    loads = np.array([100.0, 4000.0, 4900.0, 4990.0, 4999.9])
    waiting = erlang.erlang_c(loads, 5000)
    assert np.isfinite(waiting).all()
    assert ((waiting >= 0) & (waiting <= 1)).all()
    assert np.all(np.diff(waiting) > 0)
    assert waiting[0] == 0.0
    assert erlang.erlang_c(6000.0, 5000) == 1.0
    # Erlang C approaches the Halfin-Whitt limit: beta = (c - A) / sqrt(A)
    beta = 1.0
    load = 5000 - beta * math.sqrt(5000)
    from scipy.stats import norm

    limit = 1 / (1 + beta * norm.cdf(beta) / norm.pdf(beta))
    assert erlang.erlang_c(load, 5000) == pytest.approx(limit, rel=0.02)


def test_vectorised_over_intervals_and_edge_cases() -> None:
    loads = np.array([[0.0, 1.0], [2.5, 9.9]])
    servers = np.array([[0, 2], [3, 10]])
    waiting = erlang.erlang_c(loads, servers)
    assert waiting.shape == (2, 2)
    assert waiting[0, 0] == 0.0
    assert erlang.service_level(0.0, 0, 1.0, 5.0) == 1.0
    assert erlang.service_level(3.0, 3, 1.0, 5.0) == 0.0
    assert erlang.average_wait(3.0, 2, 5.0) == math.inf
    assert erlang.occupancy(3.0, 4) == 0.75


def birth_death(load: float, servers: int, aht: float, patience: float, target: float):
    """The M/M/c+M queue as a truncated CTMC: its stationary law from the generator, then the
    tagged customer's absorbing chain (served / gave up) through the matrix exponential."""
    arrival, service, leave = load / aht, 1 / aht, 1 / patience
    queue_states = 60
    size = servers + queue_states
    generator = np.zeros((size, size))
    for k in range(size - 1):
        generator[k, k + 1] = arrival
        generator[k + 1, k] = min(k + 1, servers) * service + max(k + 1 - servers, 0) * leave
    np.fill_diagonal(generator, -generator.sum(axis=1))
    system = generator.T.copy()
    system[-1] = 1.0
    right = np.zeros(size)
    right[-1] = 1.0
    pi = np.linalg.solve(system, right)
    assert pi[-1] < 1e-14  # the truncation loses nothing that matters
    waiting = pi[servers:].sum()
    queue = float(np.arange(queue_states) @ pi[servers:])
    # state i: i customers ahead of the tagged one; then "served" and "gave up"
    chain = np.zeros((queue_states + 2, queue_states + 2))
    served, gave_up = queue_states, queue_states + 1
    for i in range(queue_states):
        move = servers * service + i * leave
        chain[i, i - 1 if i else served] = move
        chain[i, gave_up] = leave
        chain[i, i] = -(move + leave)
    reached = linalg.expm(chain * target)[:queue_states, served]
    in_time = pi[:servers].sum() + float(pi[servers:] @ reached)
    abandon = leave * queue / arrival
    return waiting, in_time, abandon, queue / arrival


@pytest.mark.parametrize(
    ("load", "servers", "aht", "patience", "target"),
    [
        (8.0, 8, 5.0, 10.0, 2.0),
        (12.0, 10, 4.0, 3.0, 1.0),
        (3.0, 5, 6.0, 20.0, 0.5),
        (20.0, 25, 8.0, 15.0, 5.0),
        (30.0, 22, 3.0, 1.0, 0.2),
        (0.4, 1, 10.0, 2.0, 3.0),
    ],
)
def test_erlang_a_matches_a_birth_death_computation(
    load: float, servers: int, aht: float, patience: float, target: float
) -> None:
    waiting, in_time, abandon, mean_wait = birth_death(load, servers, aht, patience, target)
    result = erlang.erlang_a(load, servers, aht, patience, target)
    assert result.wait_probability == pytest.approx(waiting, rel=1e-8)
    assert result.service_level == pytest.approx(in_time, rel=1e-8)
    assert result.abandon_probability == pytest.approx(abandon, rel=1e-7)
    assert result.average_wait == pytest.approx(mean_wait, rel=1e-7)
    assert result.occupancy == pytest.approx(load * (1 - abandon) / servers, rel=1e-7)


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    result = erlang.erlang_a(8.0, 10, 5.0, 1e7, 2.0)
    assert result.wait_probability == pytest.approx(erlang.erlang_c(8.0, 10), rel=1e-4)
    assert result.service_level == pytest.approx(erlang.service_level(8.0, 10, 2.0, 5.0), rel=1e-4)


def test_erlang_a_is_finite_for_thousands_of_servers() -> None:
    result = erlang.erlang_a(np.array([4800.0, 5100.0, 100.0]), 5000, 5.0, 20.0, 1.0)
    for values in (result.wait_probability, result.service_level, result.abandon_probability):
        assert np.isfinite(values).all()
        assert ((values >= 0) & (values <= 1)).all()


def test_required_servers_is_the_fewest_meeting_the_service_level() -> None:
    rng = np.random.default_rng(4)
    arrivals = rng.uniform(0, 90, (7, 48))
    arrivals[:, :4] = 0
    need = erlang.required_servers(arrivals, 8.0, 30.0, 5.0, 0.8)
    assert need.shape == (7, 48) and need.dtype == np.int64
    assert (need[:, :4] == 0).all()
    load = arrivals / 30.0 * 8.0
    busy = load > 0
    assert (erlang.service_level(load, need, 5.0, 8.0)[busy] >= 0.8).all()
    fewer = np.maximum(need - 1, 0)
    assert (erlang.service_level(load, fewer, 5.0, 8.0)[busy] < 0.8).all()


def test_required_servers_with_occupancy_and_shrinkage() -> None:
    need = erlang.required_servers([60.0], 8.0, 30.0, 5.0, 0.5, max_occupancy=0.7)
    assert need[0] == math.ceil(16.0 / 0.7)
    scheduled = erlang.required_servers([60.0], 8.0, 30.0, 5.0, 0.8, shrinkage=0.3)
    raw = erlang.required_servers([60.0], 8.0, 30.0, 5.0, 0.8)
    assert scheduled[0] == math.ceil(raw[0] / 0.7)


def test_required_servers_with_patience_uses_erlang_a() -> None:
    arrivals = np.array([0.0, 5.0, 40.0, 120.0, 3000.0])
    need = erlang.required_servers(arrivals, 6.0, 30.0, 2.0, 0.8, patience=5.0)
    assert need[0] == 0
    load = arrivals / 30.0 * 6.0
    for k in range(1, arrivals.size):
        assert erlang.erlang_a(load[k], need[k], 6.0, 5.0, 2.0).service_level >= 0.8
        assert erlang.erlang_a(load[k], need[k] - 1, 6.0, 5.0, 2.0).service_level < 0.8


def test_required_servers_for_zero_arrivals_is_zero() -> None:
    assert erlang.required_servers(np.zeros((2, 3)), 5.0, 30.0, 1.0, 0.9).sum() == 0
    assert erlang.required_servers(np.zeros(4), 5.0, 30.0, 1.0, 0.9, patience=3.0).sum() == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"arrivals": [3.0, -1.0]}, "arrivals"),
        ({"arrivals": [np.nan]}, "arrivals"),
        ({"aht": 0.0}, "aht"),
        ({"interval": -30.0}, "interval"),
        ({"service_level": 1.0}, "service_level"),
        ({"target_wait": -1.0}, "target_wait"),
        ({"max_occupancy": 1.5}, "max_occupancy"),
        ({"patience": 0.0}, "patience"),
    ],
)
def test_bad_input_names_the_problem(kwargs: dict, message: str) -> None:
    arguments = {
        "arrivals": [10.0],
        "aht": 5.0,
        "interval": 30.0,
        "target_wait": 1.0,
        "service_level": 0.8,
    }
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        erlang.required_servers(**arguments)


def test_bad_servers_are_refused() -> None:
    with pytest.raises(ValueError, match="servers"):
        erlang.erlang_c(3.0, 2.5)
    with pytest.raises(ValueError, match="load"):
        erlang.erlang_c(-1.0, 2)
