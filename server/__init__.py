"""The web service: an application factory and one blueprint per concern."""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from policykg.config import load_settings
from policykg.paths import queries_dir
from policykg.querylib import load_queries
from policykg.store import open_store


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings from defaults, then ``POLICYKG_*``, then ``config``."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.config["POLICYKG"] = settings
    app.extensions["policykg.store"] = open_store(settings)
    app.extensions["policykg.queries"] = load_queries(queries_dir())

    from .pages import pages

    app.register_blueprint(pages)
    return app
