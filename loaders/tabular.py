"""Reading tables as staff produce them: CSV, Excel workbooks and JSON, detected, not declared.

Detection, in this order, from the file's content (its name is not trusted):

* a ZIP (``PK``) or OLE2 signature: an Excel workbook (.xlsx, .xls; read with calamine);
* otherwise text: a UTF-8 byte order mark means UTF-8; else the whole file must
  decode as strict UTF-8; else it is read as Windows-1252 (what Excel on
  Windows writes for "CSV"); a UTF-16 BOM means UTF-16 ("Unicode text");
* text whose first character is ``[`` or ``{``: JSON (an array of objects, an
  object holding one under the registry's name, or CSVW standard-mode JSON);
* any other text: CSV. The delimiter is the one of ``,`` ``;`` and tab that
  splits the header line into the most known column names.

Rows are numbered as a spreadsheet shows them: the header is row 1, blank rows
count. In JSON the number is the item's position in the array (the first is 1),
or CSVW's ``rownum``. Every cell arrives as a stripped string; the schema's
converters decide what it means (decimal commas included).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem

DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: csv's default limit (128 KiB) is lower than what a long description may hold.
FIELD_SIZE_LIMIT = 16 * 1024 * 1024


@dataclass
class Table:
    """A table read from a file: its header cells and its rows, lazily."""

    file: str
    format: str  # "CSV", "Excel", "JSON"
    details: str  # how it was read, for the user: "UTF-8 with BOM, semicolon-separated"
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    header_row: int = 1
    problems: list[Problem] = field(default_factory=list)  # found while reading rows

    @property
    def description(self) -> str:
        return f"{self.format}, {self.details}" if self.details else self.format


class TableError(Exception):
    """The file cannot be read as a table at all."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def read_table(path: Path, *, names: set[str], sheet_names: tuple[str, ...]) -> Table:
    """Open ``path`` as a table. ``names`` are the (lower-case) column names and
    titles that the header may use; ``sheet_names`` the sheet names that mean
    this registry in a workbook (lower-case)."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise TableError(Problem(file, f"cannot read the file: {error.strerror or error}")) from None
    if not head:
        raise TableError(Problem(file, "the file is empty", expected="a header row naming the columns, then one row per entry"))
    if head.startswith(ZIP_MAGIC) or head.startswith(OLE_MAGIC):
        return _read_workbook(path, sheet_names)
    encoding, label = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as text:
        start = text.read(4096).lstrip()
    if not start:
        raise TableError(Problem(file, "the file has no text", expected="a header row naming the columns, then one row per entry"))
    if start[0] in "[{":
        return _read_json(path, encoding, label, sheet_names)
    return _read_csv(path, encoding, label, names)


# --- text -----------------------------------------------------------------------


def detect_encoding(path: Path) -> tuple[str, str]:
    """(Python codec, label) of a text file: BOM, else strict UTF-8, else Windows-1252."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 with BOM"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16", "UTF-16"
    if _decodes(path, "utf-8"):
        return "utf-8", "UTF-8"
    offset = _decodes(path, "cp1252", report=True)
    if offset is True:
        return "cp1252", "Windows-1252"
    raise TableError(
        Problem(
            str(path),
            f"the text is neither UTF-8 nor Windows-1252 (undecodable byte at offset {offset})",
            expected="a CSV file saved as 'CSV UTF-8' or 'CSV (semicolon/comma separated)'",
        )
    )


def _decodes(path: Path, encoding: str, report: bool = False):
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    position = 0
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
                position += len(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return position + error.start if report else False
    return True


def _choose_delimiter(line: str, names: set[str]) -> str:
    """The delimiter that splits the header line into the most known column names."""

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([line], delimiter=delimiter))
        return sum(c.strip().lower() in names for c in cells), len(cells)

    return max(DELIMITERS, key=score)


def _read_csv(path: Path, encoding: str, label: str, names: set[str]) -> Table:
    file = str(path)
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
    with open(path, encoding=encoding, newline="") as text:
        first_line = text.readline().rstrip("\r\n")
    delimiter = _choose_delimiter(first_line, names)
    handle = open(path, encoding=encoding, newline="")
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    table = Table(file, "CSV", f"{label}, {DELIMITER_NAMES[delimiter]}", [], iter(()))
    try:
        table.header = [cell.strip() for cell in next(reader)]
    except (csv.Error, StopIteration) as error:
        handle.close()
        raise TableError(Problem(file, f"the header row cannot be read: {error}", line=1)) from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for number, cells in enumerate(reader, 2):
                yield number, [cell.strip() for cell in cells]
        except csv.Error as error:
            message = str(error)
            if "unexpected end of data" in message or "EOF" in message:
                message = "the file ends inside a quoted value (is it truncated?)"
            table.problems.append(Problem(file, message, line=number + 1))
        finally:
            handle.close()

    table.rows = rows()
    return table


