"""The writes of the youth talent reserve (青苗计划). Every service takes the acting user
(`actor`; None is the system itself), checks everything before writing anything, and writes in
one transaction. Reads are in jiceng/youth/selectors.py, who may do what in access.py.

Public services:
- talents.py: `talent_register` (a young person on the core registry's person, ID number sealed
  and masked there), `talent_update` (education, background, skills, branch, tags, the linked
  youth account), `branch_create`, `mentorship_add`, `mentorship_end`,
  `talent_id_number_reveal` (organisers of the region only, audited).
- steps.py: `step_record` (one of the 25 steps with its date and facts, checked against the
  rules; raises `StepRefused` with the rule's kind and article), `ladder`, `history_of`.
- history.py: `history_build` (a whole valid history up to a step, in memory, every rule
  checked) and `histories_store` (bulk insert of many, for the demo).
- imports.py: `talents_import` (a spreadsheet, all or nothing, per-row report), for
  jiceng/web/imports.py's `import_page`.
- reserve.py: `policy_for`, `policy_set`, `reserve_add` (criteria checked, `ReserveRefused`),
  `reserve_end`, `reserve_record_add` (training, practice, evaluation).
- volunteering.py: `platform_create`, `platform_organiser_add`, `activity_record` (the
  organiser records and certifies the hours of each participant).
- mediation.py: `studio_create`, `studio_mediator_add`, `mediation_open` (a dispute-mediation
  case dispatched to the studio), `mediation_case_closed` / `mediation_case_reopened` (the case
  loop's handlers: hours to the mediators, taken back on reopening).
"""

from jiceng.youth.rules import StepRefused
from jiceng.youth.services.history import histories_store, history_build
from jiceng.youth.services.imports import talents_import
from jiceng.youth.services.mediation import (
    mediation_case_closed,
    mediation_case_reopened,
    mediation_open,
    studio_create,
    studio_mediator_add,
)
from jiceng.youth.services.reserve import (
    ReserveRefused,
    policy_for,
    policy_set,
    reserve_add,
    reserve_end,
    reserve_record_add,
)
from jiceng.youth.services.steps import history_of, ladder, step_record
from jiceng.youth.services.talents import (
    branch_create,
    mentorship_add,
    mentorship_end,
    talent_id_number_reveal,
    talent_register,
    talent_update,
)
from jiceng.youth.services.volunteering import (
    activity_record,
    platform_create,
    platform_organiser_add,
)

__all__ = [
    "ReserveRefused",
    "StepRefused",
    "activity_record",
    "branch_create",
    "histories_store",
    "history_build",
    "history_of",
    "ladder",
    "mediation_case_closed",
    "mediation_case_reopened",
    "mediation_open",
    "mentorship_add",
    "mentorship_end",
    "platform_create",
    "platform_organiser_add",
    "policy_for",
    "policy_set",
    "reserve_add",
    "reserve_end",
    "reserve_record_add",
    "step_record",
    "studio_create",
    "studio_mediator_add",
    "talent_id_number_reveal",
    "talent_register",
    "talent_update",
    "talents_import",
]
