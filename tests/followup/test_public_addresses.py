"""Public addresses per municipality: the national index at `/` (or the installation's own
municipality there), every page under /<municipality>/, the open-data API with the municipality
in the path, and the addresses from before redirecting."""

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver

from promises.models import Municipality, Promise
from tests.factories import PromiseFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022


@pytest.fixture
def national(settings):
    """One installation for the whole country: `/` is the index."""
    settings.PUBLIC_DEFAULT_MUNICIPALITY = ""


@pytest.fixture
def three():
    """Jönköping and Växjö published; Habo's promise is signed but nothing is published yet."""
    jonkoping, vaxjo, habo = (
        World(year=YEAR),
        World(year=YEAR, municipality="Växjö"),
        World(year=YEAR, municipality="Habo"),
    )
    jonkoping.publish(1)
    vaxjo.publish(1)
    vaxjo.publish(2)
    return jonkoping, vaxjo, habo


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- The national index -------------------------------------------------------------------------


def test_national_index_lists_each_municipality_with_a_public_promise(client, national, three):
    PromiseFactory(municipality="Ale", year=YEAR, status=Promise.Status.DRAFT)  # a draft is not public
    body = _text(client.get("/"))
    assert "<h1>Medborgarlöften i Sveriges kommuner</h1>" in body
    assert "3 kommuner med medborgarlöfte" in body
    assert '<a href="/jonkoping/">Jönköping</a>' in body
    assert '<a href="/vaxjo/">Växjö</a>' in body
    assert "/ale/" not in body
    # Habo's promise is signed and public, nothing is published yet: found, without figures.
    habo = body[body.index('<a href="/habokommun/">Habo</a>') :]
    habo = habo[: habo.index("</li>")]
    assert "Ingen uppföljning har publicerats än." in habo
    assert "status-counts" not in habo
    assert body.index("Jönköping</a>") < body.index("Växjö</a>")  # by name
    # Each with its county and the latest published follow-up.
    assert "Jönköpings län" in body
    assert "Kronobergs län" in body
    assert "Senaste uppföljning: januari–april 2022" in body
    assert "Senaste uppföljning: maj–augusti 2022" in body


def test_national_index_shows_the_latest_status_counts_per_promise(client, national, three):
    jonkoping, vaxjo, _habo = three
    body = _text(client.get("/"))
    entry = body[body.index('<a href="/vaxjo/">') :]
    entry = entry[: entry.index("</li>\n")]
    counts = entry[entry.index('class="status-counts"') :]
    # Växjö's latest (tertial 2) snapshot: as many statuses as targets.
    latest = vaxjo.promise.publications.order_by("-tertial", "-version").first()
    assert counts.count("<strong>") >= 1
    total = sum(int(part.split("</strong>")[0]) for part in counts.split("<strong>")[1:])
    assert total == len(latest.snapshot["targets"])


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"q": "väx"}, ["Växjö"], ["Jönköping"]),
        ({"q": "JÖNK"}, ["Jönköping"], ["Växjö"]),
        ({"q": "jonkoping"}, ["Jönköping"], ["Växjö"]),  # without the dots
        ({"q": "Jönköpings kommun"}, ["Jönköping"], ["Växjö"]),
        ({"q": "jo\u0308nko\u0308ping"}, ["Jönköping"], ["Växjö"]),  # ö as o and its dots (NFD)
        ({"lan": "Kronobergs län"}, ["Växjö"], ["Jönköping"]),
        ({"lan": "Kronobergs län", "q": "jön"}, [], ["Jönköping", "Växjö"]),
        ({"lan": "Atlantis län"}, ["Jönköping", "Växjö"], []),  # an unknown county filters nothing
    ],
)
def test_national_index_searches_by_name_and_filters_by_county(client, national, three, query, shown, hidden):
    body = _text(client.get("/", query))
    for name in shown:
        assert f"{name}</a></h3>" in body, name
    for name in hidden:
        assert f"{name}</a></h3>" not in body, name
    if query.get("q"):
        assert f'value="{query["q"]}"' in body  # what the reader typed stays in the box
    if not shown:
        assert "Ingen kommun med medborgarlöfte hittades." in body
        assert '<a href="/">Visa alla kommuner</a>' in body


