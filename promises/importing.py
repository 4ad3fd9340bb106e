"""Batch import of activities from CSV or XLSX exported from another system.

The file is read whole and every row checked with the same rules as the form, against one
ActivityContext (a fixed number of queries, whatever the size). Any bad row means nothing
is saved; every bad row is reported with its line number (the header is line 1, as in a
spreadsheet). Swedish Excel writes CSV with ';' and as UTF-8 with BOM or Windows-1252:
both separators and both encodings are accepted.
"""

import csv
import hashlib
import io
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from medborgarlofte import exports
from promises.models import ActivityType, Area, ImportBatch, User
from promises.names import NameIndex, casefolded, with_municipality
from promises.selectors import activity_types_for_user
from promises.services import ActivityData, activity_check_many, activity_create_many

COLUMNS = [
    "datum",
    "aktivitet",
    "område",
    "antal",
    "förstagångsanvändare",
    "varaktighet_min",
    "beskrivning",
    "anteckning",
]
REQUIRED_COLUMNS = {"datum", "aktivitet", "område"}
# The bad-rows file adds the reason in a column of its own; uploaded again, it is ignored.
REASON_COLUMN = "fel"
IGNORED_COLUMNS = {REASON_COLUMN}
MAX_ROWS = 100_000
MAX_BYTES = 20 * 1024 * 1024
YES = {"ja", "j", "yes", "1", "sant", "true"}
NO = {"nej", "n", "no", "0", "falskt", "false"}

FIELD_LABELS = {
    "activity_type": "aktivitet",
    "area": "område",
    "date": "datum",
    "quantity": "antal",
    "first_time_user": "förstagångsanvändare",
    "duration_minutes": "varaktighet_min",
    "description": "beskrivning",
    "note": "anteckning",
    None: "rad",
}

IMPORT_DUPLICATE_FILE = gettext_lazy(
    "This file was already imported on %(date)s by %(user)s. Tick the box below if you really mean to import it again."
)


UNKNOWN_ACTIVITY = gettext_lazy("Unknown activity “%(value)s”.")
UNKNOWN_AREA = gettext_lazy("Unknown area “%(value)s”.")
AMBIGUOUS_AREA = gettext_lazy(
    "“%(value)s” is an area of several municipalities your organisation works in: write %(choices)s."
)


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, too large)."""


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ErrorGroup:
    """One reason and every line it concerns: the preview says it once."""

    column: str
    message: str
    lines: list[int]

    SHOWN_LINES = 10

    @property
    def first_lines(self) -> list[int]:
        return self.lines[: self.SHOWN_LINES]

    @property
    def more(self) -> bool:
        return len(self.lines) > self.SHOWN_LINES


@dataclass
class ImportPreview:
    file_name: str
    sha256: str
    rows: list[ActivityData] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # each row's line in the file
    errors: list[RowError] = field(default_factory=list)
    previous: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def error_groups(self) -> list[ErrorGroup]:
        """The errors grouped by reason (column and message), the single-row ones first (by
        line), then the others by how many lines they concern."""
        groups: dict[tuple[str, str], ErrorGroup] = {}
        for error in self.errors:
            key = (error.column, error.message)
            group = groups.setdefault(key, ErrorGroup(error.column, error.message, []))
            if error.line not in group.lines:
                group.lines.append(error.line)
        return sorted(
            groups.values(),
            key=lambda g: (len(g.lines) > 1, -len(g.lines) if len(g.lines) > 1 else 0, g.lines[0]),
        )

    @property
    def bad_lines(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def correct_rows(self) -> list[ActivityData]:
        """The rows without an error: read whole and breaking none of the rules. A row the
        rules refuse stays in `rows` (its line is how its errors are placed), never here."""
        bad = {error.line for error in self.errors}
        return [row for row, line in zip(self.rows, self.lines, strict=True) if line not in bad]

    def summary(self) -> list[tuple[str, str, int, int]]:
        """(activity, area, entries, summed quantity) per type and area of the correct rows."""
        entries: Counter = Counter()
        quantities: Counter = Counter()
        for row in self.correct_rows:
            # A row is added only once read whole: its area named, its quantity a number (1 if empty).
            assert row.area is not None, "a read row names its area"
            assert row.quantity is not None, "a read row has a quantity"
            key = (row.activity_type.name, row.area.name)
            entries[key] += 1
            quantities[key] += row.quantity
        return [(t, a, entries[(t, a)], quantities[(t, a)]) for t, a in sorted(entries)]


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _read_csv(raw: bytes) -> list[list[str]]:
    text = _decode(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _read_xlsx(raw: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The Excel file cannot be read (%(error)s).") % {"error": exc}) from None
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_rows(*, raw: bytes, file_name: str) -> list[list]:
    if len(raw) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 20 MB. Split it into smaller files."))
    if file_name.lower().endswith(".xlsx") or raw[:2] == b"PK":
        return _read_xlsx(raw)
    if file_name.lower().endswith((".csv", ".txt")):
        return _read_csv(raw)
    raise ImportFileError(_("Upload a CSV file (.csv) or an Excel file (.xlsx)."))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# A date's two mistakes, worded once for the import and the API (promises/serializers.py).
ISO_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NOT_A_DATE = gettext_lazy("“%(value)s” is not a date; write it as YYYY-MM-DD.")
NOT_A_CALENDAR_DAY = gettext_lazy("“%(value)s” is not a day in the calendar.")


def _parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return date(*time.strptime(text, pattern)[:3])
        except ValueError:
            continue
    if ISO_DATE_SHAPE.fullmatch(text):
        # Written right, but no such day (2026-11-31): saying "write it as YYYY-MM-DD" puzzled.
        raise ValueError(NOT_A_CALENDAR_DAY % {"value": text})
    raise ValueError(NOT_A_DATE % {"value": text})


def _parse_int(value, column: str, *, default: int | None = None) -> int | None:
    text = _text(value)
    if text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text}) from None


def _parse_yes_no(value) -> bool | None:
    text = _text(value).lower()
    if text == "":
        return None
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("Write ja or nej, not “%(value)s”.") % {"value": _text(value)})


def _row_errors(preview: ImportPreview, errors: dict[int, ValidationError]) -> None:
    """The service's errors by row index, as errors by line and column."""
    for index, exc in sorted(errors.items()):
        for field_name, messages in exc.message_dict.items():
            for message in messages:
                preview.errors.append(
                    RowError(preview.lines[index], str(FIELD_LABELS.get(field_name, field_name)), str(message))
                )
    preview.errors.sort(key=lambda error: error.line)


