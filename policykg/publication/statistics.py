"""VoID statistics of one store generation, computed once (when its dumps are written).

Counts come from SPARQL on the generation (each named graph, and all of them
together), except what needs the union of the graphs as one set of triples (the
number of distinct triples, and the triples per property), which the Turtle
dump counts while it writes that union (:class:`UnionCounter`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from policykg.namespaces import DCT, EU_AUTHORITY, EU_DATASET, FOAF, LINK_TARGETS, OWL, PKG, SSSOM, Iris

#: Classes whose first instance (in IRI order) is offered as a VoID example resource.
EXAMPLE_CLASSES = (PKG.Goal, PKG.FocusArea, PKG.Principle, PKG.Body, PKG.Network, PKG.Project, PKG.Activity)

GRAPH_COUNTS = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""

TOTAL_COUNTS = """
SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } }"""

GRAPH_ENTITIES = """
SELECT ?g ?base (COUNT(DISTINCT ?s) AS ?entities)
WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?base)) } GROUP BY ?g ?base"""

TOTAL_ENTITIES = """
SELECT ?base (COUNT(DISTINCT ?s) AS ?entities)
WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?base)) } GROUP BY ?base"""

GRAPH_CLASSES = """
SELECT ?g (COUNT(DISTINCT ?class) AS ?classes)
WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?g"""

CLASS_PARTITIONS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?class"""

#: Links into another dataset's URI space from outside it, by predicate (each triple once).
#: The vocabulary graphs (ontology, shapes) are left out: their references to other
#: vocabularies (a range in the SDG ontology, say) are not links between data.
LINKS_INTO = """
SELECT ?space ?ontology ?shapes ?p (COUNT(*) AS ?triples) WHERE {
  SELECT DISTINCT ?space ?ontology ?shapes ?s ?p ?o WHERE {
    GRAPH ?g { ?s ?p ?o }
    FILTER(isIRI(?o) && STRSTARTS(STR(?o), ?space) && !STRSTARTS(STR(?s), ?space))
    FILTER(?g != ?ontology && ?g != ?shapes)
  }
} GROUP BY ?space ?ontology ?shapes ?p"""

#: Links into the EU authority tables, by table and predicate.
LINKS_INTO_EU_TABLES = """
SELECT ?space ?ontology ?shapes ?table ?p (COUNT(*) AS ?triples) WHERE {
  {
    SELECT DISTINCT ?space ?ontology ?shapes ?s ?p ?o WHERE {
      GRAPH ?g { ?s ?p ?o }
      FILTER(isIRI(?o) && STRSTARTS(STR(?o), ?space) && !STRSTARTS(STR(?s), ?space))
      FILTER(?g != ?ontology && ?g != ?shapes)
    }
  }
  BIND(STRBEFORE(STRAFTER(STR(?o), ?space), "/") AS ?table)
  FILTER(?table != "")
} GROUP BY ?space ?ontology ?shapes ?table ?p"""

FIRST_INSTANCE = """
SELECT ?item ?class ?base WHERE {
  GRAPH ?g { ?item a ?class }
  FILTER(isIRI(?item) && STRSTARTS(STR(?item), ?base))
} ORDER BY STR(?item) LIMIT 1"""

