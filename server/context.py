"""Access to what the application factory set up, from inside a request."""

from __future__ import annotations

from flask import current_app

from policykg.config import Settings
from policykg.querylib import NamedQuery
from policykg.store import EmbeddedStore


def settings() -> Settings:
    return current_app.config["POLICYKG"]


def store() -> EmbeddedStore:
    return current_app.extensions["policykg.store"]


def named_queries() -> dict[str, NamedQuery]:
    return current_app.extensions["policykg.queries"]
