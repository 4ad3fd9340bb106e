"""The national index: every municipality with a published citizen promise, and how its latest
published follow-up stands. A reader finds their municipality here (by name or county).

Three queries whatever the number of municipalities, and the list is kept per publication stamp
(followup/public_cache.py): the snapshots are read only after a new publication.
"""

from dataclasses import dataclass

from django.core.cache import cache

from followup.models import Publication
from followup.public import final_target, status_counts, tertial_words
from followup.public_cache import publication_stamp
from promises.models import Municipality, Promise


@dataclass(frozen=True)
class IndexEntry:
    municipality: Municipality
    promise: Promise
    tertial: int
    as_of: str
    status_counts: list[dict]

    @property
    def tertial_words(self) -> str:
        return tertial_words(self.tertial, self.promise.year)


def _entries() -> list[IndexEntry]:
    # Per municipality, its newest promise with a publication, and that promise's latest
    # published tertial (its latest version): what the municipality's page leads with.
    rows = (
        Publication.objects.filter(promise__in=Promise.objects.public())
        .order_by("promise__municipality__name", "-promise__year", "-tertial", "-version")
        .values_list("pk", "promise_id", "promise__municipality_id")
    )
    chosen: dict[int, int] = {}  # municipality id → publication id
    for pk, _promise_id, municipality_id in rows:
        chosen.setdefault(municipality_id, pk)
    publications = Publication.objects.filter(pk__in=chosen.values()).select_related("promise__municipality")
    entries = []
    for publication in publications:
        as_of = publication.snapshot["as_of"]
        targets = [
            final_target(target, tertial=publication.tertial, as_of=as_of) for target in publication.snapshot["targets"]
        ]
        entries.append(
            IndexEntry(
                municipality=publication.promise.municipality,
                promise=publication.promise,
                tertial=publication.tertial,
                as_of=as_of,
                status_counts=status_counts(targets),
            )
        )
    entries.sort(key=lambda entry: entry.municipality.name)
    return entries


def national_index() -> list[IndexEntry]:
    """Every municipality with a published promise, by name (kept until the next publication)."""
    key = f"national-index:{publication_stamp()}"
    entries = cache.get(key)
    if entries is None:
        entries = _entries()
        cache.set(key, entries, 60 * 60)
    return entries


def national_index_filtered(*, entries: list[IndexEntry], query: str, county: str) -> list[IndexEntry]:
    """The entries whose municipality's name contains `query` (any case) and lies in `county`."""
    query = query.strip().casefold()
    return [
        entry
        for entry in entries
        if (not query or query in entry.municipality.name.casefold())
        and (not county or entry.municipality.county == county)
    ]


def counties(*, entries: list[IndexEntry]) -> list[str]:
    """The counties the index holds a municipality of, by name (for the filter)."""
    return sorted({entry.municipality.county for entry in entries})
