"""The CSVW table descriptions and the converters compiled from them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from helpers import REPO
from policykg.loaders.registries import REGISTRIES
from policykg.loaders.registries.activities import KINDS as ACTIVITY_KINDS
from policykg.loaders.registries.common import REVIEW_DECISIONS, SECTORS, STATUSES
from policykg.loaders.registries.organisations import KINDS as BODY_KINDS
from policykg.loaders.registries.partnerships import KINDS as PARTNERSHIP_KINDS
from policykg.loaders.schema import (
    CellError,
    SchemaError,
    compile_schema,
    parse_decimal,
)

SAMPLES = REPO / "registries" / "umea"


@pytest.mark.parametrize(
    "text, value",
    [("1234", "1234"), ("1234,5", "1234.5"), ("1234.5", "1234.5"), ("1 234,50", "1234.50"), ("1\u00a0234\u00a0567,5", "1234567.5"),
     ("1.234,50", "1234.50"), ("1,234.50", "1234.50"), ("-12", "-12"), (",5", "0.5"), ("18 500,00", "18500.00")],
)
def test_numbers_the_swedish_and_the_english_way(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12,50,00", "1 2345", "1.23.4", "abc", "1,2.3,4", "12 ", "1e5", "--1"])
def test_what_is_not_a_number(text):
    with pytest.raises(CellError, match="not a number"):
        parse_decimal(text)


def schema():
    return compile_schema(SAMPLES / "projects.csv-metadata.json")


def test_columns_convert_by_datatype():
    compiled = schema()
    assert compiled.column("start").convert("2020-02-29") == "2020-02-29"
    assert compiled.column("aid_project").convert("Ja") is True
    assert compiled.column("aid_project").convert("false") is False
    assert compiled.column("budget").convert("8 400 000") == Decimal(8400000)
    assert compiled.column("id").convert("p-2019-003") == "p-2019-003"
    for column, text, message in [("start", "2021-02-29", "no such date"), ("start", "2021-1-5", "not a date"),
                                  ("aid_project", "kanske", "not yes or no"), ("budget", "-5", "the number is less than 0"),
                                  ("id", "p 1", "not in the expected form")]:
        with pytest.raises(CellError, match=message):
            compiled.column(column).convert(text)


def test_header_problems_are_all_named():
    compiled = schema()
    mapped, problems = compiled.map_header(["id", "Titel (svenska)", "titel_sv", "budgett", "# anteckning"], "f.csv", 1)
    assert [c.name if c else None for c in mapped] == ["id", "title_sv", None, None, None]
    assert [str(p) for p in problems] == [
        "f.csv:1:titel_sv: unknown column; did you mean 'title_sv'? (expected the columns of projects.csv-metadata.json "
        "(a column whose header starts with # is ignored))",
        "f.csv:1:budgett: unknown column; did you mean 'budget'? (expected the columns of projects.csv-metadata.json "
        "(a column whose header starts with # is ignored))",
        "f.csv:1: the required column 'responsible_body' is missing (expected a column headed 'responsible_body' or 'Ansvarigt organ')",
        "f.csv:1: the required column 'start' is missing (expected a column headed 'start' or 'Start')",
        "f.csv:1: the required column 'status' is missing (expected a column headed 'status' or 'Status')",
    ]


def test_a_broken_schema_is_named(tmp_path):
    path = tmp_path / "x.csv-metadata.json"
    path.write_text(json.dumps({"tableSchema": {"columns": [{"name": "id", "datatype": "gYear"}], "primaryKey": "id"}}))
    with pytest.raises(SchemaError, match=r"column id: datatype 'gYear' is not one we read"):
        compile_schema(path)


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_every_shipped_schema_compiles_and_describes_every_column(name):
    path = SAMPLES / f"{name}.csv-metadata.json"
    compiled = compile_schema(path)
    metadata = json.loads(path.read_text(encoding="utf-8"))
    assert metadata["@context"][0] == "http://www.w3.org/ns/csvw"
    assert metadata["url"] == f"{name}.csv"
    assert compiled.primary_key == "id"
    for column in compiled.columns:
        assert set(column.titles) == {"sv", "en"}, column.name
        assert set(column.spec["dc:description"]) == {"sv", "en"}, column.name
    spec = REGISTRIES[name]
    assert set(spec.references) <= {c.name for c in compiled.columns}
    for column, table in compiled.foreign_keys.items():
        assert table.removesuffix(".csv") in REGISTRIES and column in spec.references, (name, column)


@pytest.mark.parametrize(
    "registry, column, keys",
    [("activities", "kind", ACTIVITY_KINDS), ("projects", "status", STATUSES), ("partners", "sector", SECTORS),
     ("networks", "review_decision", REVIEW_DECISIONS), ("partnerships", "kind", PARTNERSHIP_KINDS),
     ("organisations", "kind", BODY_KINDS)],
)
def test_the_schemas_list_the_values_the_loader_knows(registry, column, keys):
    compiled = compile_schema(SAMPLES / f"{registry}.csv-metadata.json")
    assert compiled.column(column).spec["datatype"]["format"].split("|") == list(keys)
