"""Writes the bad-input (and odd-but-good input) fixtures of the registry loader tests.

Run from the repository root: ``.venv/bin/python tests/data/registries/make_fixtures.py``.
Every fixture is a small variant of the sample projects registry
(``registries/umea/projects.csv``): the first three projects, re-encoded,
re-delimited or broken in one way. The script is kept so that the binary
fixtures (Excel, Windows-1252) can be made again.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent.parent.parent / "registries" / "umea" / "projects.csv"


def sample_rows(count: int = 3) -> list[list[str]]:
    with open(SAMPLE, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[: count + 1]


def to_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def with_cell(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    rows = [list(r) for r in rows]
    rows[row - 1][rows[0].index(column)] = value
    return rows


def swedish_numbers(rows: list[list[str]]) -> list[list[str]]:
    """Amounts as Excel in Swedish writes them: decimal comma, space between thousands."""
    rows = [list(r) for r in rows]
    for name in ("budget", "municipal_funding"):
        i = rows[0].index(name)
        for r in rows[1:]:
            if r[i]:
                r[i] = r[i] + ",00"
    return rows


def workbook(path: Path, sheets: dict[str, list[list[str]]]) -> None:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)


def main() -> None:
    rows = sample_rows()
    text = to_csv(rows)
    (HERE / "projects-utf8.csv").write_text(text, encoding="utf-8", newline="")
    (HERE / "projects-bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (HERE / "projects-semicolon.csv").write_text(to_csv(swedish_numbers(rows), ";"), encoding="utf-8", newline="")
    (HERE / "projects-cp1252.csv").write_bytes(to_csv(swedish_numbers(rows), ";").encode("cp1252"))
    (HERE / "projects-decimal-comma.csv").write_text(to_csv(swedish_numbers(rows)), encoding="utf-8", newline="")
    bad = with_cell(rows, 3, "responsible_body", "Kulturnämden")
    (HERE / "projects-cp1252-bad.csv").write_bytes(to_csv(bad, ";").encode("cp1252"))
    (HERE / "projects-bom-bad.csv").write_bytes(b"\xef\xbb\xbf" + to_csv(with_cell(rows, 2, "status", "pausat")).encode("utf-8"))
    (HERE / "projects-semicolon-bad.csv").write_text(to_csv(with_cell(rows, 4, "budget", "1 2345,00"), ";"), encoding="utf-8", newline="")
    (HERE / "projects-bad-decimal.csv").write_text(to_csv(with_cell(rows, 2, "municipal_funding", "12,50,00")), encoding="utf-8", newline="")
    dates = with_cell(with_cell(rows, 2, "start", "2018-02-30"), 3, "end", "31/12/2020")
    (HERE / "projects-bad-date.csv").write_text(to_csv(dates), encoding="utf-8", newline="")
    (HERE / "projects-missing-value.csv").write_text(to_csv(with_cell(rows, 3, "title_sv", "")), encoding="utf-8", newline="")
    unknown = with_cell(with_cell(with_cell(rows, 2, "goals", "2|7"), 3, "responsible_body", "kulturnamden"), 4, "sdg_targets", "4.7|11.9")
    (HERE / "projects-unknown-reference.csv").write_text(to_csv(unknown), encoding="utf-8", newline="")
    (HERE / "projects-duplicate-id.csv").write_text(to_csv(with_cell(rows, 4, "id", "P-2018-001")), encoding="utf-8", newline="")
    (HERE / "projects-truncated.csv").write_text(text[: text.rindex("\r\n", 0, len(text) - 2) + 60], encoding="utf-8", newline="")
    quoted = to_csv(with_cell(rows, 4, "title_sv", "Unga européer, ungdomsutbyte"))
    (HERE / "projects-truncated-quote.csv").write_text(quoted[: quoted.index("Unga européer") + 5], encoding="utf-8", newline="")
    (HERE / "projects-empty.csv").write_bytes(b"")
    workbook(HERE / "projects-extra-sheet.xlsx", {"Blad1": rows, "Anteckningar": [["Att göra"], ["Fråga om budget"]]})
    workbook(HERE / "projects-named-sheet.xlsx", {"Anteckningar": [["Att göra"]], "projects": rows})
    (HERE / "projects.json").write_text(
        "[\n" + ",\n".join(
            "  {" + ", ".join(f'"{k}": "{v}"' for k, v in zip(rows[0], r) if v) + "}" for r in rows[1:]
        ) + "\n]\n", encoding="utf-8")


if __name__ == "__main__":
    main()
