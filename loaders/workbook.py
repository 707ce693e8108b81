"""Excel workbooks, read with calamine within bounds.

calamine builds a sheet as one rectangle, from the first to the last cell that
holds something, and python-calamine then gives it from A1 as Python lists: a
5 KB workbook with one value in XFD1048576 asks for 512 GB and the process
aborts (no exception can catch that). So an ``.xlsx`` is checked before calamine
opens it, in one streamed pass over the parts it will read:

* the ZIP must be an Office Open XML workbook (``xl/workbook.xml``); other
  archives (OpenDocument, binary ``.xlsb``) are refused with what to do;
* the parts together unpack to at most :data:`MAX_UNPACKED` bytes, counted as
  they unpack (what the ZIP directory claims is not trusted);
* the registry's sheet is scanned for the cells it holds, placed as calamine
  places them (a cell's ``r``, else after the one before it): the rectangle from
  A1 to the last of them has at most :data:`MAX_SHEET_CELLS` cells, within
  Excel's XFD1048576. The ``<dimension>`` element is a claim and is ignored.

A legacy ``.xls`` (OLE2) cannot be checked so: it is read in a process of its
own whose memory is capped, so that a workbook that makes calamine abort is an
error, not the end of the caller.
"""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import posixpath
import re
import resource
import signal
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from .errors import Problem
from .table import Table, TableError

ZIP_MAGIC = b"PK\x03\x04"
#: The rectangle from A1 to a sheet's last cell: twice what a million rows of 16 columns need.
MAX_SHEET_CELLS = 1 << 25
#: What the parts of a workbook may unpack to, together.
MAX_UNPACKED = 4 << 30
#: The small parts (the workbook's sheet list and its relationships) are parsed whole.
MAX_INDEX_PART = 16 << 20
#: Excel's last cell is XFD1048576.
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
_BLOCK = 4 << 20
_LONGEST_TAG = 16 << 20

_PREFIX = rb"(?:[^\s<>/:=]+:)?"
_ATTRIBUTE = rb"""\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*')"""
#: Cells and rows as Excel, openpyxl, LibreOffice ... write them: ``<c r="B7"``, ``<row r="7"``.
_ODD_CELL = re.compile(rb'<c(?! r="[A-Z]{1,3}[0-9]{1,7}")')
_ODD_ROW = re.compile(rb'<row(?! r="[0-9]{1,7}")')
_PLAIN_ROW = re.compile(rb'<row r="([0-9]{1,7})"')
#: The row numbers of plain cells with n digits.
_PLAIN_ROW_DIGITS = {n: re.compile(rb'<c r="[A-Z]{1,3}([0-9]{%d})"' % n) for n in range(1, 8)}
_LONG_COLUMN = re.compile(rb'<c r="[A-Z]{2}')
_PLAIN_COLUMN = {n: re.compile(rb'<c r="([A-Z]{%d})[0-9]' % n) for n in (1, 2, 3)}
#: What a cell or a row with a namespace prefix has (or text that looks like it).
_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
#: Rows and cells, start and end tags, in order: (end "/", "row" or "c", attributes, empty "/").
_TAG = re.compile(rb"<(/?)" + _PREFIX + rb"(row|c)(?=[\s/>])((?:" + _ATTRIBUTE + rb")*)\s*(/?)>")
_R = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)([0-9]+)["']""")


def _plain(data: bytes) -> bool:
    """Whether every cell and row of the block is plain (the <c ...> and <row ...> that are
    not, such as <col> and <cfRule>, send a block the slow way, which is exact)."""
    return not (_ODD_CELL.search(data) or _ODD_ROW.search(data) or _PREFIXED.search(data))


def _last_plain_column(data: bytes) -> int:
    """The last column (1-based) of the plain cells of a block, 0 if it has none."""
    if _LONG_COLUMN.search(data):
        for letters in (3, 2):
            if _PLAIN_COLUMN[letters].search(data):
                return max(map(column_number, set(_PLAIN_COLUMN[letters].findall(data))))
    return max(map(column_number, set(_PLAIN_COLUMN[1].findall(data))), default=0)


