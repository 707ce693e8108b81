"""N-Triples text for large sources: terms rendered once, lines joined in chunks.

Building a pyoxigraph object per term is the slow part of a big load; the
registry loaders instead write N-Triples lines and the writer bulk-loads them
(``GraphWriter.load_graph``). Every string that reaches a line goes through
:func:`iri` or one of the literal functions here, which escape as the
N-Triples grammar requires.
"""

from __future__ import annotations

import re

from policykg.namespaces import XSD

_LITERAL_SPECIAL = re.compile(r'[\\"\n\r]')
_LITERAL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
# Characters N-Triples does not allow in an IRI, and controls.
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')

XSD_DATE = f"<{XSD.date}>"
XSD_DECIMAL = f"<{XSD.decimal}>"
XSD_INTEGER = f"<{XSD.integer}>"
XSD_BOOLEAN = f"<{XSD.boolean}>"
XSD_HEX_BINARY = f"<{XSD.hexBinary}>"


def iri(value: str) -> str:
    """``<value>``; the caller guarantees an absolute IRI (checked here, cheaply)."""
    if IRI_FORBIDDEN.search(value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _escape(text: str) -> str:
    if _LITERAL_SPECIAL.search(text) is None:
        return text
    return _LITERAL_SPECIAL.sub(lambda m: _LITERAL_ESCAPES[m.group()], text)


def string(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{_escape(text)}"'


def lang(text: str, tag: str) -> str:
    """A language-tagged literal."""
    return f'"{_escape(text)}"@{tag}'


def typed(lexical: str, datatype: str) -> str:
    """A typed literal; ``datatype`` is already rendered (``<...>``)."""
    return f'"{_escape(lexical)}"^^{datatype}'


TRUE = typed("true", XSD_BOOLEAN)
FALSE = typed("false", XSD_BOOLEAN)


def integer(value: int) -> str:
    return f'"{value}"^^{XSD_INTEGER}'
