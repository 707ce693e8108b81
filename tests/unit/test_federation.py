"""Federation settings and routing (policykg.runtime.federation): presets of the allow-list,
stand-ins for remote endpoints, and the rewrite of SERVICE targets."""

from __future__ import annotations

import re

import pytest
from helpers import make_settings

from policykg.config import ConfigError
from policykg.namespaces import EU_PUBLICATIONS_SPARQL, SERVICE_PRESETS, WIKIDATA_SPARQL
from policykg.paths import queries_dir
from policykg.runtime.federation import route
from policykg.runtime.querylib import load_queries
from policykg.runtime.remotes import RemoteRefused
from policykg.runtime.sparqlscan import scan

STAND_IN = "http://127.0.0.1:7878/query"


def public(host, port):
    return ["93.184.216.34"]


def never(host, port):
    raise AssertionError(f"resolved {host}: a target with a stand-in is never contacted")


def test_the_default_stays_closed(tmp_path):
    settings = make_settings(tmp_path)
    assert settings.service_allowlist == () and settings.stand_in_map == {}
    with pytest.raises(RemoteRefused, match="allow-list is empty"):
        route(f"SELECT * WHERE {{ SERVICE <{WIKIDATA_SPARQL}> {{ ?s ?p ?o }} }}", scan(f"SELECT * WHERE {{ SERVICE <{WIKIDATA_SPARQL}> {{ ?s ?p ?o }} }}"), (), {})


def test_presets_expand_to_the_endpoints(tmp_path):
    settings = make_settings(tmp_path, service_allowlist="preset:wikidata, https://example.org/sparql,preset:eu")
    assert settings.service_allowlist == (WIKIDATA_SPARQL, "https://example.org/sparql", *SERVICE_PRESETS["eu"])
    both = make_settings(tmp_path, service_allowlist="preset:linked-data,preset:wikidata").service_allowlist
    assert both == SERVICE_PRESETS["linked-data"]  # no repeats
    with pytest.raises(ConfigError, match=r"POLICYKG_SERVICE_ALLOWLIST.*unknown preset 'preset:dbpedia'.*preset:wikidata"):
        make_settings(tmp_path, service_allowlist="preset:dbpedia")


@pytest.mark.parametrize(
    "stand_ins, message",
    [
        (f"{WIKIDATA_SPARQL}={STAND_IN}", r"allow-list it first"),  # the allow-list below has only the EU's
        (f"{EU_PUBLICATIONS_SPARQL}", r"expected REMOTE=LOCAL"),
        (f"{EU_PUBLICATIONS_SPARQL}=ftp://127.0.0.1/x", r"'ftp://127.0.0.1/x' is not an http\(s\) address"),
        (f"{EU_PUBLICATIONS_SPARQL}=http://a/x,{EU_PUBLICATIONS_SPARQL}=http://b/x", r"given twice"),
    ],
)
def test_a_stand_in_needs_an_allow_listed_remote_and_an_address(tmp_path, stand_ins, message):
    with pytest.raises(ConfigError, match="POLICYKG_SERVICE_STAND_INS") as caught:
        make_settings(tmp_path, service_allowlist="preset:eu", service_stand_ins=stand_ins)
    assert re.search(message, str(caught.value))


def test_a_stand_in_replaces_its_target_and_nothing_else():
    query = (
        "PREFIX wdqs: <https://query.wikidata.org/>\n"
        "SELECT * WHERE {\n"
        "  ?s ?p 'SERVICE text in a string stays' .\n"
        f"  SERVICE <{WIKIDATA_SPARQL}> {{ ?s ?p ?o }}\n"
        "  SERVICE SILENT wdqs:sparql { ?s ?p ?o }\n"
        f"  SERVICE <{EU_PUBLICATIONS_SPARQL}> {{ ?s ?p ?o }}\n"
        "}"
    )
    allow = (WIKIDATA_SPARQL, EU_PUBLICATIONS_SPARQL)
    routed = route(query, scan(query), allow, {WIKIDATA_SPARQL: STAND_IN}, resolve=public)
    assert routed.count(f"<{STAND_IN}>") == 2  # the full IRI and the prefixed name
    assert f"SERVICE <{EU_PUBLICATIONS_SPARQL}>" in routed  # no stand-in: called as written
    assert "'SERVICE text in a string stays'" in routed and routed.count("\n") == query.count("\n")
    assert {t.iri for t in scan(routed).targets} == {STAND_IN, EU_PUBLICATIONS_SPARQL}


def test_a_target_with_a_stand_in_is_checked_against_the_list_but_not_resolved():
    query = f"SELECT * WHERE {{ SERVICE <{WIKIDATA_SPARQL}> {{ ?s ?p ?o }} }}"
    assert STAND_IN in route(query, scan(query), (WIKIDATA_SPARQL,), {WIKIDATA_SPARQL: STAND_IN}, resolve=never)


def test_other_targets_keep_every_check():
    allow = (WIKIDATA_SPARQL,)
    for target, message in [
        ("http://127.0.0.1:7878/query", "not under an allowed prefix"),  # the stand-in's own address is not callable
        ("https://query.wikidata.org/sparql-other", "not under an allowed prefix"),
        ("?endpoint", "a variable target is not allowed"),
    ]:
        query = f"SELECT * WHERE {{ SERVICE {target if target.startswith('?') else '<' + target + '>'} {{ ?s ?p ?o }} }}"
        with pytest.raises(RemoteRefused, match=message):
            route(query, scan(query), allow, {WIKIDATA_SPARQL: STAND_IN}, resolve=public)


def test_the_federated_queries_are_tagged_and_need_only_the_presets():
    library = load_queries(queries_dir())
    federated = {name for name, query in library.items() if "federated" in query.tags}
    calling = {name for name, query in library.items() if scan(query.sparql).targets}
    assert federated == calling and {"wikidata-organisation-numbers", "eu-countries-of-work"} <= federated
    preset = SERVICE_PRESETS["linked-data"]
    for name in federated:
        assert not library[name].stored, f"{name}: a federated answer is never stored at publish"
        targets = scan(library[name].sparql).targets
        route(library[name].sparql, scan(library[name].sparql), preset, {t.iri: STAND_IN for t in targets}, resolve=never)
