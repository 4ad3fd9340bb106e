"""The header's language link: the same page in the other language, as a plain link."""

import pytest

from followup.templatetags.language_links import address_in
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "language", "expected"),
    [
        ("/", "en", "/en/"),
        ("/jonkoping/2022/omrade/raslatt/", "en", "/en/jonkoping/2022/omrade/raslatt/"),
        ("/en/jonkoping/2022/", "sv", "/jonkoping/2022/"),
        ("/en/", "sv", "/"),
        ("/uppfoljning/?promise=3&tertial=1", "en", "/en/uppfoljning/?promise=3&tertial=1"),
        ("/en/uppfoljning/?tertial=1", "sv", "/uppfoljning/?tertial=1"),
        ("/en/jonkoping/2022/", "en", "/en/jonkoping/2022/"),
        ("/engelska/", "en", "/en/engelska/"),
    ],
)
def test_address_in(path, language, expected):
    assert address_in(path, language) == expected


def test_the_header_links_to_the_page_in_the_other_language_without_a_form(client):
    World(year=2022)
    swedish = client.get("/jonkoping/2022/").content.decode()
    english = client.get("/en/jonkoping/2022/").content.decode()
    assert 'href="/en/jonkoping/2022/" lang="en" hreflang="en">English</a>' in swedish
    assert 'href="/jonkoping/2022/" lang="sv" hreflang="sv">Svenska</a>' in english
    assert "set_language" not in swedish
    assert 'name="csrfmiddlewaretoken"' not in swedish
