"""Every file we produce for download: spreadsheets in one Swedish Excel dialect with no
formulas, and PDF documents.

CSV: ';' between fields, UTF-8 with a byte-order mark, CRLF line ends, decimal comma, ja/nej,
ISO dates; what Swedish Excel opens in columns without asking. XLSX: a header row with an
autofilter, numbers and dates as real cells, text always as text.

Text from users may begin with a character a spreadsheet reads as a formula
(=HYPERLINK(...), +, -, @, a tab or a carriage return). Following OWASP's CSV-injection
guidance such a cell is prefixed with a single quote, in CSV and XLSX alike; XLSX text cells
are also written with the string data type, so openpyxl never makes them formulas.

PDF: an HTML document rendered by WeasyPrint with our own stylesheets, handed over from the
static files; it fetches nothing else (no URL, no file), so a document cannot reach out.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.encoding import force_str
from django.utils.functional import Promise

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A negative number typed in a text column ("-3" in a bad-rows file) is read as the number it
# is, and no formula hides in it: it stays as written, not "'-3".
PLAIN_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:[.,][0-9]+)?")
YES = "ja"
NO = "nej"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_CONTENT_TYPE = "application/pdf"
FORMATS = ("csv", "xlsx")


def neutralise(text: str) -> str:
    """Text as a spreadsheet must show it, never run it."""
    if PLAIN_NEGATIVE_NUMBER.fullmatch(text):
        return text
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _number(value: float | Decimal) -> int | float:
    """A float as written: whole numbers whole, no binary noise (0.30000000000000004 → 0.3)."""
    value = float(value)
    return int(value) if value.is_integer() else round(value, 6)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return str(_number(value)).replace(".", ",")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(force_str(value))


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    if header:
        writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx_write(sheet, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return
    if isinstance(value, bool):
        cell.value = YES if value else NO
        cell.data_type = "s"
    elif isinstance(value, int | float | Decimal):
        cell.value = _number(value)
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        # Set after the value: openpyxl guesses 'f' (formula) for text beginning with '='.
        cell.value = neutralise(force_str(value))
        cell.data_type = "s"


def xlsx_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, title: str = "Blad1") -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for column, value in enumerate(header, start=1):
        _xlsx_write(sheet, 1, column, value)
    row_number = 1
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _xlsx_write(sheet, row_number, column, value)
    if header:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{row_number}"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def file_response(
    export_format: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, filename: str
) -> HttpResponse:
    """A download of the rows as CSV or XLSX; filename without its extension."""
    if export_format == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_CONTENT_TYPE)
    else:
        response = HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{export_format}"'
    return response


def table_rows(table, *, exclude: Sequence[str] = ()) -> tuple[list[str], list[list[Any]]]:
    """A django-tables2 table's header and rows, by its value_<column> methods (raw values).

    Unlike table.as_values(), values stay typed (numbers, dates, booleans) so that each
    format writes them its own way.
    """
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude)
    ]
    header = [force_str(column.header) for column in columns]
    rows = []
    for row in table.rows:
        values = []
        for column in columns:
            value = row.get_cell_value(column.name)
            values.append(force_str(value) if isinstance(value, Promise) else value)
        rows.append(values)
    return header, rows


def table_response(table, export_format: str, *, filename: str, exclude: Sequence[str] = ()) -> HttpResponse:
    header, rows = table_rows(table, exclude=exclude)
    return file_response(export_format, header, rows, filename=filename)


# --- PDF ------------------------------------------------------------------------------------


def _refuse_every_url(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"A document fetches nothing: {url}")


def pdf_bytes(html: str, *, stylesheets: Sequence[str] = (), extra_css: str = "") -> bytes:
    """The HTML as a PDF. `stylesheets` are static file names (e.g. css/report.css), read from
    disk; `extra_css` is CSS written for this document (e.g. a translated page footer)."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        fetch = staticmethod(_refuse_every_url)

    fetcher = NoFetching()
    sheets = []
    for name in stylesheets:
        path = finders.find(name)
        if not path:
            raise FileNotFoundError(f"No static file {name}")
        sheets.append(CSS(filename=str(path), url_fetcher=fetcher))
    if extra_css:
        sheets.append(CSS(string=extra_css, url_fetcher=fetcher))
    return HTML(string=html, url_fetcher=fetcher, base_url="about:blank").write_pdf(stylesheets=sheets)


def pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    """A PDF download; filename without its extension."""
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
