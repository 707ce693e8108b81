"""What goes wrong, as typed errors, and the one place that renders them.

Routes and the answer path raise a :class:`ServiceError` (or let Werkzeug raise
an ``HTTPException``); :func:`register` renders either as the client expects:
``application/problem+json`` (RFC 9457) on the API, an HTML page for browsers,
plain text for protocol clients (SPARQL, graph store, ``curl``). Never a stack
trace: anything unexpected is logged and answered with a generic 500.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import HTTPException

from policykg import formats

#: Seconds a client is asked to wait after a 503.
RETRY_AFTER = "5"


class ServiceError(Exception):
    """An answer other than success: ``status``, a message that says what and where,
    extra headers, and (for the API) per-parameter problems."""

    status = 500
    title = "Internal Server Error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})
        self.problems = problems or []


class BadRequest(ServiceError):
    status, title = 400, "Bad Request"


class Unauthorized(ServiceError):
    status, title = 401, "Unauthorized"


class Forbidden(ServiceError):
    status, title = 403, "Forbidden"


class NotFound(ServiceError):
    status, title = 404, "Not Found"


class UnknownResource(NotFound):
    """An IRI the dataset says nothing about (a page in the reader's language for browsers)."""

    def __init__(self, iri: str) -> None:
        super().__init__(f"Not found: the dataset says nothing about <{iri}>.")
        self.iri = iri


class MethodNotAllowed(ServiceError):
    status, title = 405, "Method Not Allowed"


class NotAcceptable(ServiceError):
    status, title = 406, "Not Acceptable"


class RequestTimeout(ServiceError):
    status, title = 408, "Request Timeout"


class PayloadTooLarge(ServiceError):
    status, title = 413, "Content Too Large"


class UnsupportedMediaType(ServiceError):
    status, title = 415, "Unsupported Media Type"


class AnswerTooLarge(ServiceError):
    """The request is well-formed; its answer is over the endpoint's caps (rows, bytes, memory)."""

    status, title = 422, "Unprocessable Content"


class InternalError(ServiceError):
    status, title = 500, "Internal Server Error"


class RemoteFailed(ServiceError):
    """A SERVICE or LOAD destination failed."""

    status, title = 502, "Bad Gateway"


class Unavailable(ServiceError):
    """No data yet, or every query process busy: worth trying again."""

    status, title = 503, "Service Unavailable"

    def __init__(self, message: str, **options) -> None:
        super().__init__(message, **options)
        self.headers.setdefault("Retry-After", RETRY_AFTER)


class TimedOut(ServiceError):
    """This server, acting for its query process, got no answer in time (no Retry-After:
    the same request would be stopped again)."""

    status, title = 504, "Gateway Timeout"


class SyntaxFailure(BadRequest):
    """A query, update or RDF document that does not parse: where, and the line itself."""

    def __init__(self, what: str, detail: str, line: int | None, column: int | None, text: str | None) -> None:
        where = f" at line {line}, column {column}" if line else ""
        message = f"Syntax error in the {what}{where}: {detail}"
        if text is not None and line and column:
            message += excerpt(text, line, column)
        super().__init__(message)
        self.line, self.column = line, column


def excerpt(text: str, line: int, column: int) -> str:
    """The line of ``text`` at ``line``, with a caret under ``column`` (both from 1)."""
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    number = f"{line} | "
    return f"\n\n  {number}{lines[line - 1]}\n  {' ' * (len(number) - 2)}| {' ' * max(column - 1, 0)}^"


def from_http(error: HTTPException) -> ServiceError:
    """Werkzeug's 404, 405, 413 ... as one of ours."""
    from flask import current_app

    description = error.description or ""
    if error.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        description = f"the request body is larger than {limit:,} bytes, the limit of this endpoint"
    found = ServiceError(f"{error.code} {error.name}: {description}", headers=dict(error.get_headers()))
    found.status, found.title = error.code or 500, error.name
    found.headers.pop("Content-Type", None)
    return found


#: How errors are shown, by what the client reads: text for programs, a page for browsers.
_STYLES = (formats.PLAIN_TEXT, formats.HTML)
_API_STYLES = (formats.PROBLEM_JSON, formats.API_JSON, formats.HTML)


def error_format() -> formats.Format:
    """The format of an error answer for this request (the API speaks problem+json)."""
    offers = _API_STYLES if request.blueprint == "api" else _STYLES
    found = formats.by_accept(request.headers.get("Accept"), offers) or offers[0]
    return formats.PROBLEM_JSON if found is formats.API_JSON else found

