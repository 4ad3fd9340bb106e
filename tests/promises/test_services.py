from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from promises.loader import promise_load_file
from promises.models import Area, Promise, Target
from promises.services import PromiseCopyError, promise_copy_to_year, structure_save
from tests.factories import ActivityTypeFactory, AreaFactory, municipality

pytestmark = pytest.mark.django_db

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"


def test_promise_copy_to_year_copies_every_target_as_a_draft():
    promise = promise_load_file(path=SEED_FILE).promise
    copy = promise_copy_to_year(promise=promise, year=2023)
    assert (copy.year, copy.status, copy.title) == (2023, Promise.Status.DRAFT, "Medborgarlöfte 2023")
    assert "under 2023" in copy.general_commitment
    assert copy.signatories.count() == 0
    old = {
        t.key: (
            t.kind,
            t.count,
            t.share_percent,
            t.period,
            sorted(a.pk for a in t.areas.all()),
            t.parent.key if t.parent else None,
        )
        for t in Target.objects.filter(commitment__section__promise=promise)
    }
    new = {
        t.key: (
            t.kind,
            t.count,
            t.share_percent,
            t.period,
            sorted(a.pk for a in t.areas.all()),
            t.parent.key if t.parent else None,
        )
        for t in Target.objects.filter(commitment__section__promise=copy)
    }
    assert new == old
    # Shares point at the copy's own count targets, never at last year's.
    shares = Target.objects.filter(commitment__section__promise=copy, kind=Target.Kind.SHARE)
    assert all(s.parent.commitment.section.promise_id == copy.pk for s in shares)


def test_promise_copy_to_year_refuses_an_existing_year():
    promise = promise_load_file(path=SEED_FILE).promise
    promise_copy_to_year(promise=promise, year=2023)
    with pytest.raises(PromiseCopyError) as excinfo:
        promise_copy_to_year(promise=promise, year=2023)
    assert "2023" in str(excinfo.value)
    assert Promise.objects.filter(year=2023).count() == 1


# --- Aliases ---------------------------------------------------------------------------------


def test_aliases_are_tidied_and_saved():
    area = Area(
        municipality=municipality("Jönköping"),
        name="Huskvarna",
        slug="huskvarna",
        aliases=[" Huskvarna  södra ", "huskvarna SÖDRA", ""],
    )
    structure_save(obj=area)
    area.refresh_from_db()
    assert area.aliases == ["Huskvarna södra"]


def test_an_alias_that_names_another_area_of_the_municipality_is_refused_in_swedish():
    AreaFactory(name="Hela Jönköpings kommun", slug="hela", aliases=["Hela kommunen"])
    with pytest.raises(ValidationError) as excinfo:
        structure_save(
            obj=Area(municipality=municipality("Jönköping"), name="Kommunen", slug="k", aliases=["HELA KOMMUNEN"])
        )
    assert excinfo.value.message_dict["aliases"] == [
        "”HELA KOMMUNEN” är redan ett namn på Hela Jönköpings kommun. Varje namn och alias måste vara unikt."
    ]
    # Another municipality may use the same name.
    structure_save(
        obj=Area(municipality=municipality("Vaggeryd"), name="Kommunen", slug="k", aliases=["Hela kommunen"])
    )


def test_an_activity_type_alias_may_not_be_another_types_code_or_name():
    ActivityTypeFactory(code="ssg-mote", name="SSG-möte")
    bos = ActivityTypeFactory(code="bos-mote", name="BOS-möte")
    for alias in ("ssg-mote", "ssg-möte"):
        bos.aliases = [alias]
        with pytest.raises(ValidationError):
            structure_save(obj=bos)
    bos.aliases = ["bos", "BOS-möten"]
    structure_save(obj=bos)
    bos.aliases = "bos"
    with pytest.raises(ValidationError) as excinfo:
        structure_save(obj=bos)
    assert excinfo.value.message_dict["aliases"] == ["Skriv aliasen som en lista med namn."]
