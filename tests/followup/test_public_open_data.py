"""The open-data page, in Swedish, and the developers' Swagger page with a way back."""

import pytest
from django.urls import reverse

from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022


def test_open_data_page_explains_licence_rhythm_and_small_numbers(client):
    World(year=YEAR)
    body = client.get(reverse("public:open_data", args=["jonkoping"])).content.decode()
    assert '<html lang="sv">' in body
    assert "<h1>Öppna data</h1>" in body
    assert "Data publiceras under CC0 1.0." in body
    assert 'href="https://creativecommons.org/publicdomain/zero/1.0/deed.sv"' in body
    assert "januari–april, maj–augusti och september–december" in body
    assert "”färre än 3”" in body
    for url in (
        "/api/v1/municipalities/0680/promises/",
        "/api/v1/municipalities/0680/promises/?format=csv",
        "/api/v1/municipalities/0680/promises/2022/",
        "/api/v1/promises/",
        "/jonkoping/flode/",
    ):
        assert f'href="{url}"' in body
    assert '<a href="/api/v1/docs/" hreflang="en">' in body


def test_open_data_page_licence_is_configurable(client, settings):
    settings.OPEN_DATA_LICENCE = "CC BY 4.0"
    settings.OPEN_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.sv"
    World(year=YEAR)
    body = client.get(reverse("public:open_data", args=["jonkoping"])).content.decode()
    assert "Data publiceras under CC BY 4.0." in body
    assert "utan att ange källan" not in body
    assert 'href="https://creativecommons.org/licenses/by/4.0/deed.sv"' in body


@pytest.mark.parametrize(
    ("origins", "said"), [([], "Ingen webbplats får visa den än"), (["https://polisen.se"], "https://polisen.se")]
)
def test_open_data_page_gives_the_embed_snippet(client, settings, origins, said):
    settings.EMBED_ALLOWED_ORIGINS = origins
    World(year=YEAR)
    body = client.get(reverse("public:open_data", args=["jonkoping"])).content.decode()
    snippet = (
        '<textarea id="embed-snippet" class="snippet" rows="4" readonly>&lt;iframe '
        'src="http://testserver/jonkoping/inbaddning/2022/" title="Medborgarlöfte 2022" width="100%" height="600" '
        'style="border:0" loading="lazy"&gt;&lt;/iframe&gt;</textarea>'
    )
    assert snippet in body
    assert said in body


def test_footer_links_to_the_open_data_page(client):
    body = client.get(reverse("public:index")).content.decode()
    assert '<a href="/jonkoping/oppna-data/">Öppna data</a>' in body
    assert "/api/v1/docs/" not in body


def test_swagger_page_has_a_language_and_a_way_back(client):
    body = client.get(reverse("api:docs")).content.decode()
    assert '<html lang="en">' in body
    assert '<a href="/jonkoping/oppna-data/" lang="sv">Tillbaka till öppna data</a>' in body
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
