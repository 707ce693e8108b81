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

import functools
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Namespace

# --- our own vocabulary -----------------------------------------------------

#: On a remote store (:mod:`policykg.remote`): the graph, and the node in it, whose
#: ``dct:identifier`` names the published generation (the pointer readers follow).
REMOTE_CONTROL_GRAPH = "urn:policykg:store"
#: On a remote store: graphs being written are staged under names with this prefix,
#: left out of every reader's dataset, and moved into place in one update.
REMOTE_STAGING_PREFIX = "urn:policykg:staging:"

#: The ontology (classes, properties, concept schemes of the vocabulary).
PKG = Namespace("https://w3id.org/policykg/ontology#")
ONTOLOGY_IRI = "https://w3id.org/policykg/ontology"
ONTOLOGY_VERSION = "0.1.0"
ONTOLOGY_VERSION_IRI = f"{ONTOLOGY_IRI}/{ONTOLOGY_VERSION}"
#: SHACL shapes for the ontology and the data.
SHAPES = Namespace("https://w3id.org/policykg/shapes#")
SHAPES_IRI = "https://w3id.org/policykg/shapes"

#: The project itself, and its link discovery as the author of the mappings it proposes (SSSOM author_id).
PROJECT_IRI = "https://w3id.org/policykg/"
LINK_TOOL = PROJECT_IRI + "link"
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
#: RDF Data Cube (indicator values as observations) and the SDMX terms it is used with.
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_CODE = Namespace("http://purl.org/linked-data/sdmx/2009/code#")
#: SSSOM mapping sets and the Semantic Mapping Vocabulary (justifications of mappings).
SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
#: Provenance, Authoring and Versioning (SSSOM's author_id and mapping_date).
PAV = Namespace("http://purl.org/pav/")
#: EURIO, the EU's research and project ontology (the CORDIS knowledge graph's vocabulary).
EURIO = Namespace("http://data.europa.eu/s66#")
#: The EU Publications Office's authority-table vocabulary (``at:authority-code`` ...).
EU_AUTHORITY_ONTOLOGY = Namespace("http://publications.europa.eu/ontology/authority/")
#: EuroVoc's datatypes of the notations of the authority tables (``euvoc:ISO_3166_1_ALPHA_2``).
EUVOC = Namespace("http://publications.europa.eu/ontology/euvoc#")

# --- reference data of others ------------------------------------------------

