"""The DCAT-AP-SE catalogue record of the dataset (served at ``/catalog``).

DCAT-AP-SE is the Swedish profile of DCAT-AP that Sveriges dataportal
harvests. The record has the profile's mandatory fields (catalogue: title,
description, publisher, dataset, licence; dataset: title, description,
publisher; distribution: access URL, and the access service of an API; data
service: title, endpoint URL; agent: name; contact point: name and e-mail) and
the recommended ones we can fill; ``ontology/shapes/dcat-ap-se-shapes.ttl``
checks them. The publisher and contact point are settings
(``POLICYKG_PUBLISHER_NAME``, ``POLICYKG_CONTACT_EMAIL``, ...).
"""

from __future__ import annotations

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import (
    DCAT,
    DCT,
    EU_ACCESS_RIGHT,
    EU_AUTHORITY,
    EU_DATA_THEME,
    EU_FILE_TYPE,
    EU_FREQUENCY,
    EU_LANGUAGE,
    EU_TABLE_SCHEMES,
    FOAF,
    IANA_MEDIA_TYPE,
    LICENCE_DATA,
    LICENCE_TYPE,
    LICENCE_TYPE_SCHEME,
    NUTS,
    ONTOLOGY_IRI,
    OPENAPI,
    OWL,
    PUBLISHER_TYPE,
    PUBLISHER_TYPE_SCHEME,
    RDF,
    SKOS,
    SPARQL_PROTOCOL,
    SPDX,
    VCARD,
    XSD,
    slug,
)
from policykg.publication.documents import (
    Site,
    Triples,
    checksum,
    date,
    date_time,
    integer,
)
from policykg.publication.dumps import Dumps
from policykg.publication.samples import with_notice
from policykg.publication.void import DESCRIPTION, TITLE

#: What each controlled vocabulary's terms are (DCAT-AP's ranges): the class of a
#: term, and the concept scheme it is from (where the term is a concept of the EU's tables).
VOCABULARY_TERMS = {
    "language": (DCT.LinguisticSystem, EU_TABLE_SCHEMES["language"]),
    "file-type": (DCT.MediaTypeOrExtent, EU_TABLE_SCHEMES["file-type"]),
    "frequency": (DCT.Frequency, EU_TABLE_SCHEMES["frequency"]),
    "access-right": (DCT.RightsStatement, EU_TABLE_SCHEMES["access-right"]),
    "data-theme": (SKOS.Concept, EU_TABLE_SCHEMES["data-theme"]),
}
#: The labels (en, sv) of the controlled vocabularies' terms the record uses: a concept
#: needs a skos:prefLabel and a concept scheme a dct:title (DCAT-AP's mandatory shapes).
TERM_LABELS = {
    EU_LANGUAGE.SWE: ("Swedish", "svenska"),
    EU_LANGUAGE.ENG: ("English", "engelska"),
    EU_FREQUENCY.IRREG: ("irregular", "oregelbunden"),
    EU_ACCESS_RIGHT.PUBLIC: ("public", "offentlig"),
    EU_DATA_THEME.GOVE: ("Government and public sector", "Regeringen och den offentliga sektorn"),
    EU_DATA_THEME.INTR: ("International issues", "Internationella frågor"),
    EU_DATA_THEME.REGI: ("Regions and cities", "Regioner och städer"),
    EU_FILE_TYPE.RDF_N_QUADS: ("RDF N-Quads", "RDF N-Quads"),
    EU_FILE_TYPE.RDF_TRIG: ("RDF TriG", "RDF TriG"),
    EU_FILE_TYPE.RDF_TURTLE: ("RDF Turtle", "RDF Turtle"),
    EU_FILE_TYPE.JSON_LD: ("JSON-LD", "JSON-LD"),
    EU_FILE_TYPE.JSON: ("JSON", "JSON"),
    EU_FILE_TYPE.SPARQLQ: ("SPARQL query", "SPARQL-fråga"),
    PUBLISHER_TYPE.LocalAuthority: ("Local Authority", "Lokal myndighet"),
    LICENCE_TYPE.PublicDomain: ("Public domain", "Allmän egendom"),
}
SCHEME_TITLES = {
    EU_TABLE_SCHEMES["data-theme"]: ("Data theme", "Datatema"),
    EU_TABLE_SCHEMES["language"]: ("Languages", "Språk"),
    EU_TABLE_SCHEMES["file-type"]: ("File type", "Filtyp"),
    EU_TABLE_SCHEMES["frequency"]: ("Frequency", "Frekvens"),
    EU_TABLE_SCHEMES["access-right"]: ("Access right", "Åtkomsträttighet"),
    PUBLISHER_TYPE_SCHEME: ("Publisher type", "Typ av utgivare"),
    LICENCE_TYPE_SCHEME: ("Licence type", "Licenstyp"),
}
DISTRIBUTION_DESCRIPTION = {
    "sv": "Hela kunskapsgrafen, alla namngivna grafer, som en fil att ladda ned ({title}).",
    "en": "The whole knowledge graph, every named graph, as a file to download ({title}).",
}