#: Where a graph's self-description (loaders/provenance.py) says what it is.
GRAPH_PROVENANCE = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?g ?title ?generated ?version ?description ?illustrative WHERE {
  GRAPH ?g {
    OPTIONAL { ?g dct:title ?title }
    OPTIONAL { ?g prov:generatedAtTime ?generated }
    OPTIONAL { ?g pkg:loaderVersion ?version }
    OPTIONAL { ?g dct:description ?description }
    OPTIONAL { ?g pkg:illustrative ?illustrative }
  }
}"""


#: The accepted links of each reviewed mapping set (a linkset graph), by predicate.
MAPPING_SET_LINKS = f"""
PREFIX sssom: <{SSSOM}>
PREFIX owl: <{OWL}>
PREFIX pkg: <{PKG}>
SELECT ?g ?set ?target ?p (COUNT(DISTINCT ?m) AS ?links) WHERE {{
  GRAPH ?g {{
    ?set a sssom:MappingSet ; sssom:mappings ?m .
    ?m owl:annotatedProperty ?p ; pkg:reviewStatus "accepted" .
    FILTER NOT EXISTS {{ ?m sssom:predicate_modifier ?negated }}
    OPTIONAL {{ ?set sssom:object_source ?target }}
  }}
}} GROUP BY ?g ?set ?target ?p"""

#: The datasets of others that a graph copies or derives from (its dct:source), as the graph describes them.
LINKED_DATASETS = f"""
PREFIX dct: <{DCT}>
PREFIX foaf: <{FOAF}>
PREFIX sssom: <{SSSOM}>
SELECT ?g ?source ?title ?homepage ?licence WHERE {{
  GRAPH ?g {{
    ?g dct:source ?source .
    FILTER NOT EXISTS {{ ?source a sssom:MappingSet }}
    OPTIONAL {{ ?source dct:title ?title }}
    OPTIONAL {{ ?source foaf:homepage ?homepage }}
    OPTIONAL {{ ?g dct:license ?licence }}
  }}
}}"""


@dataclass
class MappingSetLinks:
    """The accepted links of one reviewed mapping set with one predicate (a VoID linkset)."""

    graph: str  # the linkset graph (BASE/graph/linkset/NAME)
    mapping_set: str  # the sssom:MappingSet
    target: str | None  # the dataset its objects are in (sssom:object_source)
    predicate: str
    links: int


@dataclass
class LinkedDataset:
    """A dataset of others that a graph of ours copies (part of) or derives from."""

    iri: str
    graphs: list[str]  # our graphs that say they come from it
    titles: dict[str, str] = field(default_factory=dict)  # language -> title
    homepage: str | None = None
    licence: str | None = None


@dataclass
class GraphStatistics:
    """The statistics of one named graph (a VoID subset)."""

    graph: str
    triples: int
    entities: int = 0
    distinct_subjects: int = 0
    distinct_objects: int = 0
    properties: int = 0
    classes: int = 0
    titles: dict[str, str] = field(default_factory=dict)  # language -> title
    generated: str | None = None
    loader_version: str | None = None
    descriptions: dict[str, str] = field(default_factory=dict)  # language -> description
    illustrative: bool = False  # its records are illustrative examples (pkg:illustrative)


@dataclass
class Linkset:
    """Triples of ours whose object is in another dataset, with one predicate."""

    key: str  # e.g. "un-sdg", "eu-country"
    target: str  # the other dataset's IRI
    target_title: str
    uri_space: str
    predicate: str
    triples: int


@dataclass
class Statistics:
    """What VoID says of the whole dataset and of each named graph."""

    triples: int  # distinct triples of the union of the graphs
    quads: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    properties: int
    classes: int
    class_partitions: list[tuple[str, int]]  # (class, entities), most first
    property_partitions: list[tuple[str, int]]  # (property, triples), most first
    graphs: list[GraphStatistics]
    linksets: list[Linkset]
    examples: list[str]
    mapping_sets: list[MappingSetLinks] = field(default_factory=list)
    linked_datasets: list[LinkedDataset] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Statistics":
        data = dict(data)
        data["graphs"] = [GraphStatistics(**g) for g in data["graphs"]]
        data["linksets"] = [Linkset(**link) for link in data["linksets"]]
        data["mapping_sets"] = [MappingSetLinks(**m) for m in data.get("mapping_sets", [])]
        data["linked_datasets"] = [LinkedDataset(**d) for d in data.get("linked_datasets", [])]
        data["class_partitions"] = [tuple(pair) for pair in data["class_partitions"]]
        data["property_partitions"] = [tuple(pair) for pair in data["property_partitions"]]
        return cls(**data)

    @property
    def illustrative(self) -> bool:
        """Some graph holds records marked illustrative (see :mod:`policykg.publication.samples`)."""
        return any(graph.illustrative for graph in self.graphs)

    def vocabularies(self) -> list[str]:
        """The namespaces of the properties and classes used (void:vocabulary)."""
        terms = [p for p, _ in self.property_partitions] + [c for c, _ in self.class_partitions]
        return sorted({namespace_of(term) for term in terms} - {""})


def namespace_of(iri: str) -> str:
    """``http://www.w3.org/ns/dcat#Dataset`` -> ``http://www.w3.org/ns/dcat#``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > len("https://") else ""


class UnionCounter:
    """Counts the distinct triples of the union, and the triples of each property, as
    the union is streamed in subject order (see :func:`policykg.publication.dumps.union_triples`)."""

    def __init__(self) -> None:
        self.triples = 0
        self.by_property: Counter[str] = Counter()

    def add(self, triple: ox.Triple) -> None:
        self.triples += 1
        self.by_property[triple.predicate.value] += 1


def _int(term) -> int:
    return int(term.value) if term is not None else 0


def _rows(reader: ox.Store, query: str, **bindings) -> list:
    substitutions = {ox.Variable(name): value for name, value in bindings.items()}
    # Bound variables are projected too: pyoxigraph substitutes only projected variables.
    return list(reader.query(query, substitutions=substitutions))


