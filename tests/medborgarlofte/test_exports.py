"""Every file we produce: one Swedish Excel dialect, and no cell a spreadsheet would run."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from followup.services import target_comment_save
from medborgarlofte import exports
from promises.importing import import_template_csv
from tests.factories import World

YEAR = 2022
# OWASP's CSV-injection openers: =, +, -, @, tab, carriage return.
DANGEROUS = [
    '=HYPERLINK("http://evil","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]


def _read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def _read_xlsx(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).active
    return sheet, [list(row) for row in sheet.iter_rows()]


def _assert_safe_csv(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            assert not value.startswith(exports.FORMULA_PREFIXES), value


def _assert_safe_xlsx(cell_rows) -> None:
    for row in cell_rows:
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
                assert not cell.value.startswith(exports.FORMULA_PREFIXES), cell.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "ja"),
        (False, "nej"),
        (3, "3"),
        (532.6, "532,6"),
        (0.1 + 0.2, "0,3"),
        (90.0, "90"),
        (date(2022, 3, 1), "2022-03-01"),
        ("Råslätt", "Råslätt"),
        ("=1+1", "'=1+1"),
        ("+46", "'+46"),
        ("-", "'-"),
        ("-3", "-3"),  # a plain number, as typed: Excel reads it as one and runs nothing
        ("-2,5", "-2,5"),
        ("-2+3", "'-2+3"),  # a formula
        ("-3\n=1", "'-3\n=1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
    ],
)
def test_csv_cell_writes_the_swedish_dialect(value, expected):
    assert exports.csv_cell(value) == expected


def test_csv_bytes_is_swedish_excel():
    content = exports.csv_bytes(["Namn", "Antal"], [["Råslätt", 1.5], ["Öxnehaga", 2]])
    assert content == "\ufeffNamn;Antal\r\nRåslätt;1,5\r\nÖxnehaga;2\r\n".encode()


def test_xlsx_bytes_writes_numbers_as_numbers_text_as_text_and_a_filter():
    sheet, rows = _read_xlsx(
        exports.xlsx_bytes(["Datum", "Antal", "Text"], [[date(2022, 3, 1), 1.5, "=1+1"], [date(2022, 3, 2), 2, "x"]])
    )
    assert sheet.auto_filter.ref == "A1:C3"
    assert [cell.value for cell in rows[0]] == ["Datum", "Antal", "Text"]
    assert rows[1][0].value.date() == date(2022, 3, 1)
    assert rows[1][0].number_format == "yyyy-mm-dd"
    assert (rows[1][1].value, rows[1][1].data_type) == (1.5, "n")
    assert (rows[1][2].value, rows[1][2].data_type) == ("'=1+1", "s")


@pytest.mark.django_db
@pytest.mark.parametrize("dangerous", DANGEROUS)
def test_every_export_neutralises_formulas_in_every_free_text_field(client, dangerous):
    world = World(year=YEAR)
    # Free text staff type: the note and the description of an entry.
    entry = world.log(world.measure, 2, date(YEAR, 2, 1))
    entry.note = dangerous
    entry.description = dangerous
    entry.save()
    world.log(world.patrol, 3, date(YEAR, 2, 2))
    # Free text managers type: the analysis and measures of a target's comment.
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis=dangerous, measures=dangerous
    )
    # Free text administrators type: the promise's, section's, commitment's and target's words.
    world.promise.title = dangerous
    world.promise.save()
    commitment = world.patrol_target.commitment
    commitment.text = dangerous
    commitment.save()
    commitment.section.title = dangerous
    commitment.section.save()
    world.patrol_target.title = dangerous
    world.patrol_target.save()
    world.publish(1)

    client.force_login(world.manager)
    dashboard = reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1"
    files = {
        "entries": reverse("activity_list") + "?_export={}",
        "dashboard": dashboard + "&_export={}",
        "open data, a tertial": f"/jonkoping/oppna-data/{YEAR}/tertial-1.{{}}",
        "open data, the year": f"/jonkoping/oppna-data/{YEAR}/hela-aret.{{}}",
    }
    seen_csv = []
    for name, url in files.items():
        csv_response = client.get(url.format("csv"))
        assert csv_response.status_code == 200, name
        rows = _read_csv(csv_response.content)
        _assert_safe_csv(rows)
        seen_csv.append("\n".join(";".join(row) for row in rows))
        xlsx_response = client.get(url.format("xlsx"))
        sheet, cell_rows = _read_xlsx(xlsx_response.content)
        _assert_safe_xlsx(cell_rows)
        assert sheet.auto_filter.ref.startswith("A1:"), name
        # XML reads a carriage return back as a line feed.
        expected = ("'" + dangerous).replace("\r", "\n")
        assert any(cell.value == expected for row in cell_rows for cell in row), name
    for url in (
        reverse("api:promises") + "?format=csv",
        reverse("api:followup", args=["0680", YEAR, 1]) + "?format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        rows = _read_csv(response.content)
        _assert_safe_csv(rows)
        seen_csv.append("\n".join(";".join(row) for row in rows))
    # The text is there, neutralised, in the entries, the dashboard, the open-data downloads and
    # the open-data follow-up (the list of promises has no free text of its own).
    del seen_csv[4]
    assert all("'" + dangerous in text for text in seen_csv), seen_csv
    _assert_safe_csv(_read_csv(import_template_csv()))


@pytest.mark.django_db
def test_entries_export_writes_numbers_dates_and_ja_nej(client):
    world = World(year=YEAR)
    world.log(world.drugs, 2, date(YEAR, 2, 1)).__class__.objects.filter(activity_type=world.drugs).update(
        first_time_user=True
    )
    client.force_login(world.manager)
    rows = _read_csv(client.get(reverse("activity_list") + "?_export=csv").content)
    assert rows[0][:5] == ["Datum", "Aktivitet", "Område", "Antal", "Förstagångsanvändare"]
    assert rows[1][:5] == ["2022-02-01", "Narkotikabrott", "Råslätt", "2", "ja"]
    sheet, cells = _read_xlsx(client.get(reverse("activity_list") + "?_export=xlsx").content)
    assert (cells[1][3].value, cells[1][3].data_type) == (2, "n")
    assert cells[1][4].value == "ja"
    assert cells[1][0].value.date() == date(2022, 2, 1)
    assert sheet.auto_filter.ref == "A1:J2"


@pytest.mark.django_db
def test_dashboard_export_has_decimal_commas_and_the_status_in_words(client):
    world = World(year=YEAR)
    world.log(world.patrol, 133, date(YEAR, 2, 1))
    client.force_login(world.manager)
    dashboard = reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1"
    rows = _read_csv(client.get(dashboard + "&_export=csv").content)
    header = rows[0]
    patrol = next(row for row in rows if row[1] == world.patrol_target.title)
    record = dict(zip(header, patrol, strict=True))
    assert record["Målvärde"] == "800"
    assert record["Hittills i år"] == "133"
    assert record["Måluppfyllelse"] == "50,6"
    assert record["Status"] in {"Uppnått", "Enligt plan", "Risk", "Efter", "Ej påbörjat"}
    _, cells = _read_xlsx(client.get(dashboard + "&_export=xlsx").content)
    xlsx_header = [cell.value for cell in cells[0]]
    xlsx_patrol = next(row for row in cells if row[1].value == world.patrol_target.title)
    assert xlsx_patrol[xlsx_header.index("Målvärde")].data_type == "n"
    assert xlsx_patrol[xlsx_header.index("Hittills i år")].value == 133


@pytest.mark.django_db
def test_open_data_csv_writes_ja_nej_and_decimal_commas(client):
    world = World(year=YEAR)
    world.log(world.patrol, 133, date(YEAR, 2, 1))
    world.publish(1)
    rows = _read_csv(client.get(reverse("api:followup", args=["0680", YEAR, 1]) + "?format=csv").content)
    patrol = dict(zip(rows[0], next(row for row in rows if row[0] == world.patrol_target.key), strict=True))
    assert (patrol["sensitive"], patrol["target"], patrol["year_to_date"]) == ("nej", "800", "133")
    assert patrol["attainment"] == "50,6"  # 133 of the 263 expected by 30 April
    assert not {value for row in rows[1:] for value in row} & {"True", "False"}


def test_import_template_is_in_the_same_dialect():
    rows = _read_csv(import_template_csv())
    assert rows[0][:3] == ["datum", "aktivitet", "område"]
    assert import_template_csv().count(b"\r\n") == len(rows)
