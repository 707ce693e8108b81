"""The web service: an application factory and one blueprint per concern.

Every view answers through the same path: it gathers data (from the one answer
path, :mod:`server.answering`), chooses a format (the one negotiator,
:mod:`server.negotiation`) and returns an :class:`~server.rendering.Output`,
which the application renders (:mod:`server.rendering`); what goes wrong is
raised and rendered in one place (:mod:`server.errors`).
"""

from __future__ import annotations

import threading
from typing import Any, Mapping

import flask_compress
from flask import Flask

from policykg import formats
from policykg.config import load_settings
from policykg.paths import queries_dir
from policykg.runtime.querylib import load_queries
from policykg.store import open_store

from . import cors, errors
from .querypool import QueryPool
from .rendering import Output, register_errors, render
from .resultcache import ResultCache

COMPRESSED = sorted({media for fmt in formats.ALL for media in fmt.media_types} | {"text/css", "text/javascript", "application/javascript"})


class Compress(flask_compress.Compress):
    """Flask-Compress, except for responses marked ``Cache-Control: no-transform``
    (the downloads, which keep their bytes, size and byte ranges)."""

    def after_request(self, response):
        if response.cache_control.no_transform:
            return response
        return super().after_request(response)


class WholeResponse(Flask.response_class):
    """A response whose body is already whole goes to the server as one list: Granian then
    sends it in one piece instead of iterating it (a stream is still iterated)."""

    def get_app_iter(self, environ):
        if not self.is_streamed and not self._on_close and 200 <= self.status_code < 300 and self.status_code != 204 \
                and environ["REQUEST_METHOD"] != "HEAD":
            return [b"".join(self.iter_encoded())]
        return super().get_app_iter(environ)


class PolicykgFlask(Flask):
    """Flask that renders a view's :class:`Output`."""

    response_class = WholeResponse

    def make_response(self, rv):
        if isinstance(rv, Output):
            return render(rv)
        return super().make_response(rv)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings from defaults, then ``POLICYKG_*``, then ``config``.

    Query processes start on the first query (or when the server's worker warms the pool).
    """
    settings = load_settings(config)
    app = PolicykgFlask(__name__)
    app.config["POLICYKG"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes
    app.config["COMPRESS_MIMETYPES"] = COMPRESSED
    app.config["COMPRESS_ALGORITHM"] = ["br", "gzip", "deflate"]
    app.extensions["policykg.store"] = open_store(settings)
    app.extensions["policykg.queries"] = load_queries(queries_dir())
    app.extensions["policykg.querypool"] = QueryPool(
        settings.store,
        settings.query_processes,
        long_queries=settings.long_queries,
        memory_bytes=settings.query_memory_bytes,
        keep_generations=settings.keep_generations,
        environ=settings.store_environ(),
    )
    app.extensions["policykg.resultcache"] = ResultCache(settings.result_cache_bytes)
    app.extensions["policykg.answers"] = {"lock": threading.Lock()}
    Compress(app)
    register_errors(app)

    from .requests import check_host, read_body

    @app.before_request
    def before():
        """Every request, before its view: a preflight is answered; the host is checked;
        the body is read whole within its limits."""
        answer = cors.preflight(app)
        if answer is not None:
            return answer
        check_host()
        read_body()
        return None

    @app.after_request
    def after(response):
        headers = response.headers
        if "X-Content-Type-Options" not in headers:
            headers["X-Content-Type-Options"] = "nosniff"
        if response.status_code in (204, 304):
            headers.pop("Content-Type", None)  # no content, no type
        cors.allow_cross_origin(response)
        return response

    from . import present
    from .api import api
    from .dataset_documents import metadata
    from .downloads import downloads
    from .editor import editor
    from .ontology import ontology
    from .pages import pages
    from .reconcile import reconcile
    from .report import report
    from .sparql import sparql

    present.register(app)
    app.register_blueprint(pages)
    app.register_blueprint(sparql)
    app.register_blueprint(editor)
    app.register_blueprint(api)
    app.register_blueprint(downloads)
    app.register_blueprint(metadata)
    app.register_blueprint(ontology)
    app.register_blueprint(reconcile)
    app.register_blueprint(report)
    if settings.update_token:
        from .graphstore import graphstore
        from .update import update

        app.register_blueprint(update)
        app.register_blueprint(graphstore)
    else:
        _register_disabled_writes(app)
    # Last: the linked-data pages answer any other path that is a minted IRI.
    from .resources import resources

    app.register_blueprint(resources)
    return app


def _register_disabled_writes(app: Flask) -> None:
    """Without a token there is no /update or /store: say so instead of a bare 404."""

    def disabled(path: str = ""):
        raise errors.NotFound("Updates are not enabled on this server: its operator has configured no update token.")

    for rule in ("/update", "/store", "/store/<path:path>"):
        app.add_url_rule(rule, f"disabled{rule}", disabled, methods=["GET", "HEAD", "POST", "PUT", "DELETE"])
