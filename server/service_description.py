"""The SPARQL 1.1 Service Description of the query endpoint (GET /sparql without a query).

It describes /sparql alone: clients such as Comunica take the last ``sd:Service``
they read as the endpoint to query, so the update service is not listed here.
"""

from __future__ import annotations

import pyoxigraph as ox

from policykg import formats
from policykg.namespaces import ENTAILMENT, FORMATS, RDF, SD

SD_PREFIXES = {"sd": str(SD), "formats": str(FORMATS), "rdf": str(RDF), "ent": str(ENTAILMENT)}


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(str(value))


def describe(endpoint: str, graphs: list[str], *, federated: bool) -> list[ox.Triple]:
    """Triples describing the query service at ``endpoint``."""
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
    results = {fmt.oxigraph.iri for fmt in (*formats.SOLUTION_OFFERS, *formats.GRAPH_OFFERS) if fmt.oxigraph is not None}
    for iri in sorted(results):
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
    return triples
