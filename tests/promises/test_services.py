from pathlib import Path

import pytest

from promises.loader import promise_load_file
from promises.models import Promise, Target
from promises.services import PromiseCopyError, promise_copy_to_year

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
