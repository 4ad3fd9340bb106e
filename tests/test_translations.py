"""The Swedish translation is complete and its compiled catalogue matches the source."""

import re
from datetime import date
from pathlib import Path
from unittest import mock

import polib
import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "sv" / "LC_MESSAGES"


def test_translations_swedish_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "django.po"))
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], [])


def test_translations_compiled_catalogue_matches_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))

    def as_dict(catalogue):
        # With the context: "number" the unit ("antal") and "number" that names ("nummer") differ.
        return {
            (e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in catalogue
        }

    assert as_dict(mo) == as_dict([e for e in po if not e.obsolete])


# --- Every error page in Swedish, whatever was raised ---------------------------------------

# Words that appear in English sentences and never in our Swedish ones.
ENGLISH = re.compile(
    r"\b(the|is|no|not|of|and|page|found|matches|given|query|forbidden|server|error|changed|created|"
    r"deleted|request|please|resolver404|permission|denied|csrf|verification|failed)\b",
    re.IGNORECASE,
)


def _visible_swedish_text(html: str) -> str:
    """The page's text as a reader sees it, without what is marked as another language."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    html = re.sub(r'<(\w+)[^>]*\blang="(?!sv)[a-z-]+"[^>]*>.*?</\1>', " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _assert_swedish(response, status: int) -> None:
    assert response.status_code == status
    text = _visible_swedish_text(response.content.decode())
    assert ENGLISH.findall(text) == [], text


@pytest.fixture
def error_world(db):
    from tests.factories import World

    return World(year=2022)


@pytest.mark.django_db
@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("unknown address", 404),
        ("another user's entry", 404),
        ("unknown activity type", 404),
        ("unknown year", 404),
        ("manager page for staff", 403),
        ("type of another organisation", 403),
        ("form posted without its CSRF token", 403),
        ("bad request", 400),
        ("unexpected error", 500),
        ("database down", 503),
    ],
)
def test_translations_every_error_page_is_swedish(client, error_world, case, status):
    world = error_world
    client.raise_request_exception = False
    other = world.log(world.patrol, 1, date(2022, 3, 1))
    with translation.override("sv"):
        if case == "unknown address":
            response = client.get("/finns-inte/")
        elif case == "another user's entry":
            client.force_login(world.colleague)
            response = client.get(reverse("activity_edit", args=[other.pk]))
        elif case == "unknown activity type":
            client.force_login(world.officer)
            response = client.get(reverse("activity_log", args=["finns-inte"]))
        elif case == "unknown year":
            response = client.get(reverse("public:year", args=["jonkoping", 1999]))
        elif case == "manager page for staff":
            client.force_login(world.officer)
            response = client.get(reverse("followup:dashboard"))
        elif case == "type of another organisation":
            client.force_login(world.clerk)
            response = client.get(reverse("activity_log", args=[world.patrol.code]))
        elif case == "form posted without its CSRF token":
            client = Client(enforce_csrf_checks=True)
            client.force_login(world.officer)
            response = client.post(reverse("activity_log", args=[world.patrol.code]), {})
        elif case == "bad request":
            response = client.get("/", headers={"host": "not a host"})
        elif case == "unexpected error":
            with mock.patch("followup.views.public.promise_current", side_effect=RuntimeError("bug")):
                response = client.get(reverse("public:index"))
        else:
            with mock.patch("followup.views.public.promise_current", side_effect=OperationalError("down")):
                response = client.get(reverse("public:index"))
    _assert_swedish(response, status)


@pytest.mark.django_db
def test_translations_history_page_names_changes_in_swedish(client):
    from tests.factories import World

    world = World(year=2022)
    entry = world.log(world.patrol, 1, date(2022, 3, 1))
    entry.quantity = 2
    entry.save()
    with translation.override("sv"):
        client.force_login(world.manager)
        response = client.get(reverse("activity_history", args=[entry.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert ("Skapad" in body, "Ändrad" in body, "Changed" in body, "Created" in body) == (True, True, False, False)