def test_national_index_offers_the_counties_it_holds(client, national, three):
    body = _text(client.get("/", {"lan": "Kronobergs län"}))
    select = body[body.index('<select name="lan"') : body.index("</select>")]
    assert '<option value="Kronobergs län" selected>Kronobergs län</option>' in select
    assert '<option value="Jönköpings län">' in select
    assert "Skåne län" not in select  # no municipality there has a promise


def test_national_index_says_so_when_nothing_is_published(client, national):
    PromiseFactory(municipality="Ale", year=YEAR, status=Promise.Status.DRAFT)
    assert "Inget medborgarlöfte har publicerats ännu." in _text(client.get("/"))


def test_national_index_is_cacheable_and_changes_with_a_publication(client, national, three):
    _jonkoping, _vaxjo, habo = three
    first = client.get("/")
    assert first.cookies == {}
    assert "public" in first["Cache-Control"]
    habo.publish(1)
    second = client.get("/")
    assert second["ETag"] != first["ETag"]
    habo_entry = second.content.decode().split('<a href="/habokommun/">Habo</a>')[1].split("</li>")[0]
    assert "Senaste uppföljning: januari–april 2022" in habo_entry


def test_national_index_query_count_does_not_grow_with_municipalities(client, national, django_assert_max_num_queries):
    World(year=YEAR).publish(1)
    cache.clear()
    with django_assert_max_num_queries(10) as one:
        client.get("/", {"q": "a"})  # a search is rendered, never kept
    for name in ("Växjö", "Habo", "Ale"):
        World(year=YEAR, municipality=name).publish(1)
    cache.clear()
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = _text(client.get("/", {"q": "a"}))
    assert "Ale</a>" in body
    assert "Habo</a>" in body


def test_national_index_search_is_bounded(client, national, three):
    body = _text(client.get("/", {"q": "x" * 5000}))
    assert 'value="' + "x" * 100 + '"' in body


# --- One municipality's installation -------------------------------------------------------------


def test_with_a_default_municipality_the_root_is_its_page(client, three):
    body = _text(client.get("/"))  # tests/conftest.py names Jönköping
    assert "Medborgarlöfte 2022 – Jönköping" in body
    assert "Alla kommuner" not in body  # no national index to go back to
    assert "Medborgarlöfte 2022 – Jönköping" in _text(client.get("/jonkoping/"))


def test_a_default_municipality_without_a_promise_says_so_at_the_root(client, settings):
    settings.PUBLIC_DEFAULT_MUNICIPALITY = "ale"
    assert "Inget medborgarlöfte har publicerats ännu." in _text(client.get("/"))


# --- Every page under its municipality -----------------------------------------------------------


def test_each_municipality_has_its_own_pages(client, national, three):
    jonkoping, vaxjo, _habo = three
    body = _text(client.get("/vaxjo/"))
    assert "Medborgarlöfte 2022 – Växjö" in body
    assert '<a href="/">Alla kommuner</a>' in body
    assert 'href="/vaxjo/2022/"' in body
    assert 'href="/vaxjo/oppna-data/"' in body
    assert 'href="/vaxjo/flode/"' in body
    year = _text(client.get("/vaxjo/2022/"))
    assert 'href="/vaxjo/2022/omrade/raslatt/"' in year
    assert "/jonkoping/" not in year


