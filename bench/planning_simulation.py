"""A hall day with changing windows, many replications: jiceng.planning.simulate vs ciw."""

from __future__ import annotations

import math
import time

import numpy as np
from scipy import stats

from bench.report import Figure, median_seconds
from jiceng.planning import simulate

INTERVAL = 30.0  # 08:00-17:30 in half hours
ARRIVALS = np.array(
    [60, 110, 150, 170, 170, 150, 90, 80, 120, 160, 165, 150, 120, 90, 70, 50, 35, 25, 15],
    dtype=float,
)  # 2,000 customers expected
WINDOWS = np.array([4, 6, 8, 10, 10, 9, 6, 6, 7, 9, 10, 9, 7, 6, 5, 4, 3, 2, 2])
AHT = 1.5


def window_node_class():
    """ciw's Node with this library's window semantics: at a change only the closing windows
    (the last ones) leave, finishing their customer; reopening brings such a window back.
    Stock ciw takes every server off duty at each change and adds the new shift's servers."""
    import ciw

    class WindowNode(ciw.Node):
        def change_shift(self) -> None:
            self.schedule.get_next_shift()
            self.next_shift_change = self.schedule.next_shift_change_date
            new = self.schedule.c
            self.c = new
            on_duty = [s for s in self.servers if not s.offduty]
            if new < len(on_duty):
                for server in on_duty[new:]:
                    server.shift_end = self.next_event_date
                    if server.busy:
                        server.offduty = True
                    else:
                        self.kill_server(server)
            else:
                increase = new - len(on_duty)
                for server in [s for s in self.servers if s.offduty][:increase]:
                    server.offduty = False
                    increase -= 1
                self.add_new_servers(increase)
            self.begin_service_if_possible_change_shift()

    return WindowNode


def ciw_day(seed: int, node_class) -> tuple[np.ndarray, np.ndarray]:
    """One replication in ciw: per interval, the total wait and the number of customers."""
    import ciw

    intervals = ARRIVALS.size
    ends = [INTERVAL * (i + 1) for i in range(intervals)]
    ciw.seed(seed)
    network = ciw.create_network(
        arrival_distributions=[
            ciw.dists.PoissonIntervals(
                rates=list(ARRIVALS / INTERVAL), endpoints=ends, max_sample_date=ends[-1]
            )
        ],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
        # the last windows stay open after the day until the hall is empty
        number_of_servers=[
            ciw.Schedule(
                numbers_of_servers=[int(w) for w in WINDOWS] + [int(WINDOWS[-1])],
                shift_end_dates=[*ends, 1e9],
            )
        ],
    )
    model = ciw.Simulation(network, node_class=node_class)
    model.simulate_until_max_time(ends[-1] + 24 * 60)
    waits = np.zeros(intervals)
    counts = np.zeros(intervals)
    for record in model.get_all_records():
        i = min(int(record.arrival_date // INTERVAL), intervals - 1)
        waits[i] += record.waiting_time
        counts[i] += 1
    return waits, counts


def ratio_estimate(totals: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean per interval over replications (rows) and its standard error (delta method)."""
    n = totals.shape[0]
    estimate = totals.sum(axis=0) / counts.sum(axis=0)
    residual = totals - estimate * counts
    error = np.sqrt((residual**2).sum(axis=0) / (n - 1) / n) / counts.mean(axis=0)
    return estimate, error


def run(quick: bool) -> list[Figure]:
    replications = 1000
    peer_replications = 50 if quick else 1000
    result = simulate.hall(ARRIVALS, AHT, WINDOWS, INTERVAL, replications=replications, seed=1)
    ours_seconds = median_seconds(
        lambda: simulate.hall(ARRIVALS, AHT, WINDOWS, INTERVAL, replications=replications, seed=1),
        repeat=3,
    )
    node_class = window_node_class()
    start = time.perf_counter()
    rows = [ciw_day(seed, node_class) for seed in range(peer_replications)]
    peer_seconds = time.perf_counter() - start
    peer_waits = np.array([w for w, _ in rows])
    peer_counts = np.array([c for _, c in rows])
    peer_customers = int(peer_counts.sum())

    ours_valid = result.interval_index >= 0
    keys = result.interval_index + ARRIVALS.size * np.arange(replications)[None, :]
    size = ARRIVALS.size * replications
    ours_totals = np.bincount(keys[ours_valid], weights=result.waits[ours_valid], minlength=size)
    ours_counts = np.bincount(keys[ours_valid], minlength=size).astype(float)
    shape = (replications, ARRIVALS.size)
    ours_mean, ours_error = ratio_estimate(ours_totals.reshape(shape), ours_counts.reshape(shape))
    peer_mean, peer_error = ratio_estimate(peer_waits, peer_counts)
    z = (ours_mean - peer_mean) / np.sqrt(ours_error**2 + peer_error**2)
    different = int((np.abs(z) > stats.norm.ppf(0.975)).sum())
    day_ours = ours_totals.sum() / ours_counts.sum()
    day_peer = peer_waits.sum() / peer_counts.sum()
    overall_z = (
        (ours_totals.reshape(shape).sum(axis=1) / ours_counts.reshape(shape).sum(axis=1)).mean()
        - (peer_waits.sum(axis=1) / peer_counts.sum(axis=1)).mean()
    ) / math.sqrt(
        (ours_totals.reshape(shape).sum(axis=1) / ours_counts.reshape(shape).sum(axis=1)).var(
            ddof=1
        )
        / replications
        + (peer_waits.sum(axis=1) / peer_counts.sum(axis=1)).var(ddof=1) / peer_replications
    )
    ours_rate = result.customers / ours_seconds
    peer_rate = peer_customers / peer_seconds
    figures = [
        Figure(
            benchmark="planning-simulation",
            what=f"hall day, 10 windows, {replications} replications",
            unit="microseconds per simulated customer",
            ours=1e6 / ours_rate,
            peer=1e6 / peer_rate,
            peer_name="ciw (window semantics)",
            note=(
                f"ours {ours_rate:,.0f} customers/s over {result.customers:,} customers; "
                f"ciw {peer_rate:,.0f} customers/s over {peer_customers:,} customers "
                f"({peer_replications} replications)"
            ),
            extra={"ours_customers_per_second": ours_rate, "peer_customers_per_second": peer_rate},
        ),
        Figure(
            benchmark="planning-simulation",
            what="mean wait over the day, minutes",
            unit="minutes",
            ours=day_ours,
            peer=day_peer,
            peer_name="ciw (window semantics)",
            note=(
                f"difference z = {overall_z:.2f}; per half hour, {different} of {ARRIVALS.size} "
                "means differ at the 5% level (about 1 expected by chance)"
            ),
            extra={
                "ours_mean_wait": ours_mean.tolist(),
                "peer_mean_wait": peer_mean.tolist(),
                "z": z.tolist(),
            },
        ),
    ]
    return figures
