"""Request bodies, read whole and checked before any view runs.

A body over ``POLICYKG_MAX_REQUEST_BYTES`` is refused whole with 413, whether it
says its length or comes in chunks (``Transfer-Encoding: chunked``): it is never
cut at the limit and the first part run. A body that does not arrive within
``POLICYKG_BODY_TIMEOUT`` seconds is refused with 408, so that a client sending
it slowly holds a server thread for no longer than that. Views then read the
body (``request.get_data()``, ``request.form``) from memory.

A refused body is read on and dropped, up to :data:`DRAIN_BYTES` and within the
same time, before the refusal is sent: a server that closes a connection with
unread bytes resets it, and a client still sending would get the reset instead of
the 413 (an HTTP server's "lingering close").
"""

from __future__ import annotations

import functools
import io
import threading
from urllib.parse import urlsplit

from flask import request

from . import context
from .errors import BadRequest, PayloadTooLarge, RequestTimeout, UnsupportedMediaType

#: Methods whose requests may carry a body.
WITH_BODY = ("POST", "PUT", "PATCH", "DELETE")
CHUNK = 64 * 1024
#: Bytes of a refused body read and dropped so that the client can read the refusal.
DRAIN_BYTES = 16 * 1024 * 1024


def _read(stream, length: int | None, limit: int, out: list) -> None:
    """Read up to ``limit + 1`` bytes (or exactly ``length``) into ``out[0]``; errors into ``out[1]``.
    Past the limit, ``out[2]`` is set and the rest is drained (:func:`_drain`)."""
    try:
        data = bytearray()
        wanted = limit + 1 if length is None else length
        while len(data) < wanted:
            chunk = stream.read(min(CHUNK, wanted - len(data)))
            if not chunk:
                break
            data += chunk
        out[0] = bytes(data)
        if len(data) > limit:
            out[2] = True
            _drain(stream)
    except Exception as error:  # noqa: BLE001 - a broken connection: reported by the caller
        out[1] = error


def _drain(stream, budget: int = DRAIN_BYTES) -> None:
    """Read and drop the rest of a refused body, up to ``budget`` bytes."""
    while budget > 0:
        chunk = stream.read(min(CHUNK, budget))
        if not chunk:
            return
        budget -= len(chunk)


def read_body() -> None:
    """Read the request's body into memory (``before_request``), or refuse the request."""
    environ = request.environ
    if request.method not in WITH_BODY:
        return
    raw_length = environ.get("CONTENT_LENGTH") or None
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if raw_length is None and not chunked and not environ.get("wsgi.input_terminated"):
        return  # no body
    settings = context.settings()
    limit = settings.max_request_bytes
    length = None
    if raw_length is not None and not chunked:
        if not raw_length.isascii() or not raw_length.isdigit() or len(raw_length) > 18:
            raise BadRequest(f"header Content-Length: {raw_length[:40]!r} is not a length in bytes.")
        length = int(raw_length)
        if length > limit:
            if length <= limit + DRAIN_BYTES:  # read and dropped, so that the client reads the refusal
                drainer = threading.Thread(target=_drain, args=(environ["wsgi.input"], length), daemon=True)
                drainer.start()
                drainer.join(settings.body_timeout)
            raise PayloadTooLarge(_too_large(limit), headers={"Connection": "close"})
        if length == 0:
            _replace(b"")
            return
    out: list = [None, None, False]
    reader = threading.Thread(target=_read, args=(environ["wsgi.input"], length, limit, out), daemon=True)
    reader.start()
    reader.join(settings.body_timeout)
    if out[2]:  # over the limit (and drained as far as the time and the budget allowed)
        raise PayloadTooLarge(_too_large(limit), headers={"Connection": "close"})
    if reader.is_alive():
        raise RequestTimeout(
            f"The request body did not arrive within {settings.body_timeout:g} s; send it at once.",
            headers={"Connection": "close"},
        )
    if out[1] is not None or out[0] is None:
        raise BadRequest("The request body could not be read: the connection broke off.", headers={"Connection": "close"})
    body = out[0]
    if len(body) > limit:
        raise PayloadTooLarge(_too_large(limit), headers={"Connection": "close"})
    if length is not None and len(body) < length:
        raise BadRequest(f"The request body ended after {len(body):,} of the {length:,} bytes its Content-Length announced.")
    _replace(body)


def _replace(body: bytes) -> None:
    """Let every reader of the request (Werkzeug's form parser too) see the body as read."""
    environ = request.environ
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)


def _too_large(limit: int) -> str:
    return f"The request body is larger than {limit:,} bytes, the limit of this endpoint; nothing was run or written."


def utf8_body(what: str) -> str:
    """The body as text: UTF-8 only (a byte-order mark is dropped)."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"The {what} must be sent as UTF-8; this one says charset={charset}.")
    body = request.get_data(cache=True)
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise BadRequest(f"The request body is not UTF-8: byte 0x{body[error.start]:02x} at offset {error.start}.") from None


def check_host() -> None:
    """Answer only for the host names this server is known by (``before_request``): the
    ``Host`` a client sends ends up in the URLs of the metadata and the pages."""
    settings = context.settings()
    allowed = _allowed_hosts(settings.allowed_hosts, settings.public_url)
    if "*" in allowed:
        return
    host = (request.environ.get("HTTP_HOST") or "").strip().lower()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if name not in allowed:
        shown = host[:80]
        raise BadRequest(
            f"header Host: this server does not answer for {shown!r}; it answers for {', '.join(sorted(allowed))} "
            "(its operator sets POLICYKG_ALLOWED_HOSTS or POLICYKG_PUBLIC_URL)."
        )


@functools.lru_cache(maxsize=8)
def _allowed_hosts(hosts: tuple[str, ...], public_url: str | None) -> frozenset[str]:
    found = {h.strip().lower() for h in hosts if h.strip()}
    if public_url:
        found.add((urlsplit(public_url).hostname or "").lower())
    return frozenset(found)