def test_an_unpublished_municipality_shows_what_was_promised(client, national, three):
    _jonkoping, _vaxjo, habo = three
    body = _text(client.get("/habokommun/"))
    assert "Medborgarlöfte 2022 – Habo" in body
    assert "Ingen uppföljning har publicerats än." in body
    assert habo.patrol_target.commitment.text in body


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/finns-inte/", "Det finns ingen kommun på den här adressen."),
        ("/ale/", "Ale har ännu inget medborgarlöfte."),
        ("/ale/oppna-data/", "Ale har ännu inget medborgarlöfte."),
        ("/ale/flode/", "Ale har ännu inget medborgarlöfte."),
        ("/vaxjo/2031/", "Växjö har inget medborgarlöfte för 2031."),
        ("/finns-inte/2022/", "Det finns ingen kommun på den här adressen."),
        ("/ale/oppna-data/2022/hela-aret.csv", "Ale har inget medborgarlöfte för 2022."),
        ("/finns-inte/flode/", "Det finns ingen kommun på den här adressen."),
    ],
)
def test_unknown_municipality_or_year_is_a_404_in_words(client, national, three, url, message):
    response = client.get(url)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_a_draft_is_never_public_under_its_municipality(client, national):
    PromiseFactory(municipality="Ale", year=YEAR, status=Promise.Status.DRAFT, title="Utkast Ale")
    response = client.get("/ale/2022/")
    assert response.status_code == 404
    assert "Utkast Ale" not in response.content.decode()


def test_the_feed_holds_only_its_municipalitys_publications(client, national, three):
    jonkoping = _text(client.get("/jonkoping/flode/"))
    vaxjo = _text(client.get("/vaxjo/flode/"))
    assert jonkoping.count("<entry>") == 1
    assert vaxjo.count("<entry>") == 2
    assert "http://testserver/vaxjo/2022/#tertial-2" in vaxjo
    assert "/vaxjo/" not in jonkoping


def test_open_data_downloads_are_the_municipalitys_own(client, national, three):
    body = _text(client.get("/vaxjo/oppna-data/"))
    assert 'href="/vaxjo/oppna-data/2022/tertial-2.csv"' in body
    assert "/jonkoping/oppna-data/2022/" not in body
    response = client.get("/vaxjo/oppna-data/2022/tertial-2.csv")
    assert response.status_code == 200
    assert 'filename="medborgarlofte-vaxjo-2022-tertial-2.csv"' in response["Content-Disposition"]
    assert client.get("/jonkoping/oppna-data/2022/tertial-2.csv").status_code == 404  # Jönköping has T1 only


def _routes(resolver, prefix: str):
    """Every route, whole (the language prefix is not part of the pattern's string)."""
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_no_municipality_takes_a_site_address():
    """/<municipality>/ comes after the site's own addresses (medborgarlofte/urls.py): a
    municipality whose slug were one of them could never be reached."""
    first_parts = {route.split("/")[0] for route in _routes(get_resolver(), "") if route.split("/")[0]}
    assert {"registrera", "uppfoljning", "konto", "api", "admin", "oppna-data", "tillganglighet"} <= first_parts
    assert not first_parts & set(Municipality.objects.values_list("slug", flat=True))
    assert not {"en", "sv", "static", "media"} & set(Municipality.objects.values_list("slug", flat=True))