#: UN SDG goals, targets and indicators: ``SDG["11"]``, ``SDG["11.3"]``, ``SDG["C110301"]``.
SDG = Namespace("http://metadata.un.org/sdg/")
SDG_SCHEME = "http://metadata.un.org/sdg"
SDGO = Namespace("http://metadata.un.org/sdg/ontology#")
WD = Namespace("http://www.wikidata.org/entity/")
#: Wikidata's direct ("truthy") properties: ``WDT.P6460`` (Swedish organisation number).
WDT = Namespace("http://www.wikidata.org/prop/direct/")
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
EU_CORPORATE_BODY = Namespace(EU_AUTHORITY + "corporate-body/")
#: The country table as a concept scheme (what its concepts are ``skos:inScheme``).
EU_COUNTRY_SCHEME = EU_AUTHORITY + "country"
#: The schemes (concept schemes) of the other EU authority tables the catalogue uses.
EU_TABLE_SCHEMES = {
    "language": EU_AUTHORITY + "language",
    "file-type": EU_AUTHORITY + "file-type",
    "frequency": EU_AUTHORITY + "frequency",
    "access-right": EU_AUTHORITY + "access-right",
    "data-theme": EU_AUTHORITY + "data-theme",
}
#: NUTS, Eurostat's regions: the classification and its 2021 version's concept scheme.
NUTS_DATASET = "http://data.europa.eu/nuts"
NUTS_SCHEME_2021 = "http://data.europa.eu/nuts/scheme/2021"
#: Wikidata's description of Wikidata (the dataset), and its SPARQL endpoint.
WIKIDATA_DATASET = str(WD["Q2013"])
#: Kolada, the Swedish municipalities' KPI database (RKA): its site, and its API (v3),
#: whose KPI resources are the KPIs' IRIs (``KOLADA_KPI["N00401"]``).
KOLADA_SITE = "https://www.kolada.se/"
KOLADA_API = "https://api.kolada.se/v3/"
KOLADA_KPI = Namespace(KOLADA_API + "kpi/")
#: Tillväxtverket's project bank (ERDF 2014-2020) and the Interreg partner data it publishes.
TILLVAXTVERKET_PROJECT_BANK = "http://projektbank.tillvaxtverket.se/projektbanken2020"
TILLVAXTVERKET = "https://tillvaxtverket.se/"
#: Statistics Sweden (SCB), publisher of the municipality and county codes.
SCB = "https://www.scb.se/"
#: ADMS publisher types (DCAT-AP's vocabulary for dcterms:type of a publisher).
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
PUBLISHER_TYPE_SCHEME = "http://purl.org/adms/publishertype/1.0"
#: ADMS licence types (DCAT-AP's vocabulary for dcterms:type of a licence document).
LICENCE_TYPE = Namespace("http://purl.org/adms/licencetype/")
LICENCE_TYPE_SCHEME = "http://purl.org/adms/licencetype/1.0"
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
    "nuts": (NUTS_DATASET, str(NUTS), "NUTS classification (Eurostat)"),
    "kolada": (KOLADA_SITE, str(KOLADA_KPI), "Kolada: key performance indicators of Swedish municipalities (RKA)"),
}

#: SPARQL endpoints of others that the federated named queries (tag ``federated``) call
#: through SERVICE. None is called unless the operator allow-lists it
#: (``POLICYKG_SERVICE_ALLOWLIST``, for instance with a preset below).
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
#: The EU Publications Office (Cellar): the EU authority tables (countries, languages ...), EuroVoc.
EU_PUBLICATIONS_SPARQL = "https://publications.europa.eu/webapi/rdf/sparql"
#: data.europa.eu, the European data portal: DCAT-AP records of the EU's and member states' datasets.
EU_DATA_PORTAL_SPARQL = "https://data.europa.eu/sparql"
#: Named presets of the allow-list: ``POLICYKG_SERVICE_ALLOWLIST=preset:wikidata,preset:eu``.
SERVICE_PRESETS: dict[str, tuple[str, ...]] = {
    "wikidata": (WIKIDATA_SPARQL,),
    "eu": (EU_PUBLICATIONS_SPARQL, EU_DATA_PORTAL_SPARQL),
    "linked-data": (WIKIDATA_SPARQL, EU_PUBLICATIONS_SPARQL, EU_DATA_PORTAL_SPARQL),
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

#: The municipality's own web site (the dataset's publisher's homepage by default).
UMEA_HOMEPAGE = "https://www.umea.se/"

# --- the publishers and licences of the reference datasets (policykg.loaders.reference) -------
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
SCB_HOMEPAGE = "https://www.scb.se/"
SCB_REGIONAL_DIVISIONS = SCB_HOMEPAGE + "hitta-statistik/regional-statistik-och-kartor/regionala-indelningar/lan-och-kommuner/"
WIKIDATA_HOMEPAGE = "https://www.wikidata.org/"
#: SSSOM's built-in prefix for people's identifiers (its author_id, reviewer_id).
ORCID = "https://orcid.org/"

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
    "qb": str(QB),
    "sssom": str(SSSOM),
    "semapv": str(SEMAPV),
    "eurio": str(EURIO),
    "kolada": str(KOLADA_KPI),
}


def nn(iri: str) -> ox.NamedNode:
    """A pyoxigraph named node for ``iri``."""
    return ox.NamedNode(str(iri))


