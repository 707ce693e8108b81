"""How a query process hands an answer over: whole when it is small, as a stream of
chunks when it is large, within the caps on bytes and rows either way.

A job writes its serialized answer into a :class:`Sink`. Up to ``whole_limit``
bytes the sink keeps it, and the answer travels as one message. Past that (when
the job allows streaming) the sink sends a ``head`` message and then the bytes in
chunks of about :data:`CHUNK` as they are produced, so that neither the query
process nor the server holds a large answer whole; the job's last message says
how it ended. Rows are counted in the bytes as they pass (:class:`RowCounter`).
"""

from __future__ import annotations

import pickle
import re
from multiprocessing.connection import Connection

#: Messages of a query process: the final answer (or failure), the start of a stream, a piece of it.
DONE, HEAD, PIECE, READY = "done", "head", "chunk", "ready"
CHUNK = 256 * 1024
#: Up to this size an answer is handed over whole (and may be cached).
WHOLE_LIMIT = 4 * 1024 * 1024


class TooLarge(Exception):
    """The answer is over a cap."""


def too_many(limit: int, what: str = "rows") -> str:
    return f"the result has more than {limit:,} {what}, the limit of this endpoint: use LIMIT and OFFSET to page through it"


def too_big(limit: int) -> str:
    return f"the response would be larger than {limit:,} bytes, the limit of this endpoint"


def send(connection: Connection, message: tuple) -> None:
    connection.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


class RowCounter:
    """Counts the rows of a SPARQL results document in the bytes as they are written,
    without parsing it: ``<result>`` in XML, line ends in TSV (newlines in values are
    escaped) and in CSV outside quoted values, and in JSON the objects that open a row
    (``[{"`` or ``,{"``: a quote inside a JSON string is always escaped, so that sequence
    is never in a value; an all-unbound row ``{}`` is counted too)."""

    _JSON = re.compile(rb'[\[,]\{["}]')

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.rows = 0
        self._tail = b""
        self._quoted = False
        self._lines = 0

    def feed(self, data: bytes) -> int:
        if self.fmt == "xml":
            self.rows += self._overlapping(data, rb"<result>")
        elif self.fmt == "json":
            text = self._tail + data
            self.rows += len(self._JSON.findall(text)) - len(self._JSON.findall(self._tail))
            self._tail = text[-2:]
        elif self.fmt == "tsv":
            self._lines += data.count(b"\n")
            self.rows = max(0, self._lines - 1)
        elif self.fmt == "csv":
            for index, part in enumerate(data.split(b'"')):
                if index:
                    self._quoted = not self._quoted
                if not self._quoted:
                    self._lines += part.count(b"\n")
            self.rows = max(0, self._lines - 1)
        return self.rows

    def _overlapping(self, data: bytes, pattern: bytes) -> int:
        text = self._tail + data
        found = text.count(pattern) - self._tail.count(pattern)
        self._tail = text[-(len(pattern) - 1) :]
        return found


class Sink:
    """A file-like target for one answer's bytes (see the module's docstring)."""

    def __init__(
        self, connection: Connection | None, fmt: str, generation: str, *, max_bytes: int, max_rows: int | None = None,
        stream: bool = False, whole_limit: int = WHOLE_LIMIT,
    ) -> None:
        self.connection = connection if stream else None
        self.fmt, self.generation = fmt, generation
        self.max_bytes, self.max_rows = max_bytes, max_rows
        self.whole_limit = whole_limit
        self.counter = RowCounter(fmt) if max_rows is not None else None
        self.size = 0
        self.streaming = False
        self._parts: list[bytes] = []
        self._pending = 0

    def write(self, data) -> int:
        data = bytes(data)
        self.size += len(data)
        if self.size > self.max_bytes:
            raise TooLarge(too_big(self.max_bytes))
        if self.counter is not None and self.counter.feed(data) > self.max_rows:
            raise TooLarge(too_many(self.max_rows))
        self._parts.append(data)
        self._pending += len(data)
        if self.streaming:
            if self._pending >= CHUNK:
                self._send_pending()
        elif self.connection is not None and self.size > self.whole_limit:
            send(self.connection, (HEAD, self.fmt, self.generation))
            self.streaming = True
            self._send_pending()
        return len(data)

    def flush(self) -> None:
        pass

    def _send_pending(self) -> None:
        send(self.connection, (PIECE, b"".join(self._parts)))
        self._parts.clear()
        self._pending = 0

    def body(self) -> bytes | None:
        """The whole answer, or None when it was streamed (its last bytes are sent now)."""
        if self.streaming:
            if self._parts:
                self._send_pending()
            return None
        return b"".join(self._parts)

    @property
    def rows(self) -> int:
        return self.counter.rows if self.counter is not None else 0
