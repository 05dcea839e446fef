"""Resident ID numbers and unified social credit codes: each failed check has its own message,
valid numbers pass, and ID numbers are masked for display and logs."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jiceng.core.identifiers import (
    make_credit_code,
    make_resident_id,
    mask_ids_in_text,
    mask_resident_id,
    validate_credit_code,
    validate_resident_id,
)


@pytest.fixture(autouse=True)
def _messages_in_english():
    with translation.override("en"):
        yield


def _refusal(check, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check(value)
    return caught.value


# --- Resident ID numbers --------------------------------------------------------------------


def test_a_valid_id_number_states_its_region_birth_date_and_gender():
    facts = validate_resident_id("330483198503090147")
    assert facts.region_code == "330483"
    assert facts.birth_date == date(1985, 3, 9)
    assert facts.gender == "F"


def test_an_id_number_with_an_x_check_character_is_valid_in_either_case():
    assert validate_resident_id("11010519491231002X").number == "11010519491231002X"
    assert validate_resident_id(" 11010519491231002x ").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("33048319850309014", "id_length", "must have 18 characters (it has 17)"),
        ("3304831985030901A7", "id_format", "17 digits followed by a digit or X"),
        ("990483198503090147", "id_region", "starts with 99, which is no province code"),
        ("330483198502300147", "id_birth_date", "impossible birth date (19850230)"),
        ("330483189912310147", "id_birth_date", "birth date out of range (1899-12-31)"),
        ("330483198503090148", "id_check", "check character is 8 but should be 7"),
    ],
)
def test_each_failed_id_number_check_says_what_failed(value, code, message):
    error = _refusal(validate_resident_id, value)
    assert error.code == code
    assert message in error.messages[0]


def test_an_id_number_born_in_the_future_is_refused():
    error = _refusal(
        lambda v: validate_resident_id(v, today=date(2020, 1, 1)),
        make_resident_id("330483", date(2021, 6, 1), 1, "M"),
    )
    assert error.code == "id_birth_date"


def test_generated_id_numbers_are_valid_and_carry_the_gender():
    for sequence in range(20):
        for gender in ("M", "F"):
            number = make_resident_id("330483", date(1990, 1, 31), sequence, gender)
            assert validate_resident_id(number).gender == gender


def test_an_id_number_is_masked_to_its_region_and_last_four_characters():
    assert mask_resident_id("11010519491231002X") == "110105********002X"
    assert mask_resident_id("short") == "*****"


def test_id_numbers_are_masked_inside_text_and_other_numbers_are_left_alone():
    text = "resident 330483198503090147 and 11010519491231002x; order 1234567890123456789"
    masked = mask_ids_in_text(text)
    assert "330483********0147" in masked
    assert "110105********002x" in masked
    assert "1234567890123456789" in masked
    assert "198503090147" not in masked


# --- Unified social credit codes ------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # an enterprise (9 1)
        "91330483000000019W",
        "N23304830000012305",  # a village collective economic organisation (N 2)
    ],
)
def test_valid_credit_codes_pass(code):
    assert validate_credit_code(code) == code


def test_a_credit_code_is_normalised_to_upper_case():
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_generated_credit_codes_are_valid_for_every_authority_and_type():
    for authority, kind in [("9", "1"), ("9", "2"), ("N", "2"), ("N", "3"), ("1", "1"), ("5", "1")]:
        for serial in (0, 1, 987654):
            assert validate_credit_code(make_credit_code(authority, kind, "330483", serial))


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("9133048300000001", "uscc_length", "must have 18 characters (it has 16)"),
        ("91330483000000019I", "uscc_charset", "characters it may not use: I"),
        ("B1330483000000019W", "uscc_authority", "registration authority B is unknown"),
        ("95330483000000019W", "uscc_type", "type 5 is not one authority 9 registers"),
        ("91A30483000000019W", "uscc_region", "positions 3–8 must be a six-digit division code"),
        ("91330483000000018W", "uscc_org_check", "organisation code check character is 8"),
        ("913304830000000190", "uscc_check", "check character is 0 but should be W"),
    ],
)
def test_each_failed_credit_code_check_says_what_failed(value, code, message):
    error = _refusal(validate_credit_code, value)
    assert error.code == code
    assert message in error.messages[0]
