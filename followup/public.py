"""What the public may see: published snapshots only, with small sensitive numbers withheld.

Nothing here aggregates activities. Every figure comes from a Publication's frozen
snapshot; drafts, unpublished tertials and single activities never reach these functions.
"""

import textwrap
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.dates import MONTHS
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from followup.engine import final_status
from followup.models import Publication, Status
from followup.published import PublishedTarget
from followup.tables import format_value
from promises.models import Area, Municipality, Promise, Target
from promises.periods import TERTIAL_MONTHS

# Counts of sensitive activities (SIG cases concern individual young people) below this are
# never published exactly, and sensitive targets are never shown per tertial or per area.
SMALL_NUMBER_LIMIT = 3
CACHE_SECONDS = 300
FEED_SIZE = 50


def public_promises(*, municipality: Municipality) -> list[Promise]:
    """The municipality's promises with at least one published tertial, newest first."""
    return list(
        Promise.objects.public()
        .filter(municipality=municipality, publications__isnull=False)
        .distinct()
        .order_by("-year")
    )


def final_target(target: dict, *, tertial: int, as_of: str) -> dict:
    """A snapshot target of a year that is over, with its final status.

    Snapshots made since the year-end statuses exist carry `final`; an older publication of
    T3 still says "at risk" or "on track", so its status is recomputed from the figures it
    froze, and marked as recomputed. The frozen figures themselves are never changed.
    """
    year_end = f"{as_of[:4]}-12-31"
    if target.get("final") or tertial != 3 or as_of != year_end or target["kind"] == "qualitative":
        return {**target, "final": bool(target.get("final")), "status_recomputed": False}
    ytd, wanted = target.get("year_to_date"), target.get("target")
    return {
        **target,
        "status": str(final_status(year_to_date=ytd, target=wanted)),
        "final": True,
        "difference": round(ytd - wanted, 1) if ytd is not None and wanted is not None else None,
        "status_recomputed": True,
    }


# A sensitive target's figures that give its count back: the count itself and every figure
# worked out from it. Withheld where the count is (below 3, and in every earlier tertial).
COUNT_DERIVED = ("year_to_date", "progress", "attainment", "difference", "forecast", "needed_per_week")


def redact_target(target: dict) -> dict:
    """A snapshot target as the public may see it (every key of `PublishedTarget`)."""
    public = PublishedTarget.from_snapshot(target)
    public.status_label = str(Status(public.status).label)
    if public.sensitive:
        public.outcome = None  # never per tertial
        public.missed = {}  # never per area
        public.area_year_to_date = {}
        ytd = public.year_to_date
        if ytd is not None and 0 < ytd < SMALL_NUMBER_LIMIT:
            public.year_to_date = None
            public.year_to_date_text = _("fewer than %(limit)s") % {"limit": SMALL_NUMBER_LIMIT}
            for key in COUNT_DERIVED:  # each would give the exact number back
                setattr(public, key, None)
    return public.as_dict()


@dataclass
class PublishedTertial:
    tertial: int
    label: str
    as_of: str
    version: int
    published_at: object
    first_published_at: object
    corrections: list[dict]
    targets: list[dict]
    is_latest: bool = False
    sections: list[dict] = field(default_factory=list)

    @property
    def words(self) -> str:
        """What the follow-up covers, as people say it: "januari–augusti 2022" (never "T2")."""
        return follow_up_words(self.tertial, int(self.as_of[:4]))

    @property
    def tertial_words(self) -> str:
        """The tertial alone: "maj–augusti 2022"."""
        return tertial_words(self.tertial, int(self.as_of[:4]))

    @property
    def final(self) -> bool:
        """The year is over: the figures are the full-year outcome."""
        return any(target.get("final") for target in self.targets)


def _group(targets: list[dict]) -> list[dict]:
    sections: list[dict] = []
    for target in targets:
        if not sections or sections[-1]["number"] != target["section_number"]:
            sections.append({"number": target["section_number"], "title": target["section_title"], "commitments": []})
        commitments = sections[-1]["commitments"]
        if not commitments or commitments[-1]["label"] != target["commitment_label"]:
            commitments.append({"label": target["commitment_label"], "text": target["commitment_text"], "targets": []})
        commitments[-1]["targets"].append(target)
    return sections


