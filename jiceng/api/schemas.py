"""What every JSON API operation shares: the error body, the paging bounds, the common field
types (region codes, codes of reference data), and the statuses that the API root answers for
every operation, documented once.

The document at /api/v1/openapi.json must say what the API does (schemathesis checks it, see
tests/api/test_openapi_fuzz.py):
- an operation lists every status it answers, each with its body (`Error` for 4xx);
- what the code enforces on input (lengths, patterns, ranges, choices) is declared on the input
  schemas, so that a request the document allows is refused only for a reason no schema can
  state (an unknown category or item, a wrong check digit, a record's state).

Statuses the API root (api/root.py) answers for any operation, added to each operation's
responses by `DocumentedAPI` rather than written on each:
- 401 for every operation that requires authentication (no or a wrong token);
- 400 for every operation that takes parameters or a body (the input does not match the schema);
- 404 for every operation with a path parameter (no such record, or not in your scope).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from pydantic import BeforeValidator, JsonValue

MAX_PAGE = 10_000  # deep enough for any region's list; beyond it, narrow the filters

# A region code of the national statistical divisions: county 6 digits, town 9, village 12,
# grid 15 (jiceng/core/scope.py reads them).
RegionCode = Annotated[
    str,
    Field(
        min_length=6,
        max_length=15,
        pattern=r"^(\d{6}|\d{9}|\d{12}|\d{15})$",
        description="region code: county 6 digits, town 9, village 12, grid 15",
    ),
]
# What Python's str.strip() removes, and the control characters: written out rather than `\s`,
# whose meaning differs between the regex engines that read the document (pydantic's, a JSON
# Schema validator's, the fuzzer's).
SPACE = r"\x00-\x20\x7f" + "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The code of a row of reference data (a category, an item, a station): it exists or it is a 400
# that names the field.
Code = Annotated[str, Field(min_length=1, max_length=50, pattern=f"^[^{SPACE}]+$")]
# Text is stored as given: no NUL characters (PostgreSQL cannot store them); a required text has
# a character that is neither a space nor NUL.
NO_NUL = r"^[^\x00]*$"
REQUIRED_TEXT = f"^[^\\x00]*[^{SPACE}][^\\x00]*$"


def _iso(pattern: str, what: str) -> BeforeValidator:
    """Dates and times as ISO 8601 text only (pydantic would take a number as a timestamp)."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and re.match(pattern, value):
            return value
        if isinstance(value, date):
            return value
        raise ValueError(f"not an ISO 8601 {what}")

    return BeforeValidator(check)


Day = Annotated[date, _iso(r"^\d{4}-\d{2}-\d{2}$", "date (YYYY-MM-DD)")]
Moment = Annotated[datetime, _iso(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}", "date and time")]


class RuleRef(Schema):
    """The rule that refused a request: its kind, and its article where the rule has one."""

    article: int | None = Field(description="the article of the rule's document, if any")
    kind: str


class Error(Schema):
    """Every 4xx body: a reason, for invalid input the errors by field, and for a refusal by a
    rule of the rules as data the rule (its kind and article)."""

    detail: str
    errors: dict[str, Any] | list[Any] | None = Field(
        default=None, description="invalid input: the errors by field (or by location)"
    )
    rule: RuleRef | None = Field(default=None, description="a refusal by a rule: which one")


def answers(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's responses: its successes and the listed error statuses with `Error`."""
    return {**ok, **{status: Error for status in errors}}


_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_COMMON = {
    400: "Invalid input: the reason, and the errors by field",
    401: "Authentication required: send Authorization: Bearer <token>",
    404: "No such record, or not in your scope",
}


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose document adds the statuses the root answers for every operation."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        schema["components"].setdefault("schemas", {})["Error"] = Error.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for methods in schema["paths"].values():
            for operation in methods.values():
                parameters = operation.get("parameters") or []
                common: list[int] = []
                if parameters or operation.get("requestBody"):
                    common.append(400)
                if operation.get("security"):
                    common.append(401)
                if any(p.get("in") == "path" for p in parameters):
                    common.append(404)
                responses = operation["responses"]
                for status in common:
                    if status not in responses and str(status) not in responses:
                        responses[status] = {
                            "description": _COMMON[status],
                            "content": {"application/json": {"schema": _ERROR_REF}},
                        }
        return schema


def one_of_pattern(values: Iterable[str]) -> str:
    """The pattern of a string that is one of `values`."""
    return "^(" + "|".join(re.escape(v) for v in values) + ")$"


def one_of(values: Sequence[str], default: Any = ..., **kwargs: Any) -> Any:
    """A string field that takes one of `values` (declared as an enum and a pattern)."""
    choices: list[JsonValue] = list(values)
    return Field(
        default, pattern=one_of_pattern(values), json_schema_extra={"enum": choices}, **kwargs
    )


# The id of a record in a path or a reference: a positive 64-bit integer (anything larger is not
# an id, and the databases cannot compare it).
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]


# An amount of yuan, more than 0 and at most 9,999,999,999.99, in whole fen: a JSON number (a
# float that is a whole number of fen but for binary noise, 0.57 arriving as 0.5700000000000001,
# is read as that number of fen) or the same as text ("12000", "12.50").
YUAN_TEXT = r"^([1-9]\d{0,9}(\.\d{1,2})?|0?\.(0[1-9]|[1-9]\d?))$"
_YUAN_MAX = Decimal("9999999999.99")


def _yuan(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("an amount of yuan")
    if isinstance(value, float) and math.isfinite(value) and 0 < value <= _YUAN_MAX:
        exact = Decimal(repr(value))
        fen = exact.quantize(Decimal("0.01"))
        return fen if abs(exact - fen) <= Decimal("1e-9") else exact
    if isinstance(value, str) and not re.match(YUAN_TEXT, value):
        raise ValueError("an amount of yuan: digits, at most two decimals")
    return value


def _yuan_schema(schema: dict[str, Any]) -> None:
    schema.clear()
    schema["anyOf"] = [
        {"type": "number", "exclusiveMinimum": 0, "maximum": 9999999999.99, "multipleOf": 0.01},
        {"type": "string", "pattern": YUAN_TEXT},
    ]


Yuan = Annotated[
    Decimal,
    BeforeValidator(_yuan),
    Field(gt=0, le=_YUAN_MAX, decimal_places=2, json_schema_extra=_yuan_schema),
]
