"""The SPARQL 1.1 Service Description of the endpoint (GET /sparql without a query)."""

from __future__ import annotations

import pyoxigraph as ox

from policykg.namespaces import ENTAILMENT, FORMATS, RDF, SD
from policykg.runtime.results import GRAPH_FORMATS, SOLUTION_FORMATS

_SD_PREFIXES = {"sd": str(SD), "formats": str(FORMATS), "rdf": str(RDF), "ent": str(ENTAILMENT)}


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(str(value))


def describe(endpoint: str, graphs: list[str], *, update_endpoint: str | None, federated: bool) -> list[ox.Triple]:
    """Triples describing the query service at ``endpoint`` (and the update service, if any)."""
    triples: list[ox.Triple] = []
    add = lambda s, p, o: triples.append(ox.Triple(s, _iri(p), o))  # noqa: E731
    service = ox.BlankNode("service")
    add(service, RDF.type, _iri(SD.Service))
    add(service, SD.endpoint, _iri(endpoint))
    add(service, SD.supportedLanguage, _iri(SD.SPARQL11Query))
    add(service, SD.feature, _iri(SD.UnionDefaultGraph))
    if federated:
        add(service, SD.feature, _iri(SD.BasicFederatedQuery))
    add(service, SD.defaultEntailmentRegime, _iri(ENTAILMENT.Simple))
    formats = {fmt.iri for fmt in SOLUTION_FORMATS.values()} | {fmt.iri for fmt in GRAPH_FORMATS.values()}
    for iri in sorted(formats):
        add(service, SD.resultFormat, _iri(iri))
    dataset = ox.BlankNode("dataset")
    add(service, SD.defaultDataset, dataset)
    add(dataset, RDF.type, _iri(SD.Dataset))
    default_graph = ox.BlankNode("default")
    add(dataset, SD.defaultGraph, default_graph)
    add(default_graph, RDF.type, _iri(SD.Graph))
    for number, name in enumerate(graphs):
        named = ox.BlankNode(f"named{number}")
        add(dataset, SD.namedGraph, named)
        add(named, RDF.type, _iri(SD.NamedGraph))
        add(named, SD.name, _iri(name))
    if update_endpoint:
        update = ox.BlankNode("update")
        add(update, RDF.type, _iri(SD.Service))
        add(update, SD.endpoint, _iri(update_endpoint))
        add(update, SD.supportedLanguage, _iri(SD.SPARQL11Update))
        add(update, SD.defaultDataset, dataset)
    return triples


def serialize(triples: list[ox.Triple], fmt: str) -> bytes:
    prefixes = _SD_PREFIXES if fmt in ("turtle", "trig", "rdfxml", "n3") else None
    return ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes)
