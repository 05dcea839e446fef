"""Score sheets for tests, built item by item (the expected grades and levels are written by
hand in each test, from the standard's text, never computed by the scorer)."""

from __future__ import annotations

# The items of the standard with their highest score, in the order of the form.
ADL_ITEMS = {
    "adl.eating": 10,
    "adl.dressing": 10,
    "adl.grooming": 5,
    "adl.bowel": 10,
    "adl.bladder": 10,
    "adl.toilet": 10,
    "adl.walking": 15,
    "adl.transfer": 15,
    "adl.stairs": 10,
    "adl.bathing": 5,
}
COGNITION_ITEMS = ("cog.time", "cog.person", "cog.space", "cog.memory")
SENSORY_ITEMS = ("sense.vision", "sense.hearing", "sense.communication")


def adl_scores(total: int) -> dict[str, int]:
    """ADL scores adding up to `total` (a multiple of 5): items lose points from the last."""
    assert total % 5 == 0 and 0 <= total <= 100
    scores = dict(ADL_ITEMS)
    missing = 100 - total
    for item in reversed(list(scores)):
        cut = min(scores[item], missing)
        scores[item] -= cut
        missing -= cut
    return scores


def four_point_scores(items: tuple[str, ...], total: int) -> dict[str, int]:
    """Items scored 0–4 adding up to `total`."""
    scores = {}
    left = total
    for item in items:
        scores[item] = min(4, left)
        left -= scores[item]
    assert left == 0
    return scores


def sheet(adl: int, cognition: int, sensory: int) -> dict[str, int]:
    return {
        **adl_scores(adl),
        **four_point_scores(COGNITION_ITEMS, cognition),
        **four_point_scores(SENSORY_ITEMS, sensory),
    }