#: The program was adopted on this day: the data covers the time from then on.
PROGRAM_ADOPTED = "2018-03-26"
#: Umeå kommun lies in NUTS 3 region SE331 (Västerbottens län).
SPATIAL = NUTS.SE331
THEMES = (EU_DATA_THEME.GOVE, EU_DATA_THEME.INTR, EU_DATA_THEME.REGI)
KEYWORDS = {
    "sv": ("internationellt arbete", "styrdokument", "Agenda 2030", "kommun", "Umeå", "länkade data"),
    "en": ("international work", "policy", "Agenda 2030", "municipality", "Umeå", "linked data"),
}
CATALOG_TITLE = {"sv": "Öppna data från policykg", "en": "Open data of policykg"}
CATALOG_DESCRIPTION = {
    "sv": "Katalog över de öppna data som denna tjänst publicerar: kunskapsgrafen över Umeå kommuns internationella program, "
    "dess nedladdningsbara filer, SPARQL-slutpunkten och API:et.",
    "en": "Catalogue of the open data this service publishes: the knowledge graph of Umeå kommun's International Program, "
    "its downloadable files, the SPARQL endpoint and the API.",
}
SPARQL_TITLE = {"sv": "SPARQL-slutpunkt", "en": "SPARQL endpoint"}
SPARQL_DESCRIPTION = {
    "sv": "SPARQL 1.1-frågor mot hela grafen (standardgrafen är unionen av alla namngivna grafer).",
    "en": "SPARQL 1.1 queries over the whole graph (the default graph is the union of all named graphs).",
}
API_TITLE = {"sv": "Frågebibliotekets API", "en": "API of the query library"}
API_DESCRIPTION = {
    "sv": "Färdiga spårbarhetsfrågor med parametrar, som JSON, beskrivna med OpenAPI.",
    "en": "Ready traceability questions with parameters, as JSON, described with OpenAPI.",
}
GZIP = IANA_MEDIA_TYPE["application/gzip"]


def publisher_iri(settings: Settings) -> str:
    """The publisher, an organisation of the graph (``BASE/body/umea-kommun`` by default)."""
    return settings.iris.body(slug(settings.publisher_name))


