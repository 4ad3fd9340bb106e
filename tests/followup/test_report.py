"""The report handed out: the managers' and the public version, on the page and as PDF."""

import io
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from followup.report import bar_chart, bar_label
from followup.services import target_comment_save
from tests.factories import CommitmentFactory, SectionFactory, TargetFactory, UserFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022


def _pages(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def _two_sections(world: World) -> None:
    """A second section, so that the report has two to put on pages of their own."""
    section = SectionFactory(promise=world.promise, title="Trygghetsskapande arbete")
    TargetFactory(
        commitment=CommitmentFactory(section=section),
        title="Trafikkontroller Öxnehaga",
        activity_type=world.traffic,
        count=200,
        areas=[world.oxnehaga],
    )


def _published_world() -> World:
    world = World(year=YEAR)
    world.patrol_target.title = "Fotpatrullering Råslätt"
    world.patrol_target.save()
    _two_sections(world)
    world.log(world.patrol, 200, date(YEAR, 2, 1))
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis="Bra takt.", measures="Fler pass."
    )
    world.publish(1)
    return world


def test_public_report_pdf_has_a_page_per_section_with_its_figures(client):
    _published_world()
    response = client.get(reverse("public:report_pdf", args=["jonkoping", YEAR, 1]))
    assert response["Content-Disposition"] == 'attachment; filename="medborgarlofte-jonkoping-2022-tertial-1.pdf"'
    pages = _pages(response)
    cover, first, second = pages[0], pages[1], pages[-1]
    assert "Medborgarlöfte 2022: uppföljning januari–april" in cover
    assert "Polisen" in cover
    assert "Jönköpings kommun" in cover
    assert "Version" in cover
    assert "Publicerad" in cover
    assert ". Polisiärt arbete\n" in first  # the heading, numbered
    assert "Trygghetsskapande arbete" not in first
    assert "Trygghetsskapande arbete" in second
    assert "Polisiärt arbete" not in second.split("Trygghetsskapande")[0]
    # The chart's label and the table's figures, from the snapshot.
    assert "200 av 800 · väntat vid den här tiden 263" in first
    assert "Fotpatrullering Råslätt" in first
    assert "Bra takt." in first
    assert "Beslutade åtgärder: Fler" in first
    assert "Sida 2 av" in first


def test_public_report_page_has_chart_table_and_print_stylesheet(client):
    _published_world()
    body = client.get(reverse("public:report", args=["jonkoping", YEAR, 1])).content.decode()
    assert '<link rel="stylesheet" href="/static/css/report.css">' in body
    assert '<svg class="bar-chart"' in body
    assert '">Polisiärt arbete: mål och utfall</caption>' in body
    assert 'href="/jonkoping/2022/rapport/1/pdf/"' in body
    assert "<script" not in body  # the chart is drawn without JavaScript


def test_public_report_shows_only_published_figures(client):
    world = _published_world()
    world.log(world.patrol, 4444, date(YEAR, 3, 1))  # after publishing, in the published tertial
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis="Hemligt utkast.", measures=""
    )
    page = client.get(reverse("public:report", args=["jonkoping", YEAR, 1])).content.decode()
    pdf = "\n".join(_pages(client.get(reverse("public:report_pdf", args=["jonkoping", YEAR, 1]))))
    for text in (page, pdf):
        assert "Bra takt." in text
        assert "4644" not in text
        assert "4 644" not in text
        assert "Hemligt utkast." not in text


def test_public_report_applies_the_small_number_rule(client):
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    world.log(world.patrol, 2, date(YEAR, 2, 1))
    world.publish(1)
    page = client.get(reverse("public:report", args=["jonkoping", YEAR, 1])).content.decode()
    pdf = "\n".join(_pages(client.get(reverse("public:report_pdf", args=["jonkoping", YEAR, 1]))))
    for text in (page, pdf):
        assert "färre än 3" in text
        assert "2 av 800" not in text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/jonkoping/2022/rapport/2/", "Tertial 2 2022 har inte publicerats."),
        ("/jonkoping/2022/rapport/4/pdf/", "Ett år har tertialerna 1, 2 och 3."),
        ("/jonkoping/2031/rapport/1/", "Jönköping har inget medborgarlöfte för 2031."),
    ],
)
def test_public_report_of_an_unpublished_tertial_is_a_404_in_words(client, url, message):
    _published_world()
    response = client.get(url)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_manager_report_pdf_is_the_draft_with_todays_figures(client):
    world = World(year=YEAR)
    world.log(world.patrol, 30, date(YEAR, 2, 1))
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis="Utkast till analys.", measures=""
    )
    client.force_login(world.municipal_manager)
    response = client.get(reverse("followup:report_pdf", args=[world.promise.pk, 1]))
    assert response["Content-Disposition"] == 'attachment; filename="uppfoljning-2022-T1.pdf"'
    text = "\n".join(_pages(response))
    assert "Inte publicerad än" in text
    assert "30 av 800" in text
    assert "Utkast till analys." in text


