"""Every namespace and IRI the project uses, in one place.

Two kinds of IRI live here:

* vocabulary IRIs, which never change: our ontology (``PKG``), our shapes
  (``SHAPES``) and the standard vocabularies we reuse;
* instance IRIs, minted under one configurable base (``POLICYKG_BASE_IRI``).
  :class:`Iris` builds them from that base so that nobody writes an instance
  IRI by hand.  Paths are readable and stable (``goal/2``,
  ``body/kommunstyrelsen``), never derived from row numbers or load order.

Namespaces are :class:`rdflib.Namespace` objects (plain ``str`` subclasses),
usable with rdflib directly and with pyoxigraph through :func:`nn`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Namespace

# --- our own vocabulary -----------------------------------------------------

#: The ontology (classes, properties, concept schemes of the vocabulary).
PKG = Namespace("https://w3id.org/policykg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/policykg/ontology"
ONTOLOGY_VERSION = "0.1.0"
ONTOLOGY_VERSION_IRI = f"{ONTOLOGY_IRI}/{ONTOLOGY_VERSION}"
#: SHACL shapes for the ontology and the data.
SHAPES = Namespace("https://w3id.org/policykg/shapes#")
SHAPES_IRI = "https://w3id.org/policykg/shapes"

#: The program's rules as checks (ontology/rules/): the rule set, and the
#: parameters of the SPARQL functions the rules call.
RULES_IRI = "https://w3id.org/policykg/rules"
PKGR = Namespace(RULES_IRI + "#")

#: Default base for instance data; override with ``POLICYKG_BASE_IRI``.
DEFAULT_BASE_IRI = "https://w3id.org/policykg/umea/"

# --- reused vocabularies ----------------------------------------------------

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CPOV = Namespace("http://data.europa.eu/m8g/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VANN = Namespace("http://purl.org/vocab/vann/")
CC = Namespace("http://creativecommons.org/ns#")

# --- reference data of others ------------------------------------------------

#: UN SDG goals, targets and indicators: ``SDG["11"]``, ``SDG["11.3"]``, ``SDG["C110301"]``.
SDG = Namespace("http://metadata.un.org/sdg/")
SDG_SCHEME = "http://metadata.un.org/sdg"
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")
NUTS = Namespace("http://data.europa.eu/nuts/code/")
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_COUNTRY = Namespace(EU_AUTHORITY + "country/")
EU_FREQUENCY = Namespace(EU_AUTHORITY + "frequency/")
EU_LANGUAGE = Namespace(EU_AUTHORITY + "language/")
EU_FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")
EU_LICENCE = Namespace(EU_AUTHORITY + "licence/")
EU_ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
EU_DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
EU_DATASET = Namespace("http://publications.europa.eu/resource/dataset/")
#: ADMS publisher types (DCAT-AP's vocabulary for dcterms:type of a publisher).
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
#: IANA media types as IRIs (DCAT-AP's dcat:mediaType).
IANA_MEDIA_TYPE = Namespace("https://www.iana.org/assignments/media-types/")
#: The standard a SPARQL endpoint conforms to (dcterms:conformsTo of its data service).
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
#: The OpenAPI specification (dcterms:conformsTo of the API's description).
OPENAPI = "https://spec.openapis.org/oas/v3.1.0"

#: Datasets of others that our data links to, for VoID linksets:
#: key -> (the dataset's IRI, its URI space, its English title).
#: The UN SDG IRI is the one the UN's own VoID description gives its dataset;
#: each EU authority table is the dataset ``EU_DATASET[table]`` (found in the data).
LINK_TARGETS: dict[str, tuple[str, str, str]] = {
    "un-sdg": ("http://metadata.un.org/sdg/void.ttl#SDG", str(SDG), "UN Sustainable Development Goals (SDG KOS)"),
    "wikidata": (str(WD["Q2013"]), str(WD), "Wikidata"),
    "nuts": ("http://data.europa.eu/nuts", str(NUTS), "NUTS classification (Eurostat)"),
}

#: Media-type IRIs (SPARQL Service Description's sd:resultFormat values).
FORMATS = Namespace("http://www.w3.org/ns/formats/")
#: Entailment regimes.
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")

# --- vocabularies of the W3C SPARQL 1.1 test suites (read by tests/sparql11) ---

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

LICENCE_DATA = "http://creativecommons.org/publicdomain/zero/1.0/"
LICENCE_ONTOLOGY = "https://creativecommons.org/licenses/by/4.0/"

#: Prefixes offered to analysts (query editor, serialisations, query headers).
PREFIXES: dict[str, str] = {
    "pkg": str(PKG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCT),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "time": str(TIME),
    "org": str(ORG),
    "eli": str(ELI),
    "cpov": str(CPOV),
    "adms": str(ADMS),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "spdx": str(SPDX),
    "void": str(VOID),
    "sh": str(SH),
    "sdg": str(SDG),
    "sdgo": str(SDGO),
    "wd": str(WD),
    "nuts": str(NUTS),
}


def nn(iri: str) -> ox.NamedNode:
    """A pyoxigraph named node for ``iri``."""
    return ox.NamedNode(str(iri))


def slug(text: str) -> str:
    """A readable, stable IRI path segment: ``Kommunstyrelsen`` -> ``kommunstyrelsen``,
    ``Nämnder och bolagsstyrelser`` -> ``namnder-och-bolagsstyrelser``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# Path segments of instance IRIs, relative to the base. Turtle files under
