"""Load shifting: hand-checkable schedules, the errors that name their culprit, and equality with
a brute-force enumeration on small random instances."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from jiceng.planning.loadshift import LoadShiftError, Process, evaluate, schedule

# Eight one-hour intervals: dear, dear, cheap, cheap, cheap, mid, dear, mid.
PRICES = np.array([1.0, 1.0, 0.4, 0.4, 0.4, 0.7, 1.0, 0.7])


def hourly(processes: list[Any], **kwargs: Any):
    return schedule(PRICES, processes, interval_hours=1.0, **kwargs)


def test_a_shiftable_process_moves_to_the_cheapest_block() -> None:
    result = hourly([{"name": "vat", "power_kw": 100, "duration": 3}])
    assert result.runs == {"vat": [2, 3, 4]}
    assert result.energy_cost == pytest.approx(3 * 100 * 0.4)
    assert result.optimal and result.gap == 0.0
    assert result.cost == result.energy_cost and result.demand_cost == 0.0


def test_a_breakable_process_picks_the_cheapest_intervals_anywhere_in_its_window() -> None:
    process = {"name": "pump", "power_kw": 50, "duration": 3, "kind": "breakable", "earliest": 4}
    result = hourly([process])
    assert result.runs == {"pump": [4, 5, 7]}
    assert result.energy_cost == pytest.approx(50 * (0.4 + 0.7 + 0.7))


def test_an_inflexible_process_stays_at_its_start() -> None:
    line = Process(name="line", power_kw=80, duration=2, kind="inflexible", start=0)
    result = hourly([line])
    assert result.runs == {"line": [0, 1]}
    assert result.process_load["line"].tolist() == [80, 80, 0, 0, 0, 0, 0, 0]


def test_a_profile_runs_in_order_over_the_block() -> None:
    kiln = {"name": "kiln", "power_kw": [10, 200], "duration": 2, "earliest": 3}
    result = hourly([kiln])
    # From 3: 0.4·10 + 0.4·200 = 84; from 4: 0.4·10 + 0.7·200 = 144; later dearer still.
    assert result.runs == {"kiln": [3, 4]}
    assert result.load.tolist() == [0, 0, 0, 10, 200, 0, 0, 0]


def test_a_cap_forces_the_second_process_out_of_the_cheap_block() -> None:
    processes = [
        {"name": "a", "power_kw": 100, "duration": 3},
        {"name": "b", "power_kw": 100, "duration": 2},
    ]
    free = hourly(processes)
    assert free.peak_kw == 200
    capped = hourly(processes, power_cap=150, base_load=20)
    assert capped.peak_kw <= 150 and capped.optimal
    # a in the cheap block; b in the two cheapest hours left that are adjacent: 5 and... 7 is
    # not adjacent to 5, so b takes 0-1 (2.0), 1-2 no (2 taken), 5-6 (1.7) or 6-7 (1.7): 5-6.
    assert capped.runs == {"a": [2, 3, 4], "b": [5, 6]}
    assert capped.energy_cost == pytest.approx(20 * PRICES.sum() + 100 * (1.2 + 1.7))


def test_a_demand_charge_lowers_the_peak() -> None:
    processes = [
        {"name": "a", "power_kw": 100, "duration": 2},
        {"name": "b", "power_kw": 100, "duration": 2},
    ]
    cheap = hourly(processes)
    assert cheap.peak_kw == 200  # both in the cheap block, overlapping
    charged = hourly(processes, demand_charge=5.0)
    assert charged.peak_kw == 100
    assert charged.demand_cost == pytest.approx(500)
    assert charged.optimal
    assert charged.cost == pytest.approx(charged.energy_cost + charged.demand_cost)
    assert charged.cost < cheap.energy_cost + 5.0 * cheap.peak_kw


def test_forbidden_intervals_are_respected() -> None:
    shiftable = {"name": "vat", "power_kw": 100, "duration": 3, "forbidden": [3]}
    breakable = {"name": "pump", "power_kw": 10, "duration": 3, "kind": "breakable"}
    breakable["forbidden"] = [2, 3]
    result = hourly([shiftable, breakable])
    assert result.runs["vat"] == [4, 5, 6] or result.runs["vat"] == [5, 6, 7]
    assert 3 not in result.runs["vat"]
    assert result.runs["pump"] == [4, 5, 7]


def test_processes_of_one_crew_never_run_at_the_same_time() -> None:
    processes = [
        {"name": "a", "power_kw": 100, "duration": 2, "crew": "x"},
        {"name": "b", "power_kw": 10, "duration": 2, "crew": "x"},
        {"name": "c", "power_kw": 10, "duration": 2},
    ]
    result = hourly(processes)
    assert not set(result.runs["a"]) & set(result.runs["b"])
    assert result.runs["a"] in ([2, 3], [3, 4])
    assert set(result.runs["c"]) <= {2, 3, 4}


def test_an_inflexible_process_blocks_its_crew() -> None:
    processes = [
        {"name": "line", "power_kw": 10, "duration": 3, "kind": "inflexible", "start": 2},
        {"name": "vat", "power_kw": 10, "duration": 2, "crew": "x"},
    ]
    processes[0]["crew"] = "x"
    result = hourly(processes)
    assert result.runs["vat"] == [5, 6] or result.runs["vat"] == [0, 1]
    assert result.runs["vat"] == [5, 6]  # 0.7 + 1.0 < 1.0 + 1.0


def test_a_window_shorter_than_the_duration_names_the_process() -> None:
    with pytest.raises(LoadShiftError, match="vat") as caught:
        hourly([{"name": "vat", "power_kw": 1, "duration": 4, "earliest": 5}])
    assert caught.value.process == "vat" and not caught.value.cap


def test_forbidden_intervals_that_leave_no_block_name_the_process() -> None:
    with pytest.raises(LoadShiftError) as caught:
        hourly([{"name": "vat", "power_kw": 1, "duration": 3, "forbidden": [2, 5]}])
    assert caught.value.process == "vat"


def test_a_process_alone_over_the_cap_is_named() -> None:
    with pytest.raises(LoadShiftError, match="kiln") as caught:
        hourly([{"name": "kiln", "power_kw": 200, "duration": 1}], power_cap=150)
    assert caught.value.process == "kiln" and caught.value.cap


def test_inflexible_load_over_the_cap_names_the_interval_and_the_processes() -> None:
    processes = [
        {"name": "l1", "power_kw": 100, "duration": 2, "kind": "inflexible", "start": 0},
        {"name": "l2", "power_kw": 100, "duration": 2, "kind": "inflexible", "start": 1},
    ]
    with pytest.raises(LoadShiftError, match="l1, l2") as caught:
        hourly(processes, power_cap=150)
    assert caught.value.cap and caught.value.interval == 1


def test_no_schedule_under_the_cap_names_the_cap() -> None:
    processes = [
        {"name": "a", "power_kw": 100, "duration": 3, "earliest": 2, "latest_end": 6},
        {"name": "b", "power_kw": 100, "duration": 3, "earliest": 2, "latest_end": 6},
    ]
    with pytest.raises(LoadShiftError, match="cap 150") as caught:
        hourly(processes, power_cap=150)
    assert caught.value.cap and caught.value.process is None


def test_bad_input_is_refused() -> None:
    with pytest.raises(LoadShiftError, match="constant power"):
        hourly([{"name": "p", "power_kw": [1, 2], "duration": 2, "kind": "breakable"}])
    with pytest.raises(LoadShiftError, match="start"):
        hourly([{"name": "p", "power_kw": 1, "duration": 2, "kind": "inflexible"}])
    with pytest.raises(LoadShiftError, match="twice"):
        hourly([{"name": "p", "power_kw": 1, "duration": 1}] * 2)
    with pytest.raises(LoadShiftError, match="unknown keys"):
        hourly([{"name": "p", "power_kw": 1, "duration": 1, "colour": "red"}])
    with pytest.raises(LoadShiftError, match="one value per interval"):
        hourly([{"name": "p", "power_kw": [1, 2, 3], "duration": 2}])


# -- brute force -----------------------------------------------------------------------------


def _options(process: dict[str, Any], horizon: int) -> list[list[int]]:
    d = process["duration"]
    if process["kind"] == "inflexible":
        return [list(range(process["start"], process["start"] + d))]
    window = [
        t
        for t in range(process["earliest"], process["latest_end"])
        if t not in process.get("forbidden", ())
    ]
    if process["kind"] == "breakable":
        return [list(c) for c in itertools.combinations(window, d)]
    return [
        list(range(s, s + d))
        for s in range(process["earliest"], process["latest_end"] - d + 1)
        if all(t in window for t in range(s, s + d))
    ]


def brute_force(
    prices: np.ndarray,
    processes: list[dict[str, Any]],
    base: np.ndarray,
    cap: float | None,
    charge: float,
) -> float | None:
    horizon = prices.size
    best = None
    for combo in itertools.product(*(_options(p, horizon) for p in processes)):
        load = base.copy()
        crews: dict[str, set[int]] = {}
        clash = False
        for process, intervals in zip(processes, combo, strict=True):
            power = process["power_kw"]
            profile = power if isinstance(power, list) else [power] * len(intervals)
            load[intervals] += profile
            crew = process.get("crew")
            if crew:
                clash |= bool(crews.setdefault(crew, set()) & set(intervals))
                crews[crew] |= set(intervals)
        if clash or (cap is not None and load.max() > cap + 1e-9):
            continue
        energy, demand = evaluate(prices, load, demand_charge=charge, interval_hours=1.0)
        if best is None or energy + demand < best:
            best = energy + demand
    return best


def random_instance(rng: np.random.Generator) -> dict[str, Any]:
    horizon = 8
    processes: list[dict[str, Any]] = []
    for i in range(int(rng.integers(2, 5))):
        kind = str(rng.choice(["shiftable", "shiftable", "breakable", "inflexible"]))
        d = int(rng.integers(1, 4))
        process: dict[str, Any] = {"name": f"p{i}", "kind": kind, "duration": d}
        if kind == "shiftable" and rng.random() < 0.3:
            process["power_kw"] = [float(v) for v in rng.integers(1, 10, d) * 10]
        else:
            process["power_kw"] = float(rng.integers(1, 10) * 10)
        if kind == "inflexible":
            process["start"] = int(rng.integers(0, horizon - d + 1))
        else:
            earliest = int(rng.integers(0, horizon - d))
            process["earliest"] = earliest
            process["latest_end"] = int(rng.integers(earliest + d, horizon + 1))
            if rng.random() < 0.3:
                process["crew"] = "x"
            if rng.random() < 0.2:
                process["forbidden"] = [int(rng.integers(0, horizon))]
        processes.append(process)
    return {
        "prices": np.round(rng.uniform(0.2, 1.5, horizon), 2),
        "processes": processes,
        "base": np.round(rng.uniform(0, 50, horizon)),
        "cap": None if rng.random() < 0.4 else float(rng.integers(80, 200)),
        "charge": 0.0 if rng.random() < 0.5 else float(rng.choice([0.5, 2.0, 8.0])),
    }


def test_equal_to_brute_force_on_small_random_instances() -> None:
    rng = np.random.default_rng(42)
    checked = infeasible = 0
    while checked < 20:
        case = random_instance(rng)
        expected = brute_force(
            case["prices"], case["processes"], case["base"], case["cap"], case["charge"]
        )
        try:
            result = schedule(
                case["prices"],
                case["processes"],
                base_load=case["base"],
                power_cap=case["cap"],
                demand_charge=case["charge"],
                interval_hours=1.0,
            )
        except LoadShiftError as error:
            assert expected is None, (case, error)
            infeasible += 1
            continue
        assert expected is not None, case
        assert result.cost == pytest.approx(expected, rel=1e-6), case
        assert result.optimal
        energy, demand = evaluate(
            case["prices"], result.load, demand_charge=case["charge"], interval_hours=1.0
        )
        assert result.cost == pytest.approx(energy + demand)
        checked += 1
    assert infeasible > 0  # the generator also makes impossible cases


def test_twenty_processes_under_a_cap_are_proven_optimal() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(96)
    prices = np.where((t >= 72) & (t < 88), 1.39, np.where(t < 28, 0.27, 0.68))
    processes = []
    for i in range(20):
        d = int(rng.integers(4, 17))
        earliest = int(rng.integers(0, 96 - d - 8))
        processes.append(
            {
                "name": f"p{i}",
                "kind": "breakable" if i % 3 == 0 else "shiftable",
                "power_kw": float(rng.integers(2, 20) * 10),
                "duration": d,
                "earliest": earliest,
                "latest_end": min(96, earliest + d + int(rng.integers(8, 60))),
            }
        )
    result = schedule(prices, processes, base_load=300.0, power_cap=900, time_limit=10)
    assert result.optimal and result.gap == 0.0
    assert result.peak_kw <= 900 + 1e-6
    assert sorted(result.runs) == sorted(p["name"] for p in processes)


def test_the_example_in_docs_loadshift_runs(capsys: pytest.CaptureFixture[str]) -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "loadshift.md"
    text = doc.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(doc), "exec"), {"__name__": "docs_example"})  # noqa: S102
    printed = capsys.readouterr().out
    assert "vat from 11.00 h" in printed and "optimal True" in printed
    assert "reduction 120 kW, compensation 1920 yuan" in printed


def test_every_input_error_is_a_load_shift_error() -> None:
    process = {"name": "p", "power_kw": 1, "duration": 1}
    for kwargs in ({"power_cap": 0}, {"interval_hours": -1}, {"demand_charge": float("nan")}):
        with pytest.raises(LoadShiftError):
            schedule(PRICES, [process], **kwargs)
    with pytest.raises(LoadShiftError, match="prices"):
        schedule([], [process])
