"""Every format the service reads or writes, once, and the one way of choosing among them.

A :class:`Format` knows its media types (the first is the one it is served as),
its file and URL suffixes, the names a ``format=`` (or ``output=``/``results=``)
parameter may give it, what it serialises (SPARQL solutions or a boolean, a
graph, a dataset, or a document of ours such as an HTML page) and its
pyoxigraph format. :func:`choose` picks one of the formats a route offers for a
request, with one precedence everywhere: a suffix of the URL, then a ``format``
parameter, then ``Accept`` (with q-values).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

#: What a format serialises.
SOLUTIONS = "solutions"  # SELECT solutions and ASK booleans
GRAPH = "graph"  # CONSTRUCT and DESCRIBE answers, descriptions, documents in RDF
DATASET = "dataset"  # quads
DOCUMENT = "document"  # our own pages and API answers (HTML, JSON, CSV, text)


@dataclass(frozen=True)
class Format:
    """One format. ``key`` is unique; a media type or a name may belong to several
    formats of different kinds (``application/json`` is SPARQL JSON for solutions,
    JSON-LD for a graph, plain JSON for the API); the offers of a route decide."""

    key: str
    label: str
    media_types: tuple[str, ...]
    serialises: str
    suffixes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat | None = None
    #: Text served with ``; charset=utf-8``.
    text: bool = False

    @property
    def media_type(self) -> str:
        """The ``Content-Type`` it is served with."""
        return self.media_types[0] + ("; charset=utf-8" if self.text else "")

    @property
    def suffix(self) -> str | None:
        return self.suffixes[0] if self.suffixes else None

    @property
    def page(self) -> bool:
        """A web page (served with the pages' security headers)."""
        return self.media_types[0] == "text/html"

    @property
    def rdf(self) -> bool:
        return self.serialises in (GRAPH, DATASET)

    def __repr__(self) -> str:
        return f"Format({self.key})"


R = ox.QueryResultsFormat
G = ox.RdfFormat

# --- solutions (SELECT, ASK) ----------------------------------------------------
SPARQL_JSON = Format(
    "json", "SPARQL JSON", ("application/sparql-results+json", "application/json"), SOLUTIONS,
    ("srj", "json"), ("json", "srj", "application/sparql-results+json", "sparql-results+json"), R.JSON,
)
SPARQL_XML = Format(
    "xml", "SPARQL XML", ("application/sparql-results+xml", "application/xml", "text/xml"), SOLUTIONS,
    ("srx", "xml"), ("xml", "srx", "application/sparql-results+xml", "sparql-results+xml"), R.XML,
)
CSV = Format("csv", "CSV", ("text/csv",), SOLUTIONS, ("csv",), ("csv", "text/csv"), R.CSV, text=True)
TSV = Format("tsv", "TSV", ("text/tab-separated-values",), SOLUTIONS, ("tsv",), ("tsv", "text/tab-separated-values"), R.TSV, text=True)
TEXT_TABLE = Format("table", "Text table", ("text/plain",), SOLUTIONS, ("txt",), ("table", "text", "txt"), None, text=True)

# --- graphs ----------------------------------------------------------------------
TURTLE = Format(
    "turtle", "Turtle", ("text/turtle", "application/x-turtle"), GRAPH,
    ("ttl",), ("turtle", "ttl", "text/turtle", "application/x-turtle"), G.TURTLE, text=True,
)
N_TRIPLES = Format(
    "nt", "N-Triples", ("application/n-triples", "text/plain"), GRAPH,
    ("nt",), ("nt", "ntriples", "n-triples", "application/n-triples"), G.N_TRIPLES,
)
JSON_LD = Format(
    "jsonld", "JSON-LD", ("application/ld+json", "application/json"), GRAPH,
    ("jsonld",), ("jsonld", "json-ld", "application/ld+json", "json"), G.JSON_LD,
)
RDF_XML = Format(
    "rdfxml", "RDF/XML", ("application/rdf+xml", "application/xml", "text/xml"), GRAPH,
    ("rdf", "owl"), ("rdfxml", "rdf/xml", "rdf+xml", "rdf-xml", "rdf", "xml", "application/rdf+xml"), G.RDF_XML,
)
N3 = Format("n3", "N3", ("text/n3", "text/rdf+n3"), GRAPH, ("n3",), ("n3", "text/n3"), G.N3, text=True)
# --- datasets (a graph is a dataset whose one graph is the default one) ------------
N_QUADS = Format(
    "nquads", "N-Quads", ("application/n-quads",), DATASET, ("nq",), ("nquads", "n-quads", "nq", "application/n-quads"), G.N_QUADS,
)
TRIG = Format("trig", "TriG", ("application/trig",), DATASET, ("trig",), ("trig", "application/trig"), G.TRIG)

# --- our own documents ---------------------------------------------------------------
HTML = Format("html", "HTML", ("text/html", "application/xhtml+xml"), DOCUMENT, ("html",), ("html",), text=True)
API_JSON = Format("api-json", "JSON", ("application/json",), DOCUMENT, ("json",), ("json",))
#: The API's CSV, made for spreadsheets: cells that a spreadsheet would run as a formula are neutralised.
API_CSV = Format("api-csv", "CSV", ("text/csv",), DOCUMENT, ("csv",), ("csv",), text=True)
API_SPARQL_JSON = Format(
    "api-sparql-json", "SPARQL JSON", ("application/sparql-results+json",), DOCUMENT, (), ("sparql-json",),
)
PROBLEM_JSON = Format("problem", "Problem details", ("application/problem+json",), DOCUMENT)
PLAIN_TEXT = Format("text", "Plain text", ("text/plain",), DOCUMENT, ("txt",), ("text",), text=True)

# --- the annual follow-up report (policykg.report): one document in five formats -------
REPORT_HTML = Format("report-html", "HTML", ("text/html", "application/xhtml+xml"), DOCUMENT, ("html",), ("html",), text=True)
REPORT_PDF = Format("report-pdf", "PDF", ("application/pdf",), DOCUMENT, ("pdf",), ("pdf",))
REPORT_XLSX = Format(
    "report-xlsx", "Excel workbook", ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",), DOCUMENT,
    ("xlsx",), ("xlsx",),
)
REPORT_JSON = Format("report-json", "JSON", ("application/json",), DOCUMENT, ("json",), ("json",))
REPORT_CSV = Format("report-csv", "CSV", ("text/csv",), DOCUMENT, ("csv",), ("csv",), text=True)

ALL: tuple[Format, ...] = (
    SPARQL_JSON, SPARQL_XML, CSV, TSV, TEXT_TABLE,
    TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N3, N_QUADS, TRIG,
    HTML, API_JSON, API_CSV, API_SPARQL_JSON, PROBLEM_JSON, PLAIN_TEXT,
    REPORT_HTML, REPORT_PDF, REPORT_XLSX, REPORT_JSON, REPORT_CSV,
)
BY_KEY = {f.key: f for f in ALL}

#: What the SPARQL endpoint offers, best first (the first is the answer to ``*/*``).
SOLUTION_OFFERS = (SPARQL_JSON, SPARQL_XML, CSV, TSV, TEXT_TABLE)
#: A graph in every RDF syntax; a dataset format carries it as its default graph.
GRAPH_OFFERS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N_QUADS, TRIG, N3)
DATASET_OFFERS = (N_QUADS, TRIG)
#: A resource described by the linked-data pages: a page for people, RDF for programs.
PAGE_OFFERS = (HTML, *GRAPH_OFFERS)
#: The annual report: a page, then the files to download.
REPORT_OFFERS = (REPORT_HTML, REPORT_PDF, REPORT_XLSX, REPORT_JSON, REPORT_CSV)


