"""Named queries: the .rq header, and parameters bound as RDF terms."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.namespaces import Iris
from policykg.paths import queries_dir
from policykg.runtime.querylib import (
    ParameterError,
    QueryDefinitionError,
    load_queries,
    parse_query_file,
)

IRIS = Iris("https://example.org/kg/")

HEADER = """#+ title:
#+   sv: Test
#+   en: Test
#+ description:
#+   sv: Ett test.
#+   en: A test.
#+ parameters:
#+   goal:
#+     type: iri
#+     required: true
#+     description: {sv: Målet, en: The goal}
#+     example: goal/2
#+   year:
#+     type: year
#+     description: {sv: År, en: Year}
#+   kind:
#+     type: string
#+     enum: [visit, conference]
#+     default: visit
#+     description: {sv: Slag, en: Kind}
#+ example:
#+   goal: goal/2
SELECT ?item ?goal ?year ?kind WHERE { ?item <http://example.org/serves> ?goal ; <http://example.org/year> ?year ; <http://example.org/kind> ?kind }
"""
SELECT_LINE = HEADER.count("\n")  # the query is the last line


#: Stored, split by a goal of a class: answered for each member.
STORED_BY_GOAL = HEADER.replace("#+     type: iri\n", "#+     type: iri\n#+     class: pkg:Goal\n").replace(
    "#+ example:", "#+ stored: true\n#+ example:")
#: Split by a year or a string: the values to answer for are not known, so it is refused.
STORED_BY_YEAR = STORED_BY_GOAL.replace("#+     required: true\n", "").replace(
    "#+     type: year\n", "#+     type: year\n#+     required: true\n").replace("#+   goal: goal/2", "#+   year: 2024")
STORED_BY_KIND = STORED_BY_YEAR.replace("#+     required: true\n", "").replace(
    "#+     default: visit\n", "#+     required: true\n").replace("#+   year: 2024", "#+   kind: visit")


def write(tmp_path: Path, text: str, name: str = "test-query") -> Path:
    path = tmp_path / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_header_is_parsed(tmp_path):
    query = parse_query_file(write(tmp_path, HEADER))
    assert query.name == "test-query"
    assert query.title == {"sv": "Test", "en": "Test"}
    assert set(query.parameters) == {"goal", "year", "kind"}
    assert query.parameters["goal"].required
    assert query.parameters["kind"].enum == ("visit", "conference")
    assert query.example == {"goal": "goal/2"}
    assert "\nSELECT ?item ?goal" in query.sparql and query.sparql.startswith("#+ title:")


def test_values_become_rdf_terms(tmp_path):
    query = parse_query_file(write(tmp_path, HEADER))
    bound = query.bind({"goal": "goal/2", "year": "2024"}, IRIS)
    assert bound[ox.Variable("goal")] == ox.NamedNode("https://example.org/kg/goal/2")
    assert bound[ox.Variable("year")] == ox.Literal("2024", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))
    assert bound[ox.Variable("kind")] == ox.Literal("visit")  # the default


def test_every_problem_is_reported_at_once(tmp_path):
    query = parse_query_file(write(tmp_path, HEADER))
    with pytest.raises(ParameterError) as caught:
        query.bind({"year": "twenty", "kind": "party", "colour": "red"}, IRIS)
    assert caught.value.problems == [
        ("colour", "unknown; this query takes goal, year, kind"),
        ("goal", "required"),
        ("year", "expected a year as YYYY, got 'twenty'"),
        ("kind", "expected one of visit, conference; got 'party'"),
    ]


@pytest.mark.parametrize("value", ['"> } ; DROP ALL ; #', "http://x/a b", "javascript:alert(1)", ""])
def test_iri_parameters_refuse_what_is_not_an_iri(tmp_path, value):
    query = parse_query_file(write(tmp_path, HEADER))
    with pytest.raises(ParameterError, match="goal"):
        query.bind({"goal": value}, IRIS)


def test_string_parameters_are_literals_whatever_they_hold(tmp_path):
    query = parse_query_file(write(tmp_path, HEADER.replace("#+     enum: [visit, conference]\n", "")))
    attack = '"> } ; DROP ALL ; #'
    assert query.bind({"goal": "goal/1", "kind": attack}, IRIS)[ox.Variable("kind")] == ox.Literal(attack)


@pytest.mark.parametrize(
    "broken, message",
    [
        (HEADER.replace("#+   en: Test\n", "", 1), "title: expected a mapping with 'sv' and 'en'"),
        (HEADER.replace("type: year", "type: colour"), "parameters.year: 'type' must be one of"),
        (HEADER.replace("?year", "?yr"), "parameters.year: the query has no variable"),
        (HEADER.replace("#+   goal: goal/2", "#+   goals: goal/2"), "example must map declared parameters"),
        (HEADER.replace("#+ title:", "#+ title: [unclosed"), "header is not valid YAML"),
        (HEADER.replace("SELECT ?item ?goal", "SELECT ?item"), "?goal must be in the SELECT clause"),
        (HEADER.replace("WHERE {", "WHERE { ?? "), f"the query does not parse: error at {SELECT_LINE}:"),
        (HEADER.replace("#+ example:", "#+ stored: yes please\n#+ example:"), "stored must be true or false"),
        (HEADER.replace("#+ example:", "#+ stored: true\n#+ example:"), "a stored query may have one required parameter, an IRI with a class"),
        (STORED_BY_YEAR, "a stored query may have one required parameter, an IRI with a class"),
        (STORED_BY_KIND, "a stored query may have one required parameter, an IRI with a class"),
    ],
)
def test_header_errors_name_file_and_key(tmp_path, broken, message):
    path = write(tmp_path, broken)
    with pytest.raises(QueryDefinitionError) as caught:
        parse_query_file(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


def test_a_stored_query_may_be_split_by_a_member_of_a_class(tmp_path):
    query = parse_query_file(write(tmp_path, STORED_BY_GOAL))
    assert query.stored and [p.name for p in query.parameters.values() if p.required] == ["goal"]


def test_the_library_parses_and_every_example_binds():
    library = load_queries(queries_dir())
    assert {"program", "goals", "focus-areas", "principles", "bodies", "responsibilities"} <= set(library)
    for query in library.values():
        assert query.title["sv"] and query.title["en"] and query.description["en"]
        query.bind(query.example, IRIS)
        for parameter in query.parameters.values():
            assert parameter.description.get("en"), f"{query.name}.{parameter.name} has no description"


def test_a_stored_query_with_a_class_parameter_parses(tmp_path):
    text = HEADER.replace("#+     required: true\n", "#+     required: true\n#+     class: pkg:Goal\n").replace("#+ example:", "#+ stored: true\n#+ example:")
    query = parse_query_file(write(tmp_path, text))
    assert query.stored and query.parameters["goal"].rdf_class.endswith("#Goal")
    assert not parse_query_file(write(tmp_path, HEADER, "plain")).stored
