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
    FOAF,
    IANA_MEDIA_TYPE,
    LICENCE_DATA,
    NUTS,
    ONTOLOGY_IRI,
    OPENAPI,
    OWL,
    PUBLISHER_TYPE,
    RDF,
    SPARQL_PROTOCOL,
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
        t.add(service, DCAT.endpointDescription, endpoint_description)
        t.add(service, DCAT.servesDataset, dataset)
        t.add(service, DCT.conformsTo, standard)
        t.add(service, DCT.publisher, publisher)
        t.add(service, DCAT.contactPoint, contact)
        t.add(service, DCT.license, LICENCE_DATA)
        t.add(service, DCT.accessRights, EU_ACCESS_RIGHT.PUBLIC)

    t.add(LICENCE_DATA, RDF.type, DCT.LicenseDocument)
    return t.items

