import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from promises.validators import contains_personal_identity_number, validate_no_personal_identity_number


def _luhn_digit(nine: str) -> str:
    total = 0
    for index, char in enumerate(nine):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


@pytest.mark.parametrize(
    "text",
    [
        "811218-9876",  # the Swedish Tax Agency's example number
        "19811218-9876",
        "198112189876",
        "8112189876",
        "Kontroll av 811218+9876 vid torget",
        "Samordningsnummer 701063-2391",
    ],
)
def test_contains_personal_identity_number_finds_valid_numbers(text):
    assert contains_personal_identity_number(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "811218-9875",  # wrong checksum
        "811318-9876",  # month 13
        "Ärende 2022-1234",
        "Ring 036-10 50 00",
        "12 fotpatruller på Råslätt",
        "2022-04-30",
        "",
    ],
)
def test_contains_personal_identity_number_leaves_ordinary_text(text):
    assert contains_personal_identity_number(text) is False


@given(
    year=st.integers(0, 99),
    month=st.integers(1, 12),
    day=st.integers(1, 28),
    serial=st.integers(0, 999),
    coordination=st.booleans(),
    separator=st.sampled_from(["-", "+", ""]),
)
def test_contains_personal_identity_number_finds_every_valid_number(year, month, day, serial, coordination, separator):
    nine = f"{year:02d}{month:02d}{day + (60 if coordination else 0):02d}{serial:03d}"
    text = f"Anteckning {nine[:6]}{separator}{nine[6:]}{_luhn_digit(nine)} slut"
    assert contains_personal_identity_number(text) is True


def test_validate_no_personal_identity_number_message_is_swedish(settings):
    from django.utils import translation

    with translation.override("sv"), pytest.raises(ValidationError) as excinfo:
        validate_no_personal_identity_number("811218-9876")
    assert "personnummer" in excinfo.value.messages[0]
    assert excinfo.value.messages[0].startswith("Det här ser ut som")
