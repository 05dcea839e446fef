"""The ebike module's writes. Public services (import from the submodule named):

- registry: building_create, building_property_manager_set, live_count_record, shop_create,
  ebike_register (DuplicateEbike → 409), ebike_checked, battery_checked, charging_place_create,
  ground_floor_create, lift_blocker_create (→ (device, plain key)), lift_blocker_revoke,
  lift_blocker_authenticate
- imports: ebike_import(actor, filename, content) (ImportRefused by row), EBIKE_COLUMNS,
  import_template_sheets
- building_import: building_import(actor, filename, content) (ImportRefused by row),
  BUILDING_COLUMNS, building_template_sheets
- alerts: alert_receive(kind, building, lift, at, device=None, actor=None), alert_rule_for
- colours: building_colours_refresh(building_ids=None, at=None), building_colours_recompute_all,
  building_facts
- chain: ebike_events_apply (the capture handler), registering_record
- inspections: inspection_submit(actor, target, checklist, inspected_at, findings),
  target_kinds_register

Reads are in jiceng/ebike/selectors.py: buildings_visible_to, building_get_for_user,
buildings_annotated, building_colour_history, building_open_findings, building_alert_cases,
building_alerts, ports_coverage, shops_visible_to, ebike_get_for_user, ebike_flags, ebike_chain,
ebike_battery. Who may do what: jiceng/ebike/access.py."""