def _header(rows: list[list]) -> list[str]:
    """The first line's column names, or a refusal naming what is missing and what is unknown."""
    header = [_text(cell).lower() for cell in rows[0]]
    unknown = [name for name in header if name and name not in COLUMNS and name not in IGNORED_COLUMNS]
    missing = REQUIRED_COLUMNS - set(header)
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": ", ".join(sorted(missing))})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": ", ".join(unknown)})
        raise ImportFileError(
            _("The first line must name the columns (%(expected)s); %(problems)s.")
            % {"expected": ";".join(COLUMNS), "problems": "; ".join(parts)}
        )
    return header


def qualified_area_name(area: Area) -> str:
    """An area with its municipality, "Hela kommunen (Habo)": what tells apart the areas of the
    same name in the municipalities one police area serves."""
    return with_municipality(area.name, area.municipality.name)


@dataclass
class Names:
    """The activity types (by name, code or alias) and areas (by name, alias, or name with its
    municipality) a file may name, matched whatever the case and the accents (promises/names.py)."""

    types: NameIndex[ActivityType]
    areas: NameIndex[Area]

    @classmethod
    def load(cls, *, user: User) -> "Names":
        """The names the user's organisation may write: its own municipalities' areas only, so
        that "Råslätt" means the one where it works, whatever other municipalities call theirs."""
        types = NameIndex((t, t.name, [t.code, *t.aliases]) for t in ActivityType.objects.all())
        served = list(
            Area.objects.filter(municipality__organisations=user.organisation_id).select_related("municipality")
        )
        # A name several municipalities share is suggested with its municipality: alone it finds none.
        places: dict[str, set[int]] = {}
        for area in served:
            places.setdefault(casefolded(area.name), set()).add(area.municipality_id)
        areas = NameIndex(
            (
                a,
                qualified_area_name(a) if len(places[casefolded(a.name)]) > 1 else a.name,
                [a.name, qualified_area_name(a), *a.aliases],
            )
            for a in served
        )
        return cls(types=types, areas=areas)

    def activity_type(self, text: str) -> ActivityType | None:
        """The activity type `text` names (name, code or alias, loosely), or None."""
        return self.types.get(text)

    def area(self, text: str) -> Area | None:
        """The one area `text` names, or None (unknown, or ambiguous)."""
        return self.areas.get(text)

    def unknown_activity(self, text: str) -> str:
        return _unknown(UNKNOWN_ACTIVITY, text, self.types)

    def unknown_area(self, text: str) -> str:
        """Why `text` names no area: unknown (with the closest name), or shared by several."""
        several = sorted(self.areas.matches(text), key=qualified_area_name)
        if len(several) > 1:
            # Translators: a name in quotation marks, as the language writes them.
            quoted = [_("“%(name)s”") % {"name": qualified_area_name(area)} for area in several]
            choices = _(" or ").join(quoted)
            return str(AMBIGUOUS_AREA % {"value": text, "choices": choices})
        return _unknown(UNKNOWN_AREA, text, self.areas)


