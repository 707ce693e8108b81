"""The ceiling of any Python WSGI service over pyoxigraph: a bare application that answers
a query in the serving thread, with nothing else (no limits, no time limit, no scan, no
query process, no Flask). Not safe to serve: pyoxigraph cannot stop a query, so one slow
query holds its thread and its core until it ends. For ``bench.bsbm --bare`` only, to
measure how much of the gap to Oxigraph's own server any Python service must keep.

Served by Granian as policykg is (same workers and threads); the store path comes from
``BARE_STORE`` (a pyoxigraph database directory).
"""

from __future__ import annotations

import os
import urllib.parse

import pyoxigraph as ox

_RDF = {"application/rdf+xml": ox.RdfFormat.RDF_XML, "text/turtle": ox.RdfFormat.TURTLE}
_RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON, "application/sparql-results+xml": ox.QueryResultsFormat.XML}


def application():
    """Granian's factory: one read-only store per worker process."""
    store = ox.Store.read_only(os.environ["BARE_STORE"])

    def answer(environ, start_response):
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("query", [""])[0]
        accept = environ.get("HTTP_ACCEPT", "")
        try:
            result = store.query(query, use_default_graph_as_union=True)
        except SyntaxError as error:
            body = str(error).encode()
            start_response("400 Bad Request", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            media = next((m for m in _RESULTS if m in accept), "application/sparql-results+xml")
            body = result.serialize(format=_RESULTS[media])
        else:
            media = next((m for m in _RDF if m in accept), "application/rdf+xml")
            body = ox.serialize(result, format=_RDF[media])
        start_response("200 OK", [("Content-Type", media), ("Content-Length", str(len(body)))])
        return [body]

    return answer
