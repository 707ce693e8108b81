"""The VoID description of the dataset (served at ``/.well-known/void``).

Built from the statistics that were computed when the dumps were written
(:mod:`policykg.publication.statistics`), so a request costs no query on the store.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import (
    DCT,
    FOAF,
    FORMATS,
    LICENCE_DATA,
    ONTOLOGY_IRI,
    PKG,
    PREFIXES,
    PROV,
    RDF,
    SD,
    VOID,
    slug,
)
from policykg.publication.documents import Site, Triples, date_time, integer
from policykg.publication.dumps import Dumps
from policykg.publication.samples import with_notice

#: How many class and property partitions the description lists (the largest).
TOP_PARTITIONS = 25

TITLE = {
    "sv": "Umeå kommuns internationella program som länkade data",
    "en": "Umeå kommun's International Program as linked data",
}
DESCRIPTION = {
    "sv": "Kunskapsgraf över Umeå kommuns internationella program (antaget av kommunfullmäktige 2018-03-26): "
    "mål, inriktningar, principer och ansvar, och det internationella arbete som tjänar dem.",
    "en": "Knowledge graph of Umeå kommun's International Program (adopted by the Municipal Council on 2018-03-26): "
    "its goals, focus areas, principles and responsibilities, and the international work that serves them.",
}
DESCRIPTION_TITLE = {"sv": "VoID-beskrivning av datamängden", "en": "VoID description of the dataset"}
#: The W3C format IRI of each dump (void:feature).
DUMP_FEATURES = {"nquads": "N-Quads", "trig": "TriG", "turtle": "Turtle", "jsonld": "JSON-LD"}


def vocabulary_iri(namespace: str) -> str:
    """A vocabulary's IRI from its namespace: ``.../core#`` -> ``.../core``; slash namespaces stay."""
    return namespace[:-1] if namespace.endswith("#") else namespace


def linkset_key(key: str, predicate: str) -> str:
    """A readable, stable path for a linkset: ``wikidata/skos-exactMatch``."""
    for prefix, namespace in PREFIXES.items():
        if predicate.startswith(namespace) and re.fullmatch(r"[A-Za-z0-9_-]+", predicate[len(namespace):]):
            return f"{key}/{prefix}-{predicate[len(namespace):]}"
    return f"{key}/{slug(predicate)}"


def void_triples(dumps: Dumps, settings: Settings, site: Site) -> list[ox.Triple]:
    """The VoID description of the dataset whose dumps and statistics are ``dumps``."""
    iris = settings.iris
    stats = dumps.statistics
    t = Triples()
    dataset = iris.dataset()
    t.add(site.void, RDF.type, VOID.DatasetDescription)
    t.texts(site.void, DCT.title, DESCRIPTION_TITLE)
    t.add(site.void, FOAF.primaryTopic, dataset)
    t.add(site.void, DCT.modified, date_time(dumps.created))

    t.add(dataset, RDF.type, VOID.Dataset)
    t.texts(dataset, DCT.title, TITLE)
    t.texts(dataset, DCT.description, with_notice(DESCRIPTION, stats.illustrative))
    if stats.illustrative:
        t.add(dataset, PKG.illustrative, ox.Literal(True))
    t.add(dataset, DCT.license, LICENCE_DATA)
    t.add(dataset, DCT.publisher, iris.body(slug(settings.publisher_name)))
    t.add(dataset, DCT.modified, date_time(dumps.published))
    t.add(dataset, FOAF.homepage, site.landing)
    t.add(dataset, DCT.conformsTo, ONTOLOGY_IRI)
    t.add(dataset, VOID.uriSpace, ox.Literal(settings.base_iri))
    t.add(dataset, VOID.sparqlEndpoint, site.sparql)
    t.add(dataset, VOID.rootResource, iris.program)
    for dump in dumps.files:
        t.add(dataset, VOID.dataDump, site.download(dump.name))
        t.add(dataset, VOID.feature, FORMATS[DUMP_FEATURES[dump.key]])
    for name, value in (
        ("triples", stats.triples),
        ("entities", stats.entities),
        ("distinctSubjects", stats.distinct_subjects),
        ("distinctObjects", stats.distinct_objects),
        ("properties", stats.properties),
        ("classes", stats.classes),
    ):
        t.add(dataset, VOID[name], integer(value))
    for example in stats.examples:
        t.add(dataset, VOID.exampleResource, example)
    for namespace in stats.vocabularies():
        t.add(dataset, VOID.vocabulary, vocabulary_iri(namespace))

    for cls, entities in stats.class_partitions[:TOP_PARTITIONS]:
        part = ox.BlankNode()
        t.add(dataset, VOID.classPartition, part)
        t.add(part, VOID["class"], cls)
        t.add(part, VOID.entities, integer(entities))
    for prop, count in stats.property_partitions[:TOP_PARTITIONS]:
        part = ox.BlankNode()
        t.add(dataset, VOID.propertyPartition, part)
        t.add(part, VOID.property, prop)
        t.add(part, VOID.triples, integer(count))

    for graph in stats.graphs:
        _subset(t, dataset, graph, site)
    targets = {}
    for link in stats.linksets:
        node = iris.linkset(linkset_key(link.key, link.predicate))
        t.add(dataset, VOID.subset, node)
        t.add(node, RDF.type, VOID.Linkset)
        t.add(node, VOID.subjectsTarget, dataset)
        t.add(node, VOID.objectsTarget, link.target)
        t.add(node, VOID.target, dataset)
        t.add(node, VOID.target, link.target)
        t.add(node, VOID.linkPredicate, link.predicate)
        t.add(node, VOID.triples, integer(link.triples))
        targets[link.target] = link
    for target, link in sorted(targets.items()):
        t.add(target, RDF.type, VOID.Dataset)
        t.add(target, DCT.title, ox.Literal(link.target_title, language="en"))
        t.add(target, VOID.uriSpace, ox.Literal(link.uri_space))
    _mapping_sets(t, dataset, stats, settings)
    _linked_datasets(t, dataset, stats, targets)
    return t.items


