"""Planning: the arithmetic behind tidal windows, the ten-minute service circle, key projects'
schedules and summer load shifting.

A pure library (numpy and scipy; HiGHS through scipy.optimize.milp for the integer programs) that
imports nothing else of the project, so it can be used on its own:

- `forecast`: arrivals per interval from ticket history, with a rolling-origin backtest;
- `erlang`: Erlang C and Erlang A waiting, service level and required windows per interval;
- `simulate`: a hall day with changing windows, many replications, confidence intervals;
- `roster`: the cheapest shift counts covering a requirement, then named staff to shifts;
- `coverage`: set covering (LSCP) and maximal covering (MCLP) on a travel-time matrix;
- `schedule`: the critical path method over working days, forwards and backwards from a deadline;
- `loadshift`: machines' runs placed against time-of-use prices under a power cap (MILP, HiGHS);
- `baseline`: demand-response baselines and their verification (see docs/loadshift.md).

Times are in minutes; arrivals are counts per interval.
"""

# Submodules are imported where they are used (`from jiceng.planning import erlang`): scipy
# alone takes most of a second to import, and a process that plans nothing need not pay it.
__all__ = [
    "baseline",
    "coverage",
    "erlang",
    "forecast",
    "loadshift",
    "roster",
    "schedule",
    "simulate",
]
