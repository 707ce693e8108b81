"""Cross-origin requests: any web page may read, and a browser tool that holds the
update token may write (the token travels in ``Authorization``, never in a cookie,
so ``Access-Control-Allow-Origin: *`` is safe)."""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_HEADERS = "Accept, Authorization, Content-Type, If-None-Match, If-Modified-Since, Range"
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, Content-Type, Content-Location, Link, Location, Policykg-Answered"


def preflight(app: Flask):
    """The answer to a CORS preflight (``OPTIONS`` with ``Access-Control-Request-Method``), or None."""
    if request.method != "OPTIONS":
        return None
    adapter = app.url_map.bind_to_environ(request.environ)
    try:
        adapter.match(method="--")  # the methods this path allows
    except Exception as error:  # MethodNotAllowed carries them; NotFound has none
        methods = sorted(getattr(error, "valid_methods", None) or [])
    else:
        methods = []
    if not methods:
        return None  # an unknown path: Flask answers 404
    methods = sorted(set(methods) | {"OPTIONS"})
    return Response(
        status=204,
        headers={
            "Allow": ", ".join(methods),
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": "86400",
        },
    )


def allow_cross_origin(response: Response) -> None:
    """Any web page may read any answer (none depends on cookies or other credentials)."""
    headers = response.headers
    if "Access-Control-Allow-Origin" not in headers:
        headers["Access-Control-Allow-Origin"] = "*"
    if "Access-Control-Expose-Headers" not in headers:
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
