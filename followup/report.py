"""The report handed out: per section, the table and a bar chart, for the page, print and PDF.

Both versions read the same shape, a published target's dict (`followup.published`): the
public one straight from a publication (already redacted by `followup.public`), the managers'
one from the live follow-up rows. The chart is plain geometry drawn by an SVG template, so the
same drawing shows in the browser, on paper and in the PDF, where no JavaScript runs.
"""

import textwrap

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from followup.models import Status
from followup.public import tertial_words
from followup.tables import format_value

CHART_WIDTH = 640
BAR_HEIGHT = 18
LINE_HEIGHT = 17
TITLE_CHARACTERS = 72
ROW_GAP = 16
# The scale runs to the year's target or beyond it, never further than this (% of the target).
SCALE_MAX = 150.0


def row_target(row) -> dict:
    """A managers' follow-up row (`followup.selectors.FollowupRow`) as a published target's dict."""
    result, comment = row.result, row.comment
    return {
        "section_number": row.section.number,
        "section_title": row.section.title,
        "commitment_label": row.commitment.label,
        "commitment_text": row.commitment.text,
        "title": row.target.title,
        "kind": row.target.kind,
        "unit": result.unit,
        "period": row.target.period,
        "sensitive": bool(row.target.activity_type and row.target.activity_type.is_sensitive),
        "target": result.target,
        "outcome": result.outcome,
        "year_to_date": result.year_to_date,
        "year_to_date_text": "",
        "expected": result.expected,
        "progress": result.progress,
        "status": result.status,
        "final": result.final,
        "difference": result.difference,
        "status_recomputed": False,
        "analysis": comment.analysis if comment else "",
        "measures": comment.measures if comment else "",
    }


def _periods_word(period: str) -> str:
    return _("months") if period == "month" else _("weeks")


def bar_label(target: dict) -> str:
    """The bar's figures in words: "480 of 800 · expected by now 533"."""
    unit = target["unit"]
    ytd, wanted, expected = target["year_to_date"], target["target"], target["expected"]
    if unit == "percent":
        return _("%(share)s, the target is at least %(target)s") % {
            "share": format_value(ytd, unit),
            "target": format_value(wanted, unit),
        }
    if unit == "periods":
        words = {
            "covered": format_value(ytd, "count"),
            "total": format_value(wanted, "count"),
            "elapsed": format_value(expected, "count"),
            "periods": _periods_word(target.get("period", "")),
        }
        if target.get("final") or expected is None:
            return _("%(covered)s of %(total)s %(periods)s covered") % words
        return _("%(covered)s of %(elapsed)s %(periods)s so far covered, %(total)s in the year") % words
    words = {"ytd": format_value(ytd, unit), "target": format_value(wanted, unit)}
    if target.get("final") or expected is None:
        return _("%(ytd)s of %(target)s in the year") % words
    return _("%(ytd)s of %(target)s · expected by now %(expected)s") % {
        **words,
        "expected": format_value(expected, unit),
    }


def _expected_share(target: dict) -> float | None:
    """Where the expected-by-now marker stands, as % of the year's target (counts and periods)."""
    if target.get("final") or target["unit"] == "percent":
        return None  # at year end nothing is expected any more; a share is wanted whole all year
    expected, wanted = target.get("expected"), target.get("target")
    if expected is None or not wanted:
        return None
    return 100 * expected / wanted


def bar_chart(targets: list[dict]) -> dict:
    """Each measurable target as a bar: the year so far as % of the year's target, a red dashed
    line at 100 % (the target), a black line at what was expected by now, as on the public page's
    bars (templates/public/includes/bar.html). Geometry for the SVG template."""
    measured = [t for t in targets if t.get("progress") is not None]
    if not measured:
        return {"rows": [], "height": 0, "width": CHART_WIDTH}
    expected = [e for e in (_expected_share(t) for t in measured) if e is not None]
    scale = min(SCALE_MAX, max([100.0, *expected, *(t["progress"] for t in measured)]))
    width = CHART_WIDTH

    def x(percent: float) -> float:
        return round(width * min(percent, scale) / scale, 1)

    rows, y = [], 0.0
    for target in measured:
        lines = textwrap.wrap(target["title"], TITLE_CHARACTERS) or [""]
        titles = [{"text": line, "y": y + LINE_HEIGHT * (index + 1) - 4} for index, line in enumerate(lines)]
        bar_y = y + LINE_HEIGHT * len(lines) + 2
        marker = _expected_share(target)
        rows.append(
            {
                "titles": titles,
                "bar_y": bar_y,
                "bar_width": x(target["progress"]),
                "expected_x": x(marker) if marker is not None else None,
                "label": bar_label(target),
                "label_y": bar_y + BAR_HEIGHT + LINE_HEIGHT - 2,
                "line_top": bar_y - 4,
                "line_bottom": bar_y + BAR_HEIGHT + 4,
            }
        )
        y = bar_y + BAR_HEIGHT + LINE_HEIGHT + ROW_GAP
    legend_y = y + 4
    return {
        "rows": rows,
        "width": width,
        "target_x": x(100),
        "legend_y": legend_y,
        "legend_text_y": legend_y + 12,
        "legend_bottom": legend_y + 16,
        "height": round(legend_y + 24),
    }


