"""Error answers: a status and a plain-text message that says what and where.

Never a stack trace: unexpected exceptions are logged and answered with a
generic 500.
"""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from policykg.runtime.executor import Failure

#: The HTTP status of each kind of job failure.
FAILURE_STATUS = {
    "syntax": 400,
    "evaluation": 400,
    "not-found": 404,
    "not-acceptable": 406,
    "too-large": 422,  # the request is well-formed; its answer is over the endpoint's caps
    "internal": 500,
    "remote": 502,  # a SERVICE or LOAD destination failed
    "not-built": 503,
    "busy": 503,
}
RETRY_AFTER = "5"


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


def excerpt(text: str, line: int, column: int) -> str:
    """The line of ``text`` at ``line``, with a caret under ``column`` (both from 1)."""
    lines = text.splitlines() or [""]
    if not 1 <= line <= len(lines):
        return ""
    number = f"{line} | "
    return f"\n\n  {number}{lines[line - 1]}\n  {' ' * (len(number) - 2)}| {' ' * max(column - 1, 0)}^"


def failure_response(failure: Failure, *, what: str = "query", text: str | None = None) -> Response:
    """The answer to a failed job; a syntax error names the line and column, and shows them."""
    status = FAILURE_STATUS.get(failure.kind, 500)
    headers = {"Retry-After": RETRY_AFTER} if failure.kind in ("busy", "not-built") else {}
    if failure.kind == "syntax":
        where = f" at line {failure.line}, column {failure.column}" if failure.line else ""
        message = f"Syntax error in the {what}{where}: {failure.message}"
        if text is not None and failure.line and failure.column:
            message += excerpt(text, failure.line, failure.column)
        return error_response(status, message, headers)
    return error_response(status, failure.message, headers)


def register(app: Flask) -> None:
    """Plain-text answers for HTTP errors (405, 413, ...) and a generic 500."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        description = error.description or ""
        if error.code == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            description = f"the request body is larger than {limit:,} bytes, the limit of this endpoint"
        return error_response(error.code or 500, f"{error.code} {error.name}: {description}", headers)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unexpected error")
        return error_response(500, "500 Internal Server Error: the error is in the server's log")
