"""Rendering query results for people (a text table) and programs (the SPARQL formats)."""

from __future__ import annotations

import pyoxigraph as ox

#: Formats for SELECT and ASK results.
SOLUTION_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: Formats for CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    # A graph is a dataset whose only graph is the default one: clients that ask
    # for quads get a parseable answer rather than a refusal.
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "n3": ox.RdfFormat.N3,
}
#: Formats of a whole dataset (the graph store's quads).
DATASET_FORMATS = ("nquads", "trig")
#: The media type each format is served with.
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "n3": "text/n3; charset=utf-8",
}
ALL_FORMATS = ("table", *SOLUTION_FORMATS, *GRAPH_FORMATS)


def term_text(term) -> str:
    """A term as a person reads it: the IRI, or the literal's text."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def table(solutions: ox.QuerySolutions, *, max_width: int = 60) -> str:
    """An aligned text table, cells cut at ``max_width`` characters."""
    names = [v.value for v in solutions.variables]
    rows = [[term_text(row[name]) for name in names] for row in solutions]

    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= max_width else text[: max_width - 1] + "…"

    cells = [[cut(c) for c in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()  # noqa: E731
    out = [line(names), line(["-" * w for w in widths]), *map(line, cells)]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def render(result, fmt: str) -> bytes:
    """``result`` of ``Store.query`` in the format named ``fmt`` (see :data:`ALL_FORMATS`)."""
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return b"true\n" if bool(result) else b"false\n"
        if fmt not in SOLUTION_FORMATS:
            raise ValueError(f"an ASK result can be given as table, {', '.join(SOLUTION_FORMATS)}; not {fmt}")
        return result.serialize(format=SOLUTION_FORMATS[fmt])
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            return table(result).encode()
        if fmt not in SOLUTION_FORMATS:
            raise ValueError(f"a SELECT result can be given as table, {', '.join(SOLUTION_FORMATS)}; not {fmt}")
        return result.serialize(format=SOLUTION_FORMATS[fmt])
    fmt = "turtle" if fmt == "table" else fmt
    if fmt not in GRAPH_FORMATS:
        raise ValueError(f"a CONSTRUCT or DESCRIBE result can be given as {', '.join(GRAPH_FORMATS)}; not {fmt}")
    from policykg.namespaces import PREFIXES

    prefixes = PREFIXES if fmt in {"turtle", "rdfxml"} else None
    return ox.serialize(result, format=GRAPH_FORMATS[fmt], prefixes=prefixes)
