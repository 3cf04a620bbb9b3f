"""The files themselves: a workbook or CSV file written for export, an upload read back.

What each sheet holds is tracker/domain/plan_sheets/'s; this module knows the formats only:
openpyxl for .xlsx, the csv module for CSV as Excel writes and reads it (UTF-8 with a byte
order mark, CRLF line ends, dates as dd/mm/yyyy). Uploads are judged by what they hold, not
by their names: a workbook must be a zip with a workbook's parts, a CSV file must be text.

An upload is read as a stream, within a Budget (tracker/domain/plan_sheets/budget.py): a
workbook in openpyxl's read-only mode, each sheet's XML first scanned with expat to count its
rows and cells before openpyxl builds any (so one row of a million cells cannot fill the
memory either), a CSV file row by row. The first budget passed stops the reading with
OverBudget.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, Any
from xml.parsers import expat

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.reader.workbook import WorkbookParser
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from tracker.domain.plan_sheets import (
    BadCell,
    Budget,
    CellValue,
    ExportValue,
    OverBudget,
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


def read_upload(
    filename: str, data: bytes, budget: Budget | None = None
) -> tuple[list[tuple[Sheet, Table]], list[str]]:
    """The sheets an upload holds, and notes on what in it was not read.

    UnreadableFile if it is too big, not the type its name says, or holds no sheet to import;
    OverBudget as soon as it passes one of the budget's rows, columns, cells or seconds.
    """
    budget = budget or Budget()
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(
            f"{filename} is larger than {MAX_UPLOAD_WORDS}: split it, or leave out the risks "
            "and older status updates"
        )
    if not data:
        raise UnreadableFile(f"{filename} is empty")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "xlsx":
        return _read_workbook(filename, data, budget)
    if suffix == "csv":
        return [_read_csv(filename, data, budget)], []
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


def _trimmed(values: Iterable[CellValue]) -> list[CellValue]:
    found = list(values)
    while found and _blank(found[-1:]):
        found.pop()
    return found


_ROW, _CELL, _SHARED = "row", "c", "si"  # SpreadsheetML's elements, without their namespace


def _scan(
    source: IO[bytes], budget: Budget, counted: str = _CELL, *, count_rows: bool = True
) -> None:
    """Count a part's rows and cells (`counted` elements) as expat streams it, before
    openpyxl builds any: OverBudget at the first budget passed, whatever the file's shape."""
    rows = 0

    def start(tag: str, attributes: dict[str, str]) -> None:
        nonlocal rows
        name = tag.rpartition(" ")[2]
        if name == counted:
            budget.cell()
        elif name == _ROW:
            rows += 1
            number = attributes.get("r", "")
            if count_rows:
                budget.row(max(rows, int(number) if number.isdigit() else 0))
            else:
                budget.tick()

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.ParseFile(source)


def _table(ws: Any, budget: Budget) -> Table:
    """A read-only worksheet's rows, streamed: the headings, then every row up to the last
    heading's column, counted against the budget as they come."""
    budget.reading(f"the {ws.title} sheet")
    ws.reset_dimensions()  # the file's own dimensions may be wrong: read the rows as they are
    headings = _trimmed(_cell_value(c) for c in next(ws.iter_rows(min_row=1, max_row=1), ()))
    budget.headings(len(headings))
    rows = []
    if headings:
        # Rows missing from the file come as blank ones, so the count is the row's number.
        for number, row in enumerate(ws.iter_rows(min_row=2, max_col=len(headings)), start=2):
            budget.row(number)
            values = tuple(_cell_value(c) for c in row)
            if not _blank(values):
                rows.append((number, values))
    return Table(ws.title, tuple(headings), tuple(rows))