# --- The addresses from before -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/2022/", "/jonkoping/2022/"),
        ("/2022/omrade/raslatt/", "/jonkoping/2022/omrade/raslatt/"),
        ("/2022/rapport/1/", "/jonkoping/2022/rapport/1/"),
        ("/2022/rapport/1/pdf/", "/jonkoping/2022/rapport/1/pdf/"),
        ("/oppna-data/", "/jonkoping/oppna-data/"),
        ("/oppna-data/2022/tertial-1.csv", "/jonkoping/oppna-data/2022/tertial-1.csv"),
        ("/oppna-data/2022/hela-aret.xlsx", "/jonkoping/oppna-data/2022/hela-aret.xlsx"),
        ("/inbaddning/2022/", "/jonkoping/inbaddning/2022/"),
        ("/inbaddning/2022/omrade/raslatt/", "/jonkoping/inbaddning/2022/omrade/raslatt/"),
        ("/flode/", "/jonkoping/flode/"),
        ("/en/2022/", "/en/jonkoping/2022/"),
        ("/api/v1/promises/2022/", "/api/v1/municipalities/jonkoping/promises/2022/"),
        (
            "/api/v1/promises/2022/followups/1/?format=csv",
            "/api/v1/municipalities/jonkoping/promises/2022/followups/1/?format=csv",
        ),
    ],
)
def test_old_addresses_redirect_for_good_to_the_installations_municipality(client, three, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_old_addresses_redirect_to_the_only_municipality_for_now(client, national):
    World(year=YEAR).publish(1)
    World(year=2021)  # two years of the one municipality
    response = client.get("/2022/?utm_source=tidningen")
    assert response.status_code == 302  # a second municipality may come
    assert response["Location"] == "/jonkoping/2022/?utm_source=tidningen"


def test_old_addresses_lead_to_the_index_when_several_municipalities_share_the_installation(client, national, three):
    response = client.get("/2022/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = client.get("/api/v1/promises/2022/")
    assert response.status_code == 302
    assert response["Location"] == "/api/v1/promises/"


# --- The open-data API ---------------------------------------------------------------------------


def test_api_takes_the_municipality_by_code_or_slug(client, national, three):
    by_code = client.get("/api/v1/municipalities/0780/promises/2022/").json()
    by_slug = client.get("/api/v1/municipalities/vaxjo/promises/2022/").json()
    assert by_code == by_slug
    assert by_code["municipality"] == "Växjö"
    assert by_code["municipality_code"] == "0780"
    assert [f["tertial"] for f in by_code["followups"]] == [1, 2]
    assert by_code["followups"][1]["url"] == "http://testserver/api/v1/municipalities/0780/promises/2022/followups/2/"
    followup = client.get("/api/v1/municipalities/0680/promises/2022/followups/1/").json()
    assert followup["municipality"] == "Jönköping"
    assert client.get("/api/v1/municipalities/0680/promises/2022/followups/2/").status_code == 404


def test_api_lists_a_municipalitys_promises_and_every_one(client, national, three):
    _jonkoping, vaxjo, _habo = three
    own = client.get("/api/v1/municipalities/vaxjo/promises/").json()
    assert [(p["municipality"], p["published_tertials"]) for p in own] == [("Växjö", [1, 2])]
    vaxjo.publish(2, reason="Rättat antal")  # a correction is the same tertial
    cache.clear()
    own = client.get("/api/v1/municipalities/vaxjo/promises/").json()
    assert own[0]["published_tertials"] == [1, 2]
    every = client.get("/api/v1/promises/").json()
    assert sorted((p["municipality"], tuple(p["published_tertials"])) for p in every) == [
        ("Habo", ()),
        ("Jönköping", (1,)),
        ("Växjö", (1, 2)),
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/municipalities/9999/promises/", "Det finns ingen kommun med koden eller adressen 9999."),
        ("/api/v1/municipalities/atlantis/promises/2022/", "Det finns ingen kommun med koden eller adressen atlantis."),
        ("/api/v1/municipalities/%00/promises/", "Adressen finns inte i API:et för öppna data."),
        ("/api/v1/municipalities/%D9%A0%D9%A6/promises/", "Adressen finns inte i API:et för öppna data."),
        ("/api/v1/municipalities/N%0Av/promises/", "Adressen finns inte i API:et för öppna data."),
        ("/api/v1/municipalities/ale/promises/2022/", "Ale har inget medborgarlöfte för 2022."),
    ],
)
def test_api_unknown_municipality_is_a_404_in_words(client, national, three, url, message):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": message}


def test_api_list_query_count_does_not_grow_with_promises(client, national, django_assert_max_num_queries):
    World(year=YEAR).publish(1)
    with django_assert_max_num_queries(4) as one:
        client.get("/api/v1/promises/")
    for name in ("Växjö", "Habo", "Ale"):
        World(year=YEAR, municipality=name).publish(1)
    cache.clear()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get("/api/v1/promises/").json()) == 4
