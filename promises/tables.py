"""One django-tables2 Table per list, on a base that fixes the Swedish, accessible markup."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from promises.models import Activity


class BaseTable(tables.Table):
    """Shared markup: a caption, aria-sort on sorted columns and translated pagination."""

    caption = ""

    class Meta:
        template_name = "includes/table.html"
        attrs = {"class": "data-table"}


# The fields only some activity types have.
OPTIONAL_COLUMNS = ("first_time_user", "duration_minutes", "description", "note")


def _empty(**kwargs) -> str:
    # django-tables2 passes the cell as rendered (its default "—" when empty), and skips a
    # function whose named arguments it cannot all fill: a catch-all is called for every cell.
    return "true" if kwargs.get("value") in (None, "", kwargs["bound_column"].default) else "false"


class ActivityTable(BaseTable):
    date = tables.DateColumn(verbose_name=_("Date"), format="Y-m-d")
    activity_type = tables.Column(verbose_name=_("Activity"), order_by=("activity_type__order", "activity_type__name"))
    area = tables.Column(verbose_name=_("Area"), order_by=("area__name",))
    quantity = tables.Column(verbose_name=_("Quantity"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    first_time_user = tables.BooleanColumn(verbose_name=_("First-time user"), null=True, yesno=(_("Yes"), _("No")))
    duration_minutes = tables.Column(verbose_name=_("Minutes"), attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    description = tables.Column(verbose_name=_("Description"), orderable=False)
    note = tables.Column(verbose_name=_("Note"), orderable=False)
    organisation = tables.Column(verbose_name=_("Organisation"), accessor="organisation__short_name")
    created_by = tables.Column(verbose_name=_("Logged by"), accessor="created_by__username")
    actions = tables.TemplateColumn(
        template_name="staff/includes/activity_actions.html",
        verbose_name=_("Actions"),
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(BaseTable.Meta):
        model = Activity
        fields = (
            "date",
            "activity_type",
            "area",
            "quantity",
            "first_time_user",
            "duration_minutes",
            "description",
            "note",
            "organisation",
            "created_by",
            "actions",
        )
        order_by = ("-date",)
        empty_text = _("No entries match.")
        attrs = {"class": "data-table activity-table"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.columns.iterall():
            # data-label names each value when a phone shows every entry as a card (site.css),
            # so the actions are on the card instead of off to the right of a scrolled table.
            attrs = dict(bound.column.attrs)
            td = dict(attrs.get("td", {}))
            td["class"] = f"{td.get('class', '')} col-{bound.name}".strip()
            td["data-label"] = str(bound.header)
            if bound.name in OPTIONAL_COLUMNS:
                # A card leaves out what the entry's type does not have ("Minuter: —" on a patrol).
                td["data-empty"] = _empty
            attrs["td"] = td
            bound.column.attrs = attrs

    # Exports (medborgarlofte.exports) take typed values: a date, a boolean, numbers.
    def value_date(self, value):
        return value

    def value_first_time_user(self, value):
        return value