@pytest.mark.parametrize("view", ["followup:report", "followup:report_pdf"])
def test_manager_report_is_for_managers_of_any_party_only(client, view):
    world = World(year=YEAR)
    url = reverse(view, args=[world.promise.pk, 1])
    got = {}
    for persona, user in {
        "police_manager": world.manager,
        "municipal_manager": world.municipal_manager,
        "police_staff": world.officer,
        "municipal_staff": world.clerk,
        "no_role": UserFactory(organisation=None),
        "anonymous": None,
    }.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        got[persona] = client.get(url).status_code
    assert got == {
        "police_manager": 200,
        "municipal_manager": 200,
        "police_staff": 403,
        "municipal_staff": 403,
        "no_role": 403,
        "anonymous": 302,
    }


def _target(**values) -> dict:
    base = {
        "title": "Fotpatrullering Råslätt",
        "unit": "count",
        "period": "",
        "target": 800.0,
        "year_to_date": 480.0,
        "expected": 533.0,
        "progress": 60.0,
        "final": False,
    }
    return {**base, **values}


def test_bar_chart_marks_the_target_and_what_was_expected_by_now():
    chart = bar_chart([_target()])
    (row,) = chart["rows"]
    assert chart["target_x"] == 640.0  # the scale ends at the year's target
    assert row["bar_width"] == 384.0  # 60 %
    assert row["expected_x"] == round(640 * 533 / 800, 1)
    assert row["label"] == "480 av 800 · väntat vid den här tiden 533"


def test_bar_chart_beyond_the_target_and_without_a_marker_at_year_end():
    chart = bar_chart([_target(year_to_date=1000.0, progress=125.0, final=True, expected=None)])
    (row,) = chart["rows"]
    assert row["bar_width"] == 640.0
    assert chart["target_x"] == 512.0  # 100 of 125
    assert row["expected_x"] is None
    assert row["label"] == "1\u00a0000 av 800 under året"


def test_bar_chart_leaves_out_what_has_no_number():
    assert bar_chart([_target(progress=None), _target(unit="none", progress=None)])["rows"] == []


@pytest.mark.parametrize(
    ("values", "label"),
    [
        (
            {"unit": "percent", "year_to_date": 18.4, "target": 20.0, "expected": 20.0},
            "18,4\u00a0%, målet är minst 20,0\u00a0%",
        ),
        (
            {"unit": "periods", "period": "week", "year_to_date": 30.0, "target": 52.0, "expected": 34.0},
            "30 av 34 veckor hittills täckta, 52 under året",
        ),
    ],
)
def test_bar_label_in_words(values, label):
    assert bar_label(_target(**values)) == label


def test_public_follow_up_links_its_report(client):
    _published_world()
    for url in (reverse("public:index"), reverse("public:year", args=["jonkoping", YEAR])):
        body = client.get(url).content.decode()
        assert '<a href="/jonkoping/2022/rapport/1/">Rapporten att skriva ut eller dela ut</a>' in body
        assert '<a href="/jonkoping/2022/rapport/1/pdf/">PDF</a>' in body


def test_public_report_reads_snapshots_not_activities(client):
    _published_world()
    cache.clear()
    for name in ("public:report", "public:report_pdf"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name, args=["jonkoping", YEAR, 1])).status_code == 200
        assert [q["sql"] for q in queries if "promises_activity" in q["sql"]] == []


def test_dashboard_links_the_report_and_its_pdf(client):
    world = World(year=YEAR)
    client.force_login(world.manager)
    body = client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1").content.decode()
    assert f'href="/uppfoljning/{world.promise.pk}/T1/rapport/"' in body
    assert f'href="/uppfoljning/{world.promise.pk}/T1/rapport/pdf/" download' in body
