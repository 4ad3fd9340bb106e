"""The promise's own words stay marked Swedish when the interface around them is English."""

import re
from datetime import date

import pytest

from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022


@pytest.fixture
def published(client):
    world = World(year=YEAR)
    world.log(world.patrol, 40, date(YEAR, 2, 1))
    world.publish(1)
    return world


def _marked(body: str, text: str) -> bool:
    """Whether `text` sits in an element that says lang="sv"."""
    return re.search(rf'lang="sv"[^>]*>\s*{re.escape(text)}', body) is not None


@pytest.mark.parametrize("path", ["/en/", f"/en/jonkoping/{YEAR}/", f"/en/jonkoping/{YEAR}/omrade/raslatt/"])
def test_english_pages_mark_the_promises_swedish_words(client, published, path):
    body = client.get(path).content.decode()
    assert '<html lang="en"' in body
    assert _marked(body, published.patrol_target.title), path


def test_swedish_pages_need_no_such_mark(client, published):
    body = client.get(f"/jonkoping/{YEAR}/").content.decode()
    assert '<html lang="sv"' in body
    assert 'lang="sv"' not in body.split("<body", 1)[1]