def published_tertials(*, promise: Promise) -> list[PublishedTertial]:
    """Every published tertial of a promise, latest version of each, oldest tertial first.

    One query; the result is cached until a new version is published.
    """
    # The key is the newest publication, by id and time: ids can come back after a restore,
    # an id with the same time to the microsecond cannot. The snapshots are read on a miss.
    newest = Publication.objects.filter(promise=promise).order_by("-pk").values_list("pk", "published_at").first()
    if newest is None:
        return []
    key = f"public-tertials:{promise.pk}:{newest[0]}:{newest[1].isoformat()}:{get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    publications = list(Publication.objects.filter(promise=promise).order_by("tertial", "version"))
    by_tertial: dict[int, list[Publication]] = {}
    for publication in publications:
        by_tertial.setdefault(publication.tertial, []).append(publication)
    result = []
    for number, versions in sorted(by_tertial.items()):
        latest = versions[-1]
        is_latest = number == max(by_tertial)
        as_of = latest.snapshot["as_of"]
        targets = [redact_target(final_target(t, tertial=number, as_of=as_of)) for t in latest.snapshot["targets"]]
        if not is_latest:
            # A sensitive figure is shown only for the year so far, never per tertial.
            # Every figure worked out from the count goes, the forecast too: a third of the year's
            # forecast after T1 is T1's count.
            targets = [
                {**t, **dict.fromkeys(COUNT_DERIVED, None), "year_to_date_text": ""} if t.get("sensitive") else t
                for t in targets
            ]
        result.append(
            PublishedTertial(
                tertial=number,
                label=latest.snapshot["label"],
                as_of=latest.snapshot["as_of"],
                version=latest.version,
                published_at=latest.published_at,
                first_published_at=versions[0].published_at,
                corrections=[
                    {"version": v.version, "published_at": v.published_at, "reason": v.reason} for v in versions[1:]
                ],
                targets=targets,
                is_latest=is_latest,
                sections=_group(targets),
            )
        )
    cache.set(key, result, CACHE_SECONDS)
    return result


def section_summary(section: dict) -> str:
    """One sentence for a section's chart, for everyone who cannot see it."""
    counts: dict[str, int] = {}
    for commitment in section["commitments"]:
        for target in commitment["targets"]:
            counts[target["status"]] = counts.get(target["status"], 0) + 1
    total = sum(counts.values())
    parts = [f"{count} {Status(status).label.lower()}" for status, count in counts.items()]
    return _("%(total)s targets: %(parts)s.") % {"total": total, "parts": ", ".join(parts)}


# The colours of the bars and their markers (3:1 against white at least), as in followup/charts.py.
BAR_COLOUR = "#0b4f8a"
EXPECTED_COLOUR = "#1b1b1b"
TARGET_COLOUR = "#a4161a"


def _periods_text(value: float | int, period: str) -> str:
    count = int(value)
    if period == "week":
        return ngettext("%(count)s week", "%(count)s weeks", count) % {"count": count}
    return ngettext("%(count)s month", "%(count)s months", count) % {"count": count}


def _amount(value, target: dict) -> str:
    """A figure with its unit in words: "480", "33 weeks", "18,4 %", "20 %"."""
    if target["unit"] == "periods":
        return _periods_text(value, target["period"])
    if target["unit"] == "percent" and float(value).is_integer():
        return f"{int(value)}\u00a0%"
    return format_value(value, target["unit"])


def of_text(value, whole, target: dict) -> str:
    """ "456 of 800", "33 of 35 weeks": a figure out of a whole, in words."""
    if whole is None:
        return _amount(value, target)
    if target["unit"] == "periods":
        count = int(whole)
        words = {
            "week": ngettext("%(value)s of %(count)s week", "%(value)s of %(count)s weeks", count),
            "month": ngettext("%(value)s of %(count)s month", "%(value)s of %(count)s months", count),
        }[target["period"]]
        return words % {"value": int(value), "count": count}
    return _("%(value)s of %(whole)s") % {
        "value": format_value(value, target["unit"]),
        "whole": format_value(whole, target["unit"]),
    }


