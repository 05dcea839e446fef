"""Writes of the power module (迎峰度夏). Every function takes the `actor` (None: the system),
checks role and scope (jiceng/power/access.py) and validates everything before writing.

Public services:
- meters: `meter_create`, `meter_update`, `meter_price_set`, `machine_save`, `machine_delete`
  (jiceng/power/services/meters.py);
- readings and weather: `readings_import` → `ReadingsReport` (`Gap`), `temperatures_import`
  (services/readings.py; refusals are jiceng.core.services.regions.ImportRefused);
- plans: `plan_save` (services/plans.py; the computation is jiceng.power.plans.compute);
- demand response: `dr_event_create`, `dr_invite`, `dr_commit`, `baselines`
  (services/dr.py).

Public selectors (jiceng/power/selectors.py): `meters_visible_to`, `meter_for`,
`enterprises_visible_to`, `enterprise_for`, `enterprise_meters`, `price_on`, `prices_between`,
`loads`, `day_loads`, `decode`, `meter_cost` → `Bill`, `day_type_of`, `typical_day` →
`TypicalDay`, `machines_of`, `plans_of`, `latest_plan`, `plans_visible_to`, `plan_page`,
`events_visible_to`, `event_for`, `participants_of`, `event_window`, `dr_results` →
`[DrResult]`, `temperatures`, `heat_days`. Tariffs (jiceng/power/tariffs.py): `version_on`,
`day_periods`, `quarter_kinds`, `quarter_prices`, `NoTariff`.
"""

from jiceng.power.services.dr import baselines, dr_commit, dr_event_create, dr_invite
from jiceng.power.services.meters import (
    machine_delete,
    machine_save,
    meter_create,
    meter_price_set,
    meter_update,
)
from jiceng.power.services.plans import plan_save
from jiceng.power.services.readings import (
    Gap,
    ReadingsReport,
    readings_import,
    temperatures_import,
)

__all__ = [
    "Gap",
    "ReadingsReport",
    "baselines",
    "dr_commit",
    "dr_event_create",
    "dr_invite",
    "machine_delete",
    "machine_save",
    "meter_create",
    "meter_price_set",
    "meter_update",
    "plan_save",
    "readings_import",
    "temperatures_import",
]
