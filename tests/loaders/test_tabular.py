"""Reading tables as staff produce them: format, encoding and delimiter detected from the content."""

from __future__ import annotations

import csv
import json

import pytest
from helpers import DATA
from openpyxl import Workbook
from policykg.loaders.tabular import TableError, detect_encoding, read_table

NAMES = {"id", "title_sv", "budget", "titel (svenska)"}
SHEETS = ("projects", "projekt")
FIXTURES = DATA / "registries"


def table(path, names=NAMES):
    found = read_table(path, names=names, sheet_names=SHEETS)
    return found, list(found.rows)


@pytest.mark.parametrize(
    "data, encoding, label",
    [
        ("id;titel\nå;é\n".encode("utf-8"), "utf-8", "UTF-8"),
        (b"\xef\xbb\xbfid\n", "utf-8-sig", "UTF-8 with BOM"),
        ("id;titel\nUmeå – Vasa\n".encode("cp1252"), "cp1252", "Windows-1252"),
        ("id\tå\n".encode("utf-16"), "utf-16", "UTF-16"),
    ],
)
def test_encoding_is_detected(tmp_path, data, encoding, label):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    assert detect_encoding(path) == (encoding, label)


def test_bytes_that_no_encoding_explains_are_refused(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id\nab\x81\xc3\x28\n")  # 0x81 is undefined in Windows-1252
    with pytest.raises(TableError) as caught:
        detect_encoding(path)
    assert str(caught.value.problem) == (
        f"{path}:2:id: a byte that Windows-1252 does not define (0x81), in a file that is not UTF-8 either "
        "(value 'ab\\\\x81Ã('; expected text in UTF-8 or Windows-1252 (save it as 'CSV UTF-8'))"
    )


@pytest.mark.parametrize("delimiter, name", [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_the_delimiter_is_the_one_that_splits_the_header_into_known_names(tmp_path, delimiter, name):
    path = tmp_path / "t.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows([["id", "title_sv", "budget"], ["p1", "A, B; C", "1 200,50"]])
    found, rows = table(path)
    assert found.header == ["id", "title_sv", "budget"]
    assert found.description == f"CSV, UTF-8, {name}-separated"
    assert rows == [(2, ["p1", "A, B; C", "1 200,50"])]


def test_swedish_titles_count_as_column_names(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Id;Titel (svenska)\np1;Projekt, ett\n", encoding="utf-8")
    assert table(path)[0].header == ["Id", "Titel (svenska)"]


def test_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,title_sv\np1,"two\nlines"\n\np2,x\n', encoding="utf-8")
    assert table(path)[1] == [(2, ["p1", "two\nlines"]), (3, []), (4, ["p2", "x"])]


def test_a_quote_left_open_at_the_end_is_a_problem(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,title_sv\np1,"cut', encoding="utf-8")
    found, rows = table(path)
    assert rows == []
    assert [str(p) for p in found.problems] == [f"{path}:2: the file ends inside a quoted value (is it truncated?)"]


def test_empty_and_blank_files(tmp_path):
    empty, blank = tmp_path / "empty.csv", tmp_path / "blank.csv"
    empty.write_bytes(b"")
    blank.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(TableError, match="the file is empty"):
        table(empty)
    with pytest.raises(TableError, match="the file has no text"):
        table(blank)


def workbook(path, sheets):
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def test_a_workbook_is_read_whatever_its_name(tmp_path):
    import datetime as dt

    path = tmp_path / "export.dat"  # not named .xlsx: detected by content
    workbook(path, {"Blad1": [["id", "budget", "start", "flag"], ["p1", 1200.5, dt.date(2020, 1, 2), True], [], ["p2", 12, None, None]]})
    found, rows = table(path)
    assert (found.format, found.details) == ("Excel", "sheet 'Blad1'")
    assert rows == [(2, ["p1", "1200.5", "2020-01-02", "true"]), (3, ["", "", "", ""]), (4, ["p2", "12", "", ""])]


def test_the_registry_sheet_is_chosen_and_otherwise_the_sheets_are_named(tmp_path):
    named, unclear = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    workbook(named, {"Notes": [["x"]], "Projekt": [["id"], ["p1"]]})
    workbook(unclear, {"Blad1": [["id"]], "Blad2": [["id"]]})
    assert table(named)[0].details == "sheet 'Projekt' of 2"
    with pytest.raises(TableError) as caught:
        table(unclear)
    assert caught.value.problem.message == "the workbook has 2 sheets ('Blad1', 'Blad2') and none is named 'projects'"


def test_a_damaged_workbook_is_named(tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes((FIXTURES / "projects-named-sheet.xlsx").read_bytes()[:2000])
    with pytest.raises(TableError, match=r"not a readable Excel workbook \(is it truncated or damaged\?\)"):
        table(path)


@pytest.mark.parametrize(
    "document",
    [
        [{"id": "p1", "budget": 1200.5, "goals": [2, 4]}, {"id": "p2", "flag": True}],
        {"projects": [{"id": "p1", "budget": 1200.5, "goals": [2, 4]}, {"id": "p2", "flag": True}]},
        {"tables": [{"row": [{"rownum": 1, "describes": [{"id": "p1", "budget": 1200.5, "goals": [2, 4]}]},
                             {"rownum": 2, "describes": [{"id": "p2", "flag": True}]}]}]},
    ],
)
def test_json_shapes(tmp_path, document):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    found, rows = table(path)
    assert found.header == ["id", "budget", "goals", "flag"]
    assert rows == [(1, ["p1", "1200.5", "2|4", ""]), (2, ["p2", "", "", "true"])]


def test_bad_json_is_located(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('[\n  {"id": "p1",}\n]', encoding="utf-8")
    with pytest.raises(TableError) as caught:
        table(path)
    assert str(caught.value.problem) == f"{path}:2:15: not valid JSON: Expecting property name enclosed in double quotes"