def slug(text: str) -> str:
    """A readable, stable IRI path segment: ``Kommunstyrelsen`` -> ``kommunstyrelsen``,
    ``Nämnder och bolagsstyrelser`` -> ``namnder-och-bolagsstyrelser``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


#: Characters left as they are when a path becomes part of an IRI (RFC 3987 keeps non-ASCII too).
IRI_PATH_SAFE = "/:@!$&'()*+,;=~-._%"


def iri_path(path: str) -> str:
    """``path`` (percent-decoded) as it stands in an IRI: characters an IRI cannot hold
    (spaces, ``<>"{}|^`\\``, controls) percent-encoded, letters of any script kept."""
    return "".join(ch if ord(ch) > 0x9F or ch.isascii() and (ch.isalnum() or ch in IRI_PATH_SAFE) else quote(ch) for ch in path)


def uri_path(path: str) -> str:
    """An IRI's path as a URI path (RFC 3987, 3.1): non-ASCII as UTF-8 percent-encoded."""
    return quote(path, safe=IRI_PATH_SAFE)


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

    @functools.lru_cache(maxsize=65536)  # a page links hundreds of IRIs, mostly the same ones
    def local_path(self, iri: str) -> str | None:
        """Where a server shows ``iri``: the path under the base for one of ours, /sdg/...
        for the UN's SDG IRIs, else None. A URI path: non-ASCII is percent-encoded."""
        relative = self.relative(iri)
        if relative is not None:
            return "/" + uri_path(relative)
        if iri == SDG_SCHEME:
            return "/sdg"
        if iri.startswith(str(SDG)) and "/" not in iri[len(SDG) :] and "#" not in iri:
            return "/sdg/" + uri_path(iri[len(SDG) :])
        return None

    def of_local_path(self, path: str) -> str:
        """The IRI a server's ``path`` (without its leading '/', percent-decoded) shows."""
        if path == "sdg":
            return SDG_SCHEME
        if path.startswith("sdg/"):
            return str(SDG) + iri_path(path[len("sdg/") :])
        return self(iri_path(path))

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

    # --- reference data and links (policykg.loaders.reference, policykg.linking) ----------

    def municipality(self, code: str) -> str:
        """A Swedish municipality as a place, by its SCB code (``place/municipality/2480``)."""
        return self(f"place/municipality/{code}")

    def county(self, code: str) -> str:
        """A Swedish county (län) as a place, by its SCB code (``place/county/24``)."""
        return self(f"place/county/{code}")

    def identifier(self, entity: str, scheme: str) -> str:
        """An entity's identifier in one scheme (``body/umea-kommun/identifier/organisation-number``)."""
        return f"{entity}/identifier/{scheme}"

    def eu_project(self, source: str, key: str) -> str:
        """A project of the EU project records (``eu-project/erdf-2014-2020/20200927``)."""
        return self(f"eu-project/{source}/{slug(key)}")

    def eu_programme(self, source: str, name: str) -> str:
        """A programme of the EU project records (``eu-programme/interreg-2021-2027/aurora``)."""
        return self(f"eu-programme/{slug(source)}/{slug(name)}")

    def eu_participant(self, name: str) -> str:
        """An organisation as the EU project records name it (``eu-participant/umea-kommun``)."""
        return self(f"eu-participant/{slug(name)}")

    def observation(self, dataset: str, *keys: str) -> str:
        """One observation of a data cube (``observation/kolada/N03702/0180/2012/T``)."""
        return self("observation/" + "/".join((dataset, *keys)))

    def cube(self, name: str) -> str:
        """A data cube (``cube/kolada``): a qb:DataSet of observations."""
        return self(f"cube/{name}")

    def kolada_group(self, key: str) -> str:
        """A group of municipalities that Kolada compares (``kolada-group/G206446``)."""
        return self(f"kolada-group/{slug(key)}")

    def mapping_set(self, name: str) -> str:
        """A reviewed mapping set (``mapping-set/wikidata``); its linkset graph is ``graph/linkset/NAME``."""
        return self(f"mapping-set/{slug(name)}")
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
