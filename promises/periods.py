"""Calendar arithmetic for the follow-up: tertials, ISO weeks and months. Pure functions.

A promise year is followed up in three tertials: T1 1 Jan–30 Apr, T2 1 May–31 Aug and
T3 1 Sep–31 Dec. Weekly cadence targets count ISO weeks: the weeks of ISO year Y are those
whose Thursday falls in Y, and a week belongs to the tertial that holds its Thursday.
"""

from dataclasses import dataclass
from datetime import date, timedelta

TERTIAL_MONTHS = {1: (1, 4), 2: (5, 8), 3: (9, 12)}


@dataclass(frozen=True, order=True)
class Tertial:
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in TERTIAL_MONTHS:
            raise ValueError(f"tertial must be 1, 2 or 3, not {self.number}")

    @classmethod
    def of(cls, day: date) -> "Tertial":
        return cls(day.year, (day.month - 1) // 4 + 1)

    @property
    def start(self) -> date:
        return date(self.year, TERTIAL_MONTHS[self.number][0], 1)

    @property
    def end(self) -> date:
        last_month = TERTIAL_MONTHS[self.number][1]
        return month_end(self.year, last_month)

    @property
    def months(self) -> list[tuple[int, int]]:
        first, last = TERTIAL_MONTHS[self.number]
        return [(self.year, month) for month in range(first, last + 1)]

    @property
    def label(self) -> str:
        return f"T{self.number} {self.year}"

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def tertials(year: int) -> list[Tertial]:
    return [Tertial(year, number) for number in (1, 2, 3)]


def month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def year_start(year: int) -> date:
    return date(year, 1, 1)


def year_end(year: int) -> date:
    return date(year, 12, 31)


def days_in_year(year: int) -> int:
    return (year_end(year) - year_start(year)).days + 1


def iso_week_monday(iso_year: int, week: int) -> date:
    return date.fromisocalendar(iso_year, week, 1)


def iso_weeks_in_year(iso_year: int) -> int:
    # 28 December is always in the last ISO week of its year.
    return date(iso_year, 12, 28).isocalendar().week


def iso_weeks(year: int) -> list[tuple[int, int]]:
    return [(year, week) for week in range(1, iso_weeks_in_year(year) + 1)]


def week_of(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return (iso.year, iso.week)


def week_thursday(iso_year: int, week: int) -> date:
    return date.fromisocalendar(iso_year, week, 4)


def weeks_of_tertial(tertial: Tertial) -> list[tuple[int, int]]:
    return [w for w in iso_weeks(tertial.year) if week_thursday(*w) in tertial]


def period_of(day: date, period: str) -> tuple[int, int]:
    """The (year, week) or (year, month) that holds a day."""
    return week_of(day) if period == "week" else (day.year, day.month)


def periods_in(tertial: Tertial, period: str) -> list[tuple[int, int]]:
    return weeks_of_tertial(tertial) if period == "week" else tertial.months


def period_bounds(key: tuple[int, int], period: str) -> tuple[date, date]:
    if period == "week":
        monday = iso_week_monday(*key)
        return monday, monday + timedelta(days=6)
    return date(key[0], key[1], 1), month_end(*key)


def period_label(key: tuple[int, int], period: str) -> str:
    """v. 48 for a week, 2022-03 for a month (ISO, language-neutral)."""
    return f"v. {key[1]}" if period == "week" else f"{key[0]}-{key[1]:02d}"


def period_has_ended(key: tuple[int, int], period: str, today: date) -> bool:
    return period_bounds(key, period)[1] < today


def tertial_of_period(key: tuple[int, int], period: str) -> Tertial:
    """The tertial a week (by its Thursday) or a month belongs to."""
    if period == "week":
        return Tertial.of(week_thursday(*key))
    return Tertial.of(date(key[0], key[1], 1))


def period_elapsed(key: tuple[int, int], period: str, as_of: date) -> bool:
    """Whether a period counts as over when the figures are counted up to and including `as_of`.

    A period is over when its last day is, or when the tertial it belongs to is: once a
    tertial (or the year) is over, every period of it counts, also an ISO week that ends in
    the next tertial or calendar year (2022-W52 runs to 1 January 2023 but belongs to 2022).
    """
    return period_bounds(key, period)[1] <= as_of or tertial_of_period(key, period).end <= as_of


def clamp(day: date, start: date, end: date) -> date:
    return max(start, min(day, end))