def column_number(letters: bytes | str) -> int:
    """1 for A, 16384 for XFD."""
    number = 0
    for char in letters.upper() if isinstance(letters, str) else letters.decode("ascii").upper():
        number = number * 26 + ord(char) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def damaged(file: str, error: object) -> TableError:
    return TableError(Problem(file, f"not a readable Excel workbook (is it truncated or damaged?): {error}"))


# --- the checks before calamine ------------------------------------------------------------


class _Extent:
    """Where calamine will put a sheet's cells (0-based, as it counts), and how many there are.

    A block in the form Excel and most writers use (``<row r="7">``, ``<c r="B7" ...>``)
    is read fast, counting every cell, even empty ones; any other block is followed
    tag by tag, as calamine reads it. Only if the fast count finds the sheet too large
    is it read again the exact way, where cells without a value do not count.
    """

    def __init__(self, file: str, exact: bool = False) -> None:
        self.file = file
        self.exact = exact
        self.approximate = False  # some block was counted fast (empty cells included)
        self.cells = 0
        self.last_row = self.last_column = -1  # of cells that may hold a value
        # calamine's position for a cell without a reference (after a fast block: no further than this)
        self.row = self.column = 0

    def block(self, data: bytes) -> None:
        tags = data.count(b"<c")  # the cells, and the few <col>, <cfRule> ... around them
        self.cells += tags
        if self.cells > MAX_SHEET_CELLS:
            raise TableError(Problem(self.file, f"the sheet has more than {MAX_SHEET_CELLS:,} cells",
                                     expected="a registry of at most about a million rows"))
        if not self.exact and _plain(data):
            self._fast(data)
        else:
            self._follow(data)

    def _fast(self, data: bytes) -> None:
        """Bound the cells of a plain block (every row and cell says where it is) without
        visiting each: the last column by its letters, the last row by its number of digits
        (exactly only where that bound is too coarse)."""
        rows = _PLAIN_ROW.findall(data)
        if rows:
            self.row = max(map(int, rows))
        column = _last_plain_column(data)
        if not column:
            return
        self.approximate = True
        self.column = max(self.column, column)
        width = max(column, self.last_column + 1)
        digits = next(n for n in range(7, 0, -1) if _PLAIN_ROW_DIGITS[n].search(data))
        row = 10**digits - 1
        if row * width > MAX_SHEET_CELLS:
            row = max(map(int, _PLAIN_ROW_DIGITS[digits].findall(data)))
        self._reach(row - 1, column - 1)

    def _follow(self, data: bytes) -> None:
        """Place each cell as calamine does: its ``r``, else after the cell before it in its row."""
        for end, kind, attributes, empty in _TAG.findall(data):
            if kind == b"row":
                if not end:
                    at = _R.search(attributes)
                    if at:
                        self.row = int(at.group(2)) - 1
                if end or empty:
                    self.row += 1
                    self.column = 0
                continue
            if end:
                continue
            at = _R.search(attributes)
            if at and at.group(1):
                row, column = int(at.group(2)) - 1, column_number(at.group(1)) - 1
            else:
                row, column = self.row, self.column
            self.column = column + 1
            if not empty:
                self._reach(row, column)

    def _reach(self, row: int, column: int) -> None:
        self.last_row, self.last_column = max(self.last_row, row), max(self.last_column, column)
        if self.last_row >= EXCEL_ROWS or self.last_column >= EXCEL_COLUMNS:
            if self.approximate:
                return  # the exact reading will tell (the far cell may be empty)
            raise TableError(Problem(self.file, "a cell lies beyond the last cell of a worksheet, XFD1048576",
                                     line=row + 1, column=column_letters(column + 1)))

    def too_large(self) -> bool:
        return (self.last_row + 1) * (self.last_column + 1) > MAX_SHEET_CELLS

    def check(self) -> None:
        rows, columns = self.last_row + 1, self.last_column + 1
        if self.too_large():
            raise TableError(Problem(
                self.file,
                f"the sheet's cells span {rows:,} rows and {columns:,} columns ({rows * columns:,} cells from A1), "
                f"more than the {MAX_SHEET_CELLS:,} a registry sheet may have",
                line=rows, column=column_letters(columns),
                expected="the registry's table alone on its sheet (delete what lies beyond it)",
            ))


