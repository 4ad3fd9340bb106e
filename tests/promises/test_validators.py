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
        "81 12 18-9876",  # spaces inside the date (issue 13)
        "811218 9876",
        "1981 12 18 - 9876",
        "811218\u2013" + "9876",  # an en dash, as a word processor writes it
        "Fel nummer 811218-9875, rätt nummer 811218-9876",
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
        "2022-04-01 - 2022-04-30",
        "Ring 070-123 45 67",
        "81 12 18-9875",
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


def _written(nine: str, century: str, form: str, check: str) -> str:
    yy, mm, dd, serial = nine[0:2], nine[2:4], nine[4:6], nine[6:9] + check
    return {
        "10": f"{yy}{mm}{dd}{serial}",
        "10-": f"{yy}{mm}{dd}-{serial}",
        "10+": f"{yy}{mm}{dd}+{serial}",
        "10 space": f"{yy}{mm}{dd} {serial}",
        "10 spaced date": f"{yy} {mm} {dd}-{serial}",
        "10 spaced all": f"{yy} {mm} {dd} - {serial}",
        "12": f"{century}{yy}{mm}{dd}{serial}",
        "12-": f"{century}{yy}{mm}{dd}-{serial}",
        "12 space": f"{century}{yy}{mm}{dd} {serial}",
        "12 spaced date": f"{century}{yy} {mm} {dd}-{serial}",
    }[form]


WRITTEN_FORMS = [
    "10",
    "10-",
    "10+",
    "10 space",
    "10 spaced date",
    "10 spaced all",
    "12",
    "12-",
    "12 space",
    "12 spaced date",
]


@given(
    year=st.integers(0, 99),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    serial=st.integers(0, 999),
    coordination=st.booleans(),
    century=st.sampled_from(["19", "20"]),
    form=st.sampled_from(WRITTEN_FORMS),
    before=st.sampled_from(["", "Anteckning ", "nr: ", "(", "Kontroll av "]),
    after=st.sampled_from(["", " slut", ".", ")", ", vid torget"]),
)
def test_contains_personal_identity_number_finds_every_written_form(
    year, month, day, serial, coordination, century, form, before, after
):
    nine = f"{year:02d}{month:02d}{day + (60 if coordination else 0):02d}{serial:03d}"
    text = before + _written(nine, century, form, _luhn_digit(nine)) + after
    assert contains_personal_identity_number(text) is True


@given(
    year=st.integers(0, 99),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    serial=st.integers(0, 999),
    coordination=st.booleans(),
    century=st.sampled_from(["19", "20"]),
    form=st.sampled_from(WRITTEN_FORMS),
)
def test_contains_personal_identity_number_refuses_nothing_with_a_wrong_checksum(
    year, month, day, serial, coordination, century, form
):
    nine = f"{year:02d}{month:02d}{day + (60 if coordination else 0):02d}{serial:03d}"
    wrong = str((int(_luhn_digit(nine)) + 1) % 10)
    assert contains_personal_identity_number("Anteckning " + _written(nine, century, form, wrong)) is False


@given(
    count=st.integers(0, 10**9),
    first=st.dates(),
    days=st.integers(0, 400),
    area_code=st.integers(8, 999),
    subscriber=st.integers(100000, 99999999),
)
def test_contains_personal_identity_number_leaves_ordinary_numbers(count, first, days, area_code, subscriber):
    from datetime import timedelta

    last = first + timedelta(days=days) if first.year < 9999 and days < (first.max - first).days else first
    grouped = f"{count:,}".replace(",", " ")
    phone = f"0{area_code}-{str(subscriber)[:3]} {str(subscriber)[3:5]} {str(subscriber)[5:]}"
    for text in (
        f"{grouped} fotpatruller",
        f"Perioden {first.isoformat()} - {last.isoformat()}",
        f"{first.isoformat()}–{last.isoformat()}",
        f"Ring {phone}",
    ):
        assert contains_personal_identity_number(text) is False, text
