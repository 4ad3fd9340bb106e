from datetime import date, timedelta

import pytest

from promises.periods import (
    Tertial,
    days_in_year,
    iso_weeks,
    iso_weeks_in_year,
    period_bounds,
    period_elapsed,
    period_has_ended,
    period_label,
    period_of,
    tertial_of_period,
    week_of,
    weeks_of_tertial,
)


@pytest.mark.parametrize(
    ("day", "number"),
    [
        (date(2022, 1, 1), 1),
        (date(2022, 4, 30), 1),
        (date(2022, 5, 1), 2),
        (date(2022, 8, 31), 2),
        (date(2022, 9, 1), 3),
        (date(2022, 12, 31), 3),
    ],
)
def test_tertial_of_day_at_the_edges(day, number):
    assert Tertial.of(day) == Tertial(2022, number)
    assert day in Tertial(2022, number)


def test_tertial_bounds_and_months():
    assert (Tertial(2022, 1).start, Tertial(2022, 1).end) == (date(2022, 1, 1), date(2022, 4, 30))
    assert (Tertial(2022, 2).start, Tertial(2022, 2).end) == (date(2022, 5, 1), date(2022, 8, 31))
    assert (Tertial(2022, 3).start, Tertial(2022, 3).end) == (date(2022, 9, 1), date(2022, 12, 31))
    assert Tertial(2022, 2).months == [(2022, 5), (2022, 6), (2022, 7), (2022, 8)]
    assert Tertial(2022, 3).label == "T3 2022"


def test_tertial_rejects_a_fourth():
    with pytest.raises(ValueError, match="tertial must be 1, 2 or 3"):
        Tertial(2022, 4)


def test_days_in_year_leap_years():
    assert (days_in_year(2022), days_in_year(2024), days_in_year(2000), days_in_year(2100)) == (365, 366, 366, 365)
    assert Tertial(2024, 1).end == date(2024, 4, 30)
    assert date(2024, 2, 29) in Tertial(2024, 1)


def test_iso_weeks_in_year_53_week_years():
    assert [y for y in range(2015, 2030) if iso_weeks_in_year(y) == 53] == [2015, 2020, 2026]


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2022, 1, 1), (2021, 52)),  # a Saturday: still last year's week 52
        (date(2022, 1, 3), (2022, 1)),
        (date(2024, 12, 30), (2025, 1)),  # a Monday: already next year's week 1
        (date(2021, 1, 3), (2020, 53)),
        (date(2027, 1, 1), (2026, 53)),
    ],
)
def test_week_of_at_the_year_edges(day, week):
    assert week_of(day) == week
    assert period_of(day, "week") == week


def test_weeks_of_tertial_follow_the_thursday():
    weeks = weeks_of_tertial(Tertial(2022, 1))
    # 2022-W17 runs 25 April–1 May; its Thursday (28 April) is in T1.
    assert (weeks[0], weeks[-1], len(weeks)) == ((2022, 1), (2022, 17), 17)
    assert weeks_of_tertial(Tertial(2022, 2))[0] == (2022, 18)
    all_weeks = sum((weeks_of_tertial(Tertial(2026, n)) for n in (1, 2, 3)), [])
    assert len(all_weeks) == 53 == len(set(all_weeks))


def test_period_bounds_labels_and_ending():
    assert period_bounds((2022, 48), "week") == (date(2022, 11, 28), date(2022, 12, 4))
    assert period_bounds((2024, 2), "month") == (date(2024, 2, 1), date(2024, 2, 29))
    assert (period_label((2022, 48), "week"), period_label((2022, 3), "month")) == ("v. 48", "2022-03")
    assert period_has_ended((2022, 48), "week", date(2022, 12, 5)) is True
    assert period_has_ended((2022, 48), "week", date(2022, 12, 4)) is False


@pytest.mark.parametrize(
    ("week", "last_day", "tertial"),
    [
        ((2022, 52), date(2023, 1, 1), Tertial(2022, 3)),  # 52 weeks; ends in the next calendar year
        ((2020, 53), date(2021, 1, 3), Tertial(2020, 3)),  # 53 weeks
        ((2026, 53), date(2027, 1, 3), Tertial(2026, 3)),  # 53 weeks
        ((2022, 17), date(2022, 5, 1), Tertial(2022, 1)),  # T1's last week ends in May
        ((2023, 35), date(2023, 9, 3), Tertial(2023, 2)),  # T2's last week (Thursday 31 August)
    ],
)
def test_a_week_that_ends_after_its_tertial_is_over_when_the_tertial_is(week, last_day, tertial):
    assert period_bounds(week, "week")[1] == last_day
    assert tertial_of_period(week, "week") == tertial
    assert period_elapsed(week, "week", tertial.end - timedelta(days=1)) is False
    assert period_elapsed(week, "week", tertial.end) is True


def test_a_week_whose_thursday_opens_the_next_tertial_belongs_to_it():
    # 2022-W35 runs 29 August–4 September; its Thursday is 1 September.
    assert tertial_of_period((2022, 35), "week") == Tertial(2022, 3)
    assert period_elapsed((2022, 35), "week", date(2022, 8, 31)) is False


@pytest.mark.parametrize(("year", "weeks"), [(2020, 53), (2022, 52), (2024, 52), (2026, 53)])
def test_every_week_of_a_year_is_over_on_its_last_day(year, weeks):
    assert len(iso_weeks(year)) == weeks
    assert [w for w in iso_weeks(year) if not period_elapsed(w, "week", date(year, 12, 31))] == []
    # 2024-W52 ends on Sunday 29 December; the others run into January.
    running_on_the_30th = [w for w in iso_weeks(year) if not period_elapsed(w, "week", date(year, 12, 30))]
    assert running_on_the_30th == ([] if year == 2024 else [(year, weeks)])


def test_a_week_is_over_on_its_sunday_within_the_tertial():
    assert period_elapsed((2022, 10), "week", date(2022, 3, 12)) is False
    assert period_elapsed((2022, 10), "week", date(2022, 3, 13)) is True


def test_february_of_a_leap_year_is_over_on_the_29th():
    assert period_elapsed((2024, 2), "month", date(2024, 2, 28)) is False
    assert period_elapsed((2024, 2), "month", date(2024, 2, 29)) is True
    assert period_elapsed((2023, 2), "month", date(2023, 2, 28)) is True
    assert tertial_of_period((2024, 4), "month") == Tertial(2024, 1)
    assert tertial_of_period((2024, 5), "month") == Tertial(2024, 2)


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2022, 1, 1), (2021, 52)),
        (date(2022, 1, 2), (2021, 52)),
        (date(2021, 1, 1), (2020, 53)),
        (date(2021, 1, 2), (2020, 53)),
        (date(2027, 1, 2), (2026, 53)),
        (date(2026, 1, 1), (2026, 1)),  # a Thursday: week 1 began on 29 December 2025
    ],
)
def test_first_days_of_january_in_the_previous_iso_year_belong_to_no_week_of_the_year(day, week):
    assert week_of(day) == week
    assert (week in iso_weeks(day.year)) is (week[0] == day.year)
