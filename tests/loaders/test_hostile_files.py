"""Hostile and damaged files: each is an error naming the file (and the row and column where
there is one), never a crash, a traceback or silently damaged text; a failed load leaves the
store as it was. Each test builds its file from the sample registries."""

from __future__ import annotations

import csv
import io
import os
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, SAMPLE_REGISTRIES, shared_dir, store_at, store_environ
from openpyxl import Workbook


def sample_rows(name: str) -> list[list[str]]:
    with open(SAMPLE_REGISTRIES / f"{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_workbook(path: Path, rows: list[list[str]], sheet: str = "organisations") -> None:
    book = Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)


def rewrite_sheet(path: Path, change) -> None:
    """Rewrite the first worksheet's XML inside the workbook's zip with ``change(xml) -> xml``."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(info, data)


def whole_sheet_dimension(xml: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)


def policykg(*args: str, store: Path) -> subprocess.CompletedProcess:
    """The command in a process of its own (a crash fails the test instead of pytest), with its
    address space capped at 8 GiB so that a runaway allocation cannot take the machine."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("POLICYKG_")}
    environment.update({**store_environ(store), "POLICYKG_SHARED_DIR": str(shared_dir())})

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))

    command = [str(Path(sys.executable).parent / "policykg"), *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300, cwd=REPO,
                          preexec_fn=cap)


def invoke(runner, store: Path, *args: str):
    result = runner.invoke(runner.cli, ["--store", str(store), *args])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


# --- spreadsheets ------------------------------------------------------------------------


def test_a_workbook_with_a_cell_in_the_last_corner_of_the_sheet_is_refused_not_an_abort(tmp_path):
    """5 KB whose cells span A1:XFD1048576: reading it whole would take 512 GB (the reader aborted)."""
    path = tmp_path / "organisations.xlsx"
    write_workbook(path, sample_rows("organisations"))
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    rewrite_sheet(path, lambda xml: whole_sheet_dimension(xml).replace(b"</sheetData>", far))
    assert path.stat().st_size < 8000
    done = policykg("validate", "organisations", str(path), store=tmp_path / "store")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert f"{path}:1048576:XFD: the sheet's cells span 1,048,576 rows and 16,384 columns" in done.stderr, done.stderr


def test_a_workbook_whose_dimension_claims_the_whole_sheet_is_read_by_its_cells(runner, tmp_path):
    """The <dimension> element is a claim, not the cells: the table is what the sheet holds."""
    path = tmp_path / "organisations.xlsx"
    write_workbook(path, sample_rows("organisations"))
    rewrite_sheet(path, whole_sheet_dimension)
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 0, result.output
    assert "15 rows (Excel, sheet 'organisations')" in result.output


# --- JSON ----------------------------------------------------------------------------------


def test_json_nested_100000_deep_is_an_error_at_the_place_it_gets_too_deep(runner, tmp_path):
    path = tmp_path / "organisations.json"
    path.write_text('[{"id": "a", "name_sv": ' + "[" * 100_000 + "]" * 100_000 + "}]\n", encoding="utf-8")
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:1:123: the JSON nests arrays and objects more than 100 deep" in result.output, result.output


# --- CSV -----------------------------------------------------------------------------------


def test_a_csv_of_one_enormous_line_is_an_error_at_row_1(runner, tmp_path):
    """More than csv's field limit (16 MiB) on one line, no delimiter: delimiter detection raised _csv.Error."""
    path = tmp_path / "organisations.csv"
    path.write_bytes(b"id" + b"x" * (17 << 20))
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:1: a cell is longer than 16,777,216 characters" in result.output, result.output


def test_a_csv_of_one_long_line_of_short_cells_is_one_error_not_a_million(runner, tmp_path):
    """A million header cells would be a million 'unknown column' problems (and gigabytes)."""
    path = tmp_path / "organisations.csv"
    path.write_bytes(b"id," + b"x," * 1_000_000 + b"\n")
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1, result.output[:2000]
    assert result.output == (f"1 problem found\n  {path}:1: the header has 1,000,002 cells, more than the 16,384 "
                             "columns a table may have (expected a header row naming the columns, then one row per entry)\n")


def mixed_encoding_file(path: Path) -> tuple[int, str, str]:
    """The organisations registry in UTF-8 but for one row in Windows-1252; (row, column, value)
    of the first byte that is not UTF-8."""
    rows = sample_rows("organisations")
    index = next(i for i, row in enumerate(rows) if i > 3 and any(not c.isascii() for c in row))
    header = rows[0]
    column = next(header[j] for j, cell in enumerate(rows[index]) if not cell.isascii())
    cell = next(cell for cell in rows[index] if not cell.isascii())
    data = b"".join(
        csv_text([row]).encode("cp1252" if i == index else "utf-8") for i, row in enumerate(rows)
    )
    path.write_bytes(data)
    return index + 1, column, cell.encode("cp1252").decode("utf-8", "backslashreplace")


