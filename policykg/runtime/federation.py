"""Federated queries: which remote SPARQL endpoints a query may call, and where a call goes.

Two settings, both empty by default (this endpoint calls nobody):

* ``service_allowlist`` (``POLICYKG_SERVICE_ALLOWLIST``): IRI prefixes a ``SERVICE`` may
  call (checked by :mod:`policykg.runtime.remotes`). An entry ``preset:NAME`` stands for the
  endpoints of :data:`policykg.namespaces.SERVICE_PRESETS` (``preset:wikidata``,
  ``preset:eu``, ``preset:linked-data``); :func:`expand_allowlist` replaces it when the
  settings are loaded.
* ``service_stand_ins`` (``POLICYKG_SERVICE_STAND_INS``): ``REMOTE=LOCAL`` pairs. A query's
  ``SERVICE <REMOTE>`` is sent to ``LOCAL`` instead: a mirror the operator runs (a local
  copy of Wikidata, a test server). Only the operator sets it; ``REMOTE`` must be
  allow-listed, and ``LOCAL`` may be a private or loopback address (that is the point).

pyoxigraph has no hook for ``SERVICE`` (it calls the IRI it reads), so a stand-in works by
rewriting the query: :func:`route` checks every target the scanner finds
(:mod:`policykg.runtime.sparqlscan`, which never misses one) and writes ``<LOCAL>`` in place
of each target whose IRI has a stand-in. A target with a stand-in is checked against the
allow-list but its host is not resolved (it is never contacted); every other target gets
the full check of :func:`policykg.runtime.remotes.check_target`. Where the scanner's readings
of ``<`` disagree, a rewrite may touch the text of a string literal (never its extent: the
stand-in IRI holds no quote, no space and no ``>``); overlapping targets are refused.

pyoxigraph sends the pattern inside ``SERVICE`` as it is written, without the bindings of
the rest of the query, so a federated query's remote pattern must be selective on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from policykg.namespaces import SERVICE_PRESETS
from policykg.runtime.remotes import RemoteRefused, Resolver, check_listed, check_target
from policykg.runtime.sparqlscan import Scan, scan, target_span

PRESET = "preset:"
_FORBIDDEN_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class FederationSettingError(ValueError):
    """A federation setting that cannot be used; the message says which entry and why."""


def expand_allowlist(entries: Iterable[str]) -> tuple[str, ...]:
    """The allow-list with each ``preset:NAME`` replaced by its endpoints (order kept, no repeats)."""
    out: list[str] = []
    for entry in entries:
        if entry.startswith(PRESET):
            name = entry[len(PRESET) :]
            if name not in SERVICE_PRESETS:
                raise FederationSettingError(
                    f"unknown preset {entry!r}; the presets are " + ", ".join(PRESET + n for n in SERVICE_PRESETS)
                )
            out += SERVICE_PRESETS[name]
        else:
            out.append(entry)
    return tuple(dict.fromkeys(out))


def _endpoint(text: str, what: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or _FORBIDDEN_IN_IRI.search(text):
        raise FederationSettingError(f"{what} {text!r} is not an http(s) address")
    return text


def parse_stand_ins(entries: Iterable[str], allowlist: Sequence[str]) -> dict[str, str]:
    """``REMOTE=LOCAL`` entries as a mapping; each REMOTE must be allow-listed."""
    found: dict[str, str] = {}
    for entry in entries:
        remote, sep, local = entry.partition("=")
        if not sep:
            raise FederationSettingError(f"stand-in {entry!r}: expected REMOTE=LOCAL")
        remote = _endpoint(remote.strip(), "stand-in remote")
        local = _endpoint(local.strip(), "stand-in address")
        try:
            check_listed(remote, allowlist)
        except RemoteRefused as error:
            raise FederationSettingError(f"stand-in for {remote}: {error}; allow-list it first") from None
        if remote in found and found[remote] != local:
            raise FederationSettingError(f"stand-in for {remote}: given twice ({found[remote]}, {local})")
        found[remote] = local
    return found


def route(
    text: str,
    facts: Scan,
    allowlist: Sequence[str],
    stand_ins: Mapping[str, str],
    *,
    resolve: Resolver | None = None,
) -> str:
    """Check every remote target of ``text`` (:class:`RemoteRefused` for the first refused)
    and return the text with each stand-in target rewritten to its stand-in's address."""
    spans: dict[tuple[int, int], str] = {}
    options = {} if resolve is None else {"resolve": resolve}
    for target in facts.targets:
        local = stand_ins.get(target.iri) if target.iri is not None and target.keyword == "SERVICE" else None
        if local is None:
            check_target(target, allowlist, **options)
            continue
        try:
            check_listed(target.iri, allowlist)
        except RemoteRefused as error:
            raise RemoteRefused(f"{target.keyword} at {target.where} refused: {error}") from None
        spans.setdefault(target_span(text, target.line, target.column), local)
    out, last = [], 0
    for (start, end), local in sorted(spans.items()):
        if start < last:
            raise RemoteRefused("two SERVICE targets overlap; write each endpoint's IRI in full, as <https://...>")
        out += [text[last:start], f"<{local}>"]
        last = end
    out.append(text[last:])
    return "".join(out)


def route_query(text: str, settings, facts: Scan | None = None) -> str:
    """:func:`route` for a query (``facts``: its scan, if made already), with the allow-list
    and stand-ins of ``settings``."""
    return route(text, facts or scan(text), settings.service_allowlist, settings.stand_in_map)
