"""Fetching reference data from the publishers' live services, into a cache beside the store.

The tests and an ordinary build read local files; these are used only when a
setting names a service (``POLICYKG_EU_SPARQL``, ``POLICYKG_KOLADA_API``). What
was fetched is written to ``STORE/../cache/KEY/`` and loaded from there, and the
URL it came from is recorded in the graph's provenance. When the service cannot
be reached, the build says so and goes on without the source.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from SPARQLWrapper import TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from policykg.config import Settings

TIMEOUT = 60
USER_AGENT = "policykg (https://w3id.org/policykg)"


def cache_dir(settings: Settings, key: str) -> Path:
    path = settings.store.parent / "cache" / key
    path.mkdir(parents=True, exist_ok=True)
    return path


def construct(settings: Settings, endpoint: str, query: str, key: str, notes: list[str]) -> tuple[Path, str] | None:
    """The triples of a CONSTRUCT ``query`` at ``endpoint``, as a Turtle file in the cache,
    and the URL of the request; None (with a note) when the endpoint cannot answer."""
    client = SPARQLWrapper(endpoint, agent=USER_AGENT)
    client.setQuery(query)
    client.setReturnFormat(TURTLE)
    client.setTimeout(TIMEOUT)
    try:
        data = client.query().response.read()
    except (SPARQLWrapperException, urllib.error.URLError, OSError, ValueError) as error:
        notes.append(f"{key}: cannot query {endpoint} ({error}); not loaded")
        return None
    path = cache_dir(settings, key) / f"{key}.ttl"
    path.write_bytes(data)
    return path, f"{endpoint}?{urllib.parse.urlencode({'query': query})}"


def get_json(url: str) -> dict:
    """The JSON document at ``url`` (raises ``OSError`` or ``ValueError``)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.loads(response.read().decode("utf-8"))
