import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, get_text_list
from django.utils.translation import gettext_lazy as _

from followup.models import Status
from promises.models import Target
from promises.tables import BaseTable

STATUS_ICONS = {
    Status.ACHIEVED: "✔",
    Status.NOT_ACHIEVED: "✘",
    Status.ON_TRACK: "▲",
    Status.AT_RISK: "!",
    Status.BEHIND: "▼",
    Status.NOT_STARTED: "○",
    Status.NOT_ASSESSED: "?",
    Status.NO_STATUS: "–",
}
# Columns that only make sense while the year runs, and the one that replaces them at year end.
RUNNING_COLUMNS = ("expected", "attainment", "forecast")
FINAL_COLUMNS = ("difference",)


def format_value(value, unit: str) -> str:
    """A figure as the users read it: decimal comma, % for shares, whole counts where whole."""
    if value is None:
        return "–"
    if unit == "percent":
        # A no-break space: "19,6 %" never breaks between the number and its sign.
        return f"{number_format(value, 1)}\u00a0%"
    if float(value).is_integer():
        return number_format(int(value), 0, force_grouping=True)
    return number_format(value, 1, force_grouping=True)


def difference_text(difference, unit: str) -> str:
    """The full-year outcome against the target, in words: "72 fewer than the target"."""
    if difference is None:
        return "–"
    if difference == 0:
        return str(_("exactly the target"))
    amount = abs(difference)
    if unit == "percent":
        points = number_format(amount, 1)
        if difference > 0:
            return _("%(points)s percentage points above the target") % {"points": points}
        return _("%(points)s percentage points below the target") % {"points": points}
    count = format_value(amount, "count")
    if difference > 0:
        return _("%(count)s more than the target") % {"count": count}
    return _("%(count)s fewer than the target") % {"count": count}


def outside_text(totals) -> str:
    """What was logged outside every target's areas, in words (followup.selectors.outside_totals):
    "Also 140 in Huskvarna and 3 in Ekhagen, which no target counts." Empty when nothing was."""
    if not totals:
        return ""
    parts: list = [
        _("%(count)s in %(area)s") % {"count": format_value(item.total, "count"), "area": item.area} for item in totals
    ]
    return _("Also %(list)s, which no target counts.") % {"list": get_text_list(parts, _("and"))}


def status_html(status: str):
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        status,
        STATUS_ICONS[Status(status)],
        Status(status).label,
    )


