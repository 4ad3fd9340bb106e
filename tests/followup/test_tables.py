from datetime import date

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django_tables2 import RequestConfig

from followup.models import TargetComment
from followup.selectors import followup_rows, outside_totals
from followup.tables import FollowupTable
from promises.models import Target
from promises.periods import Tertial
from tests.factories import TargetFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022


@pytest.mark.parametrize(("tertial", "final"), [(1, False), (2, False), (3, True)])
def test_followup_table_cells_are_what_django_tables2_renders(tertial, final):
    """FollowupTable.body_cells renders the cells itself (FollowupTable._cell): every kind of
    target, a comment, a published figure that has changed since, entries outside every
    target's areas and the year-end columns give the same cells as BoundRow.get_cell."""
    world = World(year=YEAR)
    commitment = world.patrol_target.commitment
    TargetFactory(
        commitment=commitment,
        kind=Target.Kind.SHARE,
        count=None,
        share_percent=30,
        parent=world.patrol_target,
        activity_type=None,
        areas=[],
    )
    qualitative = TargetFactory(
        commitment=commitment, kind=Target.Kind.QUALITATIVE, count=None, activity_type=None, areas=[]
    )
    world.log(world.patrol, 12, date(YEAR, 2, 1))
    world.log(world.patrol, 3, date(YEAR, 6, 1), area=world.whole)  # outside every target's areas
    world.log(world.report, 1, date(YEAR, 1, 5))
    TargetComment.objects.create(target=qualitative, tertial=1, manual_status="not_assessed", updated_by=world.manager)
    world.publish(1)
    world.log(world.patrol, 5, date(YEAR, 3, 1))  # T1 differs from what was published
    TargetComment.objects.update_or_create(
        target=qualitative,
        tertial=tertial,
        defaults={"analysis": "Det går <b>bra</b> " * 30, "manual_status": "on_track", "updated_by": world.manager},
    )
    period = Tertial(YEAR, tertial)
    rows = followup_rows(promise=world.promise, tertial=period, as_of=period.end)
    table = FollowupTable(
        rows, tertial=tertial, final=final, outside=outside_totals(promise=world.promise, until=period.end)
    )
    RequestConfig(RequestFactory().get("/"), paginate=False).configure(table)

    ours = [[cell for _td, cell in cells] for _row, cells in table.body_cells()]

    assert ours == [[row.get_cell(column.name) for column in table.columns] for row in table.paginated_rows]
    assert len(ours) == 6


@pytest.mark.parametrize("final", [False, True])
def test_followup_table_markup_is_what_template_loops_over_its_columns_give(final):
    """The header and the rows are joined in Python (FollowupTable.head_cells, body_rows): the
    same markup as template loops over django-tables2's columns and cells, as includes/table.html
    has them for columns none of which is orderable (no sort link, no aria-sort), whitespace aside."""
    world = World(year=YEAR)
    world.log(world.patrol, 12, date(YEAR, 2, 1))
    period = Tertial(YEAR, 3)
    rows = followup_rows(promise=world.promise, tertial=period, as_of=period.end)
    table = FollowupTable(rows, tertial=3, final=final)
    RequestConfig(RequestFactory().get("/"), paginate=False).configure(table)
    looped = Template(
        "{% for column in table.columns %}"
        '<th scope="col" {{ column.attrs.th.as_html }}>{{ column.header }}</th>'
        "{% endfor %}|"
        "{% for row in table.paginated_rows %}"
        "{% for column, cell in row.items %}<td {{ column.attrs.td.as_html }}>{{ cell }}</td>{% endfor %}"
        "{% endfor %}"
    ).render(Context({"table": table}))
    assert table.head_cells() + "|" + "".join(cells for _row, cells in table.body_rows()) == looped
    assert "<th" in table.head_cells()
