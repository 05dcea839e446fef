"""The structure of national statistical division codes (统计用区划代码), as pure functions.

Province, city and county codes have 6 digits (330000, 330400, 330483); a town/street 9, a
village/community 12, and a grid 15 (village code + 3). A region's *scope prefix* is its
significant prefix: 33 for the province 330000, 3304 for the city 330400, and the whole code below.
Everything in a region's subtree has a code that starts with its scope prefix.
"""

from __future__ import annotations

import re

LEVELS = ("province", "city", "county", "town", "village", "grid")
LEVEL_CODE_LENGTH = {"province": 6, "city": 6, "county": 6, "town": 9, "village": 12, "grid": 15}
# How many leading characters identify a region of each level (its scope prefix length).
LEVEL_PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12, "grid": 15}
_CODE = re.compile(r"\d{6}(\d{3}){0,3}")


def is_well_formed(code: str) -> bool:
    return bool(_CODE.fullmatch(code or ""))


def level_of(code: str) -> str:
    """The level a well-formed code denotes."""
    if not is_well_formed(code):
        raise ValueError(f"not a division code: {code!r}")
    if len(code) == 6:
        if code[2:] == "0000":
            return "province"
        if code[4:] == "00":
            return "city"
        return "county"
    return {9: "town", 12: "village", 15: "grid"}[len(code)]


def scope_prefix(code: str) -> str:
    return code[: LEVEL_PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    """The code of the region above, or None for a province."""
    level = level_of(code)
    if level == "province":
        return None
    if level == "city":
        return code[:2] + "0000"
    if level == "county":
        return code[:4] + "00"
    return code[: len(code) - 3]


def ancestor_codes(code: str) -> list[str]:
    """A code and the codes of every region above it, nearest first ([] if malformed)."""
    codes: list[str] = []
    current: str | None = code if is_well_formed(code) else None
    while current:
        codes.append(current)
        current = parent_code(current)
    return codes


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every code that starts with `prefix` (codes are digits only).

    `code >= prefix AND code < bound` is a prefix match that a plain B-tree index answers, on
    SQLite and on PostgreSQL whatever the column's collation.
    """
    return prefix + ":"  # ':' sorts right after '9'
