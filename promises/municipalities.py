"""Sweden's 290 municipalities, from the committed list (data/municipalities.csv, after SCB).

They are reference data, not something users edit: `municipalities_sync` adds what the file
has and the database lacks after every `migrate` (as the roles are synced), so a new SCB list
is a changed file and a deploy, and a test database flushed between tests gets them back.
"""

import csv
from pathlib import Path

from django.db import connection

from promises.models import Municipality

MUNICIPALITIES_FILE = Path(__file__).resolve().parent.parent / "data" / "municipalities.csv"


def municipalities_from_file(path: Path = MUNICIPALITIES_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(line for line in file if not line.startswith("#")))


def municipalities_sync() -> int:
    """Create the municipalities the file lists and the database lacks; returns how many.

    Existing rows are left as they are: a municipality's code, name and slug are in public
    addresses and promise files, so a rename is a deliberate migration, not a side effect."""
    if Municipality._meta.db_table not in connection.introspection.table_names():
        return 0  # migrated back to before the table (0009): nothing to sync into
    existing = set(Municipality.objects.values_list("code", flat=True))
    missing = [
        Municipality(code=row["code"], name=row["name"], slug=row["slug"], county=row["county"])
        for row in municipalities_from_file()
        if row["code"] not in existing
    ]
    for municipality in missing:
        municipality.full_clean(validate_unique=False, validate_constraints=False)
    return len(Municipality.objects.bulk_create(missing))
