"""The engine against examples computed by hand."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from followup.engine import (
    TargetSpec,
    cadence_result,
    count_result,
    outside_totals,
    qualitative_result,
    share_result,
    target_result,
)
from followup.models import Status
from followup.selectors import followup_as_of
from promises.periods import Tertial

RISK = 0.8
YEAR_OVER = date(2022, 12, 31)
T1, T2, T3 = Tertial(2022, 1), Tertial(2022, 2), Tertial(2022, 3)
PATROL, DRUGS, REPORT = 1, 2, 3
RASLATT, OXNEHAGA, OSTERANGEN, EKHAGEN = 10, 11, 12, 13


def _count(count=800, areas=(RASLATT,), type_id=PATROL):
    return TargetSpec(id=1, kind="count", activity_type_id=type_id, area_ids=areas, count=count)


def test_count_result_t1_of_a_finished_year():
    totals = {(PATROL, RASLATT, month): (50, 0) for month in (1, 2, 3, 4)}
    result = count_result(_count(), totals, T1, YEAR_OVER, RISK)
    # T1 is 120 days of 365: expected 800 * 120 / 365 = 263.01; 200 / 263.01 = 76.0 % -> behind.
    assert (result.outcome, result.year_to_date, result.expected) == (200, 200, 263.0)
    assert result.attainment == 76.0
    assert result.progress == 25.0
    assert result.forecast == 608.0  # 200 * 365 / 120 = 608.3, in whole patrols
    assert result.needed_per_week == 17.1  # 600 left over 245 days = 35 weeks
    assert result.status == Status.BEHIND


def test_count_result_over_three_areas_sums_them_and_ignores_others():
    totals = {
        (PATROL, OXNEHAGA, 1): (100, 0),
        (PATROL, OSTERANGEN, 2): (100, 0),
        (PATROL, EKHAGEN, 3): (100, 0),
        (PATROL, RASLATT, 1): (500, 0),  # another target's area
        (DRUGS, OXNEHAGA, 1): (40, 0),  # another type
    }
    result = count_result(_count(areas=(OXNEHAGA, OSTERANGEN, EKHAGEN)), totals, T1, YEAR_OVER, RISK)
    assert (result.outcome, result.year_to_date) == (300, 300)
    assert result.attainment == 114.1  # 300 / 263.01
    assert result.status == Status.ON_TRACK


def test_count_result_gives_each_area_its_part_of_the_year_so_far():
    totals = {
        (PATROL, OXNEHAGA, 1): (100, 0),
        (PATROL, OXNEHAGA, 6): (7, 0),
        (PATROL, OSTERANGEN, 2): (40, 0),
        (PATROL, EKHAGEN, 9): (999, 0),  # after T2
    }
    result = count_result(_count(areas=(OXNEHAGA, OSTERANGEN, EKHAGEN)), totals, T2, YEAR_OVER, RISK)
    assert result.area_year_to_date == {OXNEHAGA: 107, OSTERANGEN: 40, EKHAGEN: 0}
    assert result.year_to_date == 147


def test_count_result_one_area_has_no_area_parts():
    totals = {(PATROL, RASLATT, 1): (100, 0)}
    assert count_result(_count(), totals, T1, YEAR_OVER, RISK).area_year_to_date == {}


def test_count_result_year_to_date_includes_earlier_tertials():
    totals = {(PATROL, RASLATT, 2): (100, 0), (PATROL, RASLATT, 6): (150, 0), (PATROL, RASLATT, 10): (999, 0)}
    result = count_result(_count(), totals, T2, YEAR_OVER, RISK)
    assert (result.outcome, result.year_to_date) == (150, 250)
    # T2 ends 31 August, day 243: expected 800 * 243 / 365 = 532.6, in whole patrols 533
    assert result.expected == 533.0


def test_count_result_running_tertial_is_pro_rata_to_today():
    totals = {(PATROL, RASLATT, 5): (300, 0), (PATROL, RASLATT, 6): (50, 0)}
    result = count_result(_count(), totals, T2, date(2022, 6, 15), RISK)
    # 1 January to 15 June is 166 days: 800 * 166 / 365 = 363.8, shown as 364; attainment uses
    # the exact figure: 350 / 363.8 = 96.2 % -> at risk.
    assert (result.expected, result.attainment, result.status) == (364.0, 96.2, Status.AT_RISK)


def test_count_result_status_agrees_with_the_whole_expected_it_shows():
    # 10 April is day 100: 800 * 100 / 365 = 219.2, shown as 219. 219 done is on track, not
    # "at risk" beside "expected by now: 219".
    totals = {(PATROL, RASLATT, 3): (219, 0)}
    result = count_result(_count(), totals, T1, date(2022, 4, 10), RISK)
    assert (result.expected, result.attainment, result.status) == (219.0, 100.0, Status.ON_TRACK)


def test_count_result_nothing_expected_yet_is_not_started_not_behind():
    # 8 meetings a year, 5 January: 0.1 expected, which is none.
    result = count_result(_count(count=8), {}, T1, date(2022, 1, 5), RISK)
    assert (result.expected, result.attainment, result.status) == (0.0, None, Status.NOT_STARTED)


def test_count_result_target_met_is_achieved():
    totals = {(PATROL, RASLATT, 3): (800, 0)}
    assert count_result(_count(), totals, T1, YEAR_OVER, RISK).status == Status.ACHIEVED


def test_count_result_empty_tertial_that_has_passed_is_behind():
    result = count_result(_count(), {}, T2, YEAR_OVER, RISK)
    assert (result.outcome, result.year_to_date, result.status) == (0, 0, Status.BEHIND)


def test_count_result_tertial_not_yet_begun_is_not_started():
    result = count_result(_count(), {}, T3, date(2022, 6, 1), RISK)
    assert (result.status, result.expected, result.forecast) == (Status.NOT_STARTED, None, None)


def test_share_result_exactly_20_percent_is_on_track():
    parent = _count(count=52, type_id=DRUGS)
    share = TargetSpec(id=2, kind="share", activity_type_id=DRUGS, area_ids=(RASLATT,), share_percent=Decimal("20"))
    totals = {(DRUGS, RASLATT, 2): (10, 2)}
    result = share_result(share, parent, totals, T1, date(2022, 5, 1), RISK)
    assert (result.outcome, result.year_to_date, result.expected) == (20.0, 20.0, 20.0)
    assert (result.attainment, result.status) == (100.0, Status.ON_TRACK)


def test_share_result_below_threshold_and_at_risk():
    parent = _count(count=52, type_id=DRUGS)
    share = TargetSpec(id=2, kind="share", activity_type_id=DRUGS, area_ids=(RASLATT,), share_percent=Decimal("20"))
    assert share_result(share, parent, {(DRUGS, RASLATT, 1): (20, 2)}, T1, YEAR_OVER, RISK).status == Status.BEHIND
    assert share_result(share, parent, {(DRUGS, RASLATT, 1): (100, 17)}, T1, YEAR_OVER, RISK).status == Status.AT_RISK


def test_share_result_without_entries_is_not_started():
    parent = _count(count=52, type_id=DRUGS)
    share = TargetSpec(id=2, kind="share", activity_type_id=DRUGS, area_ids=(RASLATT,), share_percent=Decimal("20"))
    result = share_result(share, parent, {}, T1, YEAR_OVER, RISK)
    assert (result.outcome, result.status) == (None, Status.NOT_STARTED)


def _weekly(areas=(RASLATT,)):
    return TargetSpec(id=3, kind="cadence", activity_type_id=REPORT, area_ids=areas, period="week")


def test_cadence_result_one_missed_week():
    weeks = {(2022, w) for w in range(1, 18) if w != 5}
    result = cadence_result(_weekly(), {(REPORT, RASLATT): weeks}, T1, YEAR_OVER, RISK)
    assert (result.outcome, result.expected, result.year_to_date) == (16, 17, 16)
    assert result.missed == {RASLATT: ["v. 5"]}
    assert result.attainment == 94.1
    assert result.status == Status.AT_RISK
    assert result.periods_total == 52


def test_cadence_result_needs_every_area_in_the_same_week():
    weeks = {(2022, w) for w in range(1, 18)}
    coverage = {(REPORT, RASLATT): weeks, (REPORT, OXNEHAGA): weeks - {(2022, 3), (2022, 4)}}
    result = cadence_result(_weekly(areas=(RASLATT, OXNEHAGA)), coverage, T1, YEAR_OVER, RISK)
    assert (result.outcome, result.missed) == (15, {OXNEHAGA: ["v. 3", "v. 4"]})


def test_cadence_result_running_week_is_not_held_against_anyone():
    # Wednesday of week 10; weeks 1-9 covered, week 10 not yet.
    coverage = {(REPORT, RASLATT): {(2022, w) for w in range(1, 10)}}
    result = cadence_result(_weekly(), coverage, T1, date(2022, 3, 9), RISK)
    assert (result.outcome, result.expected, result.status, result.missed) == (9, 9, Status.ON_TRACK, {})


def test_cadence_result_monthly():
    spec = TargetSpec(id=4, kind="cadence", activity_type_id=REPORT, area_ids=(RASLATT,), period="month")
    coverage = {(REPORT, RASLATT): {(2022, 1), (2022, 2), (2022, 4)}}
    result = cadence_result(spec, coverage, T1, YEAR_OVER, RISK)
    assert (result.outcome, result.expected, result.missed) == (3, 4, {RASLATT: ["2022-03"]})
    assert result.status == Status.BEHIND  # 75 %


def test_qualitative_result_takes_the_managers_status():
    assert qualitative_result("on_track").status == Status.ON_TRACK
    # Without one it has no status yet, not "not started": the work may well run all year.
    assert qualitative_result(None).status == Status.NO_STATUS


@pytest.mark.parametrize("kind", ["count", "share", "cadence", "qualitative"])
def test_target_result_dispatches_every_kind(kind):
    spec = TargetSpec(
        id=9,
        kind=kind,
        activity_type_id=PATROL,
        area_ids=(RASLATT,),
        count=10 if kind == "count" else None,
        share_percent=Decimal("20") if kind == "share" else None,
        period="week" if kind == "cadence" else "",
    )
    result = target_result(
        spec,
        parent=_count(count=10),
        totals={},
        coverage={},
        tertial=T1,
        as_of=YEAR_OVER,
        manual_status="achieved",
        risk_threshold=RISK,
    )
    assert result.unit == {"count": "count", "share": "percent", "cadence": "periods", "qualitative": "none"}[kind]


# --- The calendar's edges, with the clock frozen ---------------------------------------------

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _frozen(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, 0, tzinfo=STOCKHOLM), tick=False)


def _year_result(year: int, covered: set, today: date, spec=None):
    """The T3 result of `year` as the dashboard computes it on `today`."""
    tertial = Tertial(year, 3)
    with _frozen(today):
        as_of = followup_as_of(tertial=tertial)
    return cadence_result(spec or _weekly(), {(REPORT, RASLATT): covered}, tertial, as_of, RISK)


@pytest.mark.parametrize("last_week_covered", [True, False])
def test_cadence_year_over_counts_the_last_iso_week_covered_or_not(last_week_covered):
    # 2022-W52 runs 26 December 2022–1 January 2023; its Thursday is in 2022.
    covered = {(2022, w) for w in range(1, 52) if w not in (5, 20, 30, 40, 45)}
    if last_week_covered:
        covered.add((2022, 52))
    result = _year_result(2022, covered, today=date(2023, 1, 10))
    assert result.expected == 52  # the same denominator whether week 52 was covered or not
    assert result.periods_total == 52
    assert result.year_to_date == (47 if last_week_covered else 46)
    assert ("v. 52" in result.missed.get(RASLATT, [])) is (not last_week_covered)


@pytest.mark.parametrize(("year", "weeks"), [(2020, 53), (2026, 53), (2021, 52), (2022, 52)])
def test_cadence_every_week_covered_is_every_week_of_the_year(year, weeks):
    result = _year_result(year, {(year, w) for w in range(1, weeks + 1)}, today=date(year + 1, 1, 2))
    assert (result.year_to_date, result.expected, result.target) == (weeks, weeks, float(weeks))
    assert result.status == Status.ACHIEVED


def test_cadence_on_the_last_day_of_the_year_the_last_week_counts():
    # On 31 December the figures count to the end of the day: the year is then over.
    covered = {(2026, w) for w in range(1, 53)}
    result = _year_result(2026, covered, today=date(2026, 12, 31))
    assert (result.year_to_date, result.expected, result.missed) == (52, 53, {RASLATT: ["v. 53"]})


def test_cadence_the_running_last_week_is_not_held_against_anyone_before_the_year_ends():
    covered = {(2022, w) for w in range(1, 52)}
    result = _year_result(2022, covered, today=date(2022, 12, 30))
    assert (result.year_to_date, result.expected, result.missed) == (51, 51, {})


@pytest.mark.parametrize("today", [date(2022, 1, 1), date(2022, 1, 2)])
def test_cadence_first_of_january_in_last_years_iso_week_counts_nothing(today):
    # 1–2 January 2022 are in 2021-W52: an entry then covers no week of 2022.
    with _frozen(today):
        as_of = followup_as_of(tertial=T1)
    result = cadence_result(_weekly(), {(REPORT, RASLATT): {(2021, 52)}}, T1, as_of, RISK)
    assert (result.outcome, result.year_to_date, result.expected) == (0, 0, 0)
    assert (result.status, result.missed) == (Status.NOT_STARTED, {})


def test_cadence_week_one_that_began_in_december_counts_in_january():
    # 1 January 2026 is a Thursday: 2026-W1 began on 29 December 2025.
    with _frozen(date(2026, 1, 5)):
        as_of = followup_as_of(tertial=Tertial(2026, 1))
    result = cadence_result(_weekly(), {(REPORT, RASLATT): {(2026, 1)}}, Tertial(2026, 1), as_of, RISK)
    assert (result.year_to_date, result.expected, result.periods_total) == (1, 1, 53)


@pytest.mark.parametrize(
    ("tertial", "today", "last_week"),
    [
        (Tertial(2022, 1), date(2022, 5, 2), (2022, 17)),  # ends Sunday 1 May
        (Tertial(2023, 2), date(2023, 9, 2), (2023, 35)),  # ends Sunday 3 September
    ],
)
def test_cadence_last_week_of_a_tertial_counts_once_the_tertial_is_over(tertial, today, last_week):
    with _frozen(today):
        as_of = followup_as_of(tertial=tertial)
    assert as_of == tertial.end
    covered = {(tertial.year, w) for w in range(1, last_week[1])}  # all but the last week
    result = cadence_result(_weekly(), {(REPORT, RASLATT): covered}, tertial, as_of, RISK)
    assert result.missed == {RASLATT: [f"v. {last_week[1]}"]}
    assert result.expected == last_week[1]


def test_leap_day_counts_february_and_the_day():
    monthly = TargetSpec(id=4, kind="cadence", activity_type_id=REPORT, area_ids=(RASLATT,), period="month")
    t1 = Tertial(2024, 1)
    with _frozen(date(2024, 2, 29)):
        as_of = followup_as_of(tertial=t1)
    assert as_of == date(2024, 2, 29)
    result = cadence_result(monthly, {(REPORT, RASLATT): {(2024, 1)}}, t1, as_of, RISK)
    assert (result.expected, result.missed) == (2, {RASLATT: ["2024-02"]})
    count = count_result(
        _count(count=366), {(PATROL, RASLATT, 1): (31, 0), (PATROL, RASLATT, 2): (29, 0)}, t1, as_of, RISK
    )
    assert (count.expected, count.attainment) == (60.0, 100.0)  # 60 of 366 days


def test_outside_totals_are_what_no_target_of_the_type_counts_in_the_months_given():
    patrol, drugs, report = 1, 2, 3
    raslatt, oxnehaga, huskvarna = 10, 11, 12
    specs = [
        TargetSpec(id=1, kind="count", activity_type_id=patrol, area_ids=(raslatt,), count=800),
        # Another target of the same type counts Öxnehaga: nothing there is outside.
        TargetSpec(id=2, kind="cadence", activity_type_id=patrol, area_ids=(oxnehaga,), period="week"),
        TargetSpec(id=3, kind="cadence", activity_type_id=report, area_ids=(raslatt,), period="week"),
        TargetSpec(id=4, kind="share", activity_type_id=None, area_ids=(), share_percent=Decimal(20)),
    ]
    totals = {
        (patrol, raslatt, 2): (5, 0),  # counted
        (patrol, oxnehaga, 2): (3, 0),  # counted by the cadence target
        (patrol, huskvarna, 2): (20, 0),
        (patrol, huskvarna, 4): (20, 0),
        (patrol, huskvarna, 5): (9, 0),  # after the months given
        (drugs, huskvarna, 3): (4, 1),  # no count target follows the type
        (report, huskvarna, 3): (1, 0),  # followed only by a cadence target
    }
    assert outside_totals(totals, specs, range(1, 5)) == {patrol: {huskvarna: 40}}
    assert outside_totals(totals, specs, range(1, 13)) == {patrol: {huskvarna: 49}}
    assert outside_totals(totals, specs, range(1, 1)) == {}
