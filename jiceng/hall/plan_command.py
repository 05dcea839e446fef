"""`jiceng plan staffing` and `jiceng plan circle`: the plans as plain text.

Exit codes: 0 done, 2 a bad argument (the message names it; nothing is written).
"""

from __future__ import annotations

import argparse
import math
import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone, translation

from jiceng.hall.circle import CirclePlan, CircleUnavailable, circle_plan, deployment_viewer
from jiceng.hall.models import Hall
from jiceng.hall.services.plans import PlanApplied, staffing_plan_apply
from jiceng.hall.staffing import SHIFTS, StaffingPlan, StaffingUnavailable, staffing_plan

EXIT_USAGE = 2

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _number(value: float | None, digits: int = 1) -> str:
    return (
        "-"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.{digits}f}"
    )


def _share(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.0%}"


def staffing_text(plan: StaffingPlan) -> str:
    lines = [
        f"Staffing plan: {plan.hall_name} (hall {plan.hall_id}), week of {plan.week:%Y-%m-%d}",
        f"Target: {plan.service_level:.0%} called within {plan.target_wait:g} minutes; "
        f"mean handling {plan.aht:.1f} min (item mix); {plan.windows} windows; "
        f"history {plan.history_days} days, {plan.history_tickets} tickets",
        "",
    ]
    open_days = [i for i, day in enumerate(plan.days) if day.arrivals > 0 or day.shifts]
    for i in open_days:
        day = plan.days[i]
        lines.append(f"{DAY_NAMES[i]} {day.day:%Y-%m-%d}: {day.arrivals:.0f} arrivals expected")
        lines.append("  time   forecast (80% band)  required  open  Erlang SL  sim wait  sim SL")
        for k, label in enumerate(plan.periods):
            if plan.mean[i, k] <= 0 and plan.on_duty[i, k] == 0:
                continue
            band = f"{plan.lower[i, k]:.0f}-{plan.upper[i, k]:.0f}"
            flag = ""
            if plan.short[i, k]:
                flag = f"  (short of {plan.short[i, k]} windows)"
            elif plan.uncovered[i, k] > 0:
                flag = "  (no session can open)"
            lines.append(
                f"  {label}  {plan.mean[i, k]:8.1f} {band:>10}  {plan.required[i, k]:8d}"
                f"  {plan.on_duty[i, k]:4d}  {_share(plan.erlang_level[i, k]):>9}"
                f"  {_number(plan.sim_wait[i, k]):>8}  {_share(plan.sim_level[i, k]):>6}{flag}"
            )
        shifts = ", ".join(f"{n} {name}" for name, n in day.shifts.items()) or "none"
        lines.append(f"  sessions: {shifts}")
        if day.mean_wait is not None:
            lines.append(
                f"  simulated: mean wait {day.mean_wait:.1f} min "
                f"(95% CI {_number(day.mean_wait_low)}-{_number(day.mean_wait_high)}), "
                f"{_share(day.service_level)} called within {plan.target_wait:g} min"
            )
        lines.append("")
    if not open_days:
        lines += ["No arrivals expected and no sessions proposed this week.", ""]
    lines.append("Shifts (each a window's sessions for the day):")
    for shift in SHIFTS:
        sessions = ", ".join(
            f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d} {kind}"
            for kind, a, b in shift.sessions
        )
        lines.append(f"  {shift.name:<9} {sessions}")
    lines.append("")
    lines.append("Roster:")
    if plan.roster is None:
        lines.append(f"  no roster: {plan.roster_problem}")
    elif not plan.roster:
        lines.append("  nobody is needed")
    else:
        width = max(len(name) for name in plan.roster)
        lines.append("  " + " " * width + "  " + "  ".join(f"{d:<8}" for d in DAY_NAMES))
        for name, days in plan.roster.items():
            cells = "  ".join(f"{(shift or '-'):<8}" for shift in days)
            lines.append(f"  {name:<{width}}  {cells}  {plan.roster_hours.get(name, 0):.1f} h")
        if plan.vacancies:
            lines.append(f"  vacancies (no clerk of the point left): {', '.join(plan.vacancies)}")
    if plan.kept_weekdays:
        kept = ", ".join(DAY_NAMES[d] for d in plan.kept_weekdays)
        lines.append(f"Weekdays that keep their current sessions: {kept}")
    lines.append(
        "Meets the target in every staffable half hour (Erlang C): "
        + ("yes" if plan.meets_target else "no")
    )
    return "\n".join(lines)