def target_bar(target: dict) -> dict | None:
    """What a target's bar shows, as positions on a 0–100 scale, and the same in one sentence.

    A count or cadence bar runs to the year's target (or beyond, when it is passed), with a
    marker where the year should be by now; a share bar is the share itself on 0–100 %, with
    the wanted share marked. None when there is nothing to draw (no figure, or a qualitative or
    withheld one).
    """
    unit, wanted = target["unit"], target.get("target")
    if unit == "none" or wanted is None:
        return None
    ytd, expected = target.get("year_to_date"), target.get("expected")
    if unit == "percent":
        if ytd is None:
            return None
        sentence = _("%(share)s so far this year, the target is at least %(wanted)s") % {
            "share": _amount(ytd, target),
            "wanted": _amount(wanted, target),
        }
        return {"sentence": sentence, "fill": min(ytd, 100.0), "target": wanted, "expected": None}
    so_far = target.get("year_to_date_text") or (None if ytd is None else _amount(ytd, target))
    if so_far is None:
        return None
    parts = []
    if target.get("final"):
        parts.append(_("Full year: %(value)s") % {"value": so_far})
    else:
        if expected is not None:
            parts.append(_("Expected by now: %(value)s") % {"value": _amount(expected, target)})
        parts.append(_("So far: %(value)s") % {"value": so_far})
    parts.append(_("The year's target: %(value)s") % {"value": _amount(wanted, target)})
    bar: dict = {"sentence": " · ".join(parts), "fill": None, "expected": None, "target": None}
    if ytd is None:  # withheld (fewer than the small-number limit): words only, no bar
        return bar
    scale = max(float(wanted), float(ytd), float(expected or 0)) or 1.0
    bar["fill"] = round(100 * ytd / scale, 1)
    bar["target"] = round(100 * wanted / scale, 1)
    if expected is not None and not target.get("final"):
        bar["expected"] = round(100 * expected / scale, 1)
    return bar


# The height of a line of a title above its bar, at the charts' 14 px font.
TITLE_LINE_PX = 20
# Room above the plot for the legend in three rows, as a phone shows it: plotly takes what a
# legend needs beyond its margin from the plot itself, and the rows drew into each other.
LEGEND_PX = 84


def section_chart(section: dict) -> dict:
    """Each count and cadence target of the section: the year so far as a share of the year's
    target, a marker where it should be by now, and a line at the year's target (100 %).

    Share targets are not in it: their bar shows the share itself (`target_bar`), which a
    "share of the year's target" scale would misstate. Titles stand above their bars (wrapped),
    not beside them, so the chart reads at 320 px.
    """
    rows = [
        t
        for commitment in section["commitments"]
        for t in commitment["targets"]
        if t.get("progress") is not None and t["unit"] in ("count", "periods")
    ]
    labels = [f"{index + 1}" for index in range(len(rows))]
    titles = ["<br>".join(textwrap.wrap(t["title"], 36)) for t in rows]
    # Each row as tall as the longest title needs, so no title reaches the bar above it, and
    # the legend raised above the first title: a three-line title ran over both (seen at 390 px).
    lines = max((title.count("<br>") + 1 for title in titles), default=1)
    row_px = 52 + TITLE_LINE_PX * lines
    shift = round(0.2 * row_px) + 6  # above the bar's half (the bar is 0.4 of its row)
    plot_px = row_px * len(rows) + 20
    first_lines = titles[0].count("<br>") + 1 if titles else 1
    overflow = max(0, shift + TITLE_LINE_PX * first_lines - row_px // 2)  # the first title above the plot
    # progress is capped nowhere for counts, so a passed target shows as more than 100 %.
    xs = [round(100 * t["year_to_date"] / t["target"], 1) if t.get("target") else t["progress"] for t in rows]
    expected = [
        round(100 * t["expected"] / t["target"], 1) if t.get("expected") is not None and t.get("target") else None
        for t in rows
    ]
    data: list[dict] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": _("So far this year"),
            "y": labels,
            "x": xs,
            "width": 0.4,
            "text": [of_text(t["year_to_date"], t["target"], t) for t in rows],
            "textposition": "auto",
            "insidetextanchor": "start",
            "marker": {"color": BAR_COLOUR},
            "hoverinfo": "skip",
        }
    ]
    if any(value is not None for value in expected):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Expected by now"),
                "y": labels,
                "x": expected,
                "marker": {
                    "symbol": "line-ns-open",
                    "size": 30,
                    "color": EXPECTED_COLOUR,
                    "line": {"width": 4, "color": EXPECTED_COLOUR},
                },
                "hoverinfo": "skip",
            }
        )
    data.append(
        {
            # The year's target as a legend entry; the line itself is the shape below.
            "type": "scatter",
            "mode": "lines",
            "name": _("The year's target"),
            "x": [None],
            "y": [None],
            "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
            "hoverinfo": "skip",
        }
    )
    return {
        "data": data,
        "layout": {
            "separators": ", ",
            "font": {"family": "system-ui, sans-serif", "size": 14, "color": "#1b1b1b"},
            "margin": {"l": 8, "r": 16, "t": overflow + LEGEND_PX, "b": 40},
            "showlegend": True,
            "legend": {
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": round(1 + (overflow + 4) / plot_px, 4),
                "yanchor": "bottom",
            },
            "xaxis": {
                "range": [0, max([105.0] + [x + 5 for x in xs])],
                "ticksuffix": " %",
                "fixedrange": True,
                "zeroline": False,
            },
            "yaxis": {"autorange": "reversed", "visible": False, "fixedrange": True},
            "shapes": [
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": 100,
                    "x1": 100,
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": TARGET_COLOUR, "dash": "dash", "width": 2},
                }
            ],
            "annotations": [
                {
                    "x": 0,
                    "y": label,
                    "xref": "x",
                    "yref": "y",
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "yshift": shift,
                    "showarrow": False,
                    "align": "left",
                    "text": title,
                }
                for label, title in zip(labels, titles, strict=True)
            ],
            "height": plot_px + overflow + LEGEND_PX + 40,
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
    }