def catalog_triples(dumps: Dumps, settings: Settings, site: Site) -> list[ox.Triple]:
    """The catalogue, the dataset, its distributions and the data services that serve it."""
    iris = settings.iris
    t = Triples()
    catalog, dataset, publisher = iris.catalog(), iris.dataset(), publisher_iri(settings)
    sparql, api = iris.data_service("sparql"), iris.data_service("api")
    modified = date_time(dumps.published)

    t.add(catalog, RDF.type, DCAT.Catalog)
    t.texts(catalog, DCT.title, CATALOG_TITLE)
    t.texts(catalog, DCT.description, CATALOG_DESCRIPTION)
    t.add(catalog, DCT.publisher, publisher)
    t.add(catalog, DCT.license, LICENCE_DATA)
    t.add(catalog, DCT.language, EU_LANGUAGE.SWE)
    t.add(catalog, DCT.language, EU_LANGUAGE.ENG)
    t.add(catalog, FOAF.homepage, site.landing)
    t.add(catalog, DCT.modified, modified)
    t.add(catalog, DCAT.themeTaxonomy, EU_AUTHORITY + "data-theme")
    t.add(catalog, DCT.spatial, SPATIAL)
    t.add(catalog, DCAT.dataset, dataset)
    t.add(catalog, DCAT.service, sparql)
    t.add(catalog, DCAT.service, api)

    t.add(publisher, RDF.type, FOAF.Agent)
    t.add(publisher, FOAF.name, ox.Literal(settings.publisher_name))
    t.add(publisher, DCT.type, PUBLISHER_TYPE.LocalAuthority)
    if settings.publisher_homepage:
        t.add(publisher, FOAF.homepage, settings.publisher_homepage)

    contact = iris.contact_point()
    t.add(contact, RDF.type, VCARD.Organization)
    t.add(contact, RDF.type, VCARD.Kind)
    t.add(contact, VCARD.fn, ox.Literal(settings.contact_name))
    t.add(contact, VCARD.hasEmail, f"mailto:{settings.contact_email}")

    t.add(dataset, RDF.type, DCAT.Dataset)
    t.texts(dataset, DCT.title, TITLE)
    t.texts(dataset, DCT.description, with_notice(DESCRIPTION, dumps.statistics.illustrative))
    t.add(dataset, DCT.publisher, publisher)
    t.add(dataset, DCAT.contactPoint, contact)
    for language, words in KEYWORDS.items():
        for word in words:
            t.add(dataset, DCAT.keyword, ox.Literal(word, language=language))
    for theme in THEMES:
        t.add(dataset, DCAT.theme, theme)
    t.add(dataset, DCT.spatial, SPATIAL)
    period = ox.BlankNode()
    t.add(dataset, DCT.temporal, period)
    t.add(period, RDF.type, DCT.PeriodOfTime)
    t.add(period, DCAT.startDate, date(PROGRAM_ADOPTED))
    t.add(dataset, DCT.modified, modified)
    t.add(dataset, OWL.versionInfo, ox.Literal(dumps.generation))
    t.add(dataset, DCT.license, LICENCE_DATA)
    t.add(dataset, DCT.accrualPeriodicity, EU_FREQUENCY.IRREG)
    t.add(dataset, DCT.conformsTo, ONTOLOGY_IRI)
    t.add(dataset, DCAT.landingPage, site.landing)
    t.add(dataset, DCT.identifier, ox.Literal(dataset))
    t.add(dataset, DCT.language, EU_LANGUAGE.SWE)
    t.add(dataset, DCT.language, EU_LANGUAGE.ENG)
    t.add(dataset, FOAF.page, site.void)

    for dump in dumps.files:
        fmt = dump.format
        node = iris.distribution(dump.key)
        t.add(dataset, DCAT.distribution, node)
        t.add(node, RDF.type, DCAT.Distribution)
        t.texts(node, DCT.title, {"sv": fmt.title_sv, "en": fmt.title_en})
        t.texts(node, DCT.description, {lang: text.format(title=fmt.title_sv if lang == "sv" else fmt.title_en)
                                        for lang, text in DISTRIBUTION_DESCRIPTION.items()})
        t.add(node, DCAT.accessURL, site.downloads)
        t.add(node, DCAT.downloadURL, site.download(dump.name))
        t.add(node, DCAT.mediaType, IANA_MEDIA_TYPE[fmt.media_type])
        t.add(node, DCT["format"], EU_FILE_TYPE[fmt.file_type])
        if fmt.gzip:
            t.add(node, DCAT.compressFormat, GZIP)
        t.add(node, DCAT.byteSize, integer(dump.bytes, XSD.nonNegativeInteger))
        checksum(t, node, dump.sha256)
        t.add(node, DCT.license, LICENCE_DATA)
        t.add(node, DCT.modified, modified)
        t.add(node, DCT.conformsTo, ONTOLOGY_IRI)

    for key, service, url, title, description, endpoint_description, standard, file_type in (
        ("sparql", sparql, site.sparql, SPARQL_TITLE, SPARQL_DESCRIPTION, site.sparql, SPARQL_PROTOCOL, "SPARQLQ"),
        ("api", api, site.api, API_TITLE, API_DESCRIPTION, site.openapi, OPENAPI, "JSON"),
    ):
        node = iris.distribution(key)
        t.add(dataset, DCAT.distribution, node)
        t.add(node, RDF.type, DCAT.Distribution)
        t.texts(node, DCT.title, title)
        t.texts(node, DCT.description, description)
        t.add(node, DCAT.accessURL, url)
        t.add(node, DCAT.accessService, service)
        t.add(node, DCT["format"], EU_FILE_TYPE[file_type])
        t.add(node, DCT.license, LICENCE_DATA)

        t.add(service, RDF.type, DCAT.DataService)
        t.texts(service, DCT.title, title)
        t.texts(service, DCT.description, description)
        t.add(service, DCAT.endpointURL, url)
        t.add(service, DCT["format"], EU_FILE_TYPE[file_type])
        for language, words in KEYWORDS.items():
            for word in words:
                t.add(service, DCAT.keyword, ox.Literal(word, language=language))
        for theme in THEMES:
            t.add(service, DCAT.theme, theme)
        t.add(service, DCAT.endpointDescription, endpoint_description)
        t.add(service, DCAT.servesDataset, dataset)
        t.add(service, DCT.conformsTo, standard)
        t.add(service, DCT.publisher, publisher)
        t.add(service, DCAT.contactPoint, contact)
        t.add(service, DCT.license, LICENCE_DATA)
        t.add(service, DCT.accessRights, EU_ACCESS_RIGHT.PUBLIC)

    t.add(LICENCE_DATA, RDF.type, DCT.LicenseDocument)
    t.add(LICENCE_DATA, DCT.type, LICENCE_TYPE.PublicDomain)
    for linked in dumps.statistics.linked_datasets:
        t.add(dataset, DCT.relation, linked.iri)
        for language, title in sorted(linked.titles.items()):
            t.add(linked.iri, DCT.title, ox.Literal(title, language=language) if language else ox.Literal(title))
    _type_terms(t, site)
    return t.items


