"""Cross-origin requests: any web page may read, and a browser tool that holds the
update token may write (the token travels in ``Authorization``, never in a cookie,
so ``Access-Control-Allow-Origin: *`` is safe)."""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_HEADERS = "Accept, Authorization, Content-Type, If-None-Match, If-Modified-Since, Range"
EXPOSED_HEADERS = "ETag, Last-Modified, Retry-After, Content-Type, Content-Location, Link, Location, Policykg-Answered"


def register(app: Flask) -> None:
    """Answer every preflight, and mark every answer readable from other origins."""

    @app.before_request
    def preflight():
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

    @app.after_request
    def allow_cross_origin(response: Response) -> Response:
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", EXPOSED_HEADERS)
        return response