def _unpacked(file: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]):
    """The part's bytes in blocks, as many as really unpack (its stated size is not trusted)."""
    unbounded = copy.copy(info)
    unbounded.file_size = MAX_UNPACKED + 1
    with archive.open(unbounded) as stream:
        while block := stream.read(_BLOCK):
            budget[0] -= len(block)
            if budget[0] < 0:
                raise TableError(Problem(file, f"the workbook unpacks to more than {MAX_UNPACKED:,} bytes",
                                         expected="a registry workbook (this looks like a ZIP bomb)"))
            yield block


def _scan_sheet(file: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int],
                exact: bool = False) -> None:
    extent = _Extent(file, exact)
    left = budget[0]
    carry = b""
    for block in _unpacked(file, archive, info, budget):
        data = carry + block
        cut = data.rfind(b"<")
        if cut < 0:
            cut = len(data)
        extent.block(data[:cut])
        carry = data[cut:]
        if len(carry) > _LONGEST_TAG:
            raise damaged(file, f"{info.filename} has an element longer than {_LONGEST_TAG:,} bytes")
    extent.block(carry)
    if extent.approximate and (extent.too_large() or extent.last_row >= EXCEL_ROWS or extent.last_column >= EXCEL_COLUMNS):
        budget[0] = left  # the same part again
        _scan_sheet(file, archive, info, budget, exact=True)
        return
    extent.check()


