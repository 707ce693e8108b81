"""A client of the standard protocols only: SPARQL 1.1 Query, Update and the Graph Store
HTTP Protocol, with the remote store's URLs and credentials from the settings.

Requests are sent on one keep-alive connection per thread and endpoint; a failure
raises :class:`RemoteStoreError` naming the URL, the status and what the server said.

A graph's body is spooled to a temporary file and sent with its ``Content-Length``, not in
chunks: Virtuoso 7.2 answers a chunked ``PUT`` with 201 and stores nothing. An answer the
server cut short is an error, not an answer: Virtuoso cuts a result at its
``ResultSetMaxRows`` (saying so in ``X-SPARQL-MaxRows``) and, past a time limit sent with
the query (only where configured), sends what it found so far (an "anytime" answer, saying so
in ``X-SQL-State``). docs/remote-store.md, "Servers and their differences".
"""

from __future__ import annotations

import base64
import http.client
import socket
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from policykg.storebase import AnswerIncomplete, QueryRefused, StoreError, StoreTimeout, StoreUnreachable

#: What a failure message quotes of the server's answer, at most.
QUOTED = 600
CHUNK = 1 << 16
#: How long a write (graph store PUT or POST, an update) may take at least, in seconds: a
#: graph of a million triples takes a minute or more (the query time limit is for reads).
WRITE_TIMEOUT = 600.0
#: A graph's body is kept in memory up to this size, in a temporary file beyond.
SPOOL = 8 << 20
#: Pauses, in seconds, before a graph store write the server gave up as deadlocked is sent again.
DEADLOCK_PAUSES = (1.0, 4.0, 16.0)


class RemoteStoreError(StoreError):
    """The remote store could not be reached or refused a request; the message says which and why."""


class RemoteTimeout(RemoteStoreError, StoreTimeout):
    """The remote store did not answer within the time limit."""


class RemoteUnreachable(RemoteStoreError, StoreUnreachable):
    """The remote store could not be reached."""


class ServerRefused(RemoteStoreError, QueryRefused):
    """The remote store answered a request with an error status."""