def test_a_utf8_csv_with_one_row_in_windows_1252_is_an_error_at_the_first_bad_byte(runner, tmp_path):
    path = tmp_path / "organisations.csv"
    row, column, value = mixed_encoding_file(path)
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:{row}:{column}: a byte that is not UTF-8" in result.output, result.output
    assert repr(value) in result.output
    assert "Ã" not in result.output


def test_loading_a_utf8_csv_with_one_row_in_windows_1252_leaves_the_store_as_it_was(runner, tmp_path):
    store = tmp_path / "store"
    first = invoke(runner, store, "load", "--no-dumps", "--no-answers", "organisations",
                   str(SAMPLE_REGISTRIES / "organisations.csv"))
    assert first.exit_code == 0, first.output
    before = store_at(store).current_generation()
    path = tmp_path / "organisations.csv"
    row, column, _ = mixed_encoding_file(path)
    result = invoke(runner, store, "load", "--no-dumps", "--no-answers", "organisations", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:{row}:{column}: " in result.output
    assert store_at(store).current_generation() == before
    mojibake = store_at(store).query('ASK { GRAPH ?g { ?s ?p ?o FILTER(CONTAINS(STR(?o), "Ã")) } }')
    assert not bool(mojibake)


def test_a_wholly_windows_1252_csv_still_loads(runner, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_bytes(csv_text(sample_rows("organisations"), ";").encode("cp1252"))
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 0, result.output
    assert "(CSV, Windows-1252, semicolon-separated): valid" in result.output


@pytest.mark.parametrize(
    "data, where",
    [
        # a byte order mark says UTF-8; row 3's name is Windows-1252
        (b"\xef\xbb\xbfid,name_sv\nx,Ume\xc3\xa5\ny,Ume\xe5 kommun\n", "3:name_sv"),
        # a byte order mark says UTF-16; the file ends in half a surrogate pair
        ("id,name_sv\nx,Umeå\n".encode("utf-16") + b"\x00\xd8a\x00", "3:id"),
        # in the header: row 1
        (b"id,n\xe4me_sv\nx,Ume\xc3\xa5\n", "1:2"),
        # Windows-1252 has no character for 0x81
        (b"id;name_sv\nx;Ume\xe5\ny;ab\x81\n", "3:name_sv"),
    ],
    ids=["bom-utf8", "utf16", "header", "cp1252-undefined"],
)
def test_bytes_that_break_the_detected_encoding_are_located(runner, tmp_path, data, where):
    path = tmp_path / "organisations.csv"
    path.write_bytes(data)
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}:{where}: " in result.output, result.output


# --- the bounds of a sheet, checked before calamine sees it (in-process: calamine is not called) ---


def far_cell(ref: str, *, empty: bool = False, row_tag: str | None = None) -> bytes:
    """A row holding one cell at ``ref`` (a value, or an empty styled cell)."""
    row = row_tag or f'<row r="{re.sub(r"[A-Za-z]", "", ref)}">'
    cell = f'<c r="{ref}" s="0"/>' if empty else f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>'
    return f"{row}{cell}</row>".encode()


@pytest.mark.parametrize(
    "extra, where",
    [
        (far_cell("XFD1048576"), "1048576:XFD"),  # three letters, seven digits
        (far_cell("ZZ1048576"), "1048576:ZZ"),  # 702 columns of a million rows
        (far_cell("Z1048576") + far_cell("AZ2"), "1048576:AZ"),  # from two cells
        (far_cell("xfd1048576"), "1048576:XFD"),  # calamine takes lower case too
        (b'<x:row r="1048576"><x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row>', "1048576:XFD"),
        # without references: a row after row 1048575 (and a cell in XFD2), then the 16,384th cell of row 7
        (far_cell("XFD20") + b'<row r="1048575"></row><row><c t="inlineStr"><is><t>x</t></is></c></row>',
         "1048576:XFD"),
        (b'<row r="7"><c r="XFC7" t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>'
         + far_cell("A1048576"), "1048576:XFD"),
    ],
    ids=["XFD1048576", "ZZ1048576", "two-cells", "lower-case", "prefixed", "rows-without-r", "cells-without-r"],
)
def test_cells_far_from_the_table_are_refused_before_calamine_reads_them(tmp_path, extra, where):
    from policykg.loaders.tabular import TableError
    from policykg.loaders.workbook import check_xlsx

    path = tmp_path / "organisations.xlsx"
    write_workbook(path, sample_rows("organisations"))
    rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", extra + b"</sheetData>"))
    with pytest.raises(TableError) as caught:
        check_xlsx(path, ("organisations",))
    assert str(caught.value.problem).startswith(f"{path}:{where}: the sheet's cells span "), caught.value.problem


@pytest.mark.parametrize(
    "extra, where, message",
    [
        (far_cell("XFE1"), "1:XFE", "a cell lies beyond the last cell of a worksheet, XFD1048576"),
        (far_cell("A1048577"), "1048577:A", "a cell lies beyond the last cell of a worksheet, XFD1048576"),
    ],
)
def test_cells_beyond_excels_last_cell_are_refused(tmp_path, extra, where, message):
    from policykg.loaders.tabular import TableError
    from policykg.loaders.workbook import check_xlsx

    path = tmp_path / "organisations.xlsx"
    write_workbook(path, sample_rows("organisations"))
    rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", extra + b"</sheetData>"))
    with pytest.raises(TableError) as caught:
        check_xlsx(path, ("organisations",))
    assert str(caught.value.problem) == f"{path}:{where}: {message}"


def test_an_empty_formatted_cell_far_away_does_not_count(runner, tmp_path):
    """calamine keeps only cells with a value: an empty styled XFD1048576 costs nothing."""
    path = tmp_path / "organisations.xlsx"
    write_workbook(path, sample_rows("organisations"))
    rewrite_sheet(path, lambda xml: xml.replace(b"</sheetData>", far_cell("XFD1048576", empty=True) + b"</sheetData>"))
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "members, message",
    [
        ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
         "the file is an OpenDocument spreadsheet (.ods), which is not read"),
        ({"notes.txt": "hello"}, "the file is a ZIP archive but not an Excel workbook, which is not read"),
    ],
)
def test_other_zip_archives_are_named_for_what_they_are(runner, tmp_path, members, message):
    path = tmp_path / "organisations.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1
    assert f"{path}: {message} (expected an Excel workbook (.xlsx), CSV or JSON)" in result.output, result.output