def _read_workbook(
    filename: str, data: bytes, budget: Budget
) -> tuple[list[tuple[Sheet, Table]], list[str]]:
    not_a_workbook = f"{filename} is not an Excel workbook (.xlsx): "
    if not data.startswith(_ZIP):
        raise UnreadableFile(not_a_workbook + _looks_like(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise UnreadableFile(not_a_workbook + "the file is damaged") from None
    with archive:
        parts = archive.infolist()
        if not {p.filename for p in parts} >= _WORKBOOK_PARTS:
            raise UnreadableFile(not_a_workbook + _looks_like(data))
        if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
            raise UnreadableFile(f"{filename} unpacks to more than the import reads")
        try:
            return _read_sheets(filename, data, archive, budget)
        except (UnreadableFile, OverBudget):
            raise
        except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same
            raise UnreadableFile(f"{filename} could not be read as an Excel workbook") from None


def _read_sheets(
    filename: str, data: bytes, archive: zipfile.ZipFile, budget: Budget
) -> tuple[list[tuple[Sheet, Table]], list[str]]:
    """The workbook's sheets, each scanned (_scan) and then streamed in read-only mode."""
    names = {p.filename for p in archive.infolist()}
    if "xl/sharedStrings.xml" in names:  # read whole when the workbook opens: count it first
        texts = Budget(cells=budget.cells, seconds=budget.seconds, clock=budget.clock)
        try:
            with archive.open("xl/sharedStrings.xml") as source:
                _scan(source, texts, _SHARED)
        except OverBudget:
            raise OverBudget(
                f"{filename} holds more than {budget.cells:,} different texts, and the import "
                f"reads up to {budget.cells:,}: leave out the sheets it does not read"
            ) from None
    # Opening the workbook looks through every worksheet for its size, all of a sheet that
    # does not give one: count each first. Only the sheets the import reads count by rows.
    workbook_part = WorkbookParser(archive, "xl/workbook.xml", keep_links=False)
    workbook_part.parse()
    for found, rel in workbook_part.find_sheets():
        if rel.target in names and "chartsheet" not in rel.Type:
            sheet = sheet_named(found.name)
            budget.reading(f"the {found.name} sheet")
            with archive.open(rel.target) as source:
                _scan(source, budget, count_rows=sheet is not None and sheet.importable)
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    tables, notes = [], []
    try:
        for ws in book.worksheets:
            sheet = sheet_named(ws.title)
            if sheet is None:
                notes.append(f"The sheet “{ws.title}” was not read: it is not one of the export's")
                continue
            if sheet.importable:
                tables.append((sheet, _table(ws, budget)))
            else:
                tables.append((sheet, Table(ws.title, (), ())))  # noted as not read, never read
    finally:
        book.close()
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


def _read_csv(filename: str, data: bytes, budget: Budget) -> tuple[Sheet, Table]:
    if data.startswith((_ZIP, _OLE)) or b"\x00" in data[:4096]:
        raise UnreadableFile(f"{filename} is not a CSV file: {_looks_like(data)}")
    budget.reading(filename)
    records = csv.reader(io.StringIO(_decode(filename, data), newline=""))
    try:
        first = next(records, [])
        budget.cell(len(first))
        headings = _trimmed(first)
        if not headings:
            raise UnreadableFile(f"{filename} has no column headings in its first row")
        budget.headings(len(headings))
        sheet = sheet_for_headings(headings)
        rows: tuple[tuple[int, tuple[CellValue, ...]], ...] = ()
        if sheet is not None and sheet.importable:
            rows = tuple(_csv_rows(records, len(headings), budget))
    except csv.Error as exc:
        raise UnreadableFile(f"{filename} could not be read as CSV: {exc}") from None
    if sheet is None:
        raise UnreadableFile(
            f"The first row of {filename} must hold the column headings of the Milestones, "
            "Dependencies or Status updates sheet, as an export has them"
        )
    if not sheet.importable:
        raise UnreadableFile(f"{filename} holds the {sheet.title} sheet: {sheet.not_imported}")
    return sheet, Table(filename, tuple(headings), rows)


def _csv_rows(
    records: Iterable[list[str]], width: int, budget: Budget
) -> Iterable[tuple[int, tuple[CellValue, ...]]]:
    """The rows below the headings as they are read, up to the last heading's column."""
    for number, values in enumerate(records, start=2):
        budget.row(number)
        budget.cell(len(values))
        if not _blank(values):
            yield number, tuple(v or None for v in values[:width])