def compute(reader: ox.Store, base_iri: str, union: UnionCounter, quads: int) -> Statistics:
    """The statistics of the generation that ``reader`` holds; ``union`` has counted its union."""
    base = ox.Literal(base_iri)
    graphs: dict[str, GraphStatistics] = {}
    for row in _rows(reader, GRAPH_COUNTS):
        graphs[row["g"].value] = GraphStatistics(
            row["g"].value,
            _int(row["triples"]),
            distinct_subjects=_int(row["subjects"]),
            distinct_objects=_int(row["objects"]),
            properties=_int(row["properties"]),
        )
    for graph in reader.named_graphs():  # an empty graph is still a subset, with no triples
        graphs.setdefault(graph.value, GraphStatistics(graph.value, 0))
    for row in _rows(reader, GRAPH_ENTITIES, base=base):
        graphs[row["g"].value].entities = _int(row["entities"])
    for row in _rows(reader, GRAPH_CLASSES):
        graphs[row["g"].value].classes = _int(row["classes"])
    for row in _rows(reader, GRAPH_PROVENANCE):
        stats = graphs[row["g"].value]
        if row["title"] is not None:
            stats.titles[row["title"].language or ""] = row["title"].value
        if row["generated"] is not None:
            stats.generated = row["generated"].value
        if row["version"] is not None:
            stats.loader_version = row["version"].value
        if row["description"] is not None:
            stats.descriptions[row["description"].language or ""] = row["description"].value
        if row["illustrative"] is not None and row["illustrative"].value == "true":
            stats.illustrative = True

    total = _rows(reader, TOTAL_COUNTS)[0]
    classes = sorted(
        ((row["class"].value, _int(row["entities"])) for row in _rows(reader, CLASS_PARTITIONS) if isinstance(row["class"], ox.NamedNode)),
        key=lambda pair: (-pair[1], pair[0]),
    )
    examples = []
    for cls in EXAMPLE_CLASSES:
        found = _rows(reader, FIRST_INSTANCE, base=base, **{"class": ox.NamedNode(cls)})
        if found:
            examples.append(found[0]["item"].value)
    return Statistics(
        triples=union.triples,
        quads=quads,
        entities=sum(_int(row["entities"]) for row in _rows(reader, TOTAL_ENTITIES, base=base)),
        distinct_subjects=_int(total["subjects"]),
        distinct_objects=_int(total["objects"]),
        properties=_int(total["properties"]),
        classes=len(classes),
        class_partitions=classes,
        property_partitions=sorted(union.by_property.items(), key=lambda pair: (-pair[1], pair[0])),
        graphs=sorted(graphs.values(), key=lambda g: g.graph),
        linksets=linksets(reader, Iris(base_iri)),
        examples=examples,
        mapping_sets=mapping_set_links(reader),
        linked_datasets=linked_datasets(reader),
    )


def mapping_set_links(reader: ox.Store) -> list[MappingSetLinks]:
    """The accepted links of every reviewed mapping set, by predicate."""
    found = [
        MappingSetLinks(row["g"].value, row["set"].value, row["target"].value if row["target"] is not None else None,
                        row["p"].value, _int(row["links"]))
        for row in _rows(reader, MAPPING_SET_LINKS)
    ]
    return sorted(found, key=lambda m: (m.graph, m.predicate))


def linked_datasets(reader: ox.Store) -> list[LinkedDataset]:
    """The datasets of others that our graphs come from, with what the graphs say about them."""
    found: dict[str, LinkedDataset] = {}
    for row in _rows(reader, LINKED_DATASETS):
        dataset = found.setdefault(row["source"].value, LinkedDataset(row["source"].value, []))
        if row["g"].value not in dataset.graphs:
            dataset.graphs.append(row["g"].value)
        if row["title"] is not None:
            dataset.titles[row["title"].language or ""] = row["title"].value
        if row["homepage"] is not None:
            dataset.homepage = row["homepage"].value
        if row["licence"] is not None:
            dataset.licence = row["licence"].value
    for dataset in found.values():
        dataset.graphs.sort()
    return sorted(found.values(), key=lambda d: d.iri)


def linksets(reader: ox.Store, iris: Iris) -> list[Linkset]:
    """One linkset per (other dataset, predicate) that our data links with."""
    found = []
    skip = {"ontology": ox.NamedNode(iris.graph("ontology")), "shapes": ox.NamedNode(iris.graph("shapes"))}
    for key, (target, space, title) in LINK_TARGETS.items():
        for row in _rows(reader, LINKS_INTO, space=ox.Literal(space), **skip):
            found.append(Linkset(key, target, title, space, row["p"].value, _int(row["triples"])))
    for row in _rows(reader, LINKS_INTO_EU_TABLES, space=ox.Literal(EU_AUTHORITY), **skip):
        table = row["table"].value
        found.append(
            Linkset(
                f"eu-{table}",
                str(EU_DATASET[table]),
                f"EU authority table {table} (Publications Office of the EU)",
                f"{EU_AUTHORITY}{table}/",
                row["p"].value,
                _int(row["triples"]),
            )
        )
    return sorted(found, key=lambda link: (link.key, link.predicate))
