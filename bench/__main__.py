"""`make bench` (python -m bench [NAME ...]): run the benchmarks and print their figures.

Each benchmark module exposes `run(quick: bool) -> list[Figure]`.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from bench.report import print_table, save

# name -> module; each measures ours side by side with a peer.
BENCHMARKS: dict[str, str] = {
    "cases-intake": "bench.cases_intake",
    "cases-load": "bench.cases_load",
    "planning-erlang": "bench.planning_erlang",
    "planning-simulation": "bench.planning_simulation",
    "planning-siting": "bench.planning_siting",
    "planning-roster": "bench.planning_roster",
    "hall-cycles": "bench.hall_cycles",
    "ledger-capture": "bench.ledger_capture",
    "ledger-query": "bench.ledger_query",
    "gas-colours": "bench.gas_colours",
    "projects-cpm": "bench.projects_cpm",
    "lottery-import": "bench.lottery_import",  # and the year's ledger, report and PDF
    "inspections-record": "bench.inspections_record",
    "ebike-alerts": "bench.ebike_alerts",
    "ebike-colours": "bench.ebike_colours",
    "ebike-import": "bench.ebike_import",
    "power-loadshift": "bench.power_loadshift",
    "power-baselines": "bench.power_baselines",
    "power-import": "bench.power_import",
    "youth-funnel": "bench.youth_funnel",
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default all: {', '.join(BENCHMARKS)})"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        print(
            f"unknown benchmark: {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}",
            file=sys.stderr,
        )
        return 2
    status = 0
    for name in args.names or list(BENCHMARKS):
        print(f"\n## {name}", flush=True)
        module = importlib.import_module(BENCHMARKS[name])
        figures = module.run(quick=args.quick)
        print_table(figures)
        print(f"(saved to {save(figures, name)})")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
