"""Keep personal identity numbers out of free text.

Activity data must never identify a person. A Swedish personnummer (or samordningsnummer,
where 60 is added to the day) is YYMMDD-NNNC or YYYYMMDDNNNC, whose last digit C is a
Luhn checksum over the ten digits YYMMDDNNN. Requiring a valid date and checksum keeps
ordinary numbers (a count, a case number, a phone number) from being refused.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PERSONAL_IDENTITY_NUMBER_MESSAGE = _(
    "This looks like a personal identity number (personnummer). "
    "Do not store information that identifies a person: remove the number."
)

_CANDIDATE = re.compile(r"(?<![\d])(?:(?:19|20)?(\d{2}))(\d{2})(\d{2})\s?[-+]?\s?(\d{4})(?![\d])")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _plausible_date(month: int, day: int) -> bool:
    if day > 60:  # samordningsnummer
        day -= 60
    return 1 <= month <= 12 and 1 <= day <= 31


def contains_personal_identity_number(text: str) -> bool:
    for match in _CANDIDATE.finditer(text or ""):
        yy, mm, dd, tail = match.groups()
        if _plausible_date(int(mm), int(dd)) and _luhn_ok(yy + mm + dd + tail):
            return True
    return False


def validate_no_personal_identity_number(value: str) -> None:
    if contains_personal_identity_number(value):
        raise ValidationError(PERSONAL_IDENTITY_NUMBER_MESSAGE, code="personal_identity_number")