#: What a graph store body may be sent as (triples only: a graph holds no graphs); media types that
#: name several formats (application/json, application/xml) are not guessed at.
GRAPH_INPUT = {
    media: fmt
    for fmt in (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N3)
    for media in fmt.media_types
    if media not in ("application/json", "application/xml", "text/xml")
}


class UnknownFormat(ValueError):
    """A ``format`` parameter that names no format we have."""


class NotAcceptable(ValueError):
    """The request accepts none of the formats offered; the message lists them."""


def by_accept(accept: str | None, offers: Sequence[Format]) -> Format | None:
    """The offer ``Accept`` prefers (none or empty: the first offer), or None."""
    if not accept or not accept.strip():
        return offers[0] if offers else None
    return _by_accept(accept, tuple(offers)) if len(accept) <= 1024 else _best(accept, tuple(offers))


@functools.lru_cache(maxsize=4096)  # clients send the same few headers again and again
def _by_accept(accept: str, offers: tuple[Format, ...]) -> Format | None:
    return _best(accept, offers)


def _best(accept: str, offers: tuple[Format, ...]) -> Format | None:
    from werkzeug.datastructures import (
        MIMEAccept,  # not at import: the query processes need none of it
    )
    from werkzeug.http import parse_accept_header

    parsed = parse_accept_header(accept, MIMEAccept)
    # Parameters other than q (text/turtle; charset=utf-8) do not narrow the match: we speak UTF-8 only.
    header = MIMEAccept([(value.split(";", 1)[0].strip().lower(), quality) for value, quality in parsed])
    media = _media_offers(offers)
    best = header.best_match(list(media))
    return media[best] if best else None