def names_load(*, user: User) -> Names:
    """How activity types and areas are found by the names people and systems write: the
    import and the API resolve names through this one function."""
    return Names.load(user=user)


def _unknown(message, value: str, index: NameIndex) -> str:
    """“Unknown area …”, with the closest known name where there is one."""
    suggestion = index.suggest(value)
    text = str(message % {"value": value})
    if suggestion is None:
        return text
    return f"{text} " + _("Did you mean “%(suggestion)s”?") % {"suggestion": suggestion}


T = TypeVar("T")


def _read_cell(cells: dict, column: str, parse: Callable[[Any], T], *, line: int, errors: list[RowError]) -> T | None:
    """A cell read by `parse`, or None with the problem added to `errors`."""
    try:
        return parse(cells.get(column))
    except ValueError as exc:
        errors.append(RowError(line, column, str(exc)))
        return None


def _read_row(cells: dict, *, line: int, names: Names) -> tuple[ActivityData | None, list[RowError]]:
    """One line's shape: its values read, its names known; every problem of the line at once."""
    errors: list[RowError] = []
    row_date = _read_cell(cells, "datum", _parse_date, line=line, errors=errors)
    quantity = _read_cell(cells, "antal", lambda v: _parse_int(v, "antal", default=1), line=line, errors=errors)
    first_time_user = _read_cell(cells, "förstagångsanvändare", _parse_yes_no, line=line, errors=errors)
    duration = _read_cell(
        cells, "varaktighet_min", lambda v: _parse_int(v, "varaktighet_min"), line=line, errors=errors
    )
    type_name, area_name = _text(cells.get("aktivitet")), _text(cells.get("område"))
    activity_type = names.activity_type(type_name)
    if activity_type is None:
        errors.append(RowError(line, "aktivitet", names.unknown_activity(type_name)))
    area = names.area(area_name)
    if area is None:
        errors.append(RowError(line, "område", names.unknown_area(area_name)))
    note = _text(cells.get("anteckning"))
    # By its words, not its dash, which a spreadsheet may have re-encoded.
    if note.upper().startswith("EXEMPEL") and note.upper().endswith("TA BORT RADEN"):
        errors.append(RowError(line, "anteckning", str(TEMPLATE_EXAMPLE_MESSAGE)))
    if errors or activity_type is None:
        return None, errors
    data = ActivityData(
        activity_type=activity_type,
        area=area,
        date=row_date,
        quantity=quantity,
        first_time_user=first_time_user,
        duration_minutes=duration,
        description=_text(cells.get("beskrivning")),
        note=note,
    )
    return data, []


def import_preview(*, raw: bytes, file_name: str, user: User, check: bool = True) -> ImportPreview:
    """Read and check a whole file without saving anything.

    Without `check` only the file's shape is read (columns, dates, numbers, known names): the
    confirmation leaves the rules to `import_save`, so they run once per request.
    """
    preview = ImportPreview(file_name=file_name, sha256=hashlib.sha256(raw).hexdigest())
    rows = read_rows(raw=raw, file_name=file_name)
    rows = [row for row in rows if any(_text(cell) for cell in row)] if rows else []
    if not rows:
        raise ImportFileError(_("The file is empty."))
    header = _header(rows)
    if len(rows) == 1:
        raise ImportFileError(_("The file has a header row but no entries: add one row per entry under it."))
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError(_("At most %(max)s rows in one file.") % {"max": MAX_ROWS})
    index = {name: position for position, name in enumerate(header) if name}
    names = names_load(user=user)
    preview.previous = ImportBatch.objects.filter(sha256=preview.sha256, organisation=user.organisation).first()
    # Row numbers follow the spreadsheet: the header is line 1.
    for line, row in enumerate(rows[1:], start=2):
        cells = {name: row[position] if position < len(row) else None for name, position in index.items()}
        data, row_errors = _read_row(cells, line=line, names=names)
        if row_errors:
            preview.errors.extend(row_errors)
        elif data is not None:
            preview.rows.append(data)
            preview.lines.append(line)
    if check and preview.rows:
        _row_errors(preview, activity_check_many(user=user, rows=preview.rows))
    return preview


