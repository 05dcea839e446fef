"""The demo county's medical-insurance service network and its history.

- `network`: the service catalogue's points (1 county centre, a town centre in each town, a
  station in each village and community, every bank outlet of the county (医银一体化),
  enterprise stations in the two towns with the most enterprises, and a care post (幸福医保驿站) in
  each town); halls with windows at the county and town centres, their weekly plans, and tidal
  sessions (early, noon, late, Saturday) at the county centre from 22 July; the tidal rules.
- `history`: over `months` months before `as_of`, each day's tickets of every hall, served by a
  simulation of its windows, and the handling records of the points without a queue.
- `rows`: the tickets and records as plain rows, written in batches by the core bulk writer.
- `seed`: `seed_hall` and `demo_hall_delete`, what `jiceng.demo.seed` calls.
"""