def chart_summary(targets: list[dict]) -> str:
    """The chart in one sentence, for everyone who cannot see it (the table has the numbers)."""
    counts: dict[str, int] = {}
    for target in targets:
        counts[target["status"]] = counts.get(target["status"], 0) + 1
    parts = ", ".join(f"{counts[s]} {Status(s).label.lower()}" for s in Status.values if s in counts)
    return _(
        "Each bar is the year so far as a share of the year's target; the black line is what was expected by now, "
        "the red dashed line the year's target. "
        "%(total)s targets: %(parts)s."
    ) % {"total": len(targets), "parts": parts}


def report_sections(targets: list[dict]) -> list[dict]:
    """The targets grouped per section, in order, each section with its chart."""
    sections: list[dict] = []
    for target in targets:
        if not sections or sections[-1]["number"] != target["section_number"]:
            sections.append({"number": target["section_number"], "title": target["section_title"], "targets": []})
        sections[-1]["targets"].append(target)
    for section in sections:
        section["chart"] = bar_chart(section["targets"])
        section["summary"] = chart_summary(section["targets"])
    return sections


def status_totals(targets: list[dict]) -> list[dict]:
    """How many targets have each status, in the order of the statuses (for the cover page)."""
    counts: dict[str, int] = {}
    for target in targets:
        counts[target["status"]] = counts.get(target["status"], 0) + 1
    return [{"status": status, "count": counts[status]} for status in Status.values if status in counts]


# --- The open-data files (CSV and XLSX, through medborgarlofte.exports) --------------------


def open_data_header() -> list[str]:
    return [
        _("Year"),
        _("Tertial"),
        _("Period"),
        _("Version"),
        _("Published"),
        _("Section"),
        _("Commitment"),
        _("Target"),
        _("Areas"),
        _("Unit"),
        _("Target value"),
        _("Outcome in tertial"),
        _("Year to date"),
        _("Expected"),
        _("Share of the year's target (%)"),
        _("Forecast"),
        _("Difference to the target"),
        _("Status"),
        _("Note"),
        _("Analysis"),
        _("Measures decided"),
    ]


def _unit_word(unit: str) -> str:
    # The unit a figure counts in ("antal"), not a number that names something ("nummer").
    return {"count": pgettext("unit", "number"), "percent": _("percent"), "periods": _("periods")}.get(unit, "")


def open_data_rows(*, year: int, tertials: list) -> list[list]:
    """One row per target of each published tertial (`followup.public.PublishedTertial`),
    as the public sees it: the small-number rule is already applied to these targets."""
    rows = []
    for tertial in tertials:
        for t in tertial.targets:
            note = t.get("year_to_date_text") or ""
            if t.get("status_recomputed"):
                note = " ".join(filter(None, [note, _("status computed afterwards from the published figures")]))
            rows.append(
                [
                    year,
                    tertial.tertial,
                    tertial_words(tertial.tertial, year),
                    tertial.version,
                    timezone.localtime(tertial.published_at).replace(tzinfo=None),
                    f"{t['section_number']}. {t['section_title']}",
                    t["commitment_label"],
                    t["title"],
                    ", ".join(t.get("areas", [])),
                    _unit_word(t["unit"]),
                    t["target"],
                    t["outcome"],
                    t["year_to_date"],
                    None if t.get("final") else t["expected"],
                    t["progress"],
                    None if t.get("final") else t["forecast"],
                    t.get("difference"),
                    t.get("status_label") or str(Status(t["status"]).label),
                    note,
                    t["analysis"],
                    t["measures"],
                ]
            )
    return rows


# --- The PDF -------------------------------------------------------------------------------

REPORT_STYLESHEETS = ("css/site.css", "css/report.css")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def report_pdf(report: dict) -> bytes:
    """The report as an A4 PDF: the same body as the page, the same stylesheets, and a footer
    on every page with the title, the version and the page number."""
    from django.template.loader import render_to_string

    from medborgarlofte import exports

    html = render_to_string("report/document.html", {"report": report})
    title = _("%(title)s, follow-up %(period)s") % {"title": report["promise"].title, "period": report["period"]}
    if report.get("version"):
        title += ", " + _("version %(version)s") % {"version": report["version"]}
    # "Page 2 of 5", translated as one sentence, with CSS's page counters for the numbers.
    words = _("Page %(page)s of %(pages)s") % {"page": "\x00page\x00", "pages": "\x00pages\x00"}
    numbering = " ".join(
        f"counter({part})" if part in ("page", "pages") else _css_string(part) for part in words.split("\x00") if part
    )
    footer = f"""
    @page {{
      @bottom-left {{ content: {_css_string(title)}; font-size: 8pt; color: #4a4a4a; font-family: sans-serif; }}
      @bottom-right {{ content: {numbering};
                       font-size: 8pt; color: #4a4a4a; font-family: sans-serif; }}
    }}
    """
    return exports.pdf_bytes(html, stylesheets=REPORT_STYLESHEETS, extra_css=footer)