def _mapping_sets(t: Triples, dataset: str, stats, settings: Settings) -> None:
    """Each reviewed mapping set's accepted links, by predicate: a linkset of the set's graph."""
    for links in stats.mapping_sets:
        name = links.graph.rsplit("/", 1)[-1]
        node = settings.iris.linkset(linkset_key(f"mapping-set/{name}", links.predicate))
        t.add(dataset, VOID.subset, node)
        t.add(links.graph, VOID.subset, node)
        t.add(node, RDF.type, VOID.Linkset)
        t.add(node, DCT.source, links.mapping_set)
        t.add(node, VOID.subjectsTarget, dataset)
        t.add(node, VOID.target, dataset)
        if links.target:
            t.add(node, VOID.objectsTarget, links.target)
            t.add(node, VOID.target, links.target)
        t.add(node, VOID.linkPredicate, links.predicate)
        t.add(node, VOID.triples, integer(links.links))


def _linked_datasets(t: Triples, dataset: str, stats, described: dict) -> None:
    """The datasets of others that our graphs copy or derive from: each graph's dct:source."""
    for linked in stats.linked_datasets:
        t.add(dataset, DCT.relation, linked.iri)
        for graph in linked.graphs:
            t.add(graph, DCT.source, linked.iri)
        if linked.iri in described:
            continue
        t.add(linked.iri, RDF.type, VOID.Dataset)
        for language, title in sorted(linked.titles.items()):
            t.add(linked.iri, DCT.title, ox.Literal(title, language=language) if language else ox.Literal(title))
        if linked.homepage:
            t.add(linked.iri, FOAF.homepage, linked.homepage)
        if linked.licence:
            t.add(linked.iri, DCT.license, linked.licence)


def _subset(t: Triples, dataset: str, graph, site: Site) -> None:
    """A named graph as a subset, with its statistics and what its self-description says."""
    node = graph.graph
    t.add(dataset, VOID.subset, node)
    t.add(node, RDF.type, VOID.Dataset)
    t.add(node, RDF.type, SD.Graph)
    t.add(node, VOID.sparqlEndpoint, site.sparql)
    for language, title in graph.titles.items():
        t.add(node, DCT.title, ox.Literal(title, language=language) if language else ox.Literal(title))
    for name, value in (
        ("triples", graph.triples),
        ("entities", graph.entities),
        ("distinctSubjects", graph.distinct_subjects),
        ("distinctObjects", graph.distinct_objects),
        ("properties", graph.properties),
        ("classes", graph.classes),
    ):
        t.add(node, VOID[name], integer(value))
    if graph.generated:
        t.add(node, PROV.generatedAtTime, date_time(graph.generated))
    if graph.loader_version:
        t.add(node, PKG.loaderVersion, ox.Literal(graph.loader_version))
    for language, text in graph.descriptions.items():
        t.add(node, DCT.description, ox.Literal(text, language=language) if language else ox.Literal(text))
    if graph.illustrative:
        t.add(node, PKG.illustrative, ox.Literal(True))