@functools.lru_cache(maxsize=256)
def _media_offers(offers: tuple[Format, ...]) -> dict[str, Format]:
    """Media type -> the first offer that has it (the order of the offers is their preference)."""
    found: dict[str, Format] = {}
    for fmt in offers:
        for media in fmt.media_types:
            found.setdefault(media, fmt)
    return found


def by_name(name: str, offers: Sequence[Format]) -> Format | None:
    """The offer a ``format`` parameter names (a name, a suffix or a media type), or None."""
    wanted = name.strip().lower()
    media = wanted.split(";", 1)[0].strip()
    for fmt in offers:
        if wanted in fmt.names or wanted in fmt.suffixes or media in fmt.media_types:
            return fmt
    return None


def known_name(name: str) -> bool:
    """Whether any format answers to ``name``."""
    return by_name(name, ALL) is not None


def choose(
    offers: Sequence[Format],
    *,
    suffix: str | None = None,
    names: Iterable[str] = (),
    strict_names: Iterable[str] = (),
    accept: str | None = None,
) -> Format:
    """The format for a request: the URL's ``suffix``, else the first of ``strict_names``
    (``format=``: unknown is an error) and ``names`` (``output=``, ``results=``: an
    unknown one is ignored, as the mainstream servers do) that an offer answers to,
    else ``Accept``. Raises :class:`UnknownFormat` or :class:`NotAcceptable`."""
    if suffix:
        found = next((f for f in offers if suffix in f.suffixes), None)
        if found is None:
            raise NotAcceptable(f"no format with the suffix .{suffix} here; offered: {describe(offers)}")
        return found
    for name in strict_names:
        if not name:
            continue
        found = by_name(name, offers)
        if found is not None:
            return found
        if known_name(name):
            raise NotAcceptable(f"parameter format: {name!r} is not offered for this answer; offered: {describe(offers)}")
        raise UnknownFormat(f"parameter format: {name!r} is not a format we know; offered: {describe(offers)}")
    for name in names:
        if name:
            found = by_name(name, offers)
            if found is not None:
                return found
    found = by_accept(accept, offers)
    if found is None:
        raise NotAcceptable(f"the request accepts none of the formats offered: {describe(offers)}")
    return found


def describe(offers: Iterable[Format]) -> str:
    """The media types of ``offers``, for messages."""
    return ", ".join(dict.fromkeys(f.media_types[0] for f in offers))


def of_key(key: str) -> Format:
    return BY_KEY[key]
