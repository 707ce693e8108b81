"""The API's OpenAPI 3.1 document: valid, generated from the query headers, and true
to what the API answers."""

from __future__ import annotations

import jsonschema
import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.versions.shortcuts import get_spec_version


@pytest.fixture
def document(typed_app):
    response = typed_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200 and response.content_type == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert get_spec_version(document).major == "3" and document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://localhost/api"}]


def test_every_query_is_a_path_with_its_parameters(document, typed_app):
    queries = typed_app.extensions["policykg.queries"]
    assert set(document["paths"]) == {"/"} | {f"/{name}" for name in queries}
    for name, query in queries.items():
        operation = document["paths"][f"/{name}"]["get"]
        assert operation["summary"] == query.title["en"] and operation["x-title-sv"] == query.title["sv"]
        declared = [p for p in operation["parameters"] if "name" in p]
        assert [p["name"] for p in declared] == list(query.parameters)
        for parameter in declared:
            assert parameter["in"] == "query"
            assert parameter["required"] == query.parameters[parameter["name"]].required
            assert parameter["x-description-sv"] == query.parameters[parameter["name"]].description["sv"]


def test_types_enums_defaults_and_examples_become_schemas(document):
    parameters = {p["name"]: p for p in document["paths"]["/typed"]["get"]["parameters"] if "name" in p}
    assert parameters["number"]["schema"] == {"type": "integer", "examples": [3]}
    assert parameters["amount"]["schema"] == {"type": "number", "examples": [2.5]}
    assert parameters["day"]["schema"] == {"type": "string", "format": "date", "examples": ["2018-03-26"]}
    assert parameters["year"]["schema"]["pattern"] == "^[0-9]{4}$"
    assert parameters["flag"]["schema"] == {"type": "boolean", "examples": [True]}
    assert parameters["choice"]["schema"] == {"type": "string", "enum": ["first", "second"], "default": "first"}
    assert parameters["goal"]["schema"]["format"] == "iri-reference"
    assert parameters["goal"]["x-rdf-class"] == "https://w3id.org/policykg/ontology#Goal"
    limit = document["components"]["parameters"]["limit"]["schema"]
    assert limit["maximum"] == 1000 and limit["default"] == 100


def _schema(document, name):
    """A component schema with the document's components, for jsonschema (draft 2020-12)."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": document["components"], "$ref": f"#/components/schemas/{name}"}


def test_real_answers_fit_the_documented_schemas(document, typed_app):
    client = typed_app.test_client()
    answers = [
        client.get(f"/api/{name}", query_string=query.example).get_json()
        for name, query in typed_app.extensions["policykg.queries"].items()
        if "federated" not in query.tags  # refused here (no remote allowed); tests/live/test_federated.py answers them
    ]
    answers.append(client.get("/api/principles?limit=2").get_json())  # with a next link
    for answer in answers:
        jsonschema.validate(answer, _schema(document, "Answer"))
    problem = client.get("/api/typed?number=x").get_json()
    jsonschema.validate(problem, _schema(document, "Problem"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"query": "x"}, _schema(document, "Answer"))
