"""Access to what the application factory set up, from inside a request."""

from __future__ import annotations

import sqlite3

from flask import current_app, request

from policykg.config import Settings
from policykg.publication.answers import StoredAnswers
from policykg.runtime.querylib import NamedQuery
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


def stored_answers(generation: str | None):
    """The answers stored for ``generation``, the published one (:mod:`policykg.publication.answers`), or None."""
    if not settings().stored_answers or generation is None:
        return None
    opened = current_app.extensions["policykg.answers"]
    with opened["lock"]:
        if opened.get("generation") != generation or opened.get("answers") is None:
            try:
                found = StoredAnswers.of(store(), generation)
            except sqlite3.DatabaseError as error:  # unreadable: answer by computing, say so in the log
                current_app.logger.error("stored answers of %s unusable: %s", generation, error)
                found = None
            if found is None:
                return None  # not written yet: looked for again on the next request
            opened.update(generation=generation, answers=found)
        return opened["answers"]


def public_base() -> str:
    """This server's public URL, ending with '/': ``POLICYKG_PUBLIC_URL``, or the request's
    scheme, host (checked against the allowed hosts before any view runs) and mount point."""
    configured = settings().public_url
    if configured:
        return configured if configured.endswith("/") else configured + "/"
    environ = request.environ
    host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME', 'localhost')}:{environ.get('SERVER_PORT', '80')}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}{request.script_root}/"
