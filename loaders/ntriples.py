"""N-Triples text for large sources: terms rendered once, lines joined in chunks.

Building a pyoxigraph object per term is the slow part of a big load; the
registry loaders instead write N-Triples lines and the writer bulk-loads them
(``GraphWriter.load_graph``). Every string that reaches a line goes through
:func:`iri` or one of the literal functions here, which escape as the
N-Triples grammar requires.
"""

from __future__ import annotations

import io
import queue
import re
import threading
from collections.abc import Iterable, Iterator

from policykg.namespaces import XSD

_LITERAL_SPECIAL = re.compile(r'[\\"\n\r]')
_LITERAL_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
# Characters N-Triples does not allow in an IRI, and controls.
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')

XSD_DATE = f"<{XSD.date}>"
XSD_DECIMAL = f"<{XSD.decimal}>"
XSD_INTEGER = f"<{XSD.integer}>"
XSD_BOOLEAN = f"<{XSD.boolean}>"
XSD_HEX_BINARY = f"<{XSD.hexBinary}>"


def iri(value: str) -> str:
    """``<value>``; the caller guarantees an absolute IRI (checked here, cheaply)."""
    if IRI_FORBIDDEN.search(value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


def _escape(text: str) -> str:
    if _LITERAL_SPECIAL.search(text) is None:
        return text
    return _LITERAL_SPECIAL.sub(lambda m: _LITERAL_ESCAPES[m.group()], text)


def string(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{_escape(text)}"'


def lang(text: str, tag: str) -> str:
    """A language-tagged literal."""
    return f'"{_escape(text)}"@{tag}'


def typed(lexical: str, datatype: str) -> str:
    """A typed literal; ``datatype`` is already rendered (``<...>``)."""
    return f'"{_escape(lexical)}"^^{datatype}'


TRUE = typed("true", XSD_BOOLEAN)
FALSE = typed("false", XSD_BOOLEAN)


def integer(value: int) -> str:
    return f'"{value}"^^{XSD_INTEGER}'


class Lines:
    """Collects N-Triples lines and hands them out in chunks of about ``size`` bytes' worth."""

    __slots__ = ("parts", "count", "size")

    def __init__(self, size: int = 1 << 20) -> None:
        self.parts: list[str] = []
        self.count = 0
        self.size = size

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.parts.append(f"{subject} {predicate} {obj} .\n")
        self.count += 1

    def full(self) -> bool:
        return len(self.parts) >= 8192

    def take(self) -> bytes:
        data = "".join(self.parts).encode("utf-8")
        self.parts.clear()
        return data


class ChunkReader(io.RawIOBase):
    """A binary file over an iterator of byte chunks, for ``Store.bulk_load(input=...)``."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] = iter(chunks)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            try:
                self._pending = memoryview(next(self._chunks))
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


_DONE = object()


class ThreadedChunks:
    """Iterates ``chunks`` in a thread of its own, a few chunks ahead of the consumer.

    ``bulk_load`` parses in Rust threads that wait for Python to produce the
    next chunk; producing in another thread lets generation and parsing overlap
    (the consumer blocks on the queue without holding the GIL). An exception in
    the producer is raised in the consumer.
    """

    def __init__(self, chunks: Iterable[bytes], ahead: int = 16) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, args=(chunks,), daemon=True, name="ntriples")
        self._thread.start()

    def _produce(self, chunks: Iterable[bytes]) -> None:
        try:
            for chunk in chunks:
                while not self._stop.is_set():
                    try:
                        self._queue.put(chunk, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    return
            self._queue.put(_DONE)
        except BaseException as error:  # handed to the consumer
            self._queue.put(error)

    def __iter__(self) -> Iterator[bytes]:
        try:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()
            self._thread.join(timeout=5)
