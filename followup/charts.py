"""Plotly figures as plain dicts (plotly's own validators are slow and not needed).

The template hands a figure to static/js/charts.js through json_script; beside every chart
the page shows a heading, a one-sentence summary and the same numbers as a table.
"""

from datetime import date

from django.utils.translation import gettext as _

from followup.engine import DailyTotal
from promises.periods import iso_weeks, period_elapsed, period_label, year_end, year_start

# Colours with at least 3:1 contrast against white, told apart by dash style as well.
OUTCOME = "#0b4f8a"
TARGET = "#a4161a"
EXPECTED = "#4a4a4a"
COVERED = "#1d6b34"
MISSED = "#a4161a"


def _layout(**extra) -> dict:
    layout = {
        "separators": ", ",  # decimal comma, space between thousands
        "font": {"family": "system-ui, sans-serif", "size": 14, "color": "#1b1b1b"},
        "margin": {"l": 56, "r": 16, "t": 16, "b": 48},
        "legend": {"orientation": "h", "y": -0.2},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "x unified",
    }
    layout.update(extra)
    return layout


def cumulative_chart(*, year: int, daily: list[DailyTotal], target: float, until: date) -> dict:
    """Cumulative outcome over the year against the target line and the expected (pro rata) line."""
    xs, ys, running = [], [], 0
    for row in daily:
        if row["date"] > until:
            break
        running += row["total"]
        xs.append(row["date"].isoformat())
        ys.append(running)
    start, end = year_start(year), year_end(year)
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Outcome"),
                "x": [start.isoformat(), *xs, until.isoformat()],
                "y": [0, *ys, running],
                "line": {"color": OUTCOME, "width": 3, "shape": "hv"},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Expected"),
                "x": [start.isoformat(), end.isoformat()],
                "y": [0, target],
                "line": {"color": EXPECTED, "dash": "dash", "width": 2},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Target"),
                "x": [start.isoformat(), end.isoformat()],
                "y": [target, target],
                "line": {"color": TARGET, "dash": "dot", "width": 2},
            },
        ],
        "layout": _layout(
            # Months on the axis (ISO, 2022-04), at most four of them, and room on the right
            # for the last: on a phone (390 px) whole dates were turned aside, ran into the
            # legend and were cut off. The day is in the hover.
            xaxis={
                "type": "date",
                "range": [start.isoformat(), end.isoformat()],
                "tickformat": "%Y-%m",
                "hoverformat": "%Y-%m-%d",
                "nticks": 4,
            },
            yaxis={"rangemode": "tozero", "title": {"text": _("Cumulative")}},
            margin={"l": 56, "r": 44, "t": 16, "b": 48},
        ),
    }


def area_chart(*, rows: list[dict]) -> dict:
    return {
        "data": [
            {
                "type": "bar",
                "name": _("Year to date"),
                "x": [row["area"] for row in rows],
                "y": [row["total"] for row in rows],
                "marker": {"color": OUTCOME},
                "text": [row["total"] for row in rows],
                "textposition": "auto",
            }
        ],
        "layout": _layout(yaxis={"rangemode": "tozero"}, hovermode="closest"),
    }


def share_by_month(*, daily: list[DailyTotal], until: date) -> list[dict]:
    months: dict[str, list[int]] = {}
    for row in daily:
        if row["date"] > until:
            break
        key = row["date"].strftime("%Y-%m")
        totals = months.setdefault(key, [0, 0])
        totals[0] += row["total"]
        totals[1] += row["flagged"] or 0
    return [
        {"month": month, "total": t, "flagged": f, "share": round(100 * f / t, 1) if t else None}
        for month, (t, f) in months.items()
    ]


def share_chart(*, months: list[dict], wanted: float) -> dict:
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Share per month (%)"),
                "x": [m["month"] for m in months],
                "y": [m["share"] for m in months],
                "line": {"color": OUTCOME, "width": 3},
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Target (%)"),
                "x": [m["month"] for m in months],
                "y": [wanted for _m in months],
                "line": {"color": TARGET, "dash": "dot", "width": 2},
            },
        ],
        "layout": _layout(yaxis={"rangemode": "tozero", "ticksuffix": " %"}, xaxis={"type": "category"}),
    }


# The cadence grid's cells say it in symbols as well as in colour (WCAG 1.4.1).
COVERED_SYMBOL = "✓"
MISSED_SYMBOL = "✗"


def cadence_grid(*, year: int, period: str, areas: list[tuple[int, str]], covered: dict, until: date) -> dict:
    """A periods × areas grid: covered (✓, green), missed (✗, red), or not yet due (empty)."""
    keys = iso_weeks(year) if period == "week" else [(year, m) for m in range(1, 13)]
    labels = [period_label(key, period) for key in keys]
    z, text, words = [], [], []
    for area_id, _name in areas:
        row, row_text, row_words = [], [], []
        for key in keys:
            due = period_elapsed(key, period, until)
            hit = key in covered.get(area_id, set())
            row.append(1 if hit else (0 if due else None))
            row_text.append(COVERED_SYMBOL if hit else (MISSED_SYMBOL if due else ""))
            row_words.append(_("done") if hit else (_("missed") if due else _("not yet")))
        z.append(row)
        text.append(row_text)
        words.append(row_words)
    return {
        "data": [
            {
                "type": "heatmap",
                "x": labels,
                "y": [name for _id, name in areas],
                "z": z,
                "text": text,
                "customdata": words,
                "texttemplate": "%{text}",
                "textfont": {"color": "#ffffff", "size": 14},
                "hovertemplate": "%{y} %{x}: %{customdata}<extra></extra>",
                "colorscale": [[0, MISSED], [1, COVERED]],
                "zmin": 0,
                "zmax": 1,
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
            }
        ],
        "layout": _layout(
            xaxis={"type": "category", "tickangle": -60},
            hovermode="closest",
            margin={"l": 160, "r": 16, "t": 16, "b": 64},
        ),
    }


def missed_in_year(*, year: int, period: str, areas: list[tuple[int, str]], covered: dict, until: date) -> list[tuple]:
    """Per area, every period of the year so far (up to `until`) that was due and not covered.

    The same cells the grid marks ✗: the whole year, not only the chosen tertial.
    """
    keys = iso_weeks(year) if period == "week" else [(year, m) for m in range(1, 13)]
    return [
        (
            name,
            [
                period_label(key, period)
                for key in keys
                if period_elapsed(key, period, until) and key not in covered.get(area_id, set())
            ],
        )
        for area_id, name in areas
    ]