def applied_text(applied: PlanApplied) -> str:
    if not applied.changed:
        return "Applied: the session plan already was this plan; nothing changed."
    lines = [
        f"Applied from {applied.week}: {applied.added} sessions added, {applied.removed} removed."
    ]
    for change in applied.windows:
        lines.append(f"  window {change.number}:")
        for weekday, kind, starts, ends in change.removed:
            lines.append(f"    - {DAY_NAMES[weekday]} {starts}-{ends} {kind}")
        for weekday, kind, starts, ends in change.added:
            lines.append(f"    + {DAY_NAMES[weekday]} {starts}-{ends} {kind}")
    return "\n".join(lines)


def circle_text(plan: CirclePlan) -> str:
    lines = [
        f"Service circle of {plan.item_code} {plan.item_name}: {plan.minutes:g} minutes",
        f"Villages: {plan.villages}, covered today {plan.covered_before} "
        f"({plan.covered_population_before:,} of {plan.population:,} residents)",
        "",
        f"Uncovered villages today: {len(plan.uncovered)} "
        f"({plan.uncovered_population:,} residents)",
    ]
    for village in plan.uncovered:
        minutes = "none" if village["minutes"] is None else f"{village['minutes']:.1f} min"
        lines.append(
            f"  {village['code']}  {village['name']:<12} {village['town']:<10}"
            f" {village['population']:>7,}  nearest {minutes}"
        )
    lines.append("")
    what = (
        "Fewest new points closing the gap"
        if plan.method == "lscp"
        else f"Best {plan.p} new points (most residents brought in)"
    )
    lines.append(f"{what}: {len(plan.proposed)} from {plan.candidates} candidate sites")
    for n, proposal in enumerate(plan.proposed, start=1):
        site = proposal["site"]
        names = ", ".join(v["name"] for v in proposal["villages"])
        lines.append(
            f"  {n}. {site.name} [{site.kind}] {site.region}: "
            f"{len(proposal['villages'])} villages, {proposal['population']:,} residents"
            + (f" ({names})" if names else "")
        )
    lines.append(
        f"After: {plan.covered_after} of {plan.villages} villages covered "
        f"({plan.covered_population_after:,} residents)"
        + ("" if plan.optimal else " (solver time ran out: not proved optimal)")
    )
    if plan.unreachable:
        names = ", ".join(v["name"] for v in plan.unreachable)
        lines.append(f"No existing or candidate site reaches: {names}")
    return "\n".join(lines)


def _fail(command: str, message: str) -> int:
    print(f"jiceng plan {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


def find_hall(text: str) -> Hall | None:
    """A hall by id, by its point's code, or by its name (active halls only)."""
    text = (text or "").strip()
    halls = Hall.objects.filter(is_active=True).select_related("point")
    if text.isdigit():
        return halls.filter(pk=int(text)).first()
    found = list(halls.filter(Q(point__code=text) | Q(name=text))[:2])
    return found[0] if len(found) == 1 else None


def plan_staffing(args: argparse.Namespace) -> int:
    with translation.override("en"):  # the command line speaks English, like the others
        return _plan_staffing(args)


def plan_circle(args: argparse.Namespace) -> int:
    with translation.override("en"):
        return _plan_circle(args)


def _plan_staffing(args: argparse.Namespace) -> int:
    hall = find_hall(args.hall)
    if hall is None:
        return _fail("staffing", f"--hall: no active hall {args.hall!r} (give its id or code)")
    try:
        plan = staffing_plan(hall, week=args.week, today=timezone.localdate())
    except (StaffingUnavailable, ValueError) as exc:
        return _fail("staffing", str(exc))
    print(staffing_text(plan))
    if args.apply:
        try:
            applied = staffing_plan_apply(actor=None, hall=hall, plan=plan)
        except (ValidationError, PermissionDenied) as exc:
            messages = getattr(exc, "messages", [str(exc)])
            return _fail("staffing", "--apply: " + " ".join(messages))
        print()
        print(applied_text(applied))
    return 0


def _plan_circle(args: argparse.Namespace) -> int:
    if args.minutes is not None and not (0 < args.minutes <= 240):
        return _fail("circle", "--minutes: give a number of minutes between 0 and 240")
    if args.p is not None and args.p < 1:
        return _fail("circle", "--p: give a whole number of new points, at least 1")
    try:
        viewer = deployment_viewer(args.region)
        plan = circle_plan(
            viewer,
            item_code=args.item,
            as_of=timezone.localdate(),
            minutes=args.minutes,
            p=args.p,
        )
    except CircleUnavailable as exc:
        return _fail("circle", "--" + str(exc))
    print(circle_text(plan))
    return 0
