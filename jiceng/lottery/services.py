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
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.cases import photos as photo_checks
from jiceng.core.bulk import copy_rows
from jiceng.core.models import Region
from jiceng.core.scope import code_in_scope, scope_queryset
from jiceng.lottery import access
from jiceng.lottery.models import (
    DailySale,
    Disbursement,
    Game,
    Grant,
    GrantCategory,
    GrantPhoto,
    Outlet,
    Prize,
    PublicityActivity,
    SalesStaff,
    Supervisor,
    SupervisorVisit,
    Training,
    UnclaimedPrize,
)
from jiceng.lottery.reference_data import CLAIM_DAYS
from jiceng.lottery.selectors import fund_rule_on, money, tax_on

if TYPE_CHECKING:
    from jiceng.core.models import User

COLUMNS = ("date", "outlet", "game", "amount")
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


def read_rows(data: bytes | str, filename: str = "") -> Iterator[list[str]]:
    """The rows of a CSV (UTF-8, with or without BOM) or an Excel workbook (.xlsx, first
    sheet), one at a time: a year of sales is millions of rows."""
    if isinstance(data, bytes) and (filename.lower().endswith(".xlsx") or data[:2] == b"PK"):
        return _workbook_rows(data)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The file is not UTF-8 text (CSV) nor an Excel workbook.")
            ) from exc
    return csv.reader(io.StringIO(data.lstrip("\ufeff")))


def _workbook_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationError(_("The file is not a readable Excel workbook.")) from exc

    def rows() -> Iterator[list[str]]:
        try:
            for values in book.worksheets[0].iter_rows(values_only=True):
                yield ["" if v is None else _cell_text(v) for v in values]
        finally:
            book.close()

    return rows()


def _cell_text(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# An amount of yuan as a file writes it: digits (thousands separators allowed), at most two
# decimals. Anything else is looked at more closely to say what is wrong with it.
AMOUNT = re.compile(r"\d{1,13}(?:\.\d{1,2})?")


@dataclass
class _Checked:
    """The rows of a sales file that passed, as the table takes them, and what they replace."""

    rows: list[tuple[int, int, str, str, str]]  # outlet id, game id, day, amount, region
    outlet_days: dict[date, set[int]]


def _checked_sales(rows: Iterator[list[str]], actor: User | None) -> _Checked:
    """Check every row of a sales file; raise ImportRefused naming the bad ones."""
    header = next(rows, None)
    if header is None:
        raise ValidationError(_("The file is empty."))
    header = [cell.strip().lower().lstrip("\ufeff") for cell in header]
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
    games = {g.code: g.id for g in Game.objects.all()}
    today = _today()
    days: dict[str, date | None] = {}  # each date's text parsed once
    errors: list[RowError] = []
    seen: set[tuple[int, date, int]] = set()
    checked = _Checked(rows=[], outlet_days=defaultdict(set))
    for number, row in enumerate(rows, start=2):
        if len(row) < len(COLUMNS):
            if any(cell.strip() for cell in row):
                errors.append(RowError(number, _("expected 4 columns: date,outlet,game,amount")))
        else:
            day_text, outlet_code, game_code, amount_text = row[0], row[1], row[2], row[3]
            day = days.get(day_text, date.min)
            if day is date.min:
                day = days[day_text] = _parse_day(day_text)
            outlet = outlets.get(outlet_code) or outlets.get(outlet_code.strip())
            game = games.get(game_code) or games.get(game_code.strip())
            amount = amount_text.strip().replace(",", "")
            if (
                day is None
                or day > today
                or outlet is None
                or game is None
                or not AMOUNT.fullmatch(amount)
                or day < outlet.opened_on
                or (outlet.closed_on is not None and day >= outlet.closed_on)
            ):
                if not any(cell.strip() for cell in row):
                    continue
                errors.append(RowError(number, _row_problem(row, outlets, games, today)))
            else:
                key = (outlet.id, day, game)
                if key in seen:
                    errors.append(RowError(number, _("the same outlet, day and game appear twice")))
                else:
                    seen.add(key)
                    checked.rows.append(
                        (outlet.id, game, day_text.strip(), amount, outlet.region_id)
                    )
                    checked.outlet_days[day].add(outlet.id)
        if len(errors) >= MAX_ROW_ERRORS:
            break
    if errors:
        raise ImportRefused(errors)
    if not checked.rows:
        raise ValidationError(_("The file holds no sales."))
    return checked


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def sales_import(*, actor: User | None, data: bytes | str, filename: str = "") -> int:
    """Check every row, then store them all (replacing the outlet-days they cover); returns the
    number of rows stored. Raises ImportRefused (a ValidationError) naming the bad rows.

    The rows are read one at a time and kept as plain tuples, and the table is written with
    PostgreSQL's COPY (batched INSERTs on SQLite): a year of 3,000 outlets' sales is millions
    of rows (`make bench BENCH_ARGS=lottery-import`)."""
    access.check_write(actor)
    checked = _checked_sales(read_rows(data, filename), actor)
    columns = ("outlet_id", "game_id", "sold_on", "amount", "region_id")
    # SQLite takes at most 999 parameters a statement; PostgreSQL many more.
    chunk = 900 if connection.vendor == "sqlite" else 20_000
    with transaction.atomic():
        for day, outlet_ids in sorted(checked.outlet_days.items()):
            ids = sorted(outlet_ids)
            for i in range(0, len(ids), chunk):
                DailySale.objects.filter(sold_on=day, outlet_id__in=ids[i : i + chunk]).delete()
        copy_rows(DailySale, columns, checked.rows)
    return len(checked.rows)


def _row_problem(
    row: list[str], outlets: dict[str, Outlet], games: dict[str, int], today: date
) -> str:
    """What is wrong with a row that failed the quick check, in words."""
    day_text, outlet_code, game_code, amount_text = (cell.strip() for cell in row[:4])
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return _("the date %(value)r is not a date (YYYY-MM-DD)") % {"value": day_text}
    if day > today:
        return _("the date %(value)s is in the future") % {"value": day.isoformat()}
    outlet = outlets.get(outlet_code)
    if outlet is None:
        return _("unknown outlet %(value)r") % {"value": outlet_code}
    if game_code not in games:
        return _("unknown game %(value)r") % {"value": game_code}
    try:
        amount = Decimal(amount_text.replace(",", ""))
    except InvalidOperation:
        return _("the amount %(value)r is not a number") % {"value": amount_text}
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return _("the amount %(value)r has more than two decimals") % {"value": amount_text}
    if amount < 0:
        return _("the amount %(value)s is negative") % {"value": amount_text}
    if amount >= Decimal("1e13"):
        return _("the amount %(value)s is too large") % {"value": amount_text}
    return _("outlet %(code)s was not open on %(day)s") % {
        "code": outlet.code,
        "day": day.isoformat(),
    }


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


# Outlets and their sellers (销售网点与销售人员).

OUTLET_FIELDS = ("name", "licence", "address", "owner")


def _region_in_scope(actor: User | None, code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("Unknown region %(code)s.") % {"code": code}})
    if actor is not None and not code_in_scope(actor, region.code):
        raise ValidationError({"region": _("The region is outside your own.")})
    return region


