"""Identifiers as data: an entity's code in a scheme, typed, and the link it implies.

Every identifier is an ``adms:Identifier`` of its own, ``ENTITY/identifier/SCHEME``:
``skos:notation`` the code, ``dct:type`` the scheme (a concept of
``pkg:IdentifierSchemes``), ``adms:schemeAgency`` who issues the codes, and a
label in Swedish and English. A scheme whose codes have IRIs at their publisher
(Wikidata, NUTS, the EU country table) also gives the link to that IRI: an
entity with a known outside identifier links to it (the fifth star).

The registries (N-Triples text) and the reference loaders (pyoxigraph quads)
share :data:`SCHEMES` and render them with :func:`identifier_triples`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.namespaces import ADMS, DCT, EU_COUNTRY, NUTS, OWL, PKG, RDF, RDFS, SKOS, WD


@dataclass(frozen=True)
class Scheme:
    """One identifier scheme: its key (IRI segment, registry column), concept and form."""

    key: str
    concept: str
    label_sv: str
    label_en: str
    agency: str
    pattern: str
    example: str
    iri_prefix: str | None = None
    #: The direct property that also states the code (kept for simple queries), if any.
    shortcut: str | None = None

    def matches(self, code: str) -> bool:
        return re.fullmatch(self.pattern, code) is not None

    def iri(self, code: str) -> str | None:
        """The code's IRI at its publisher, when the scheme has one."""
        return self.iri_prefix + code if self.iri_prefix else None


SCHEMES: dict[str, Scheme] = {
    scheme.key: scheme
    for scheme in (
        Scheme("organisation-number", str(PKG.SwedishOrganisationNumbers), "Organisationsnummer", "Organisation number",
               "Bolagsverket", r"[0-9]{6}-[0-9]{4}", "212000-2627", shortcut=str(PKG.organisationNumber)),
        Scheme("municipality-code", str(PKG.ScbMunicipalityCodes), "Kommunkod", "Municipality code",
               "SCB", r"[0-9]{4}", "2480", shortcut=str(PKG.municipalityCode)),
        Scheme("county-code", str(PKG.ScbCountyCodes), "Länskod", "County code", "SCB", r"[0-9]{2}", "24"),
        Scheme("iso-3166-2", str(PKG.Iso3166SubdivisionCodes), "ISO 3166-2-kod", "ISO 3166-2 code", "ISO",
               r"[A-Z]{2}-[A-Z0-9]{1,3}", "SE-AC"),
        Scheme("nuts", str(PKG.NutsCodes), "NUTS-kod", "NUTS code", "Eurostat", r"[A-Z]{2}[A-Z0-9]{0,3}", "SE331",
               iri_prefix=str(NUTS)),
        Scheme("country", str(PKG.EuCountryCodes), "Landskod", "Country code", "Publications Office of the EU",
               r"[A-Z0-9]{3}", "SWE", iri_prefix=str(EU_COUNTRY)),
        Scheme("wikidata", str(PKG.WikidataItems), "Wikidata", "Wikidata", "Wikimedia Foundation", r"Q[1-9][0-9]*",
               "Q507709", iri_prefix=str(WD)),
        Scheme("pic", str(PKG.ParticipantIdentificationCodes), "PIC", "PIC", "European Commission", r"[0-9]{9}",
               "999999999"),
        Scheme("vat", str(PKG.VatNumbers), "Momsregistreringsnummer", "VAT number", "VIES (European Commission)",
               r"[A-Z]{2}[0-9A-Z+*.]{2,12}", "SE212000262701"),
        Scheme("eu-project", str(PKG.EuProjectIds), "EU-projektnummer", "EU project id", "the programme's managing authority",
               r"[0-9A-Za-z][0-9A-Za-z./-]{0,39}", "20200927"),
    )
}

#: The link an entity with a scheme's code makes to the code's IRI: organisations are the
#: same thing as the Wikidata item; a place or concept is an exact match of the region.
LINK_PREDICATE = {"wikidata": str(OWL.sameAs), "nuts": str(SKOS.exactMatch)}


def identifier_iri(entity: str, scheme: str) -> str:
    """``ENTITY/identifier/SCHEME`` (:meth:`policykg.namespaces.Iris.identifier`)."""
    return f"{entity}/identifier/{scheme}"


def identifier_triples(entity: str, scheme_key: str, code: str, *, link: str | None = None) -> list[tuple[str, str, object]]:
    """The triples of ``entity``'s code in a scheme, as (subject, predicate, object):
    IRIs as ``str`` and literals as ``(text, language-or-None)`` tuples, for the caller to render.

    ``link`` is the predicate of the link to the code's IRI (default :data:`LINK_PREDICATE`,
    none for the country scheme, whose link the entity states with ``pkg:country``)."""
    scheme = SCHEMES[scheme_key]
    node = identifier_iri(entity, scheme_key)
    triples: list[tuple[str, str, object]] = [
        (entity, str(ADMS.identifier), node),
        (node, str(RDF.type), str(ADMS.Identifier)),
        (node, str(SKOS.notation), (code, None)),
        (node, str(DCT.type), scheme.concept),
        (node, str(ADMS.schemeAgency), (scheme.agency, None)),
        (node, str(RDFS.label), (f"{scheme.label_sv} {code}", "sv")),
        (node, str(RDFS.label), (f"{scheme.label_en} {code}", "en")),
    ]
    if scheme.shortcut:
        triples.append((entity, scheme.shortcut, (code, None)))
    predicate = link or LINK_PREDICATE.get(scheme_key)
    if predicate and scheme.iri_prefix:
        triples.append((entity, predicate, scheme.iri(code)))
    return triples
