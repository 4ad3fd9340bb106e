"""The engine against examples computed by hand."""

from datetime import date
from decimal import Decimal

import pytest

from followup.engine import TargetSpec, cadence_result, count_result, qualitative_result, share_result, target_result
from followup.models import Status
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
    assert result.forecast == 608.3  # 200 * 365 / 120
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
    # T2 ends 31 August, day 243: expected 800 * 243 / 365 = 532.6
    assert result.expected == 532.6


def test_count_result_running_tertial_is_pro_rata_to_today():
    totals = {(PATROL, RASLATT, 5): (300, 0), (PATROL, RASLATT, 6): (50, 0)}
    result = count_result(_count(), totals, T2, date(2022, 6, 15), RISK)
    # 1 January to 15 June is 166 days: 800 * 166 / 365 = 363.8; 350 / 363.8 = 96.2 % -> at risk.
    assert (result.expected, result.attainment, result.status) == (363.8, 96.2, Status.AT_RISK)


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
    assert qualitative_result(None).status == Status.NOT_STARTED


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
