"""Access to what the application factory set up, from inside a request."""

from __future__ import annotations

from flask import current_app, request

from policykg.config import Settings
from policykg.querylib import NamedQuery
from policykg.store import EmbeddedStore

from .querypool import QueryPool
from .resultcache import ResultCache


def settings() -> Settings:
    return current_app.config["POLICYKG"]


def store() -> EmbeddedStore:
    return current_app.extensions["policykg.store"]


def named_queries() -> dict[str, NamedQuery]:
    return current_app.extensions["policykg.queries"]


def query_pool() -> QueryPool:
    return current_app.extensions["policykg.querypool"]


def result_cache() -> ResultCache:
    return current_app.extensions["policykg.resultcache"]


def public_base() -> str:
    """This server's public URL, ending with '/' (``POLICYKG_PUBLIC_URL`` or the request's host)."""
    configured = settings().public_url
    if configured:
        return configured if configured.endswith("/") else configured + "/"
    return request.url_root