@transaction.atomic
def import_save(*, preview: ImportPreview, user: User) -> ImportBatch | None:
    """Save every row of a preview in one transaction, with history, through the service.

    The rules run in the service; when a row breaks one, nothing is saved, the errors are
    added to the preview and None is returned.
    """
    if preview.errors or not preview.rows:
        raise ValidationError(_("The file has errors; nothing was saved."))
    batch = ImportBatch(
        file_name=preview.file_name[:255],
        sha256=preview.sha256,
        row_count=len(preview.rows),
        created_by=user,
        organisation=user.organisation,
    )
    batch.full_clean()
    batch.save()
    _activities, errors = activity_create_many(user=user, rows=preview.rows, import_batch=batch)
    if errors:
        transaction.set_rollback(True)
        _row_errors(preview, errors)
        return None
    return batch


def _cell(value):
    """An uploaded cell as it goes back in the bad-rows file (an Excel date as a date)."""
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def import_bad_rows_csv(*, raw: bytes, file_name: str, user: User) -> bytes:
    """The rows of a file that cannot be imported, as the file had them, with the reason in
    a last column: the user corrects them in Excel and uploads only those (the reason column
    is ignored then). Derived again from the uploaded file; nothing of it is saved."""
    preview = import_preview(raw=raw, file_name=file_name, user=user)
    reasons: dict[int, list[str]] = {}
    for error in preview.errors:
        reasons.setdefault(error.line, []).append(f"{error.column}: {error.message}")
    rows = [row for row in read_rows(raw=raw, file_name=file_name) if any(_text(cell) for cell in row)]
    header = _header(rows)
    index = {name: position for position, name in enumerate(header) if name}
    out = []
    for line, row in enumerate(rows[1:], start=2):
        if line in reasons:
            cells = [_cell(row[index[name]]) if name in index and index[name] < len(row) else None for name in COLUMNS]
            out.append([*cells, "; ".join(reasons[line])])
    return exports.csv_bytes([*COLUMNS, REASON_COLUMN], out)


def pending_imports_clean(*, directory: Path, older_than: timedelta, now: datetime | None = None) -> list[Path]:
    """Remove uploads waiting for confirmation that were abandoned (older than `older_than`)."""
    if not directory.is_dir():
        return []
    cutoff = (now or datetime.now(tz=UTC)).timestamp() - older_than.total_seconds()
    removed = []
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


# The template's rows show what an entry looks like; their note marks them as examples, and an
# import refuses a row that still carries it, so an example never becomes a patrol nobody made.
TEMPLATE_EXAMPLE_NOTE = "EXEMPEL – ersätt eller ta bort raden"
TEMPLATE_EXAMPLE_MESSAGE = gettext_lazy(
    "This is an example row from the template: write your own entry in its place, or delete the row."
)
TEMPLATE_ROWS = [
    ["Fotpatrullering", "Råslätt", "2", "", "", "", TEMPLATE_EXAMPLE_NOTE],
    ["Trafikkontroll (20 min)", "Öxnehaga", "1", "", "30", "", TEMPLATE_EXAMPLE_NOTE],
    ["Upptäckt narkotikabrott", "Råslätt", "1", "ja", "", "", TEMPLATE_EXAMPLE_NOTE],
    ["Beslutad åtgärd", "Österängen", "1", "", "", "Förbättrad belysning vid torget", TEMPLATE_EXAMPLE_NOTE],
]


def import_template_csv(*, user: User | None = None, today: date | None = None) -> bytes:
    """The template file, in the one Swedish Excel dialect of every file we produce.

    Dated today: a year that has ended takes no entries from staff, so a template dated in
    one would fail whole on a newcomer's first try. For `user`, only the example rows of the
    activities their organisation logs (all of them when it logs none of these)."""
    day = (today or timezone.localdate()).isoformat()
    rows = TEMPLATE_ROWS
    if user is not None:
        logged = set(activity_types_for_user(user=user).values_list("name", flat=True))
        rows = [row for row in TEMPLATE_ROWS if row[0] in logged] or TEMPLATE_ROWS
    return exports.csv_bytes(COLUMNS, [[day, *row] for row in rows])
