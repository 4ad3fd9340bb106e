"""The public overview, the status legend and the bars that can be read (issue 12, items 1 and 2)."""

import re
from datetime import date

import pytest
from django.urls import reverse

from followup.models import Status
from followup.public import TITLE_LINE_PX, section_chart, status_legend, target_bar
from promises.models import Target
from tests.factories import ActivityFactory, TargetFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022


def _share_target(world: World) -> Target:
    return TargetFactory(
        commitment=world.drugs_target.commitment,
        kind=Target.Kind.SHARE,
        count=None,
        parent=world.drugs_target,
        share_percent=20,
        activity_type=world.drugs,
        areas=[world.raslatt],
        title="Andel förstagångsanvändare Råslätt",
    )


def _first_time(world: World, quantity: int, day: date) -> None:
    ActivityFactory(
        promise=world.promise,
        activity_type=world.drugs,
        area=world.raslatt,
        date=day,
        quantity=quantity,
        first_time_user=True,
        created_by=world.officer,
    )


def _published_t2() -> World:
    world = World(year=YEAR)
    world.log(world.patrol, 480, date(YEAR, 3, 1))
    world.log(world.drugs, 40, date(YEAR, 3, 1))
    _first_time(world, 9, date(YEAR, 6, 1))  # 9 of 49 = 18,4 %
    _share_target(world)
    for week in range(1, 35):
        for area in (world.raslatt, world.oxnehaga):
            world.log(world.report, 1, date.fromisocalendar(YEAR, week, 1), area=area)
    world.publish(1)
    world.publish(2)
    return world