def public_areas(*, promise: Promise, tertial: PublishedTertial | None) -> list[Area]:
    """The areas the published targets name, for links to their pages (whole municipality last)."""
    if tertial is None:
        return []
    names = {name for target in tertial.targets for name in target.get("areas", [])}
    return list(Area.objects.filter(municipality=promise.municipality_id, name__in=names))


def public_area(*, promise: Promise, slug: str) -> Area | None:
    return Area.objects.filter(municipality=promise.municipality_id, slug=slug).first()


def area_sections(*, tertial: PublishedTertial, area: Area) -> list[dict]:
    """The published targets that include the area, grouped as on the overview.

    `area_part` is the area's own year to date where the target spans several areas; None for a
    single-area target, a sensitive type (never per area) or a snapshot from before area parts.
    """
    targets = []
    for target in tertial.targets:
        areas = target.get("areas", [])
        if area.name not in areas:
            continue
        part = None
        if len(areas) > 1 and not target.get("sensitive"):
            part = (target.get("area_year_to_date") or {}).get(area.name)
        targets.append({**target, "area_part": part})
    return _group(targets)


def status_legend() -> list[dict]:
    """Each status in one plain sentence, in the order of the statuses (the legend of every public page)."""
    sentences = {
        Status.ON_TRACK: _("The year so far is where it should be by now, or ahead."),
        Status.AT_RISK: _(
            "The year so far is somewhat below where it should be by now; the target can still be reached."
        ),
        Status.BEHIND: _("The year so far is well below where it should be by now."),
        Status.NOT_STARTED: _("Nothing could be measured yet."),
        Status.ACHIEVED: _("The year's target has been reached."),
        Status.NOT_ACHIEVED: _("The year is over and the target was not reached."),
        Status.NOT_ASSESSED: _("The police and the municipality could not assess the target for the period."),
        Status.NO_STATUS: _("The police and the municipality have not given the target a status for the period."),
    }
    # Those of a running year first, as a reader meets them most of the year.
    return [{"status": str(status), "sentence": sentence} for status, sentence in sentences.items()]


def section_targets(sections: list[dict]) -> list[dict]:
    """The targets of grouped sections, in order (what a page's status counts are made of)."""
    return [target for section in sections for commitment in section["commitments"] for target in commitment["targets"]]


def status_counts(targets: list[dict]) -> list[dict]:
    """How many targets have each status, in the order of the statuses."""
    counts: dict[str, int] = {}
    for target in targets:
        counts[target["status"]] = counts.get(target["status"], 0) + 1
    return [{"status": status, "count": counts[status]} for status in Status.values if status in counts]


