"""Choosing formats from Accept and the format parameter."""

from __future__ import annotations

import pytest
from policykg.server.negotiation import (
    GRAPH_MEDIA,
    SOLUTION_MEDIA,
    Choice,
    UnknownFormat,
    negotiate,
)

from policykg.runtime.results import GRAPH_FORMATS, SOLUTION_FORMATS


def test_every_format_is_offered():
    assert {key for _, key in SOLUTION_MEDIA} == set(SOLUTION_FORMATS)
    assert {key for _, key in GRAPH_MEDIA} == set(GRAPH_FORMATS)


@pytest.mark.parametrize(
    "accept, expected",
    [
        (None, Choice("json", "turtle")),
        ("*/*", Choice("json", "turtle")),
        ("application/sparql-results+xml, text/turtle;q=0.5", Choice("xml", "turtle")),
        ("text/csv;q=0.1, application/sparql-results+json;q=0.9", Choice("json", None)),
        ("application/n-triples", Choice(None, "nt")),
        ("text/turtle; charset=utf-8", Choice(None, "turtle")),
        ("application/xml", Choice("xml", "rdfxml")),
        ("image/png", Choice(None, None)),
    ],
)
def test_accept(accept, expected):
    assert negotiate(accept) == expected


def test_format_parameter_wins_and_unknown_names_are_errors():
    assert negotiate("text/csv", "json") == Choice("json", "jsonld")
    assert negotiate(None, "application/sparql-results+xml") == Choice("xml", None)
    with pytest.raises(UnknownFormat, match="parameter format"):
        negotiate(None, "pdf")
