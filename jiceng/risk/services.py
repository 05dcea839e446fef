"""Writing rules and colours."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from jiceng.core.prepared import prepared_rows
from jiceng.risk.evaluation import Reason, Result, RuleInvalid, RuleSpec, rule_check
from jiceng.risk.models import ColourChange, Rule, RuleSet, SubjectColour
from jiceng.risk.selectors import RULES_CACHE

BATCH = 5000
ROWS_PER_INSERT = 500  # 6 parameters each: well under SQLite's and PostgreSQL's limits
COLOUR_COLUMNS = "scheme, subject, colour, reasons, since, evaluated_at"
CHANGE_COLUMNS = "scheme, subject, colour, previous, reasons, at"


def _date(value: Any, *, rule: str, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RuleInvalid(f"{rule}: {name} is not a date: {value!r}") from None


def ruleset_load(*, data: Mapping[str, Any]) -> int:
    """Create or replace rule sets and their rules from data, all or nothing.

    `data` = {"rulesets": [{"code", "name", "name_en", "description", "rules": [{"code",
    "colour", "kind", "params", "reason", "reason_en", "effective_from", "effective_to"}]}]}.
    A rule set named again has its rules replaced. Answers the number of rules loaded."""
    loaded = []
    for spec in data.get("rulesets", []):
        rules = []
        for order, item in enumerate(spec.get("rules", [])):
            code = str(item.get("code") or "")
            if not code:
                raise RuleInvalid(f"{spec.get('code')}: a rule without a code")
            start = _date(item.get("effective_from"), rule=code, name="effective_from")
            rule = RuleSpec(
                code=code,
                colour=str(item.get("colour")),
                kind=str(item.get("kind")),
                params=dict(item.get("params") or {}),
                reason=str(item.get("reason") or code),
                reason_en=str(item.get("reason_en") or ""),
                effective_from=start or date(2000, 1, 1),
                effective_to=_date(item.get("effective_to"), rule=code, name="effective_to"),
            )
            rule_check(rule)
            rules.append((order, rule))
        loaded.append((spec, rules))
    count = 0
    with transaction.atomic():
        for spec, rules in loaded:
            ruleset, _created = RuleSet.objects.update_or_create(
                code=spec["code"],
                defaults={
                    "name": spec.get("name", spec["code"]),
                    "name_en": spec.get("name_en", ""),
                    "description": spec.get("description", ""),
                },
            )
            ruleset.rules.all().delete()
            Rule.objects.bulk_create(
                Rule(
                    ruleset=ruleset,
                    order=order,
                    code=r.code,
                    colour=r.colour,
                    kind=r.kind,
                    params=dict(r.params),
                    reason=r.reason,
                    reason_en=r.reason_en,
                    effective_from=r.effective_from,
                    effective_to=r.effective_to,
                )
                for order, r in rules
            )
            count += len(rules)
    # This process reads the new rules at once (and again after the commit, in case another
    # thread read the old ones meanwhile); other processes within RULES_RECHECK_SECONDS.
    RULES_CACHE.forget()
    transaction.on_commit(RULES_CACHE.forget)
    return count


def ruleset_load_file(*, path: Path) -> int:
    return ruleset_load(data=json.loads(path.read_text(encoding="utf-8")))


def _current(scheme: str, subjects: list[int]) -> dict[int, tuple[int, str, list[Reason]]]:
    """The stored colour of each subject: a plain statement (it runs for every captured event
    that changes a site)."""
    table = connection.ops.quote_name(SubjectColour._meta.db_table)
    marks = ", ".join(["%s"] * len(subjects))
    rows = prepared_rows(
        f"SELECT subject, id, colour, reasons FROM {table} "  # noqa: S608 - the model's table
        f"WHERE scheme = %s AND subject IN ({marks})",
        [scheme, *subjects],
    )
    return {
        subject: (pk, colour, json.loads(reasons) if isinstance(reasons, str) else reasons)
        for subject, pk, colour, reasons in rows
    }


def colours_store(
    *, scheme: str, results: Mapping[int, Result], at: datetime, fresh: bool = False
) -> int:
    """Write the current colour and reasons of every subject in `results`; add a history entry
    for each subject whose colour changed (or that had none). Answers the number of changes.

    Written with plain parameterised statements (executemany): at 300,000 subjects the ORM's
    per-row preparation would cost more than the evaluation itself. `fresh=True` promises that
    the scheme has no colours yet (a first full computation) and skips reading them."""
    changes = 0
    subjects = list(results)
    if not fresh and len(subjects) > BATCH:
        # A first computation of the whole scheme: nothing to read, and COPY on PostgreSQL.
        fresh = not SubjectColour.objects.filter(scheme=scheme).exists()
    json_value = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    when = connection.ops.adapt_datetimefield_value(at)
    colour_table = connection.ops.quote_name(SubjectColour._meta.db_table)
    change_table = connection.ops.quote_name(ColourChange._meta.db_table)
    # Table names are the models' own, never input.
    insert_colour = (
        f"INSERT INTO {colour_table} (scheme, subject, colour, reasons, since, evaluated_at) "  # noqa: S608
        "VALUES {values} "
        # Two refreshes of a new subject at once: the first one's row stands.
        "ON CONFLICT (scheme, subject) DO NOTHING"
    )
    colour_row = f"(%s, %s, %s, {json_value}, %s, %s)"
    update_colour = (
        f"UPDATE {colour_table} SET colour = %s, reasons = {json_value}, since = %s, "  # noqa: S608
        "evaluated_at = %s WHERE id = %s"
    )
    update_reasons = (
        f"UPDATE {colour_table} SET reasons = {json_value}, evaluated_at = %s WHERE id = %s"  # noqa: S608
    )
    insert_change = (
        f"INSERT INTO {change_table} (scheme, subject, colour, previous, reasons, at) "  # noqa: S608
        "VALUES {values}"
    )
    change_row = f"(%s, %s, %s, %s, {json_value}, %s)"
    encoded: dict[tuple[tuple[str, str], ...], str] = {}
    for start in range(0, len(subjects), BATCH):
        chunk = subjects[start : start + BATCH]
        current = {} if fresh else _current(scheme, chunk)
        new_rows, recoloured, reworded, history = [], [], [], []
        for subject in chunk:
            colour, reasons = results[subject]
            row = current.get(subject)
            if row is not None and row[1] == colour and row[2] == reasons:
                continue  # nothing to write: the evaluation time alone is not worth a write
            # Many subjects share the same reasons (same rules, same dates): encode each once.
            key = tuple((r["rule"], r.get("value", "")) for r in reasons)
            text = encoded.get(key)
            if text is None:
                text = encoded[key] = json.dumps(reasons, ensure_ascii=False, separators=(",", ":"))
            if row is None:
                new_rows.append((scheme, subject, colour, text, when, when))
                history.append((scheme, subject, colour, "", text, when))
            elif row[1] != colour:
                recoloured.append((colour, text, when, when, row[0]))
                history.append((scheme, subject, colour, row[1], text, when))
            else:
                reworded.append((text, when, row[0]))
        if not (new_rows or recoloured or reworded):
            continue
        # No savepoint inside a caller's transaction (a capture): a failure dooms it anyway.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            if fresh and connection.vendor == "postgresql":
                _copy(cursor, SubjectColour, COLOUR_COLUMNS, new_rows)
            else:
                _insert_many(cursor, insert_colour, colour_row, new_rows)
            for statement, rows in ((update_colour, recoloured), (update_reasons, reworded)):
                if rows:
                    cursor.executemany(statement, rows)
            if connection.vendor == "postgresql" and len(history) > ROWS_PER_INSERT:
                _copy(cursor, ColourChange, CHANGE_COLUMNS, history)
            else:
                _insert_many(cursor, insert_change, change_row, history)
        changes += len(history)
    return changes


def _insert_many(cursor: Any, statement: str, row: str, rows: list[tuple[Any, ...]]) -> None:
    """Many rows per INSERT statement (a round trip per row would dominate on PostgreSQL)."""
    for start in range(0, len(rows), ROWS_PER_INSERT):
        part = rows[start : start + ROWS_PER_INSERT]
        values = ", ".join([row] * len(part))
        cursor.execute(statement.format(values=values), [v for r in part for v in r])


def _copy(cursor: Any, model: type[Any], columns: str, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY, for the many rows of a full computation (a bulk INSERT spends most of
    its time in the driver's parameter handling)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def colours_forget(*, scheme: str, subjects: list[int] | None = None) -> int:
    """Remove the colours and history of a scheme (or of some of its subjects)."""
    current = SubjectColour.objects.filter(scheme=scheme)
    history = ColourChange.objects.filter(scheme=scheme)
    if subjects is not None:
        current, history = (
            current.filter(subject__in=subjects),
            history.filter(subject__in=subjects),
        )
    history.delete()
    return current.delete()[0]
