"""Writes of the welfare-lottery module.

Sales are imported whole or not at all: every row is checked first (a known outlet in the
importer's region, open on the day; a known game; a date not in the future; an amount that is a
number of yuan with at most two decimals and not negative; no row twice), and one bad row refuses
the file with a report naming each bad row, storing nothing. A file that passes replaces, for
every outlet and day it holds, whatever was stored for that outlet-day before (all games), in one
transaction: re-importing a corrected day's file is how a day is corrected.

A prize's tax is computed when it is paid, from the tax rule in force on the day, and stored with
it: the rule may change later, the tax withheld then does not.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.models import Region
from jiceng.core.scope import scope_queryset
from jiceng.lottery import access
from jiceng.lottery.models import (
    DailySale,
    Disbursement,
    Game,
    Grant,
    GrantCategory,
    Outlet,
    Prize,
    PublicityActivity,
    Supervisor,
    SupervisorVisit,
    UnclaimedPrize,
)
from jiceng.lottery.reference_data import CLAIM_DAYS
from jiceng.lottery.selectors import fund_rule_on, money, tax_on

if TYPE_CHECKING:
    from jiceng.core.models import User

COLUMNS = ("date", "outlet", "game", "amount")
BATCH = 5000
MAX_ROW_ERRORS = 100  # the report names at most this many bad rows (the file is refused anyway)


@dataclass(frozen=True)
class RowError:
    row: int  # 1 is the header: the first data row is 2, as a spreadsheet numbers it
    message: str


class ImportRefused(ValidationError):
    """The file was refused whole; `rows` names each bad row."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        shown = "; ".join(
            _("row %(row)s: %(reason)s") % {"row": e.row, "reason": e.message} for e in rows[:20]
        )
        more = len(rows) - 20
        if more > 0:
            shown += "; " + _("and %(count)d more") % {"count": more}
        super().__init__(shown, code="import_refused")


def _today() -> date:
    return timezone.localdate()


def read_rows(data: bytes | str, filename: str = "") -> list[list[str]]:
    """The rows of a CSV (UTF-8, with or without BOM) or an Excel workbook (.xlsx, first sheet)."""
    if isinstance(data, bytes) and (filename.lower().endswith(".xlsx") or data[:2] == b"PK"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ValidationError(_("The file is not a readable Excel workbook.")) from exc
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else _cell_text(v) for v in values])
        book.close()
        return rows
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The file is not UTF-8 text (CSV) nor an Excel workbook.")
            ) from exc
    return [row for row in csv.reader(io.StringIO(data.lstrip("\ufeff")))]


