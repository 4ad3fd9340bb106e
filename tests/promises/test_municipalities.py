"""Sweden's municipalities: the committed list, its sync after migrate, and finding one by what
a person or a file writes."""

import pytest

from promises.models import Municipality
from promises.municipalities import municipalities_from_file, municipalities_sync
from promises.selectors import municipality_find


def test_the_file_lists_290_municipalities_with_unique_codes_names_and_slugs():
    rows = municipalities_from_file()
    assert len(rows) == 290
    for key in ("code", "name", "slug"):
        assert len({row[key] for row in rows}) == 290, key
    assert all(len(row["code"]) == 4 and row["code"].isdigit() for row in rows)
    assert all(row["code"][:2] == row["county_code"] and row["county"].endswith("län") for row in rows)
    jonkoping = next(row for row in rows if row["code"] == "0680")
    assert (jonkoping["name"], jonkoping["slug"], jonkoping["county"]) == ("Jönköping", "jonkoping", "Jönköpings län")


@pytest.mark.django_db
def test_migrate_leaves_every_municipality_in_the_database_and_a_sync_restores_the_missing():
    assert Municipality.objects.count() == 290
    assert municipalities_sync() == 0
    Municipality.objects.filter(county="Gotlands län").delete()
    assert municipalities_sync() == 1
    assert Municipality.objects.get(code="0980").name == "Gotland"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text", ["0680", "680", "Jönköping", "jönköping", "JÖNKÖPING", "Jönköpings kommun", "  Jönköping  "]
)
def test_municipality_find_by_code_or_as_people_write_the_name(text):
    found = municipality_find(text)
    assert found is not None
    assert found.code == "0680"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "code"),
    [("Habo", "0643"), ("Håbo", "0305"), ("Malmö stad", "1280"), ("ÖREBRO", "1880"), ("älvkarleby", "0319")],
)
def test_municipality_find_in_any_case_keeping_å_ä_ö_apart(text, code):
    found = municipality_find(text)
    assert found is not None
    assert found.code == code


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Atlantis", "Öxnehaga", "9999", "", "06800"])
def test_municipality_find_unknown_is_none(text):
    assert municipality_find(text) is None
