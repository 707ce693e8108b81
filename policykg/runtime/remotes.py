"""Which remote addresses a ``SERVICE`` or ``LOAD`` may reach.

Only IRIs under an allow-listed prefix (``POLICYKG_SERVICE_ALLOWLIST``, empty by
default), only http(s), and never a host that is or resolves to a loopback,
private, link-local, shared, multicast or otherwise non-global address, even
when allow-listed. The check runs before evaluation; pyoxigraph resolves the
host again when it connects, so a host whose DNS answer changes in between
(DNS rebinding) is a residual risk that only a network-level egress rule removes.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

from policykg.runtime.sparqlscan import Scan, Target

DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str, int], Iterable[str]]


class RemoteRefused(ValueError):
    """A SERVICE or LOAD target this endpoint will not call; the message says which and why."""


def _resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def _global(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _allowed_by_list(iri: str, allowlist: Sequence[str]) -> bool:
    target = urlsplit(iri)
    for entry in allowlist:
        allowed = urlsplit(entry)
        if allowed.scheme.lower() != target.scheme.lower():
            continue
        if (allowed.hostname or "").lower() != (target.hostname or "").lower():
            continue
        if (allowed.port or DEFAULT_PORTS.get(allowed.scheme.lower())) != (
            target.port or DEFAULT_PORTS.get(target.scheme.lower())
        ):
            continue
        prefix = allowed.path
        if not prefix or target.path == prefix or target.path.startswith(prefix if prefix.endswith("/") else prefix + "/"):
            return True
    return False


def check_iri(iri: str, allowlist: Sequence[str], *, resolve: Resolver = _resolve) -> None:
    """Raise :class:`RemoteRefused` unless ``iri`` may be called."""
    try:
        parts = urlsplit(iri)
        port = parts.port
    except ValueError as error:
        raise RemoteRefused(f"<{iri}> is not a usable address: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise RemoteRefused(f"<{iri}>: only http and https addresses can be called, not {scheme or 'a relative IRI'}")
    if not parts.hostname or "@" in parts.netloc or "%" in parts.netloc:
        raise RemoteRefused(f"<{iri}>: the address needs a plain host name")
    if not allowlist:
        raise RemoteRefused(f"<{iri}>: this endpoint calls no remote services (the allow-list is empty)")
    if not _allowed_by_list(iri, allowlist):
        raise RemoteRefused(f"<{iri}> is not under an allowed prefix ({', '.join(allowlist)})")
    host = parts.hostname
    try:
        addresses = [host] if _is_ip(host) else list(resolve(host, port or DEFAULT_PORTS[scheme]))
    except OSError as error:
        raise RemoteRefused(f"<{iri}>: cannot resolve {host}: {error}") from None
    if not addresses:
        raise RemoteRefused(f"<{iri}>: {host} has no address")
    for address in addresses:
        if not _global(address):
            raise RemoteRefused(f"<{iri}>: {host} is a local or private address ({address})")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_scan(scan: Scan, allowlist: Sequence[str], *, resolve: Resolver = _resolve) -> None:
    """Raise :class:`RemoteRefused` for the first target of ``scan`` that may not be called."""
    for target in scan.targets:
        check_target(target, allowlist, resolve=resolve)


def check_target(target: Target, allowlist: Sequence[str], *, resolve: Resolver = _resolve) -> None:
    if target.iri is None:
        raise RemoteRefused(
            f"{target.keyword} {target.variable} at {target.where} refused: a variable target is not allowed; name the service"
        )
    try:
        check_iri(target.iri, allowlist, resolve=resolve)
    except RemoteRefused as error:
        raise RemoteRefused(f"{target.keyword} at {target.where} refused: {error}") from None


def check_listed(iri: str, allowlist: Sequence[str]) -> None:
    """Raise :class:`RemoteRefused` unless ``iri`` is under an allow-listed prefix (no address check:
    for a target that a stand-in replaces, see :mod:`policykg.runtime.federation`)."""
    if not allowlist:
        raise RemoteRefused(f"<{iri}>: this endpoint calls no remote services (the allow-list is empty)")
    if not _allowed_by_list(iri, allowlist):
        raise RemoteRefused(f"<{iri}> is not under an allowed prefix ({', '.join(allowlist)})")