class FollowupTable(BaseTable):
    """One row per target; rows arrive ordered by section and commitment."""

    commitment = tables.Column(verbose_name=_("Commitment"), accessor="commitment__label", orderable=False)
    title = tables.Column(verbose_name=_("Target"), accessor="target__title", orderable=False)
    target_value = tables.Column(verbose_name=_("Target value"), accessor="result__target", orderable=False)
    outcome = tables.Column(verbose_name=_("Outcome in tertial"), accessor="result__outcome", orderable=False)
    year_to_date = tables.Column(verbose_name=_("Year to date"), accessor="result__year_to_date", orderable=False)
    difference = tables.Column(
        verbose_name=_("Difference to the target"), accessor="result__difference", orderable=False
    )
    expected = tables.Column(verbose_name=_("Expected"), accessor="result__expected", orderable=False)
    attainment = tables.Column(verbose_name=_("Attainment"), accessor="result__attainment", orderable=False)
    forecast = tables.Column(verbose_name=_("Forecast"), accessor="result__forecast", orderable=False)
    status = tables.Column(verbose_name=_("Status"), accessor="result__status", orderable=False)
    comment = tables.Column(verbose_name=_("Comment"), accessor="comment__analysis", orderable=False, default="")

    class Meta(BaseTable.Meta):
        template_name = "manager/includes/followup_table.html"
        attrs = {"class": "data-table followup-table"}

    def __init__(self, *args, tertial: int, final: bool = False, outside: dict | None = None, **kwargs):
        """`final`: the year is over, the year to date is the full-year outcome and the
        difference to the target replaces expected, attainment and forecast. `outside`: per
        activity type, what was logged where no target counts it (shown beside count targets)."""
        kwargs["exclude"] = tuple(kwargs.get("exclude") or ()) + (RUNNING_COLUMNS if final else FINAL_COLUMNS)
        super().__init__(*args, **kwargs)
        self.tertial = tertial
        self.final = final
        self.outside = outside or {}
        # Said once per activity type, under its first count target: under each of them it read
        # as more entries than there are.
        self.outside_under: dict[int, int] = {}
        for record in self.data:
            target = record.target
            if target.kind == Target.Kind.COUNT and self.outside.get(target.activity_type_id):
                self.outside_under.setdefault(target.activity_type_id, target.pk)
        if final:
            self.columns["year_to_date"].column.verbose_name = _("Full-year outcome")
        numeric = ("target_value", "outcome", "year_to_date", "expected", "attainment", "forecast", "difference")
        for bound in self.columns.iterall():
            kind = "num " if bound.name in numeric else ""
            # data-label names the figure when a phone shows each row as a card (site.css).
            bound.column.attrs = {
                "td": {"class": f"{kind}col-{bound.name}", "data-label": str(bound.header)},
                "th": {"class": f"{kind}col-{bound.name}"},
            }

    def body_cells(self) -> list[tuple]:
        """Each row with its cells, as (row, [(the cell's <td> attributes, the cell)]).

        The attributes are the same for every cell of a column (fixed dicts, no callables), so
        they are rendered once per column here instead of once per cell in the template, where
        they cost about as much as the cells themselves.
        """
        columns = [(bound, bound.attrs["td"].as_html()) for bound in self.columns]
        return [(row, [(td, self._cell(bound, row.record)) for bound, td in columns]) for row in self.paginated_rows]

    def head_cells(self) -> str:
        """The header's cells, joined here like the rows' (includes/table.html's loop, for
        columns none of which is orderable)."""
        return mark_safe(  # the attributes are rendered by django-tables2, every header is escaped here
            "".join(
                f'<th scope="col" {bound.attrs["th"].as_html()}>{conditional_escape(bound.header)}</th>'
                for bound in self.columns
            )
        )

    def body_rows(self) -> list[tuple]:
        """Each row with its cells' HTML, as (row, "<td …>…</td>…"): joined here, not by a loop
        over the cells in the template, which took as long as working the cells out."""
        return [
            # Safe: the attributes are rendered by django-tables2 (escaped), every cell is escaped here.
            (row, mark_safe("".join(f"<td {td}>{conditional_escape(cell)}</td>" for td, cell in cells)))
            for row, cells in self.body_cells()
        ]

    def _cell(self, bound, record):
        """A cell as django-tables2's BoundRow.get_cell renders it, without inspecting the render
        method's signature for every cell (the larger part of the table's cost). It holds for
        these columns: no model field with choices, no links; a test compares the two."""
        value = bound.accessor.resolve(record, quiet=True)
        if value in bound.column.empty_values:
            return bound.default
        render = getattr(self, f"render_{bound.name}", None)
        return render(value, record) if render is not None else bound.column.render(value)

    def _unit(self, record) -> str:
        return record.result.unit

    def render_title(self, value, record):
        url = reverse("followup:target", args=[record.target.pk]) + f"?tertial={self.tertial}"
        return format_html('<a href="{}">{}</a>', url, value)

    def render_target_value(self, value, record):
        if record.result.unit == "periods":
            return _("every %(period)s") % {"period": record.target.get_period_display().lower()}
        return format_value(value, record.result.unit)

    def render_outcome(self, value, record):
        changed = ""
        if record.changed_since_publication:
            published = format_value(record.published.get("outcome"), record.result.unit)
            changed = format_html(' <span class="changed">({} {})</span>', _("published:"), published)
        return format_html("{}{}", format_value(value, record.result.unit), changed)

    def render_year_to_date(self, value, record):
        figure = format_value(value, record.result.unit)
        target = record.target
        if self.outside_under.get(target.activity_type_id) == target.pk:
            return format_html(
                '{}<br><span class="outside">{}</span>', figure, outside_text(self.outside[target.activity_type_id])
            )
        return figure

    def render_difference(self, value, record):
        return difference_text(value, record.result.unit)

    def render_expected(self, value, record):
        return format_value(value, record.result.unit)

    def render_attainment(self, value, record):
        return format_value(value, "percent")

    def render_forecast(self, value, record):
        return format_value(value, record.result.unit)

    def render_status(self, value, record):
        return status_html(value)

    def render_comment(self, value, record):
        return Truncator(value).words(20)

    # Exports (medborgarlofte.exports): numbers as numbers, the status in words, the whole comment.
    def value_status(self, value, record):
        return str(Status(value).label)

    def value_title(self, value, record):
        return value

    def value_target_value(self, value, record):
        if record.result.unit == "periods":
            return self.render_target_value(value, record)
        return value

    def value_outcome(self, value, record):
        return value

    def value_year_to_date(self, value, record):
        return value

    def value_expected(self, value, record):
        return value

    def value_attainment(self, value, record):
        return value

    def value_forecast(self, value, record):
        return value

    def value_comment(self, value, record):
        return value
