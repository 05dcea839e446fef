"""The medical-insurance service network (hall): the service catalogue and its delegation to
county, town, village, bank (医银一体化), care-post and enterprise points; halls with windows,
weekly session plans with tidal sessions (early, noon, late, Saturday) and tidal rules; the
queue (kiosk, phone, appointment; green channel; calling, recall, no-show, transfer, outcome);
ratings on the five levels of 好差评; handling records at every point; KPIs; the ten-minute
service circle.

Where to look:
- models.py: the tables; services/ (writes): catalogue, network, queue, summaries, travel,
  plans (applying a staffing plan); selectors.py (reads of the queue and the network), kpis.py
  (KPIs), coverage.py (the circle); staffing.py and circle.py (the planning library on the
  hall's data: a week's tidal plan, new points for the circle), plan_command.py (`jiceng plan`);
  timetable.py and travel.py: pure helpers; tasks.py: the periodic job.
- The JSON API is jiceng/api/hall.py; its docstring says who may call what.

Choices worth knowing:
- Devices without a personal login: kiosks and boards use the hall's kiosk key (a secret set on
  the device, rotated by `hall_keys_rotate`); a resident's phone uses the QR code shown on the
  board, whose key is derived from the hall's secret and the date (valid until midnight), plus
  the ticket's own key for following and rating that ticket. Phone tickets are limited per
  address and per phone number, kiosk tickets per hall. Clerks and managers use their accounts;
  a window clerk works the windows of the points whose staff they are.
- KPIs are additive daily summaries (TicketDayStat per hall, HandlingDayStat per town and point
  type and per county) built once a day by the periodic job for past days; a late change marks
  its day stale and the KPIs read stale days, today and days not yet summarised from the raw
  rows with the same aggregation. Summaries of a period are cached for five minutes per process,
  keyed by their version.
- Holidays: the national calendar of the case loop (`jiceng.cases.calendar.working_calendar`,
  an engine), read through its public function; a hall's own days of exception win over it.
- Population for the service circle: residents in the core registry (Person rows) under each
  village's code.
- Travel time: routing-engine times imported as CSV where given, else straight-line distance
  × detour factor at a speed; the TravelModel row in force (by date) holds those and the
  circle's minutes.
"""
