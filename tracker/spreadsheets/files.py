"""The files themselves: a workbook or CSV file written for export, an upload read back.

What each sheet holds is tracker/domain/plan_sheets/'s; this module knows the formats only:
openpyxl for .xlsx, the csv module for CSV as Excel writes and reads it (UTF-8 with a byte
order mark, CRLF line ends, dates as dd/mm/yyyy). Uploads are judged by what they hold, not
by their names: a workbook must be a zip with a workbook's parts, a CSV file must be text.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.domain.plan_sheets import (
    BadCell,
    CellValue,
    ExportValue,
    Sheet,
    Table,
    sheet_for_headings,
    sheet_named,
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"  # Werkzeug adds "; charset=utf-8"
DATE_FORMAT = "dd/mm/yyyy"  # Excel's number format; shown the UK way in any locale
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_WORDS = "5 MB"
# A small zip can unpack into gigabytes: refuse a workbook that would, before opening it.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 50_000
FORMULA = "formulas are not accepted; paste values instead"


class UnreadableFile(ValueError):
    """The upload is not a file the import reads; the message says why, in plain words."""


# Writing -------------------------------------------------------------------------------------


def _xlsx_value(value: ExportValue) -> ExportValue:
    # Control characters are not allowed in the file format; nobody typed them on purpose.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def workbook(sheets: Sequence[tuple[Sheet, list[list[ExportValue]]]], title: str) -> bytes:
    """One worksheet a sheet: bold headings frozen above a filter, real dates as dd/mm/yyyy."""
    book = Workbook()
    book.remove(book.active)
    book.properties.title = title
    book.properties.creator = "Transition tracker"
    bold = Font(bold=True)
    for sheet, rows in sheets:
        ws = book.create_sheet(sheet.title)
        ws.append(sheet.headings)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_xlsx_value(v) for v in row])
        for index, column in enumerate(sheet.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
            if column.type == "date":
                for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = DATE_FORMAT
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(rows) + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv_value(value: ExportValue) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def csv_file(sheet: Sheet, rows: list[list[ExportValue]]) -> bytes:
    """UTF-8 with a byte order mark, so that Excel does not take it for Windows-1252."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(sheet.headings)
    writer.writerows([_csv_value(v) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# Reading -------------------------------------------------------------------------------------

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls (and old Word files)
_WORKBOOK_PARTS = {"[Content_Types].xml", "xl/workbook.xml"}


def _looks_like(data: bytes) -> str:
    """What a file that is not what its name says seems to be, for the message."""
    if data.startswith(_OLE):
        return "it is an Excel 97-2003 workbook (.xls): save it as an Excel Workbook (.xlsx)"
    if data.startswith(_ZIP):
        return "it is a zip file but not an Excel workbook"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF")):
        return "it is an image or a PDF"
    if b"\x00" in data[:4096]:
        return "it holds binary data"
    return "it is a text file"


def read_upload(filename: str, data: bytes) -> tuple[list[tuple[Sheet, Table]], list[str]]:
    """The sheets an upload holds, and notes on what in it was not read.

    UnreadableFile if it is too big, not the type its name says, or holds no sheet to import.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(
            f"{filename} is larger than {MAX_UPLOAD_WORDS}: split it, or leave out the risks "
            "and older status updates"
        )
    if not data:
        raise UnreadableFile(f"{filename} is empty")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        return _read_workbook(filename, data)
    if suffix == "csv":
        return [_read_csv(filename, data)], []
    raise UnreadableFile("Upload an Excel workbook (.xlsx) or a CSV file (.csv)")


def _cell_value(cell: Any) -> CellValue:
    if cell.data_type == "f":
        return BadCell(FORMULA)
    if cell.data_type == "e":
        return BadCell(f"'{cell.value}' is an error in the spreadsheet, not a value")
    value: CellValue = cell.value
    return value


def _blank(values: Sequence[CellValue]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _table(ws: Worksheet) -> Table:
    headings = [_cell_value(c) for c in next(ws.iter_rows(min_row=1, max_row=1), ())]
    while headings and _blank(headings[-1:]):
        headings.pop()
    if ws.max_row > MAX_ROWS:
        raise UnreadableFile(
            f"The {ws.title} sheet has {ws.max_row:,} rows: the import reads up to {MAX_ROWS:,}"
        )
    rows = []
    if headings:
        for row in ws.iter_rows(min_row=2, max_col=len(headings)):
            values = tuple(_cell_value(c) for c in row)
            if not _blank(values):
                rows.append((row[0].row, values))
    return Table(ws.title, tuple(headings), tuple(rows))


def _read_workbook(filename: str, data: bytes) -> tuple[list[tuple[Sheet, Table]], list[str]]:
    not_a_workbook = f"{filename} is not an Excel workbook (.xlsx): "
    if not data.startswith(_ZIP):
        raise UnreadableFile(not_a_workbook + _looks_like(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except zipfile.BadZipFile:
        raise UnreadableFile(not_a_workbook + "the file is damaged") from None
    if not {p.filename for p in parts} >= _WORKBOOK_PARTS:
        raise UnreadableFile(not_a_workbook + _looks_like(data))
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise UnreadableFile(f"{filename} unpacks to more than the import reads")
    try:
        book = load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same here
        raise UnreadableFile(f"{filename} could not be read as an Excel workbook") from None
    tables, notes = [], []
    for ws in book.worksheets:
        sheet = sheet_named(ws.title)
        if sheet is None:
            notes.append(f"The sheet “{ws.title}” was not read: it is not one of the export's")
        else:
            tables.append((sheet, _table(ws)))
    if not any(sheet.importable for sheet, _ in tables):
        raise UnreadableFile(
            f"{filename} has no sheet called Milestones, Dependencies or Status updates: "
            "name the sheets as an export does"
        )
    return tables, notes


def _decode(filename: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:  # Excel's "CSV (Comma delimited)" on Windows writes Windows-1252, not UTF-8
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableFile(f"{filename} is not a CSV file: {_looks_like(data)}") from None


def _read_csv(filename: str, data: bytes) -> tuple[Sheet, Table]:
    if data.startswith((_ZIP, _OLE)) or b"\x00" in data[:4096]:
        raise UnreadableFile(f"{filename} is not a CSV file: {_looks_like(data)}")
    try:
        records = list(csv.reader(io.StringIO(_decode(filename, data), newline="")))
    except csv.Error as exc:
        raise UnreadableFile(f"{filename} could not be read as CSV: {exc}") from None
    if not records or _blank(records[0]):
        raise UnreadableFile(f"{filename} has no column headings in its first row")
    if len(records) > MAX_ROWS:
        raise UnreadableFile(
            f"{filename} has {len(records):,} rows: the import reads up to {MAX_ROWS:,}"
        )
    sheet = sheet_for_headings(records[0])
    if sheet is None:
        raise UnreadableFile(
            f"The first row of {filename} must hold the column headings of the Milestones, "
            "Dependencies or Status updates sheet, as an export has them"
        )
    if not sheet.importable:
        raise UnreadableFile(f"{filename} holds the {sheet.title} sheet: {sheet.not_imported}")
    rows = tuple(
        (number, tuple(v or None for v in values))
        for number, values in enumerate(records[1:], start=2)
        if not _blank(values)
    )
    return sheet, Table(filename, tuple(records[0]), rows)