def outlet_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    region_code: str,
    opened_on: date,
    licence: str = "",
    address: str = "",
    owner: str = "",
) -> Outlet:
    """Register an outlet (销售网点); it has no staff until its sellers are added."""
    access.check_write(actor)
    errors: dict[str, str] = {}
    if not code or Outlet.objects.filter(code=code).exists():
        errors["code"] = _("An outlet with the code %(code)s exists already.") % {"code": code}
    if not name.strip():
        errors["name"] = _("Name the outlet.")
    if opened_on > _today():
        errors["opened_on"] = _("The date is in the future.")
    if errors:
        raise ValidationError(errors)
    region = _region_in_scope(actor, region_code)
    return Outlet.objects.create(
        code=code,
        name=name.strip(),
        region=region,
        opened_on=opened_on,
        licence=licence.strip(),
        address=address.strip(),
        owner=owner.strip(),
        staff_count=0,
    )


def outlet_update(*, actor: User | None, outlet: Outlet, **changes: str) -> Outlet:
    """Change an outlet's name, licence, address or owner."""
    access.check_write(actor)
    access.check_in_scope(actor, outlet.region_id)
    unknown = set(changes) - set(OUTLET_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if "name" in changes and not changes["name"].strip():
        raise ValidationError({"name": _("Name the outlet.")})
    for field_name, value in changes.items():
        setattr(outlet, field_name, value.strip())
    outlet.save(update_fields=list(changes))
    return outlet


def outlet_close(*, actor: User | None, outlet: Outlet, closed_on: date) -> Outlet:
    """Close an outlet from `closed_on` (its last day of sales is the day before); sales on or
    after that day are refused from then on."""
    access.check_write(actor)
    access.check_in_scope(actor, outlet.region_id)
    if closed_on <= outlet.opened_on:
        raise ValidationError({"closed_on": _("An outlet closes after it opened.")})
    if closed_on > _today() + timedelta(days=366):
        raise ValidationError({"closed_on": _("Close it within a year from today.")})
    if outlet.closed_on is not None:
        raise ValidationError({"closed_on": _("The outlet is closed already.")})
    if DailySale.objects.filter(outlet=outlet, sold_on__gte=closed_on).exists():
        raise ValidationError(
            {"closed_on": _("The outlet has sales on or after that day; correct them first.")}
        )
    outlet.closed_on = closed_on
    outlet.save(update_fields=["closed_on"])
    return outlet


def _recount_staff(outlet_id: int) -> None:
    count = SalesStaff.objects.filter(outlet_id=outlet_id, left_on__isnull=True).count()
    Outlet.objects.filter(pk=outlet_id).update(staff_count=count)


def seller_add(
    *, actor: User | None, outlet: Outlet, name: str, pledge_signed_on: date | None = None
) -> SalesStaff:
    """A seller starts at an outlet (the outlet's staff count follows)."""
    access.check_write(actor)
    access.check_in_scope(actor, outlet.region_id)
    if not name.strip():
        raise ValidationError({"name": _("Name the seller.")})
    if pledge_signed_on is not None and pledge_signed_on > _today():
        raise ValidationError({"pledge_signed_on": _("The date is in the future.")})
    if outlet.closed_on is not None:
        raise ValidationError({"name": _("The outlet is closed.")})
    with transaction.atomic():
        seller = SalesStaff.objects.create(
            outlet=outlet, name=name.strip(), pledge_signed_on=pledge_signed_on
        )
        _recount_staff(outlet.pk)
    return seller


def seller_pledge_sign(*, actor: User | None, seller: SalesStaff, signed_on: date) -> SalesStaff:
    """The seller signed the outlets' responsibility pledge (社会责任倡议书)."""
    access.check_write(actor)
    access.check_in_scope(actor, seller.outlet.region_id)
    if signed_on > _today():
        raise ValidationError({"signed_on": _("The date is in the future.")})
    seller.pledge_signed_on = signed_on
    seller.save(update_fields=["pledge_signed_on"])
    return seller


def seller_leave(*, actor: User | None, seller: SalesStaff, left_on: date) -> SalesStaff:
    """The seller stopped selling at the outlet; their record and trainings stay."""
    access.check_write(actor)
    access.check_in_scope(actor, seller.outlet.region_id)
    if left_on > _today():
        raise ValidationError({"left_on": _("The date is in the future.")})
    if seller.left_on is not None:
        raise ValidationError({"left_on": _("The seller has left already.")})
    with transaction.atomic():
        seller.left_on = left_on
        seller.save(update_fields=["left_on"])
        _recount_staff(seller.outlet_id)
    return seller


def training_record(
    *, actor: User | None, seller: SalesStaff, topic: str, held_on: date
) -> Training:
    """A training the seller attended (responsible-gaming training, 责任彩票培训)."""
    access.check_write(actor)
    access.check_in_scope(actor, seller.outlet.region_id)
    if not topic.strip():
        raise ValidationError({"topic": _("Name the training.")})
    if held_on > _today():
        raise ValidationError({"held_on": _("The date is in the future.")})
    return Training.objects.create(staff=seller, topic=topic.strip(), held_on=held_on)


def grant_outcome_record(*, actor: User | None, grant: Grant, outcome: str) -> Grant:
    """What the funded project achieved (成效), as the report tells it."""
    access.check_write(actor)
    access.check_in_scope(actor, grant.region_id)
    grant.outcome = outcome.strip()[:5000]
    grant.save(update_fields=["outcome"])
    return grant


def grant_photos_add(
    *, actor: User | None, grant: Grant, photos: list[UploadedFile], caption: str = ""
) -> list[GrantPhoto]:
    """Photos of a funded project's outcome: checked by content (JPEG, PNG or WebP), re-encoded
    without their metadata, all or none."""
    access.check_write(actor)
    access.check_in_scope(actor, grant.region_id)
    if not photos:
        raise ValidationError({"photos": _("Choose at least one photo.")})
    checked = photo_checks.check_photos(photos)
    added = []
    with transaction.atomic():
        for photo in checked:
            _token, content = photo_checks.photo_content(photo)
            record = GrantPhoto(grant=grant, caption=caption.strip()[:200])
            record.image.save(content.name or "photo", content, save=False)
            record.save()
            added.append(record)
    return added
