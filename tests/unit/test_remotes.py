"""Which SERVICE/LOAD destinations may be called."""

from __future__ import annotations

import pytest

from policykg.runtime.remotes import RemoteRefused, check_iri, check_scan
from policykg.runtime.sparqlscan import scan

ALLOW = ("https://query.example.org/sparql", "http://data.example.org/")


def public(host, port):
    return ["93.184.216.34"]


@pytest.mark.parametrize(
    "iri",
    ["https://query.example.org/sparql", "https://query.example.org/sparql/sub", "http://data.example.org/x", "HTTP://DATA.example.org/x"],
)
def test_allowed(iri):
    check_iri(iri, ALLOW, resolve=public)


@pytest.mark.parametrize(
    "iri, reason",
    [
        ("https://query.example.org/sparqlx", "not under an allowed prefix"),
        ("https://query.example.org.evil.test/sparql", "not under an allowed prefix"),
        ("http://query.example.org/sparql", "not under an allowed prefix"),  # another scheme
        ("https://query.example.org:8443/sparql", "not under an allowed prefix"),
        ("https://user@query.example.org/sparql", "plain host name"),
        ("file:///etc/passwd", "only http and https"),
        ("relative/path", "only http and https"),
    ],
)
def test_refused(iri, reason):
    with pytest.raises(RemoteRefused, match=reason):
        check_iri(iri, ALLOW, resolve=public)


def test_an_empty_allow_list_allows_nothing():
    with pytest.raises(RemoteRefused, match="allow-list is empty"):
        check_iri("https://query.example.org/sparql", (), resolve=public)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.4", "169.254.169.254", "::1", "fe80::1", "::ffff:127.0.0.1", "100.64.0.1", "0.0.0.0"])
def test_allow_listed_hosts_that_resolve_to_local_or_private_addresses_are_refused(address):
    with pytest.raises(RemoteRefused, match="local or private"):
        check_iri("http://data.example.org/x", ALLOW, resolve=lambda host, port: [address])


def test_ip_literals_and_localhost_are_checked_without_a_stub():
    with pytest.raises(RemoteRefused, match="local or private"):
        check_iri("http://127.0.0.1/x", ("http://127.0.0.1/",))
    with pytest.raises(RemoteRefused, match="local or private"):
        check_iri("http://localhost/x", ("http://localhost/",))  # the system resolver


def test_unresolvable_hosts_are_refused():
    def fail(host, port):
        raise OSError("no such host")

    with pytest.raises(RemoteRefused, match="cannot resolve"):
        check_iri("http://data.example.org/x", ALLOW, resolve=fail)


def test_check_scan_names_keyword_and_position():
    with pytest.raises(RemoteRefused, match=r"SERVICE at line 2, column 11 refused"):
        check_scan(scan("SELECT * WHERE {\n  SERVICE <http://10.0.0.1/> { } }"), ALLOW, resolve=public)
    check_scan(scan("SELECT * WHERE { SERVICE <https://query.example.org/sparql> { } }"), ALLOW, resolve=public)
