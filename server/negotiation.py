"""Choosing a result format from ``Accept`` (with q-values) or a ``format`` parameter.

A query's answer is a table (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE), and
which one is known only once it runs, so a request negotiates both at once; the
query process uses the one that fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

#: Media types offered for tables, best first (the first is the default for */*).
SOLUTION_MEDIA = [
    ("application/sparql-results+json", "json"),
    ("application/json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
]
#: Media types offered for graphs, best first.
GRAPH_MEDIA = [
    ("text/turtle", "turtle"),
    ("application/x-turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
    ("text/n3", "n3"),
    ("text/plain", "nt"),
]
#: Names a ``format`` (or ``output``) parameter may use: (for tables, for graphs).
FORMAT_NAMES = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "nt": (None, "nt"),
    "ntriples": (None, "nt"),
    "n-triples": (None, "nt"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
    "rdfxml": (None, "rdfxml"),
    "rdf/xml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "nquads": (None, "nquads"),
    "n-quads": (None, "nquads"),
    "trig": (None, "trig"),
    "n3": (None, "n3"),
}


class UnknownFormat(ValueError):
    """A ``format`` parameter that names no format we have."""


@dataclass(frozen=True)
class Choice:
    """The negotiated format for a table and for a graph (None: the client accepts none)."""

    solutions: str | None
    graph: str | None

    @property
    def acceptable(self) -> bool:
        return self.solutions is not None or self.graph is not None

    def for_form(self, form: str | None) -> str | None:
        """The format for a query of this form, when the form is known."""
        if form in ("SELECT", "ASK"):
            return self.solutions
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self.graph
        return self.solutions or self.graph


def best(accept: str | None, offers: list[tuple[str, str]]) -> str | None:
    """The key of the best offer for an ``Accept`` header (none or empty: anything)."""
    parsed = parse_accept_header(accept if accept and accept.strip() else "*/*", MIMEAccept)
    # Parameters other than q (text/turtle; charset=utf-8) do not narrow the match: we speak UTF-8 only.
    header = MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in parsed])
    media = header.best_match([media for media, _ in offers])
    return dict(offers)[media] if media else None


def negotiate(accept: str | None, format_param: str | None = None) -> Choice:
    """Formats for this request; a ``format`` parameter wins over ``Accept``."""
    if format_param:
        name = format_param.strip().lower()
        if name in FORMAT_NAMES:
            return Choice(*FORMAT_NAMES[name])
        media = name.split(";", 1)[0].strip()
        solutions, graph = dict(SOLUTION_MEDIA).get(media), dict(GRAPH_MEDIA).get(media)
        if solutions is None and graph is None:
            known = ", ".join(FORMAT_NAMES)
            raise UnknownFormat(f"parameter format: {format_param!r} is not a format we offer; use one of {known} or a media type")
        return Choice(solutions, graph)
    return Choice(best(accept, SOLUTION_MEDIA), best(accept, GRAPH_MEDIA))


def offered(kind: str) -> str:
    """The media types offered for 'solutions' or 'graph' answers, for error messages."""
    offers = SOLUTION_MEDIA if kind == "solutions" else GRAPH_MEDIA
    return ", ".join(dict.fromkeys(media for media, _ in offers))