class RemoteSyntaxError(ServerRefused, SyntaxError):
    """The remote store found the query or update malformed (HTTP 400): ``msg`` is what it said
    (Oxigraph server: pyoxigraph's own 'error at LINE:COLUMN: ...')."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.msg = said

    def __str__(self) -> str:
        return self.msg


class Deadlocked(ServerRefused):
    """The remote store gave the request's transaction up as deadlocked (SQLSTATE 40001; Virtuoso
    7.2's SR172, seen on a graph store PUT into a new database with no other client): it rolled
    it back, so the request may be sent again."""


class IncompleteAnswer(RemoteStoreError, AnswerIncomplete):
    """The remote store sent part of an answer only (a row limit, or its own time limit)."""


def cut_short(headers) -> str | None:
    """Why an answer is incomplete, from the headers Virtuoso sends with one (None: complete)."""
    rows = headers.get("X-SPARQL-MaxRows")
    if rows:
        return (f"it cut the answer at {rows} rows (Virtuoso's [SPARQL] ResultSetMaxRows in virtuoso.ini: "
                "raise it above the largest answer policykg asks for; Virtuoso 7.2 sends at most 1048576 whatever it says)")
    state = headers.get("X-SQL-State")
    if state:
        message = headers.get("X-SQL-Message") or ""
        return (f"it sent a partial answer ({state} {message}; Virtuoso's [SPARQL] MaxQueryExecutionTime in "
                "virtuoso.ini: raise it, or set it to 0)").replace(" ;", ";")
    return None


@dataclass(frozen=True)
class Endpoints:
    """Where the remote store answers, and how we authenticate (Basic or Bearer, or neither)."""

    query: str
    update: str
    graph_store: str
    user: str | None = None
    password: str | None = None
    token: str | None = None
    #: The request parameter by which the server takes a query's time limit in milliseconds
    #: (Virtuoso: ``timeout``); None: none is sent, the server's own limit applies.
    timeout_parameter: str | None = None

    @classmethod
    def of(cls, settings) -> "Endpoints":
        base = (settings.store_url or "").rstrip("/")
        return cls(
            query=settings.store_query_url or f"{base}/query",
            update=settings.store_update_url or f"{base}/update",
            graph_store=settings.store_graph_store_url or f"{base}/store",
            user=settings.store_user,
            password=settings.store_password,
            token=settings.store_token,
            timeout_parameter=settings.store_timeout_parameter or None,
        )

    def headers(self) -> dict[str, str]:
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}
        return {}


class Response:
    """An answer being read: its status, media type and body (whole, or in chunks)."""

    def __init__(self, raw: http.client.HTTPResponse, url: str) -> None:
        self.raw, self.url = raw, url
        self.status = raw.status
        self.media_type = (raw.getheader("Content-Type") or "").split(";")[0].strip().lower()

    def read(self) -> bytes:
        return self.raw.read()

    def chunks(self) -> Iterator[bytes]:
        while True:
            chunk = self.raw.read(CHUNK)
            if not chunk:
                return
            yield chunk


class Client:
    """Sends protocol requests to one remote store."""

    def __init__(self, endpoints: Endpoints, *, timeout: float = 30.0) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        self._local = threading.local()

    # --- the protocols ---------------------------------------------------------

    def query(
        self, sparql: str, *, accept: str, default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None, timeout: float | None = None,
    ) -> Response:
        """POST a query (form-encoded, so that long queries and long graph lists fit)."""
        form = [("query", sparql)]
        form += [("default-graph-uri", g) for g in default_graphs or ()]
        form += [("named-graph-uri", g) for g in named_graphs or ()]
        # A limit for the server, where it is configured to take one from the request: Virtuoso
        # reads milliseconds and stops the query at about twice that (measured: 2.0 s for
        # 1 000 ms), so half our limit is sent. Not by default: on Virtuoso 7.2 it is the
        # "anytime" path, which crashed the server (docs/remote-store.md, "Time limits").
        if self.endpoints.timeout_parameter:
            form.append((self.endpoints.timeout_parameter, str(int((self.timeout if timeout is None else timeout) * 500))))
        return self._send(
            "POST", self.endpoints.query, urllib.parse.urlencode(form).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}, timeout, what="query",
        )

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        response = self._send(
            "POST", self.endpoints.update, sparql.encode("utf-8"),
            {"Content-Type": "application/sparql-update"}, timeout if timeout is not None else max(self.timeout, WRITE_TIMEOUT),
            what="update",
        )
        response.read()

    def put_graph(self, graph: str, body: Iterable[bytes] | bytes, *, media_type: str = "application/n-triples", timeout: float | None = None) -> None:
        """Replace ``graph`` with ``body`` (Graph Store Protocol ``PUT``)."""
        self._write_graph("PUT", graph, body, media_type, timeout, what=f"write of graph <{graph}>")

    def post_graph(self, graph: str, body: Iterable[bytes] | bytes, *, media_type: str = "application/n-triples", timeout: float | None = None) -> None:
        """Add ``body`` to ``graph`` (Graph Store Protocol ``POST``: blank nodes and any size,
        which ``INSERT DATA`` is not on every server)."""
        self._write_graph("POST", graph, body, media_type, timeout, what=f"addition to graph <{graph}>")

    def _write_graph(self, method, graph, body, media_type, timeout, *, what) -> None:
        """The body spooled (memory, then a temporary file) and sent with its length; sent
        again after a pause where the server gave it up as deadlocked (:class:`Deadlocked`)."""
        with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
            for chunk in [body] if isinstance(body, (bytes, bytearray)) else body:
                spool.write(chunk)
            size = spool.tell()
            headers = {"Content-Type": media_type, "Content-Length": str(size)}
            limit = timeout if timeout is not None else max(self.timeout, WRITE_TIMEOUT)
            for pause in (*DEADLOCK_PAUSES, None):
                spool.seek(0)
                try:
                    self._send(method, self._graph_url(graph), spool, headers, limit, what=what).read()
                    return
                except Deadlocked as error:
                    if pause is None:
                        raise Deadlocked(f"{error} (sent {len(DEADLOCK_PAUSES) + 1} times)") from None
                    time.sleep(pause)

    def write_graph(self, method: str, graph: str, body: bytes, media_type: str, *, timeout: float | None = None) -> None:
        """PUT (replace) or POST (merge) ``body`` into ``graph`` (a write through the service's
        graph store: the query time limit, not the publishing one)."""
        self._write_graph(method, graph, body, media_type, self.timeout if timeout is None else timeout, what=f"write of graph <{graph}>")

    def get_graph(self, graph: str, *, accept: str = "application/n-triples", timeout: float | None = None) -> Response | None:
        """``graph`` as a response to read (None: the store has no such graph)."""
        return self._send("GET", self._graph_url(graph), None, {"Accept": accept}, timeout, what=f"read of graph <{graph}>", missing_ok=True)

    # --- the wire ----------------------------------------------------------------

    def _graph_url(self, graph: str) -> str:
        separator = "&" if "?" in self.endpoints.graph_store else "?"
        return f"{self.endpoints.graph_store}{separator}{urllib.parse.urlencode({'graph': graph})}"

    def _connection(self, url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
        parts = urllib.parse.urlsplit(url)
        key = (parts.scheme, parts.netloc)
        pool = self._local.__dict__.setdefault("connections", {})
        connection = pool.get(key)
        if connection is None:
            kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            connection = pool[key] = kind(parts.hostname, parts.port, timeout=timeout)
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        path = parts.path or "/"
        return connection, path + (f"?{parts.query}" if parts.query else "")

    @staticmethod
    def _stopped(url: str, what: str, limit: float) -> str:
        return (f"the remote store ({url}) stopped the {what} at the time limit ({limit:g} s, sent with it; or "
                "Virtuoso's own [SPARQL] MaxQueryExecutionTime in virtuoso.ini, if that is shorter)")

    def _send(self, method, url, body, headers, timeout, *, what: str, missing_ok: bool = False) -> Response | None:
        limit = self.timeout if timeout is None else timeout
        headers = {**self.endpoints.headers(), **headers}
        if body is not None and not isinstance(body, (bytes, bytearray)) and "Content-Length" not in headers:
            headers["Transfer-Encoding"] = "chunked"
        for attempt in (1, 2):  # a keep-alive connection the server closed meanwhile is opened again once
            connection, path = self._connection(url, limit)
            kept_open = connection.sock is not None
            try:
                connection.request(method, path, body=body, headers=headers, encode_chunked="Transfer-Encoding" in headers)
                raw = connection.getresponse()
                break
            except (socket.timeout, TimeoutError):
                connection.close()
                raise RemoteTimeout(f"the remote store ({url}) did not answer the {what} within {limit:g} s") from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                connection.close()
                # Sent again only on a connection kept from before (the server may have closed it
                # meanwhile): a server that dropped a new one may have crashed on this request.
                if attempt == 2 or not kept_open or not (isinstance(body, (bytes, bytearray, type(None))) or hasattr(body, "seek")):
                    raise RemoteStoreError(f"the remote store ({url}) closed the connection during the {what}: {error}") from None
                if hasattr(body, "seek"):
                    body.seek(0)
            except OSError as error:
                connection.close()
                raise RemoteUnreachable(f"cannot reach the remote store ({url}) for the {what}: {error}") from None
        response = Response(raw, url)
        if missing_ok and response.status == 404:
            response.read()
            return None
        if not 200 <= response.status < 300:
            said = response.read()[:QUOTED].decode("utf-8", "replace").strip()
            if response.status == 400 and what in ("query", "update"):
                raise RemoteSyntaxError(said)
            if response.status == 500 and said.startswith("Virtuoso S1TAT"):  # the limit passed before any row
                raise RemoteTimeout(self._stopped(url, what, limit))
            if response.status == 500 and said.startswith("Virtuoso S1T00 Error SR171"):  # its MaxQueryExecutionTime
                raise RemoteTimeout(f"the remote store ({url}) stopped the {what} at its own time limit "
                                    "(Virtuoso's [SPARQL] MaxQueryExecutionTime in virtuoso.ini)")
            if response.status == 500 and ("SR172" in said or "Error 40001" in said):  # rolled back: may be sent again
                raise Deadlocked(f"the remote store ({url}) gave the {what} up as deadlocked: {said}")
            # not allowed (credentials) is not the server refusing this request for what it asks
            error = RemoteStoreError if response.status in (401, 403, 407) else ServerRefused
            raise error(f"the remote store ({url}) refused the {what}: HTTP {response.status}: {said}")
        if raw.headers.get("X-SQL-State") == "S1TAT":  # Virtuoso stopped at the time limit sent with the query
            response.read()
            raise RemoteTimeout(self._stopped(url, what, limit))
        why = cut_short(raw.headers)
        if why:
            response.read()
            raise IncompleteAnswer(f"the remote store ({url}) did not answer the {what} whole: {why}")
        return response

    def close(self) -> None:
        for connection in self._local.__dict__.get("connections", {}).values():
            connection.close()
        self._local = threading.local()