# ontology/ use the same paths as relative IRIs, resolved against the base.
GRAPH_PATH = "graph/"
PROGRAM_PATH = "program"


@dataclass(frozen=True)
class Iris:
    """Instance IRIs under one base (``Iris(base).goal(2)`` -> ``BASE/goal/2``)."""

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+/$", self.base):
            raise ValueError(
                f"base IRI must be an absolute http(s) IRI ending in '/': {self.base!r}"
            )

    def __call__(self, path: str) -> str:
        """The IRI of ``path`` relative to the base."""
        return self.base + path.lstrip("/")

    def relative(self, iri: str) -> str | None:
        """The path of ``iri`` under the base, or None if it is not one of ours."""
        return iri[len(self.base) :] if iri.startswith(self.base) else None

    def graph(self, source: str) -> str:
        """The named graph of one source (``graph/program``)."""
        return self(GRAPH_PATH + source)

    @property
    def program(self) -> str:
        return self(PROGRAM_PATH)

    def section(self, number: int) -> str:
        return self(f"{PROGRAM_PATH}/section/{number}")

    def goal(self, number: int) -> str:
        return self(f"goal/{number}")

    def focus_area(self, key: str) -> str:
        return self(f"focus-area/{key}")

    def principle(self, key: str) -> str:
        return self(f"principle/{key}")

    def body(self, key: str) -> str:
        return self(f"body/{key}")

    def dataset(self) -> str:
        return self("dataset")

    # --- the dataset's own metadata (DCAT-AP-SE catalogue, VoID) ------------------

    def catalog(self) -> str:
        return self("catalog")

    def distribution(self, key: str) -> str:
        """One distribution of the dataset (``distribution/nquads``, ``distribution/sparql``)."""
        return self(f"distribution/{key}")

    def data_service(self, key: str) -> str:
        """A data service that serves the dataset (``service/sparql``, ``service/api``)."""
        return self(f"service/{key}")

    def contact_point(self) -> str:
        return self("dataset/contact-point")

    def linkset(self, key: str) -> str:
        """A VoID linkset of the dataset (``dataset/linkset/un-sdg``)."""
        return self(f"dataset/linkset/{key}")

    # --- the checks (ontology/rules/) and their findings --------------------------------

    def check(self, key: str) -> str:
        """A compliance rule of the program (``check/aid-municipal-funding``)."""
        return self(f"check/{key}")

    @property
    def findings_graph(self) -> str:
        """The named graph that holds the published generation's findings (a SHACL validation report)."""
        return self.graph("findings")

    @property
    def findings_report(self) -> str:
        """The validation report in that graph."""
        return self("findings")

    def finding(self, check: str, digest: str) -> str:
        """One result of a check, stable while its focus node and value are (``finding/KEY/DIGEST``)."""
        return self(f"finding/{check}/{digest}")

    def of(self, kind: str, key: str) -> str:
        """An entity of a registry (``project``, ``activity``, ``network`` ...) by its key."""
        return self(f"{kind}/{slug(key)}")
