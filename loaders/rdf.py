"""Reading RDF files into quads."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, Problem


def read_rdf(path: Path, *, base_iri: str | None = None, fmt: ox.RdfFormat | None = None) -> list[ox.Quad]:
    """All triples of an RDF file, in the default graph; relative IRIs resolve against ``base_iri``.

    The whole file is parsed before anything is returned, so that a syntax error
    anywhere in it is reported before a single triple is used. Its blank nodes get fresh
    identities: a blank node is local to its document, so two files that both say ``_:b``
    describe two things.
    """
    fmt = fmt or ox.RdfFormat.from_extension(path.suffix.lstrip(".")) or ox.RdfFormat.TURTLE
    try:
        return list(ox.parse(path=str(path), format=fmt, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as error:
        raise InputError(
            [Problem(str(path), error.msg, line=error.lineno, column=error.offset)]
        ) from None
    except OSError as error:
        raise InputError([Problem(str(path), f"cannot read: {error.strerror or error}")]) from None