def tertial_words(tertial: int, year: int) -> str:
    """A tertial as people say it: "januari–april 2022"."""
    first, last = TERTIAL_MONTHS[tertial]
    return f"{MONTHS[first]}–{MONTHS[last]} {year}"


def follow_up_words(tertial: int, year: int) -> str:
    """What a tertial's follow-up covers, the year so far: "januari–augusti 2022"."""
    return f"{MONTHS[1]}–{MONTHS[TERTIAL_MONTHS[tertial][1]]} {year}"


def feed_publications(*, municipality: Municipality) -> list[Publication]:
    """Every version of every publication of the municipality's public promises, newest first
    (the Atom feed)."""
    return list(
        Publication.objects.filter(promise__in=Promise.objects.public().filter(municipality=municipality))
        .select_related("promise__municipality")
        .order_by("-published_at", "-pk")[:FEED_SIZE]
    )


# --- Earlier years --------------------------------------------------------------------------


def _recurrence_keys(target_ids: set[int]) -> dict[int, tuple]:
    """What makes a target the same one another year: its kind, its activity type (a share
    target's is its count target's), its period; the areas come from the snapshot."""
    rows = Target.objects.filter(pk__in=target_ids).values_list(
        "pk", "kind", "activity_type_id", "parent__activity_type_id", "period"
    )
    return {pk: (kind, own_type or parent_type, period) for pk, kind, own_type, parent_type, period in rows}


def _recurrence_key(target: dict, keys: dict[int, tuple]) -> tuple | None:
    key = keys.get(target["id"])
    if key is None or key[1] is None:  # gone since, or without an activity type (qualitative)
        return None
    return (*key, frozenset(target.get("areas", [])))


def _finals_by_key(publication: Publication, keys: dict[int, tuple]) -> dict[tuple, dict]:
    """An earlier year's published tertial 3, target by recurrence key, redacted for the public."""
    as_of = publication.snapshot["as_of"]
    found: dict[tuple, dict] = {}
    for target in publication.snapshot["targets"]:
        key = _recurrence_key(target, keys)
        if key is not None and key not in found:
            found[key] = redact_target(final_target(target, tertial=3, as_of=as_of))
    return found


def earlier_years(*, promise: Promise, tertial: PublishedTertial | None, area: Area | None = None) -> dict:
    """The promise's earlier years, and each recurring target's final outcome in them.

    A target recurs when an earlier year's published target has the same kind, activity type,
    period and areas (qualitative targets, without a type, never do). Earlier figures come
    only from the latest published version of each earlier year's tertial 3, redacted as every
    public figure is (small sensitive numbers withheld); an earlier year without a published
    tertial 3 is linked but has no column. With `area`, only the targets that include it.
    Three queries.
    """
    promises = list(
        Promise.objects.public().filter(municipality=promise.municipality_id, year__lt=promise.year).order_by("-year")
    )
    result: dict = {"promises": promises, "years": [], "rows": [], "sensitive": False}
    if not promises or tertial is None:
        return result
    finals: dict[int, Publication] = {}
    for publication in Publication.objects.filter(promise__in=promises, tertial=3).order_by("version"):
        finals[publication.promise_id] = publication  # the latest version wins
    years = [p for p in promises if p.pk in finals]
    if not years:
        return result
    current = [t for t in tertial.targets if area is None or area.name in t.get("areas", [])]
    ids = {t["id"] for t in current}
    for publication in finals.values():
        ids |= {t["id"] for t in publication.snapshot["targets"]}
    keys = _recurrence_keys(ids)
    by_year = [_finals_by_key(finals[earlier.pk], keys) for earlier in years]
    rows: list[dict] = []
    for target in current:
        key = _recurrence_key(target, keys)
        if key is None:
            continue
        cells = [{"promise": earlier, "target": found.get(key)} for earlier, found in zip(years, by_year, strict=True)]
        if any(cell["target"] is not None for cell in cells):
            rows.append({"target": target, "earlier": cells})
    result.update(years=years, rows=rows, sensitive=any(row["target"].get("sensitive") for row in rows))
    return result