def _text(body: str) -> str:
    """The page as read: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_overview_comes_first_with_the_period_in_words(client):
    _published_t2()
    body = client.get(reverse("public:index")).content.decode()
    text = _text(body)
    assert text.index("Översikt") < text.index("Vad statusen betyder") < text.index("Så går det")
    assert text.index("Översikt") < text.index("Vem som lovar")
    # The period in words, the day in ISO form (as every date in the product), also for machines.
    assert re.search(r'Uppföljning januari–augusti 2022, publicerad <time datetime="(\d{4}-\d\d-\d\d)">\1</time>', body)
    overview = body[body.index('id="overview-heading"') : body.index('id="status-legend"')]
    # Every section with its counts per status, each status with icon and word, linked to the legend.
    assert overview.count('href="#section-') == 1
    assert '<a class="status-link" href="#status-legend-' in overview
    assert '<span aria-hidden="true">' in overview


def test_legend_explains_every_status_once_and_every_status_link_finds_it(client):
    world = _published_t2()
    pages = [
        reverse("public:index"),
        reverse("public:year", args=["jonkoping", YEAR]),
        reverse("public:area", args=["jonkoping", YEAR, world.raslatt.slug]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        anchors = set(re.findall(r'id="status-legend-(\w+)"', body)) - {"heading"}
        assert anchors == set(Status.values), url
        assert body.count('id="status-legend"') == 1, url
        linked = set(re.findall(r'href="#status-legend-(\w+)"', body))
        assert linked, url
        assert linked <= anchors, url
        assert len(re.findall(r'class="status status-', body)) == len(re.findall(r'class="status-link"', body)) + len(
            anchors
        ), url  # every status shown is a link, except the legend's own


def test_legend_has_one_plain_sentence_per_status():
    rows = status_legend()
    assert [row["status"] for row in rows][:3] == ["on_track", "at_risk", "behind"]
    assert {row["status"] for row in rows} == set(Status.values)
    for row in rows:
        assert str(row["sentence"]).endswith(".")
        assert str(row["sentence"]).count(".") == 1


def test_count_bar_says_expected_so_far_and_the_target(client):
    _published_t2()
    text = _text(client.get(reverse("public:index")).content.decode())
    # 800 a year; on 31 August 243 of 365 days have gone: 532,6, said as 533.
    assert "Väntat vid den här tiden: 533 · Hittills: 480 · Årets mål: 800" in text


def test_share_bar_shows_the_share_against_the_wanted_share(client):
    _published_t2()
    text = _text(client.get(reverse("public:index")).content.decode())
    assert "18,4 % hittills i år, målet är minst 20 %" in text
    assert "av årets mål" not in text


def test_cadence_in_plain_words(client):
    _published_t2()
    for url in (reverse("public:index"), reverse("public:year", args=["jonkoping", YEAR])):
        text = _text(client.get(url).content.decode())
        assert "perioder" not in text
        assert "T1" not in text
        assert "T2" not in text
    year = _text(client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode())
    assert "17 av 17 veckor" in year  # January–April
    assert "17 veckor 34 av 34 veckor" in year  # May–August: in the tertial, then the year so far
    index = _text(client.get(reverse("public:index")).content.decode())
    assert "34 av 34 veckor" in index
    assert "Väntat vid den här tiden: 34 veckor · Hittills: 34 veckor · Årets mål: 52 veckor" in index


def test_section_chart_marks_expected_and_target_and_leaves_shares_out(client):
    _published_t2()
    response = client.get(reverse("public:index"))
    chart = response.context["sections"][0]["chart"]
    bars, expected, target = chart["data"]
    assert bars["text"][0] == "480 av 800"
    assert expected["name"] == "Väntat vid den här tiden"
    assert expected["x"][0] == pytest.approx(66.6, abs=0.1)
    assert target["name"] == "Årets mål"
    assert chart["layout"]["shapes"][0]["x0"] == 100
    assert len(bars["x"]) == 4  # patrol, traffic, drugs, cadence; the share is not on this scale
    # The data table beside the chart carries the same numbers.
    table = response.content.decode().split('class="chart-table"')[1]
    assert "Väntat vid den här tiden" in table
    assert '<td class="num">533</td>' in table
    assert "minst 20\u00a0%" in table  # a no-break space: the sign never wraps alone


def test_section_chart_without_expected_has_no_marker():
    section = {
        "commitments": [
            {
                "targets": [
                    {
                        "title": "Fotpatrullering",
                        "unit": "count",
                        "period": "",
                        "target": 800.0,
                        "year_to_date": 810.0,
                        "expected": None,
                        "progress": 101.2,
                    }
                ]
            }
        ]
    }
    chart = section_chart(section)
    assert [trace["type"] for trace in chart["data"]] == ["bar", "scatter"]
    assert chart["layout"]["xaxis"]["range"][1] > 101


def test_target_bar_withheld_figure_gives_words_and_no_bar():
    target = {
        "unit": "count",
        "period": "",
        "target": 20.0,
        "year_to_date": None,
        "year_to_date_text": "färre än 3",
        "expected": 13.0,  # the engine gives expected counts whole
    }
    bar = target_bar(target)
    assert bar is not None
    assert bar["fill"] is None
    assert bar["sentence"] == "Väntat vid den här tiden: 13 · Hittills: färre än 3 · Årets mål: 20"


def test_target_bar_after_the_year_has_no_expected_marker():
    target = {"unit": "count", "period": "", "target": 800.0, "year_to_date": 728.0, "expected": None, "final": True}
    bar = target_bar(target)
    assert bar == {"sentence": "Helåret: 728 · Årets mål: 800", "fill": 91.0, "target": 100.0, "expected": None}


def test_embed_statuses_link_to_the_legend_of_the_page(client):
    _published_t2()
    body = client.get(reverse("public:embed", args=["jonkoping", YEAR])).content.decode()
    page = "http://testserver" + reverse("public:year", args=["jonkoping", YEAR])
    assert f'href="{page}#status-legend-' in body
    assert 'target="_blank" rel="noopener"' in body


def test_section_chart_gives_a_long_title_room_above_its_bar():
    # A three-line title ran over the bar above it and into the legend (seen at 390 px).
    def target(title: str) -> dict:
        return {"title": title, "unit": "count", "period": "", "target": 53.0, "year_to_date": 33.0, "progress": 62.3}

    long = "Lägesbild Öxnehaga, Österängen, Huskvarna och övriga kommunen varje månad"
    chart = section_chart({"commitments": [{"targets": [target(long), target("Lägesbild Råslätt varje vecka")]}]})
    layout = chart["layout"]
    lines = layout["annotations"][0]["text"].count("<br>") + 1
    assert lines == 3
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    row = plot / 2
    shift = layout["annotations"][0]["yshift"]
    # Above its own bar (0.4 of the row), below the bar of the row above it.
    assert shift > 0.2 * row
    assert shift + lines * TITLE_LINE_PX < 0.8 * row
    # The legend sits above the first title, with room for three rows of it (a phone's).
    above_plot = shift + lines * TITLE_LINE_PX - row / 2
    legend_bottom = (layout["legend"]["y"] - 1) * plot
    assert legend_bottom >= above_plot
    assert layout["margin"]["t"] - legend_bottom >= 3 * 22