def _type_terms(t: Triples, site: Site) -> None:
    """Say what each term of others that the record uses is, as DCAT-AP's range shapes expect:
    the EU tables' concepts (with their schemes), media types, standards, the publisher type,
    the licence type, the spatial region, and the pages."""
    used = {(str(triple.predicate.value), triple.object.value) for triple in t.items if isinstance(triple.object, ox.NamedNode)}
    objects = {value for _, value in used}
    for table, (cls, scheme) in VOCABULARY_TERMS.items():
        prefix = EU_AUTHORITY + table + "/"
        for term in sorted(o for o in objects if o.startswith(prefix)):
            t.add(term, RDF.type, cls)
            t.add(term, RDF.type, SKOS.Concept)
            t.add(term, SKOS.inScheme, scheme)
    for term in sorted(o for p, o in used if p in (str(DCAT.mediaType), str(DCAT.compressFormat))):
        t.add(term, RDF.type, DCT.MediaType)
    for term in sorted(o for p, o in used if p == str(DCT.conformsTo)):
        t.add(term, RDF.type, DCT.Standard)
    t.add(PUBLISHER_TYPE.LocalAuthority, RDF.type, SKOS.Concept)
    t.add(PUBLISHER_TYPE.LocalAuthority, SKOS.inScheme, PUBLISHER_TYPE_SCHEME)
    t.add(LICENCE_TYPE.PublicDomain, RDF.type, SKOS.Concept)
    t.add(LICENCE_TYPE.PublicDomain, SKOS.inScheme, LICENCE_TYPE_SCHEME)
    t.add(SPATIAL, RDF.type, DCT.Location)
    for algorithm in sorted(o for p, o in used if p == str(SPDX.algorithm)):
        t.add(algorithm, RDF.type, SPDX.ChecksumAlgorithm)
    for term, (en, sv) in TERM_LABELS.items():
        if str(term) in objects:
            t.texts(term, SKOS.prefLabel, {"en": en, "sv": sv})
    for scheme, (en, sv) in SCHEME_TITLES.items():
        t.add(scheme, RDF.type, SKOS.ConceptScheme)
        t.texts(scheme, DCT.title, {"en": en, "sv": sv})
    for page in sorted(o for p, o in used if p in (str(FOAF.homepage), str(FOAF.page), str(DCAT.landingPage))):
        t.add(page, RDF.type, FOAF.Document)

