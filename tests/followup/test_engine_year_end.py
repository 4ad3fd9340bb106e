"""The year's end in the engine: final statuses on every kind of target, by hand-computed examples.

Nothing here needs Django: the engine and its Status are plain Python.
"""

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from followup.engine import (
    TargetSpec,
    cadence_result,
    count_result,
    final_status,
    qualitative_result,
    share_result,
    target_result,
    year_is_over,
)
from followup.status import Status
from promises.periods import Tertial, iso_weeks

RISK = 0.8
T2, T3 = Tertial(2022, 2), Tertial(2022, 3)
DEC_31 = date(2022, 12, 31)
PATROL, DRUGS, REPORT = 1, 2, 3
RASLATT, OXNEHAGA = 10, 11
ROOT = Path(__file__).resolve().parents[2]


def _count(count=800):
    return TargetSpec(id=1, kind="count", activity_type_id=PATROL, area_ids=(RASLATT,), count=count)


def _share(percent="20"):
    return TargetSpec(id=2, kind="share", activity_type_id=None, area_ids=(), share_percent=Decimal(percent))


def _cadence():
    return TargetSpec(id=3, kind="cadence", activity_type_id=REPORT, area_ids=(RASLATT,), period="week")


def _year_of_patrols(per_month: int) -> dict:
    return {(PATROL, RASLATT, month): (per_month, 0) for month in range(1, 13)}


def test_engine_imports_no_django():
    code = "import sys, followup.engine; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_model_status_reuses_the_engine_values():
    from followup.models import Status as ModelStatus

    assert ModelStatus.values == [status.value for status in Status]


@pytest.mark.parametrize(
    ("tertial", "today", "over"),
    [
        (T3, DEC_31, False),  # the last day still counts
        (T3, date(2023, 1, 1), True),
        (T3, date(2026, 11, 28), True),
        (T2, date(2023, 1, 1), False),  # only the year's last tertial is the year's outcome
    ],
)
def test_year_is_over_after_31_december_for_t3(tertial, today, over):
    assert year_is_over(tertial, today) is over


def test_final_status_compares_the_full_year_outcome_with_the_target():
    assert final_status(year_to_date=800, target=800) == Status.ACHIEVED
    assert final_status(year_to_date=799.9, target=800) == Status.NOT_ACHIEVED
    assert final_status(year_to_date=None, target=20) == Status.NOT_ACHIEVED


def test_count_result_final_short_of_the_target_is_not_achieved_72_fewer():
    totals = {**_year_of_patrols(60), (PATROL, RASLATT, 12): (68, 0)}  # 11 * 60 + 68 = 728
    running = count_result(_count(), totals, T3, DEC_31, RISK)
    final = count_result(_count(), totals, T3, DEC_31, RISK, final=True)
    assert (running.status, running.final, running.expected) == (Status.AT_RISK, False, 800.0)
    assert (final.status, final.final, final.year_to_date, final.difference) == (Status.NOT_ACHIEVED, True, 728, -72)
    # Expected and forecast give way to the final figure and the difference.
    assert (final.expected, final.forecast, final.needed_per_week) == (None, None, None)
    assert final.progress == 91.0


def test_count_result_final_over_the_target_is_achieved_12_more():
    result = count_result(
        _count(), _year_of_patrols(60) | {(PATROL, RASLATT, 12): (152, 0)}, T3, DEC_31, RISK, final=True
    )
    assert (result.status, result.year_to_date, result.difference) == (Status.ACHIEVED, 812, 12)


def test_count_result_final_without_any_entry_is_not_achieved():
    result = count_result(_count(), {}, T3, DEC_31, RISK, final=True)
    assert (result.status, result.year_to_date, result.difference) == (Status.NOT_ACHIEVED, 0, -800)


def test_share_result_final_below_the_share_is_not_achieved():
    totals = {(DRUGS, RASLATT, 3): (100, 15), (DRUGS, RASLATT, 10): (100, 20)}  # 35 of 200 = 17.5 %
    parent = TargetSpec(id=9, kind="count", activity_type_id=DRUGS, area_ids=(RASLATT,), count=52)
    running = share_result(_share(), parent, totals, T3, DEC_31, RISK)
    result = share_result(_share(), parent, totals, T3, DEC_31, RISK, final=True)
    assert running.status == Status.AT_RISK  # 17.5 / 20 = 87.5 %
    assert (result.status, result.year_to_date, result.difference) == (Status.NOT_ACHIEVED, 17.5, -2.5)
    assert (result.expected, result.forecast) == (None, None)


def test_share_result_final_at_the_share_is_achieved():
    totals = {(DRUGS, RASLATT, 10): (50, 10)}
    parent = TargetSpec(id=9, kind="count", activity_type_id=DRUGS, area_ids=(RASLATT,), count=52)
    result = share_result(_share(), parent, totals, T3, DEC_31, RISK, final=True)
    assert (result.status, result.difference) == (Status.ACHIEVED, 0.0)


def test_share_result_final_without_entries_is_not_achieved_with_no_difference():
    parent = TargetSpec(id=9, kind="count", activity_type_id=DRUGS, area_ids=(RASLATT,), count=52)
    result = share_result(_share(), parent, {}, T3, DEC_31, RISK, final=True)
    assert (result.status, result.year_to_date, result.difference) == (Status.NOT_ACHIEVED, None, None)


def test_cadence_result_final_with_missed_weeks_is_not_achieved():
    weeks = iso_weeks(2022)
    covered = {(REPORT, RASLATT): set(weeks[:-3])}  # every week but the last three
    result = cadence_result(_cadence(), covered, T3, DEC_31, RISK, final=True)
    assert (result.status, result.year_to_date, result.target) == (Status.NOT_ACHIEVED, len(weeks) - 3, len(weeks))
    assert result.difference == -3


def test_cadence_result_final_with_every_week_is_achieved():
    covered = {(REPORT, RASLATT): set(iso_weeks(2022))}
    result = cadence_result(_cadence(), covered, T3, DEC_31, RISK, final=True)
    assert (result.status, result.difference) == (Status.ACHIEVED, 0)


@pytest.mark.parametrize("manual", [Status.ACHIEVED, Status.NOT_ACHIEVED, Status.NOT_ASSESSED, None])
def test_qualitative_result_final_keeps_the_managers_assessment(manual):
    result = qualitative_result(manual, final=True)
    assert (result.status, result.final, result.difference) == (manual or Status.NO_STATUS, True, None)


@pytest.mark.parametrize("kind", ["count", "share", "cadence", "qualitative"])
def test_target_result_passes_final_to_every_kind(kind):
    spec = {"count": _count(), "share": _share(), "cadence": _cadence(), "qualitative": None}[kind] or TargetSpec(
        id=4, kind="qualitative", activity_type_id=None, area_ids=()
    )
    result = target_result(
        spec,
        parent=TargetSpec(id=9, kind="count", activity_type_id=DRUGS, area_ids=(RASLATT,), count=52),
        totals={},
        coverage={},
        tertial=T3,
        as_of=DEC_31,
        manual_status=None,
        risk_threshold=RISK,
        final=True,
    )
    assert result.final is True
    assert result.status == (Status.NO_STATUS if kind == "qualitative" else Status.NOT_ACHIEVED)
