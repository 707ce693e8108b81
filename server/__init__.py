"""The web service: an application factory and one blueprint per concern."""

from __future__ import annotations

import threading
from typing import Any, Mapping

import flask_compress
from flask import Flask

from policykg.config import load_settings
from policykg.paths import queries_dir
from policykg.runtime.querylib import load_queries
from policykg.runtime.results import MEDIA_TYPES
from policykg.store import open_store

from . import errors
from .querypool import QueryPool
from .resultcache import ResultCache

COMPRESSED = sorted(
    {media.split(";")[0] for media in MEDIA_TYPES.values()}
    | {"application/json", "text/html", "text/css", "text/javascript", "application/javascript", "text/plain"}
)


class Compress(flask_compress.Compress):
    """Flask-Compress, except for responses marked ``Cache-Control: no-transform``
    (the downloads, which keep their bytes, size and byte ranges)."""

    def after_request(self, response):
        if response.cache_control.no_transform:
            return response
        return super().after_request(response)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings from defaults, then ``POLICYKG_*``, then ``config``.

    Query processes start on the first query (or when the server's worker warms the pool).
    """
    settings = load_settings(config)
    app = Flask(__name__)
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
        burst=settings.query_processes_burst,
        keep_generations=settings.keep_generations,
    )
    app.extensions["policykg.resultcache"] = ResultCache(settings.result_cache_bytes)
    app.extensions["policykg.publication.answers"] = {"lock": threading.Lock()}
    Compress(app)
    errors.register(app)

    @app.after_request
    def no_sniffing(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    from . import present
    from .api import api
    from .downloads import downloads
    from .editor import editor
    from .metadata import metadata
    from .ontology import ontology
    from .pages import pages
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
        return errors.error_response(
            404, "Updates are not enabled on this server: its operator has configured no update token."
        )

    for rule in ("/update", "/store", "/store/<path:path>"):
        app.add_url_rule(rule, f"disabled{rule}", disabled, methods=["GET", "HEAD", "POST", "PUT", "DELETE"])