# --- found by the property-based tests (test_random_files.py) ---------------------------------


def test_an_unknown_json_key_is_reported_at_the_row_that_names_it(runner, tmp_path):
    """It was FILE:KEY: (no row), which reads as a row that is not a number."""
    path = tmp_path / "organisations.json"
    path.write_text('[{"id": "a", "name_sv": "A", "kind": "board"},\n {"id": "b", "name_sv": "B", "kind": "board", '
                    '"\\"": "x"}]', encoding="utf-8")
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1
    assert f'  {path}:2:": unknown column' in result.output, result.output


def test_a_report_keeps_one_line_per_problem_whatever_the_file_holds(runner, tmp_path):
    path = tmp_path / "organisations.csv"
    path.write_text('id,"name\nsv",ki\x1bnd\na,A,board\n', encoding="utf-8")
    result = invoke(runner, tmp_path / "store", "validate", "organisations", str(path))
    assert result.exit_code == 1
    lines = result.output.rstrip("\n").split("\n")
    assert all(line.startswith(f"  {path}:1") for line in lines[1:]), result.output
    assert f"  {path}:1:name\\nsv: unknown column" in result.output, result.output
    assert f"  {path}:1:ki\\x1bnd: unknown column" in result.output, result.output


# --- legacy workbooks (.xls) ----------------------------------------------------------------

XLS = Path(__file__).resolve().parent.parent / "data" / "registries" / "calamine-date.xls"


def test_a_legacy_workbook_whose_dimensions_record_claims_4_billion_rows_is_an_error_not_an_abort(tmp_path):
    """calamine reserves the DIMENSIONS record's rows × columns before it reads a cell (11 PB here)."""
    data = bytearray(XLS.read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # the DIMENSIONS record: type 0x0200, 14 bytes
    data[at + 4:at + 18] = bytes(4) + b"\xff\xff\xff\xff" + bytes(2) + b"\xff\xff" + bytes(2)
    path = tmp_path / "organisations.xls"
    path.write_bytes(bytes(data))
    done = policykg("validate", "organisations", str(path), store=tmp_path / "store")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert f"{path}: not a readable Excel workbook (is it truncated or damaged?): its reader stopped" in done.stderr


def test_a_legacy_workbook_is_still_read(tmp_path):
    from policykg.loaders.tabular import read_table

    table = read_table(XLS, names=set(), sheet_names=("organisations",))
    assert (table.format, table.details, table.header) == ("Excel", "sheet 'Sheet1'", ["2021-01-01", "15"])
    assert next(table.rows) == (2, ["2021-01-02", "16"])
