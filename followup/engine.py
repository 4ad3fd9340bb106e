"""The follow-up engine: pure functions from aggregated figures to a target's result.

No database access here, and no Django: the selectors (followup/selectors.py) fetch the
aggregates in a fixed number of queries and hand them to `target_result`, which can be tested
with hand-computed examples and without settings.

Once the year is over (`year_is_over`), a measured target is either achieved or not: the
result is final, expected and forecast give way to the difference to the target.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TypedDict

from followup.status import Status
from promises.periods import (
    Tertial,
    days_in_year,
    iso_weeks,
    period_bounds,
    period_elapsed,
    period_label,
    periods_in,
    year_end,
    year_start,
)

# (activity type id, area id, month) -> (summed quantity, summed quantity with the flag)
MonthTotals = dict[tuple[int, int, int], tuple[int, int]]


class DailyTotal(TypedDict):
    """One day's summed quantity in a target's areas, and the flagged part of it."""

    date: date
    total: int
    flagged: int | None  # None on a day without flagged entries


# activity type id, area id -> set of (year, week) and set of (year, month) with an entry
Coverage = dict[tuple[int, int], set[tuple[int, int]]]


@dataclass(frozen=True)
class TargetSpec:
    """What the engine needs to know of a target: plain values, no ORM objects."""

    id: int
    kind: str
    activity_type_id: int | None
    area_ids: tuple[int, ...]
    count: int | None = None
    share_percent: Decimal | None = None
    period: str = ""


@dataclass
class TargetResult:
    status: str
    outcome: float | None = None  # in the tertial
    year_to_date: float | None = None  # from 1 January to the end of the tertial (or today)
    expected: float | None = None  # by the end of the tertial (or today), pro rata
    target: float | None = None  # for the whole year
    attainment: float | None = None  # year to date against expected, in %
    progress: float | None = None  # year to date against the year's target, in %
    forecast: float | None = None  # at year end, at the pace so far
    needed_per_week: float | None = None
    unit: str = "count"  # count, percent, periods
    periods_total: int | None = None
    missed: dict[int, list[str]] = field(default_factory=dict)  # area id -> missed period labels
    final: bool = False  # the year is over: the year to date is the full-year outcome
    difference: float | None = None  # full-year outcome minus the target, when final
    area_year_to_date: dict[int, float] = field(default_factory=dict)  # area id -> its part, several areas only


def year_is_over(tertial: Tertial, today: date) -> bool:
    """The year's last tertial, looked at after 31 December: its figures are the year's outcome."""
    return tertial.number == 3 and today > year_end(tertial.year)


def final_status(*, year_to_date: float | None, target: float | None) -> Status:
    """Achieved or not achieved, from the full-year outcome and the target (count, percent or periods)."""
    if year_to_date is not None and target is not None and year_to_date >= target:
        return Status.ACHIEVED
    return Status.NOT_ACHIEVED


def _finalise(result: TargetResult) -> TargetResult:
    """The year is over: the status is final, expected and forecast no longer apply."""
    result.final = True
    result.status = final_status(year_to_date=result.year_to_date, target=result.target)
    if result.year_to_date is not None and result.target is not None:
        result.difference = round(result.year_to_date - result.target, 1)
    result.expected = result.forecast = result.needed_per_week = None
    return result


def measuring_window(tertial: Tertial, as_of: date) -> tuple[date, date] | None:
    """The days of the year counted so far: 1 January to the end of the tertial, or to
    `as_of` while the tertial runs. None before the tertial starts."""
    if as_of < tertial.start:
        return None
    return year_start(tertial.year), min(tertial.end, as_of)


def _status(ratio: float | None, *, achieved: bool, risk_threshold: float) -> str:
    if achieved:
        return Status.ACHIEVED
    if ratio is None:
        return Status.NOT_STARTED
    if ratio >= 1:
        return Status.ON_TRACK
    if ratio >= risk_threshold:
        return Status.AT_RISK
    return Status.BEHIND


def _sum(totals: MonthTotals, spec: TargetSpec, months: range, *, flagged: bool = False) -> int:
    index = 1 if flagged else 0
    type_id = spec.activity_type_id
    if type_id is None:  # a target without a type counts nothing
        return 0
    return sum(totals.get((type_id, area_id, month), (0, 0))[index] for area_id in spec.area_ids for month in months)


def _months_of(tertial: Tertial) -> range:
    return range(tertial.months[0][1], tertial.months[-1][1] + 1)


def whole(value: float) -> float:
    """A count rounded half up to a whole number (Python's round() would round 532.5 down)."""
    return float(math.floor(value + 0.5))


def count_result(
    spec: TargetSpec, totals: MonthTotals, tertial: Tertial, as_of: date, risk: float, *, final: bool = False
) -> TargetResult:
    target = float(spec.count or 0)
    window = measuring_window(tertial, as_of)
    outcome = _sum(totals, spec, _months_of(tertial))
    ytd_months = range(1, _months_of(tertial).stop)
    ytd = _sum(totals, spec, ytd_months)
    result = TargetResult(status=Status.NOT_STARTED, outcome=outcome, year_to_date=ytd, target=target)
    if len(spec.area_ids) > 1:
        # Each area's part of the year so far, for the public area pages.
        result.area_year_to_date = {
            area_id: _sum(totals, TargetSpec(spec.id, spec.kind, spec.activity_type_id, (area_id,)), ytd_months)
            for area_id in spec.area_ids
        }
    result.progress = round(100 * ytd / target, 1) if target else None
    if window is None:
        return result
    days_total = days_in_year(tertial.year)
    days_elapsed = (window[1] - window[0]).days + 1
    # Expected and forecast are counts of activities, whole on every page and in every file
    # (nobody holds half a foot patrol). Attainment and status are measured against the same
    # whole figure, so "219 of 800, expected by now 219" is on track, never at risk.
    expected = whole(target * days_elapsed / days_total)
    result.expected = expected
    result.attainment = round(100 * ytd / expected, 1) if expected else None
    result.forecast = whole(ytd * days_total / days_elapsed)
    days_left = (year_end(tertial.year) - window[1]).days
    if days_left > 0:
        result.needed_per_week = round(max(0.0, target - ytd) / (days_left / 7), 1)
    result.status = _status(ytd / expected if expected else None, achieved=ytd >= target, risk_threshold=risk)
    return _finalise(result) if final else result


def share_result(
    spec: TargetSpec,
    parent: TargetSpec,
    totals: MonthTotals,
    tertial: Tertial,
    as_of: date,
    risk: float,
    *,
    final: bool = False,
) -> TargetResult:
    """Flagged entries as a share of all entries of the parent count target."""
    wanted = float(spec.share_percent or 0)
    months = _months_of(tertial)
    year_months = range(1, months.stop)
    all_tertial, all_ytd = _sum(totals, parent, months), _sum(totals, parent, year_months)
    flagged_tertial = _sum(totals, parent, months, flagged=True)
    flagged_ytd = _sum(totals, parent, year_months, flagged=True)
    result = TargetResult(status=Status.NOT_STARTED, target=wanted, expected=wanted, unit="percent")
    result.outcome = round(100 * flagged_tertial / all_tertial, 1) if all_tertial else None
    result.year_to_date = round(100 * flagged_ytd / all_ytd, 1) if all_ytd else None
    if measuring_window(tertial, as_of) is None or result.year_to_date is None:
        return _finalise(result) if final else result
    share = result.year_to_date
    result.forecast = share
    result.attainment = round(100 * share / wanted, 1) if wanted else None
    result.progress = min(100.0, result.attainment) if result.attainment is not None else None
    year_over = as_of >= year_end(tertial.year) and tertial.number == 3
    result.status = _status(
        share / wanted if wanted else None, achieved=year_over and share >= wanted, risk_threshold=risk
    )
    return _finalise(result) if final else result


def cadence_result(
    spec: TargetSpec, coverage: Coverage, tertial: Tertial, as_of: date, risk: float, *, final: bool = False
) -> TargetResult:
    """Periods (weeks or months) with at least one entry in every area, against periods elapsed.

    A period counts once it is over (periods.period_elapsed: it has ended, or the tertial it
    belongs to has, so the year's last ISO week counts once the year is over); the running
    period counts only when it is already covered in every area, so a week in progress is
    never held against anyone. The year's denominator is every period of the year, covered
    or not.
    """
    period = spec.period
    year_periods = iso_weeks(tertial.year) if period == "week" else [(tertial.year, m) for m in range(1, 13)]
    window = measuring_window(tertial, as_of)
    result = TargetResult(status=Status.NOT_STARTED, unit="periods", periods_total=len(year_periods))
    result.target = float(len(year_periods))

    def covered_in(key: tuple[int, int], area_id: int) -> bool:
        if spec.activity_type_id is None:  # a target without a type covers nothing
            return False
        return key in coverage.get((spec.activity_type_id, area_id), set())

    def tally(keys: list[tuple[int, int]]) -> tuple[int, int, dict[int, list[str]]]:
        elapsed = covered = 0
        missed: dict[int, list[str]] = {}
        for key in keys:
            if period_bounds(key, period)[0] > as_of:
                continue
            in_every_area = all(covered_in(key, area_id) for area_id in spec.area_ids)
            if not period_elapsed(key, period, as_of) and not in_every_area:
                continue
            elapsed += 1
            covered += in_every_area
            for area_id in spec.area_ids:
                if not covered_in(key, area_id):
                    missed.setdefault(area_id, []).append(period_label(key, period))
        return elapsed, covered, missed

    tertial_keys = periods_in(tertial, period)
    elapsed_t, covered_t, missed = tally(tertial_keys)
    last_key = tertial_keys[-1]
    elapsed_y, covered_y, _missed_y = tally([k for k in year_periods if k <= last_key])
    result.outcome = covered_t
    result.year_to_date = covered_y
    result.expected = elapsed_y
    result.missed = missed
    if window is None or elapsed_y == 0:
        return _finalise(result) if final else result
    result.attainment = round(100 * covered_y / elapsed_y, 1)
    result.progress = round(100 * covered_y / len(year_periods), 1)
    result.forecast = whole(len(year_periods) * covered_y / elapsed_y)  # whole weeks or months
    all_done = covered_y == len(year_periods)
    result.status = _status(covered_y / elapsed_y, achieved=all_done, risk_threshold=risk)
    return _finalise(result) if final else result


def qualitative_result(manual_status: str | None, *, final: bool = False) -> TargetResult:
    """The managers' assessment, at year end too: there is no figure to decide it."""
    return TargetResult(status=manual_status or Status.NO_STATUS, unit="none", final=final)


def target_result(
    spec: TargetSpec,
    *,
    parent: TargetSpec | None,
    totals: MonthTotals,
    coverage: Coverage,
    tertial: Tertial,
    as_of: date,
    manual_status: str | None,
    risk_threshold: float,
    final: bool = False,
) -> TargetResult:
    """A target's result in a tertial; `final` once the year is over (see `year_is_over`)."""
    if spec.kind == "count":
        return count_result(spec, totals, tertial, as_of, risk_threshold, final=final)
    if spec.kind == "share" and parent is not None:
        return share_result(spec, parent, totals, tertial, as_of, risk_threshold, final=final)
    if spec.kind == "cadence":
        return cadence_result(spec, coverage, tertial, as_of, risk_threshold, final=final)
    return qualitative_result(manual_status, final=final)


def outside_totals(totals: MonthTotals, specs: list[TargetSpec], months: range) -> dict[int, dict[int, int]]:
    """Per activity type a count target follows: what was logged of it in `months`, by area,
    in the areas no target of that type counts it in (activity type -> area -> summed quantity).

    The figures leave these entries out; the pages show them beside the figures.
    """
    followed = {spec.activity_type_id for spec in specs if spec.kind == "count" and spec.activity_type_id is not None}
    counted = {(spec.activity_type_id, area_id) for spec in specs for area_id in spec.area_ids}
    result: dict[int, dict[int, int]] = {}
    for (type_id, area_id, month), (total, _flagged) in totals.items():
        if type_id in followed and month in months and (type_id, area_id) not in counted:
            by_area = result.setdefault(type_id, {})
            by_area[area_id] = by_area.get(area_id, 0) + total
    return result
