"""The scorer against hand-computed cases of 医保办发〔2021〕37号.

From the standard's text:
- ADL (日常生活活动能力, 0–100): 100 能力完好; 65–95 轻度受损; 45–60 中度受损; 0–40 重度受损.
- Cognition (认知能力, 0–16): 16 完好; 4–15 轻度; 2–3 中度; 0–1 重度.
- Sensory and communication (感知觉与沟通能力, 0–12): 12 完好; 4–11 轻度; 2–3 中度; 0–1 重度.
- The level: the row is the ADL grade, the column the worse of the other two grades:

                    完好   轻度   中度   重度
      ADL 能力完好     0      0      1      1
      ADL 轻度受损     1      1      1      2
      ADL 中度受损     2      2      2      3
      ADL 重度受损     3      3      4      5

  0 基本正常, 1 轻度失能, 2 中度失能, 3 重度失能Ⅰ级, 4 重度失能Ⅱ级, 5 重度失能Ⅲ级.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jiceng.ltc.standard import assess, current_standard
from tests.ltc.scores import sheet

# An ADL total inside each grade, and its lowest and highest totals.
ADL = {
    "intact": (100, 100, 100),
    "mild": (80, 65, 95),
    "moderate": (50, 45, 60),
    "severe": (20, 0, 40),
}
COGNITION = {"intact": (16, 16, 16), "mild": (9, 4, 15), "moderate": (2, 2, 3), "severe": (1, 0, 1)}
SENSORY = {"intact": (12, 12, 12), "mild": (7, 4, 11), "moderate": (3, 2, 3), "severe": (0, 0, 1)}

# The combination table as the standard prints it (row: ADL grade; column: the worse grade).
TABLE = {
    "intact": {"intact": 0, "mild": 0, "moderate": 1, "severe": 1},
    "mild": {"intact": 1, "mild": 1, "moderate": 1, "severe": 2},
    "moderate": {"intact": 2, "mild": 2, "moderate": 2, "severe": 3},
    "severe": {"intact": 3, "mild": 3, "moderate": 4, "severe": 5},
}
CELLS = [(row, column) for row in TABLE for column in TABLE[row]]


def test_the_standard_has_seventeen_items_and_the_documented_maxima():
    standard = current_standard()
    assert len(standard.items) == 17
    assert {k: v["max"] for k, v in standard.indicators.items()} == {
        "adl": 100,
        "cognition": 16,
        "sensory": 12,
    }
    assert standard.levels[0] == "基本正常"
    assert standard.levels[5] == "重度失能Ⅲ级"


@pytest.mark.parametrize(("row", "column"), CELLS)
def test_every_cell_when_cognition_is_the_worse_of_the_two(row, column):
    # Sensory is intact (12), so the column is the cognition grade.
    result = assess(sheet(ADL[row][0], COGNITION[column][0], 12))
    assert result.grades == {"adl": row, "cognition": column, "sensory": "intact"}
    assert result.level == TABLE[row][column]


@pytest.mark.parametrize(("row", "column"), CELLS)
def test_every_cell_when_sensory_is_the_worse_of_the_two(row, column):
    # Cognition is intact (16), so the column is the sensory grade.
    result = assess(sheet(ADL[row][1], 16, SENSORY[column][2]))
    assert result.grades == {"adl": row, "cognition": "intact", "sensory": column}
    assert result.level == TABLE[row][column]


@pytest.mark.parametrize(("row", "column"), CELLS)
def test_every_cell_at_the_band_edges_with_the_other_indicator_better(row, column):
    # ADL at its highest total of the grade, cognition at its lowest of the column, and sensory
    # one grade better than cognition (or intact), so the worse one is still the column.
    better = {"intact": 12, "mild": 12, "moderate": 4, "severe": 2}[column]
    result = assess(sheet(ADL[row][2], COGNITION[column][1], better))
    assert result.grades["adl"] == row
    assert result.grades["cognition"] == column
    assert result.level == TABLE[row][column]


def test_worked_examples_with_totals():
    # Bedridden, cannot eat alone, knows nobody: ADL 0, cognition 0, sensory 2 → 重度失能Ⅲ级.
    worst = assess(sheet(0, 0, 2))
    assert worst.totals == {"adl": 0, "cognition": 0, "sensory": 2}
    assert worst.level == 5
    assert worst.level_name == "重度失能Ⅲ级"
    # Needs help bathing only (ADL 95), clear mind, slightly hard of hearing (sensory 11):
    # 轻度/轻度 → 1 轻度失能.
    mild = assess(sheet(95, 16, 11))
    assert mild.totals == {"adl": 95, "cognition": 16, "sensory": 11}
    assert mild.grades == {"adl": "mild", "cognition": "intact", "sensory": "mild"}
    assert mild.level == 1
    # ADL 45 (中度), cognition 3 (中度), sensory 12 → 2 中度失能.
    assert assess(sheet(45, 3, 12)).level == 2
    # ADL 40 (重度), cognition 2 (中度) → 4 重度失能Ⅱ级.
    assert assess(sheet(40, 2, 12)).level == 4


def test_a_missing_item_is_refused_naming_it():
    scores = sheet(100, 16, 12)
    del scores["cog.memory"]
    with pytest.raises(ValidationError) as refused:
        assess(scores)
    assert list(refused.value.message_dict) == ["cog.memory"]


def test_a_score_not_among_the_items_options_is_refused_naming_it():
    scores = sheet(100, 16, 12)
    scores["adl.grooming"] = 10  # grooming scores 0 or 5
    scores["sense.vision"] = "x"
    with pytest.raises(ValidationError) as refused:
        assess(scores)
    assert set(refused.value.message_dict) == {"adl.grooming", "sense.vision"}
    assert "0, 5" in refused.value.message_dict["adl.grooming"][0]


def test_an_item_the_standard_does_not_have_is_refused():
    scores = {**sheet(100, 16, 12), "adl.flying": 5}
    with pytest.raises(ValidationError) as refused:
        assess(scores)
    assert list(refused.value.message_dict) == ["adl.flying"]


def test_scores_given_as_digit_strings_count_but_booleans_do_not():
    scores = {k: str(v) for k, v in sheet(60, 16, 12).items()}
    assert assess(scores).level == 2
    scores["cog.time"] = True
    with pytest.raises(ValidationError):
        assess(scores)
