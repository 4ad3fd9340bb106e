"""The open-data files per year and tertial: Swedish Excel CSV and XLSX, published figures only."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from followup.services import target_comment_save
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022


def _world() -> World:
    world = World(year=YEAR)
    world.log(world.patrol, 200, date(YEAR, 2, 1))
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis='=HYPERLINK("x")', measures="Fler pass."
    )
    world.publish(1)
    return world


def _csv(client, url: str) -> tuple[bytes, list[dict]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = response.content
    # As Swedish Excel opens it: UTF-8 with a byte-order mark, ';' between fields.
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_download_csv_opens_as_swedish_excel_would(client):
    world = _world()
    raw, rows = _csv(client, reverse("public:download", args=["jonkoping", YEAR, 1, "csv"]))
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    patrol = next(r for r in rows if r["Mål"] == world.patrol_target.title)
    assert (patrol["År"], patrol["Tertial"], patrol["Period"], patrol["Version"]) == (
        "2022",
        "1",
        "januari–april 2022",
        "1",
    )
    assert (patrol["Målvärde"], patrol["Utfall i tertialet"], patrol["Hittills i år"]) == ("800", "200", "200")
    assert patrol["Förväntat"] == "263"
    assert patrol["Enhet"] == "antal"  # the unit counted in, not "nummer" (a number that names)
    drugs = next(r for r in rows if r["Mål"] == world.drugs_target.title)
    assert drugs["Förväntat"] == "17"  # 52 × 120/365 days = 17.1, in whole offences
    assert patrol["Andel av årets mål (%)"] == "25"
    assert patrol["Status"] == "Efter"
    assert patrol["Analys"] == '\'=HYPERLINK("x")'  # shown, never run
    assert patrol["Beslutade åtgärder"] == "Fler pass."


def test_download_xlsx_reads_back_with_numbers_and_words(client):
    world = _world()
    response = client.get(reverse("public:download", args=["jonkoping", YEAR, 1, "xlsx"]))
    assert response["Content-Disposition"] == 'attachment; filename="medborgarlofte-jonkoping-2022-tertial-1.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    patrol = next(r for r in rows if r["Mål"] == world.patrol_target.title)
    assert (patrol["Målvärde"], patrol["Hittills i år"], patrol["Status"]) == (800, 200, "Efter")
    drugs = next(r for r in rows if r["Mål"] == world.drugs_target.title)
    assert drugs["Förväntat"] == 17
    assert patrol["Analys"] == '\'=HYPERLINK("x")'


def test_downloads_hold_only_published_figures(client):
    world = _world()
    world.log(world.patrol, 4444, date(YEAR, 3, 1))  # after publishing
    world.log(world.patrol, 777, date(YEAR, 6, 1))  # T2, not published
    target_comment_save(target=world.patrol_target, tertial=1, user=world.manager, analysis="Utkast.", measures="")
    _raw, rows = _csv(client, reverse("public:download_year", args=["jonkoping", YEAR, "csv"]))
    assert {r["Tertial"] for r in rows} == {"1"}
    text = str(rows)
    for secret in ("4644", "4444", "777", "Utkast."):
        assert secret not in text
    assert client.get(reverse("public:download", args=["jonkoping", YEAR, 2, "csv"])).status_code == 404


def test_year_download_has_every_published_tertial(client):
    world = _world()
    world.log(world.patrol, 100, date(YEAR, 6, 1))
    world.publish(2)
    _raw, rows = _csv(client, reverse("public:download_year", args=["jonkoping", YEAR, "csv"]))
    patrol = [(r["Tertial"], r["Hittills i år"]) for r in rows if r["Mål"] == world.patrol_target.title]
    assert patrol == [("1", "200"), ("2", "300")]


def test_downloads_apply_the_small_number_rule(client):
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    world.log(world.patrol, 2, date(YEAR, 2, 1))
    world.publish(1)
    _raw, rows = _csv(client, reverse("public:download", args=["jonkoping", YEAR, 1, "csv"]))
    patrol = next(r for r in rows if r["Mål"] == world.patrol_target.title)
    assert (patrol["Utfall i tertialet"], patrol["Hittills i år"], patrol["Andel av årets mål (%)"]) == ("", "", "")
    assert patrol["Anteckning"] == "färre än 3"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/jonkoping/oppna-data/2022/tertial-1.pdf", "Det finns filer att ladda ner som CSV eller XLSX."),
        ("/jonkoping/oppna-data/2022/tertial-4.csv", "Ett år har tertialerna 1, 2 och 3."),
        ("/jonkoping/oppna-data/2022/tertial-0.csv", "Ett år har tertialerna 1, 2 och 3."),  # the year is hela-aret.csv
        ("/jonkoping/oppna-data/1999/hela-aret.csv", "Jönköping har inget medborgarlöfte för 1999."),
    ],
)
def test_download_errors_are_404s_in_words(client, url, message):
    _world()
    response = client.get(url)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_open_data_page_links_each_published_tertial(client):
    _world()
    body = client.get(reverse("public:open_data", args=["jonkoping"])).content.decode()
    assert "Uppföljning januari–april 2022 (version 1, publicerad" in body
    for url in (
        "/jonkoping/oppna-data/2022/tertial-1.csv",
        "/jonkoping/oppna-data/2022/tertial-1.xlsx",
        "/jonkoping/2022/rapport/1/pdf/",
        "/jonkoping/2022/rapport/1/",
        "/jonkoping/oppna-data/2022/hela-aret.csv",
        "/jonkoping/oppna-data/2022/hela-aret.xlsx",
    ):
        assert f'href="{url}"' in body
    assert "/jonkoping/oppna-data/2022/tertial-2.csv" not in body
