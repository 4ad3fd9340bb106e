"""Keep personal identity numbers out of free text.

Activity data must never identify a person. A Swedish personnummer (or samordningsnummer,
where 60 is added to the day) is YYMMDD-NNNC or YYYYMMDDNNNC, whose last digit C is a
Luhn checksum over the ten digits YYMMDDNNN. Requiring a valid date and checksum keeps
ordinary numbers (a count, a case number, a phone number) from being refused.

People write the number in many ways: 811218-9876, 811218+9876, 8112189876, 19811218-9876,
811218 9876, 81 12 18-9876, 1981 12 18 - 9876. The pattern allows spaces between the parts of
the date and spaces, a hyphen (or dash) or a plus before the last four digits, then checks the
digits alone. Hyphens inside the date are not allowed, so ISO dates (2022-04-01 - 2022-04-30)
are never read as a number.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PERSONAL_IDENTITY_NUMBER_MESSAGE = _(
    "This looks like a personal identity number (personnummer). "
    "Do not store information that identifies a person: remove the number."
)

_SPACE = r"[ \t\u00a0\u202f]?"  # at most one space (also no-break spaces) between parts of the date
# In a lookahead, so that candidates may overlap: a failed one never hides the next.
_CANDIDATE = re.compile(
    rf"(?=(?<![\d])(?:(?:19|20){_SPACE})?(\d{{2}}){_SPACE}(\d{{2}}){_SPACE}(\d{{2}})"
    r"[ \t\u00a0\u202f]*[-+\u2010\u2011\u2012\u2013\u2212]?[ \t\u00a0\u202f]*(\d{4})(?![\d]))"
)


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
