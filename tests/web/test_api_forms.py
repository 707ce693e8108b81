"""The inputs of an API query page and the suggestions for IRI parameters."""

from __future__ import annotations

from policykg.server.api_forms import MAX_CHOICES, class_choices, input_type

from policykg.runtime.querylib import Parameter


def test_each_type_gets_a_fitting_input():
    assert input_type(Parameter("d", "date")) == {"element": "input", "attributes": {"type": "date"}}
    assert input_type(Parameter("n", "integer"))["attributes"] == {"type": "number", "step": "1"}
    assert input_type(Parameter("y", "year"))["attributes"]["pattern"] == "[0-9]{4}"
    assert input_type(Parameter("b", "boolean")) == {"element": "select", "options": ["true", "false"]}
    assert input_type(Parameter("e", "string", enum=("a", "b"))) == {"element": "select", "options": ["a", "b"]}
    assert input_type(Parameter("i", "iri"))["attributes"]["type"] == "text"


def test_members_of_a_small_class_are_offered_by_label(work_app):
    with work_app.test_request_context("/"):
        goals = class_choices("https://w3id.org/policykg/ontology#Goal", "en")
        bodies = class_choices("https://w3id.org/policykg/ontology#Body", "sv")
    assert ("goal/2", "Added value for inhabitants and businesses") in goals and len(goals) == 5
    assert [label for _, label in bodies] == sorted((label for _, label in bodies), key=str.casefold)
    assert ("body/kulturnamnden", "Kulturnämnden") in bodies


def test_a_large_class_offers_nothing(work_app, monkeypatch):
    import policykg.server.api_forms as forms

    monkeypatch.setattr(forms, "MAX_CHOICES", 3)
    with work_app.test_request_context("/"):
        assert forms.class_choices("https://w3id.org/policykg/ontology#Goal", "en") == []
    assert MAX_CHOICES == 200
