"""Writes of the service network, by concern: `catalogue` (items and groups), `network` (points,
halls, windows, plans, rules, handling records), `queue` (windows signing in, tickets, calls,
ratings, appointments), `summaries` (the daily KPI summaries), `travel` (the service circle)."""
