"""The one place where answers become bytes: a view returns an :class:`Output` (its data
and the format negotiated for it) and a renderer of that format writes the response.

Views never serialise or build responses themselves (a test checks it): they
gather data, choose a format with :mod:`server.negotiation`, and return an
``Output``; the application turns it into a ``Response`` here (see
``create_app``). Errors come here too, through :func:`render_error`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyoxigraph as ox
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from policykg import formats
from policykg.formats import Format
from policykg.namespaces import PREFIXES
from policykg.runtime.executor import store_failure
from policykg.storebase import StoreError

from . import context
from .answering import failure_error
from .errors import (
    InternalError,
    ServiceError,
    UnknownResource,
    error_format,
    from_http,
)


@dataclass
class Table:
    """Rows of SPARQL JSON cells (``{"type": "uri", "value": ...}``; None when unbound)."""

    columns: list[str]
    rows: list[dict[str, dict | None]]


@dataclass
class Output:
    """What a view answers: ``data`` in ``format``, and how to send it.

    ``data`` is bytes already in the format (a query process's answer, a file), an
    iterator of bytes (a streamed answer), RDF triples or quads, a template's context
    (HTML, with ``template``), a JSON-able value, a :class:`Table`, or text; or a
    function that makes it, called only when the rendered bytes are not in the cache.
    """

    data: Any
    format: Format
    status: int = 200
    template: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    vary: tuple[str, ...] = ("Accept",)
    #: Anyone may read it from a page of another origin (it carries no credentials).
    cors: bool = False
    #: A page that other sites may show in a frame (a reconciliation preview); others never are.
    framed: bool = False
    #: A weak ETag and the time of the data, for conditional requests (304).
    etag: str | None = None
    last_modified: datetime | None = None
    prefixes: dict[str, str] | None = None
    #: Sent as an attachment with this file name.
    download: str | None = None
    #: Keep the rendered bytes in the result cache under this key, for ``generation``.
    cache_key: tuple | None = None
    generation: str | None = None


def _rdf(output: Output) -> bytes:
    fmt = output.format
    prefixes = (output.prefixes or PREFIXES) if fmt in (formats.TURTLE, formats.TRIG, formats.RDF_XML, formats.N3) else None
    return ox.serialize(output.data, format=fmt.oxigraph, prefixes=prefixes)


def _json(output: Output) -> bytes:
    return json.dumps(output.data, ensure_ascii=False, indent=1).encode("utf-8")


def _html(output: Output) -> bytes:
    return render_template(output.template, **output.data).encode("utf-8")


def _text(output: Output) -> bytes:
    text = str(output.data)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


#: Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection rule).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell that a spreadsheet shows as text: one that starts like a formula gets a quote."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def cell_text(cell: dict | None) -> str:
    if cell is None:
        return ""
    return ("_:" if cell["type"] == "bnode" else "") + cell["value"]


def _api_csv(output: Output) -> bytes:
    table: Table = output.data
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([spreadsheet_safe(cell_text(row.get(c))) for c in table.columns])
    return out.getvalue().encode("utf-8")


def _sparql_json(output: Output) -> bytes:
    table: Table = output.data
    bindings = [{c: v for c, v in row.items() if v is not None} for row in table.rows]
    return json.dumps({"head": {"vars": table.columns}, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")


#: Format key -> renderer of a view's data (bytes and streams pass through unchanged).
RENDERERS: dict[str, Callable[[Output], bytes]] = {
    **{fmt.key: _rdf for fmt in formats.ALL if fmt.rdf},
    formats.HTML.key: _html,
    formats.API_JSON.key: _json,
    formats.PROBLEM_JSON.key: _json,
    formats.API_CSV.key: _api_csv,
    formats.API_SPARQL_JSON.key: _sparql_json,
    formats.PLAIN_TEXT.key: _text,
    formats.TEXT_TABLE.key: _text,
}


#: Every page: scripts, styles, images and requests from this server only, no inline script,
#: never framed; no referrer sent to other sites; no device features.
PAGE_SECURITY = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "X-Frame-Options": "DENY",
}
#: A page made to be shown in a frame of any site: the same, but framing allowed.
FRAMED_PAGE_SECURITY = {
    **{name: value for name, value in PAGE_SECURITY.items() if name != "X-Frame-Options"},
    "Content-Security-Policy": PAGE_SECURITY["Content-Security-Policy"].replace("frame-ancestors 'none'", "frame-ancestors *"),
}


def render(output: Output) -> Response:
    """The response for a view's ``Output``."""
    data = output.data
    if callable(data) and not isinstance(data, Iterator):
        output.data = data = _Lazy(data)
    if isinstance(data, (bytes, bytearray, memoryview)):
        body: bytes | Iterable[bytes] = data
    elif isinstance(data, Iterator):
        body = data
    else:
        body = _rendered(output)
    response = Response(body, status=output.status, content_type=output.format.media_type)
    if output.status in (204, 304):
        del response.headers["Content-Type"]  # no content, no type
    if output.headers:
        response.headers.update(output.headers)
    if output.format.page:
        for name, value in (FRAMED_PAGE_SECURITY if output.framed else PAGE_SECURITY).items():
            response.headers.setdefault(name, value)
    for header in output.vary:
        response.vary.add(header)
    if output.cors:
        response.headers["Access-Control-Allow-Origin"] = "*"
    if output.download:
        response.headers["Content-Disposition"] = f'attachment; filename="{output.download}"'
    if output.etag is not None or output.last_modified is not None:
        if output.etag is not None:
            response.set_etag(output.etag, weak=True)
        if output.last_modified is not None:
            response.last_modified = output.last_modified
        response.headers.setdefault("Cache-Control", "no-cache")
        if request.method in ("GET", "HEAD") and output.status == 200 and not isinstance(body, Iterator):
            response = response.make_conditional(request)  # (a stream is never gathered to be measured)
    return response


class _Lazy:
    """Data made only when its rendered bytes are not cached (``Output(data=callable)``)."""

    def __init__(self, make) -> None:
        self.make = make


def _rendered(output: Output) -> bytes:
    renderer = RENDERERS.get(output.format.key)
    if renderer is None:
        raise TypeError(f"no renderer of {type(output.data).__name__} as {output.format.key}")
    cache = context.result_cache()
    key = ("rendered", *output.cache_key) if output.cache_key is not None else None
    if key is not None and output.generation is not None and cache.enabled:
        body = cache.get(output.generation, key)
        if body is not None:
            return body
    if isinstance(output.data, _Lazy):
        output.data = output.data.make()
    body = renderer(output)
    if key is not None and output.generation is not None and cache.enabled:
        cache.put(output.generation, key, body, len(body))
    return body


def render_error(error: ServiceError) -> Response:
    """An error as the client reads it: problem details, a page or plain text."""
    fmt = error_format()
    if fmt is formats.PROBLEM_JSON:
        data: Any = {"type": "about:blank", "title": error.title, "status": error.status, "detail": error.message}
        if error.problems:
            data["errors"] = error.problems
        output = Output(data, fmt, error.status)
    elif fmt is formats.HTML:
        template = "not_found.html" if isinstance(error, UnknownResource) else "error.html"
        output = Output({"error": error}, fmt, error.status, template=template, vary=("Accept", "Accept-Language"))
    else:
        output = Output(error.message, formats.PLAIN_TEXT, error.status)
    output.headers.update(error.headers)
    return render(output)


def register_errors(app: Flask) -> None:
    """Our errors, Werkzeug's HTTP errors and anything unexpected, rendered here alone."""

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        return render_error(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(from_http(error))

    @app.errorhandler(StoreError)
    def store_error(error: StoreError):  # a remote store down or slow: expected, said so, not logged as a fault
        return render_error(failure_error(store_failure(error)))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return render_error(InternalError("500 Internal Server Error: the error is in the server's log"))