# --- workbooks -------------------------------------------------------------------


def _cell_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read_workbook(path: Path, sheet_names: tuple[str, ...]) -> Table:
    from python_calamine import CalamineWorkbook

    file = str(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = list(workbook.sheet_names)
        chosen = _choose_sheet(file, sheets, sheet_names)
        cells = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except TableError:
        raise
    except Exception as error:  # calamine raises its own types and zip errors
        raise TableError(
            Problem(file, f"not a readable Excel workbook (is it truncated or damaged?): {error}")
        ) from None
    while cells and not any(_cell_text(c) for c in cells[0]):
        cells.pop(0)  # never: skip_empty_area=False starts at A1, but an empty sheet is []
    if not cells:
        raise TableError(Problem(file, f"the sheet '{chosen}' is empty", expected="a header row naming the columns"))
    header = [_cell_text(c) for c in cells[0]]
    rows = ((number, [_cell_text(c) for c in row]) for number, row in enumerate(cells[1:], 2))
    detail = f"sheet '{chosen}'" + (f" of {len(sheets)}" if len(sheets) > 1 else "")
    return Table(file, "Excel", detail, header, rows)


def _choose_sheet(file: str, sheets: list[str], wanted: tuple[str, ...]) -> str:
    """The sheet named after the registry, else the only sheet; else say which sheets there are."""
    for sheet in sheets:
        if sheet.strip().lower() in wanted:
            return sheet
    if len(sheets) == 1:
        return sheets[0]
    listed = ", ".join(f"'{s}'" for s in sheets)
    raise TableError(
        Problem(
            file,
            f"the workbook has {len(sheets)} sheets ({listed}) and none is named '{wanted[0]}'",
            expected=f"the registry in a sheet named '{wanted[0]}', or a workbook with one sheet",
        )
    )


# --- JSON ------------------------------------------------------------------------


def _json_text(value, file: str, number: int, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return "|".join(str(v).strip() for v in value)
    raise TableError(
        Problem(file, "a value must be text, a number, true/false or a list of those", line=number, column=key,
                value=json.dumps(value, ensure_ascii=False)[:80])
    )


def _read_json(path: Path, encoding: str, label: str, sheet_names: tuple[str, ...]) -> Table:
    file = str(path)
    try:
        with open(path, encoding=encoding) as handle:
            data = json.load(handle)
    except json.JSONDecodeError as error:
        raise TableError(Problem(file, f"not valid JSON: {error.msg}", line=error.lineno, column=error.colno)) from None
    items, numbers = _json_items(data, sheet_names)
    if items is None:
        raise TableError(
            Problem(file, "the JSON does not hold a list of rows",
                    expected=f"an array of objects, or an object with the array under '{sheet_names[0]}'")
        )
    header: list[str] = []
    seen = set()
    for number, item in zip(numbers, items):
        if not isinstance(item, dict):
            raise TableError(Problem(file, "each row must be a JSON object", line=number,
                                     value=json.dumps(item, ensure_ascii=False)[:80]))
        for key in item:
            if key not in seen:
                seen.add(key)
                header.append(key)
    rows = [(number, [_json_text(item.get(key), file, number, key) for key in header]) for number, item in zip(numbers, items)]
    return Table(file, "JSON", label, header, iter(rows), header_row=0)


def _json_items(data, sheet_names: tuple[str, ...]):
    """(items, row numbers) from the shapes of JSON we accept, or (None, None)."""
    if isinstance(data, list):
        return data, range(1, len(data) + 1)
    if isinstance(data, dict):
        for key, value in data.items():
            if key.lower() in sheet_names and isinstance(value, list):
                return value, range(1, len(value) + 1)
        tables = data.get("tables")
        if isinstance(tables, list) and len(tables) == 1 and isinstance(tables[0], dict):
            rows = tables[0].get("row")
            if isinstance(rows, list) and all(isinstance(r, dict) and r.get("describes") for r in rows):
                return [r["describes"][0] for r in rows], [int(r.get("rownum", i)) for i, r in enumerate(rows, 1)]
    return None, None
