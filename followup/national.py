"""The national index: every municipality with a public citizen promise, and how its latest
published follow-up stands. A reader finds their municipality here (by name or county).

Three queries whatever the number of municipalities, and the list is kept per publication stamp
(followup/public_cache.py): the snapshots are read only after a new publication.
"""

import unicodedata
from dataclasses import dataclass

from django.conf import settings

from followup.models import Publication
from followup.public import final_target, status_counts, tertial_words
from followup.public_cache import publication_stamp
from medborgarlofte.cache import cache_get_or_compute
from promises.models import Municipality, Promise
from promises.names import folded


@dataclass(frozen=True)
class IndexEntry:
    municipality: Municipality
    promise: Promise
    tertial: int | None  # the latest published tertial; None before the first follow-up
    status_counts: list[dict]

    @property
    def tertial_words(self) -> str:
        return tertial_words(self.tertial, self.promise.year) if self.tertial else ""


def _entries() -> list[IndexEntry]:
    promises = list(Promise.objects.public().order_by("-year", "municipality__name"))
    # Per municipality, its newest promise with a publication and that promise's latest
    # published tertial (its latest version); no ordering of Publication's own in the way.
    rows = (
        Publication.objects.filter(promise__in=[p.pk for p in promises])
        .order_by("-promise__year", "-tertial", "-version")
        .values_list("pk", "promise__municipality_id")
    )
    chosen: dict[int, int] = {}  # municipality id → publication id
    for pk, municipality_id in rows:
        chosen.setdefault(municipality_id, pk)
    entries = {}
    for publication in Publication.objects.filter(pk__in=chosen.values()).select_related("promise__municipality"):
        as_of = publication.snapshot["as_of"]
        targets = [
            final_target(target, tertial=publication.tertial, as_of=as_of) for target in publication.snapshot["targets"]
        ]
        entries[publication.promise.municipality_id] = IndexEntry(
            municipality=publication.promise.municipality,
            promise=publication.promise,
            tertial=publication.tertial,
            status_counts=status_counts(targets),
        )
    # A municipality whose promise awaits its first follow-up is found too: the promise its
    # page leads with (the newest active one, else the newest).
    for promise in sorted(promises, key=lambda p: (p.status != Promise.Status.ACTIVE, -p.year)):
        if promise.municipality_id not in entries:
            entries[promise.municipality_id] = IndexEntry(
                municipality=promise.municipality, promise=promise, tertial=None, status_counts=[]
            )
    return sorted(entries.values(), key=lambda entry: entry.municipality.name)


def national_index() -> list[IndexEntry]:
    """Every municipality with a public promise, by name (kept until the next publication, or
    PUBLIC_CACHE_SECONDS for any other change; after a publication a single process reads the
    snapshots while the others wait for its result)."""
    key = f"national-index:{publication_stamp()}"
    return cache_get_or_compute(key, _entries, timeout=settings.PUBLIC_CACHE_SECONDS)


def _searchable(text: str) -> str:
    """A name as a reader may type it: any case, any accents, "kommun" or not."""
    text = folded(text)
    for ending in ("s kommun", " kommun"):
        text = text.removesuffix(ending)
    return text


def national_index_filtered(*, entries: list[IndexEntry], query: str, county: str) -> list[IndexEntry]:
    """The entries whose municipality's name contains `query` (any case, any accents, with or
    without "kommun") and lies in `county`."""
    query = _searchable(unicodedata.normalize("NFC", query))
    return [
        entry
        for entry in entries
        if (not query or query in _searchable(entry.municipality.name))
        and (not county or entry.municipality.county == county)
    ]


def counties(*, entries: list[IndexEntry]) -> list[str]:
    """The counties the index holds a municipality of, by name (for the filter)."""
    return sorted({entry.municipality.county for entry in entries})