def _index_part(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_INDEX_PART:
        raise damaged(archive.filename or "", f"{name} is larger than {MAX_INDEX_PART:,} bytes")
    return ElementTree.fromstring(archive.read(info))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_parts(archive: zipfile.ZipFile) -> tuple[list[str], dict[str, str]]:
    """The workbook's sheet names in order, and the part of each name that is unique."""
    workbook = _index_part(archive, "xl/workbook.xml")
    relations = _index_part(archive, "xl/_rels/workbook.xml.rels")
    targets = {}
    for element in relations.iter() if relations is not None else ():
        if _local(element.tag) == "Relationship" and element.get("Id") and element.get("Target"):
            target = element.get("Target")
            targets[element.get("Id")] = target[1:] if target.startswith("/") else posixpath.normpath("xl/" + target)
    names, parts = [], {}
    for element in workbook.iter():
        if _local(element.tag) == "sheet" and element.get("name") is not None:
            name = element.get("name")
            relation = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            parts[name] = None if name in parts else targets.get(relation)
            names.append(name)
    return names, {name: part for name, part in parts.items() if part}


def _not_a_workbook(file: str, names: set[str]) -> TableError:
    if "content.xml" in names:
        what = "an OpenDocument spreadsheet (.ods)"
    elif "xl/workbook.bin" in names:
        what = "a binary Excel workbook (.xlsb)"
    else:
        what = "a ZIP archive but not an Excel workbook"
    return TableError(Problem(file, f"the file is {what}, which is not read",
                              expected="an Excel workbook (.xlsx), CSV or JSON"))


def check_xlsx(path: Path, wanted: tuple[str, ...]) -> str:
    """The name of the registry's sheet of the workbook at ``path``, once the workbook is
    known to be one that calamine reads within bounds; else :class:`TableError`."""
    file = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise _not_a_workbook(file, names)
            sheets, parts = _sheet_parts(archive)
            chosen = choose_sheet(file, sheets, wanted)
            budget = [MAX_UNPACKED]
            part = parts.get(chosen)
            scanned = [part] if part in names else sorted(
                n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
            for name in scanned:
                _scan_sheet(file, archive, archive.getinfo(name), budget)
            for name in sorted(names - set(scanned)):
                for _ in _unpacked(file, archive, archive.getinfo(name), budget):
                    pass
            return chosen
    except TableError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError,
            ElementTree.ParseError, RuntimeError) as error:
        raise damaged(file, error) from None


# --- reading --------------------------------------------------------------------------------


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


def _calamine_cells(file: str, sheet_names: tuple[str, ...], checked: str | None) -> tuple[list[str], str, list]:
    """(sheet names, the chosen one, its cells from A1) as calamine reads them."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(file)
        sheets = list(workbook.sheet_names)
        chosen = checked if checked is not None else choose_sheet(file, sheets, sheet_names)
        if chosen not in sheets:
            raise damaged(file, f"calamine finds no sheet '{chosen}'")
        return sheets, chosen, workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except TableError:
        raise
    except Exception as error:  # calamine raises its own types and zip errors
        raise damaged(file, error) from None
    except BaseException as error:  # a panic in calamine (pyo3's PanicException is no Exception)
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise damaged(file, f"the reader stopped: {error}") from None


#: The address space of the process that reads a legacy workbook.
LEGACY_MEMORY = 8 << 30
LEGACY_SECONDS = 900


def _legacy_cells(file: str, sheet_names: tuple[str, ...]) -> tuple[list[str], str, list]:
    """What :func:`_calamine_cells` gives for a legacy .xls, read in a process of its own.

    Nothing can be checked before calamine reads an .xls (its records are inside an OLE2
    container), and calamine trusts them: a DIMENSIONS record of 4 billion rows makes it ask
    for petabytes and abort. The child caps its memory; if it dies, the workbook is damaged.
    """
    command = [sys.executable, "-m", __name__, file, *sheet_names]
    try:
        done = subprocess.run(command, capture_output=True, timeout=LEGACY_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise damaged(file, f"its reader took more than {LEGACY_SECONDS} s") from None
    if done.returncode != 0:
        how = (f"signal {signal.Signals(-done.returncode).name}" if done.returncode < 0
               else f"exit {done.returncode}")
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise damaged(file, f"its reader stopped ({how}{': ' + last[0][:200] if last else ''})")
    outcome, *result = pickle.loads(done.stdout)
    if outcome == "problem":
        raise TableError(result[0])
    return tuple(result)


def _legacy_child(file: str, sheet_names: tuple[str, ...]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LEGACY_MEMORY, LEGACY_MEMORY))
    try:
        result = ("cells", *_calamine_cells(file, sheet_names, None))
    except TableError as error:
        result = ("problem", error.problem)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))


def read_workbook(path: Path, sheet_names: tuple[str, ...]) -> Table:
    """The registry's sheet of an Excel workbook (.xlsx checked first; .xls in a process of its own)."""
    file = str(path)
    with open(path, "rb") as handle:
        zipped = handle.read(4) == ZIP_MAGIC
    if zipped:
        sheets, chosen, cells = _calamine_cells(file, sheet_names, check_xlsx(path, sheet_names))
    else:
        sheets, chosen, cells = _legacy_cells(file, sheet_names)
    while cells and not any(_cell_text(c) for c in cells[0]):
        cells.pop(0)  # never: skip_empty_area=False starts at A1, but an empty sheet is []
    if not cells:
        raise TableError(Problem(file, f"the sheet '{chosen}' is empty", expected="a header row naming the columns"))
    header = [_cell_text(c) for c in cells[0]]
    rows = ((number, [_cell_text(c) for c in row]) for number, row in enumerate(cells[1:], 2))
    detail = f"sheet '{chosen}'" + (f" of {len(sheets)}" if len(sheets) > 1 else "")
    return Table(file, "Excel", detail, header, rows)


def choose_sheet(file: str, sheets: list[str], wanted: tuple[str, ...]) -> str:
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


if __name__ == "__main__":  # the child of _legacy_cells: FILE SHEET-NAME...
    _legacy_child(sys.argv[1], tuple(sys.argv[2:]))