def _cell_text(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def sales_import(*, actor: User | None, data: bytes | str, filename: str = "") -> int:
    """Check every row, then store them all (replacing the outlet-days they cover); returns the
    number of rows stored. Raises ImportRefused (a ValidationError) naming the bad rows."""
    access.check_write(actor)
    rows = read_rows(data, filename)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ValidationError(_("The file is empty."))
    header = [cell.strip().lower().lstrip("\ufeff") for cell in rows[0]]
    if header[: len(COLUMNS)] != list(COLUMNS):
        raise ValidationError(
            _("The first row must name the columns: %(columns)s.") % {"columns": ",".join(COLUMNS)}
        )
    outlets_qs = Outlet.objects.all()
    if actor is not None:
        outlets_qs = scope_queryset(outlets_qs, actor)
    outlets = {
        o.code: o for o in outlets_qs.only("id", "code", "region_id", "opened_on", "closed_on")
    }
    games = {g.code: g for g in Game.objects.all()}
    today = _today()
    errors: list[RowError] = []
    seen: set[tuple[int, date, int]] = set()
    sales: list[DailySale] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        problem, sale = _check_row(row, outlets, games, today)
        if sale is not None:
            key = (sale.outlet_id, sale.sold_on, sale.game_id)
            if key in seen:
                problem, sale = _("the same outlet, day and game appear twice"), None
            else:
                seen.add(key)
        if problem:
            errors.append(RowError(number, problem))
            if len(errors) >= MAX_ROW_ERRORS:
                break
        elif sale is not None:
            sales.append(sale)
    if errors:
        raise ImportRefused(errors)
    if not sales:
        raise ValidationError(_("The file holds no sales."))
    days: dict[date, set[int]] = defaultdict(set)
    for sale in sales:
        days[sale.sold_on].add(sale.outlet_id)
    with transaction.atomic():
        for day, outlet_ids in days.items():
            ids = sorted(outlet_ids)
            for i in range(0, len(ids), 900):  # SQLite's limit on query parameters
                DailySale.objects.filter(sold_on=day, outlet_id__in=ids[i : i + 900]).delete()
        DailySale.objects.bulk_create(sales, batch_size=BATCH)
    return len(sales)


def _check_row(
    row: list[str], outlets: dict[str, Outlet], games: dict[str, Game], today: date
) -> tuple[str, DailySale | None]:
    if len(row) < len(COLUMNS):
        return _("expected 4 columns: date,outlet,game,amount"), None
    day_text, outlet_code, game_code, amount_text = (cell.strip() for cell in row[:4])
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return _("the date %(value)r is not a date (YYYY-MM-DD)") % {"value": day_text}, None
    if day > today:
        return _("the date %(value)s is in the future") % {"value": day.isoformat()}, None
    outlet = outlets.get(outlet_code)
    if outlet is None:
        return _("unknown outlet %(value)r") % {"value": outlet_code}, None
    game = games.get(game_code)
    if game is None:
        return _("unknown game %(value)r") % {"value": game_code}, None
    try:
        amount = Decimal(amount_text.replace(",", ""))
    except InvalidOperation:
        return _("the amount %(value)r is not a number") % {"value": amount_text}, None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return _("the amount %(value)r has more than two decimals") % {"value": amount_text}, None
    if amount < 0:
        return _("the amount %(value)s is negative") % {"value": amount_text}, None
    if amount >= Decimal("1e13"):
        return _("the amount %(value)s is too large") % {"value": amount_text}, None
    if day < outlet.opened_on or (outlet.closed_on is not None and day >= outlet.closed_on):
        return _("outlet %(code)s was not open on %(day)s") % {
            "code": outlet.code,
            "day": day.isoformat(),
        }, None
    sale = DailySale(
        outlet_id=outlet.id, game_id=game.id, sold_on=day, amount=amount, region_id=outlet.region_id
    )
    return "", sale


def prize_pay(
    *,
    actor: User | None,
    game: str,
    amount: Decimal,
    paid_on: date,
    outlet: str | None = None,
    region: Region | None = None,
) -> Prize:
    """Record a prize paid at an outlet (or at the centre, without one), with its tax."""
    access.check_write(actor)
    errors: dict[str, str] = {}
    found_game = Game.objects.filter(code=game).first()
    if found_game is None:
        errors["game"] = _("Unknown game %(code)r.") % {"code": game}
    found_outlet = None
    if outlet:
        outlets = Outlet.objects.all()
        if actor is not None:
            outlets = scope_queryset(outlets, actor)
        found_outlet = outlets.filter(code=outlet).first()
        if found_outlet is None:
            errors["outlet"] = _("Unknown outlet %(code)r.") % {"code": outlet}
    if amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    elif money(amount) != amount:
        errors["amount"] = _("The amount has at most two decimals.")
    if paid_on > _today():
        errors["paid_on"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)
    assert found_game is not None
    if found_outlet is not None:
        region_id = found_outlet.region_id
    else:
        centre = region or (actor.region if actor is not None else None)
        if centre is None:
            raise ValidationError({"outlet": _("A prize paid at the centre needs your region.")})
        access.check_in_scope(actor, centre.code)
        region_id = centre.code
    return Prize.objects.create(
        game=found_game,
        outlet=found_outlet,
        amount=amount,
        paid_on=paid_on,
        tax_withheld=tax_on(amount, paid_on),
        region_id=region_id,
    )


def grant_create(
    *,
    actor: User | None,
    title: str,
    category: str,
    recipient: str,
    region: Region,
    approved_amount: Decimal,
    approved_on: date,
    outcome: str = "",
) -> Grant:
    access.check_write(actor)
    access.check_in_scope(actor, region.code)
    if category not in GrantCategory.values:
        raise ValidationError({"category": _("Unknown category.")})
    if approved_amount <= 0:
        raise ValidationError({"approved_amount": _("The amount must be more than zero.")})
    return Grant.objects.create(
        title=title,
        category=category,
        recipient=recipient,
        region=region,
        approved_amount=approved_amount,
        approved_on=approved_on,
        outcome=outcome,
    )


def disbursement_record(
    *, actor: User | None, grant: Grant, amount: Decimal, paid_on: date
) -> Disbursement:
    """Pay out part of a grant; never more in all than was approved."""
    access.check_write(actor)
    access.check_in_scope(actor, grant.region_id)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if paid_on > _today():
        raise ValidationError({"paid_on": _("The date is in the future.")})
    with transaction.atomic():
        locked = Grant.objects.select_for_update().get(pk=grant.pk)
        paid = sum((d.amount for d in locked.disbursements.all()), Decimal(0))
        if paid + amount > locked.approved_amount:
            raise ValidationError(
                {"amount": _("This would pay out more than the amount approved.")}
            )
        return Disbursement.objects.create(grant=locked, amount=amount, paid_on=paid_on)


def supervisor_appoint(
    *, actor: User | None, name: str, affiliation: str, appointed_on: date, region: Region
) -> Supervisor:
    access.check_write(actor)
    access.check_in_scope(actor, region.code)
    return Supervisor.objects.create(
        name=name, affiliation=affiliation, appointed_on=appointed_on, region=region
    )


def supervisor_visit_record(
    *,
    actor: User | None,
    supervisor: Supervisor,
    visited_on: date,
    findings: str,
    outlet: Outlet | None = None,
) -> SupervisorVisit:
    access.check_write(actor)
    access.check_in_scope(actor, supervisor.region_id)
    if outlet is not None:
        access.check_in_scope(actor, outlet.region_id)
    if visited_on > _today():
        raise ValidationError({"visited_on": _("The date is in the future.")})
    return SupervisorVisit.objects.create(
        supervisor=supervisor, outlet=outlet, visited_on=visited_on, findings=findings
    )


def publicity_activity_record(
    *,
    actor: User | None,
    kind: str,
    title: str,
    held_on: date,
    region: Region,
    participants: int = 0,
) -> PublicityActivity:
    access.check_write(actor)
    access.check_in_scope(actor, region.code)
    if kind not in PublicityActivity.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of activity.")})
    return PublicityActivity.objects.create(
        kind=kind,
        title=title,
        held_on=held_on,
        region=region,
        participants=participants,
        created_by=actor,
    )


COMPLAINT_CATEGORY = "lottery_complaint"


def complaint_report(
    *,
    actor: User | None,
    description: str,
    outlet: Outlet | None = None,
    region: Region | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    source: str = "hotline",
    idempotency_key: str | None = None,
) -> Any:
    """A complaint or tip-off about an outlet or the centre, opened as a case of the case loop
    (category `lottery_complaint`, loaded by this app's data migration) through the case
    engine's public intake service: it is then accepted, dispatched, handled and closed there."""
    from jiceng.cases.services.intake import case_report

    access.check_write(actor)
    place = outlet.region_id if outlet is not None else (region.code if region else None)
    if place is None:
        raise ValidationError({"outlet": _("Name the outlet or the region concerned.")})
    access.check_in_scope(actor, place)
    text = description
    if outlet is not None:
        text = (
            description
            + "\n"
            + _("Outlet: %(code)s %(name)s")
            % {
                "code": outlet.code,
                "name": outlet.name,
            }
        )
    return case_report(
        actor=actor,
        category=COMPLAINT_CATEGORY,
        description=text,
        region_code=place,
        address=outlet.address if outlet is not None else "",
        source=source,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        source_ref=f"lottery-outlet:{outlet.code}" if outlet is not None else "",
        idempotency_key=idempotency_key,
    )


def unclaimed_prize_record(
    *, actor: User | None, game: str, drawn_on: date, amount: Decimal, region: Region
) -> UnclaimedPrize:
    """Prize money of a draw nobody claimed; its claim period (the fund rule's, from the draw)
    decides the year in which it goes to the local fund."""
    access.check_write(actor)
    access.check_in_scope(actor, region.code)
    found = Game.objects.filter(code=game).first()
    if found is None:
        raise ValidationError({"game": _("Unknown game %(code)r.") % {"code": game}})
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if drawn_on > _today():
        raise ValidationError({"drawn_on": _("The date is in the future.")})
    rule = fund_rule_on(drawn_on)
    days = rule.claim_days if rule is not None else CLAIM_DAYS
    return UnclaimedPrize.objects.create(
        game=found,
        drawn_on=drawn_on,
        amount=amount,
        claim_ends_on=drawn_on + timedelta(days=days),
        region=region,
    )
