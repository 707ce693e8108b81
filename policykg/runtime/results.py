"""Query results for people (an aligned text table) and programs (every format of
:mod:`policykg.formats` that can carry the result)."""

from __future__ import annotations

import pyoxigraph as ox

from policykg import formats
from policykg.namespaces import PREFIXES

#: Format keys a query's result can be written in (``table``: the text table).
ALL_FORMATS = tuple(f.key for f in (*formats.SOLUTION_OFFERS, *formats.GRAPH_OFFERS))
#: Formats that take prefixes.
PREFIXED = (formats.TURTLE, formats.TRIG, formats.RDF_XML, formats.N3)


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


def prefixes_for(fmt: formats.Format) -> dict[str, str] | None:
    return PREFIXES if fmt in PREFIXED else None


def render(result, key: str) -> bytes:
    """``result`` of ``Store.query`` in the format with ``key`` (see :data:`ALL_FORMATS`)."""
    fmt = formats.of_key(key)
    if isinstance(result, (ox.QueryBoolean, ox.QuerySolutions)):
        if fmt is formats.TEXT_TABLE:
            if isinstance(result, ox.QueryBoolean):
                return b"true\n" if bool(result) else b"false\n"
            return table(result).encode()
        if fmt not in formats.SOLUTION_OFFERS:
            raise ValueError(f"a SELECT or ASK result can be given as {', '.join(f.key for f in formats.SOLUTION_OFFERS)}; not {key}")
        return result.serialize(format=fmt.oxigraph)
    fmt = formats.TURTLE if fmt is formats.TEXT_TABLE else fmt
    if fmt not in formats.GRAPH_OFFERS:
        raise ValueError(f"a CONSTRUCT or DESCRIBE result can be given as {', '.join(f.key for f in formats.GRAPH_OFFERS)}; not {key}")
    return ox.serialize(result, format=fmt.oxigraph, prefixes=prefixes_for(fmt))
