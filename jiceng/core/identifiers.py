"""National identifiers: resident ID numbers (GB 11643-1999) and unified social credit codes
(GB 32100-2015), with validation that says which check failed, generation for synthetic demo
data, and masking for display and logs."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# --- Resident ID number (公民身份号码), GB 11643-1999 -------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits: province-level division codes of GB/T 2260.
_PROVINCE_CODES = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36"),
        *("37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62"),
        *("63", "64", "65", "71", "81", "82"),
    }
)
_ID_PATTERN = re.compile(r"\d{17}[\dX]")


def resident_id_check_character(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


@dataclass(frozen=True)
class ResidentIdFacts:
    number: str
    region_code: str
    birth_date: date
    gender: str  # "M" or "F"


def validate_resident_id(value: str, *, today: date | None = None) -> ResidentIdFacts:
    """Return what an ID number states, or raise ValidationError naming the failed check."""
    number = (value or "").strip().upper()
    if len(number) != 18:
        raise ValidationError(
            _("ID number must have 18 characters (it has %(n)d)."),
            code="id_length",
            params={"n": len(number)},
        )
    if not _ID_PATTERN.fullmatch(number):
        raise ValidationError(
            _("ID number must be 17 digits followed by a digit or X."), code="id_format"
        )
    if number[:2] not in _PROVINCE_CODES:
        raise ValidationError(
            _("ID number starts with %(code)s, which is no province code."),
            code="id_region",
            params={"code": number[:2]},
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("ID number holds an impossible birth date (%(d)s)."),
            code="id_birth_date",
            params={"d": number[6:14]},
        ) from None
    if born.year < 1900 or born > (today or date.today()):
        raise ValidationError(
            _("ID number holds a birth date out of range (%(d)s)."),
            code="id_birth_date",
            params={"d": born.isoformat()},
        )
    expected = resident_id_check_character(number[:17])
    if number[17] != expected:
        raise ValidationError(
            _("ID number check character is %(got)s but should be %(want)s."),
            code="id_check",
            params={"got": number[17], "want": expected},
        )
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentIdFacts(number=number, region_code=number[:6], birth_date=born, gender=gender)


def make_resident_id(region6: str, birth: date, sequence: int, gender: str) -> str:
    """A well-formed ID number for synthetic people (sequence 0–499 per region and day)."""
    seq = sequence % 500 * 2 + (1 if gender == "M" else 0)
    first17 = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_character(first17)


def mask_resident_id(number: str) -> str:
    """`330483********1234`: region kept, birth date and sequence hidden."""
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}{'*' * 8}{number[14:]}"


# --- Unified social credit code (统一社会信用代码), GB 32100-2015 ---------------------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(_USCC_CHARS)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authorities and the organisation types each may register (GB 32100-2015 annex;
# N is agriculture, whose rural collective economic organisations carry N-prefixed codes).
_USCC_AUTHORITIES = {
    "1": "129",
    "2": "19",
    "3": "123459",
    "4": "19",
    "5": "1239",
    "6": "129",
    "7": "129",
    "8": "19",
    "9": "123",
    "A": "19",
    "N": "12349",
    "Y": "1",
}
# Organisation code (GB 11714-1997) inside the credit code, positions 9–17.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def credit_code_check_character(first17: str) -> str:
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def organisation_code_check_character(first8: str) -> str:
    total = sum(_ORG_VALUE[ch] * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def validate_credit_code(value: str) -> str:
    """Return the normalised code, or raise ValidationError naming the failed check."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("Credit code must have 18 characters (it has %(n)d)."),
            code="uscc_length",
            params={"n": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in _USCC_VALUE})
    if bad:
        raise ValidationError(
            _("Credit code contains characters it may not use: %(chars)s."),
            code="uscc_charset",
            params={"chars": " ".join(bad)},
        )
    authority, kind = code[0], code[1]
    if authority not in _USCC_AUTHORITIES:
        raise ValidationError(
            _("Credit code registration authority %(a)s is unknown."),
            code="uscc_authority",
            params={"a": authority},
        )
    if kind not in _USCC_AUTHORITIES[authority]:
        raise ValidationError(
            _("Credit code organisation type %(k)s is not one authority %(a)s registers."),
            code="uscc_type",
            params={"a": authority, "k": kind},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Credit code positions 3–8 must be a six-digit division code."),
            code="uscc_region",
        )
    org = code[8:17]
    if any(ch not in _ORG_VALUE for ch in org[:8]):
        raise ValidationError(
            _("Credit code holds a malformed organisation code."), code="uscc_org"
        )
    if org[8] != organisation_code_check_character(org[:8]):
        raise ValidationError(
            _("Credit code's organisation code check character is %(got)s but should be %(want)s."),
            code="uscc_org_check",
            params={"got": org[8], "want": organisation_code_check_character(org[:8])},
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("Credit code check character is %(got)s but should be %(want)s."),
            code="uscc_check",
            params={"got": code[17], "want": expected},
        )
    return code


def make_credit_code(authority: str, kind: str, region6: str, serial: int) -> str:
    """A well-formed credit code for synthetic organisations."""
    body = f"{serial % 10**8:08d}"
    org = body + organisation_code_check_character(body)
    first17 = f"{authority}{kind}{region6}{org}"
    return first17 + credit_code_check_character(first17)


# --- Masking in logs ---------------------------------------------------------------------

_ID_IN_TEXT = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")


def mask_ids_in_text(text: str) -> str:
    return _ID_IN_TEXT.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)


class MaskIdentityNumbersFilter(logging.Filter):
    """Logging filter: ID numbers never reach a log line in clear."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_ids_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        # A traceback may quote an ID number too (an exception's message, a local's repr):
        # format it here, masked, where formatters take it from (they format exc_info only
        # when exc_text is empty).
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_ids_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_ids_in_text(record.stack_info)
        return True
