"""Planning: the arithmetic behind tidal windows and the ten-minute service circle.

A pure library (numpy and scipy; HiGHS through scipy.optimize.milp for the integer programs) that
imports nothing else of the project, so it can be used on its own:

- `forecast`: arrivals per interval from ticket history, with a rolling-origin backtest;
- `erlang`: Erlang C and Erlang A waiting, service level and required windows per interval;
- `simulate`: a hall day with changing windows, many replications, confidence intervals;
- `roster`: the cheapest shift counts covering a requirement, then named staff to shifts;
- `coverage`: set covering (LSCP) and maximal covering (MCLP) on a travel-time matrix;
- `schedule`: the critical path method over working days, forwards and backwards from a deadline.

Times are in minutes; arrivals are counts per interval.
"""

from jiceng.planning import coverage, erlang, forecast, roster, schedule, simulate

__all__ = ["coverage", "erlang", "forecast", "roster", "schedule", "simulate"]
