"""Honesty about sample data: which graphs hold records marked illustrative, and what to say.

A registries manifest that says ``illustrative = true`` (the samples in
``registries/umea/`` do) makes every registry graph it loads state
``pkg:illustrative true``. Whatever shows registry data (the landing page, the
pages, the annual report, VoID and DCAT) says so, in Swedish and English,
with :data:`NOTICE`.
"""

from __future__ import annotations

import pyoxigraph as ox

from policykg.namespaces import PKG, nn

NOTICE = {
    "sv": "Registeruppgifterna (projekt, aktiviteter, nätverk, partnerskap, beslut och uppföljning) är illustrativa exempel, "
    "inte officiella uppgifter om Umeå kommun: de är påhittade för att visa hur registren fungerar.",
    "en": "The registry records (projects, activities, networks, partnerships, decisions and follow-up) are illustrative "
    "examples, not official records of Umeå Municipality: they are made up to show how the registries work.",
}
#: Short form, for a heading or a badge.
LABEL = {"sv": "Illustrativa exempel", "en": "Illustrative examples"}

_ILLUSTRATIVE = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g pkg:illustrative true } } ORDER BY ?g"""


def illustrative_graphs(reader: ox.Store) -> list[str]:
    """The named graphs whose records are marked illustrative."""
    return [row["g"].value for row in reader.query(_ILLUSTRATIVE)]


def illustrative_quads(graph: str) -> list[ox.Quad]:
    """What a graph of illustrative records says of itself."""
    node = nn(graph)
    quads = [ox.Quad(node, nn(PKG.illustrative), ox.Literal(True), node)]
    return quads


def with_notice(texts: dict[str, str], illustrative: bool) -> dict[str, str]:
    """``texts`` (by language), followed by :data:`NOTICE` when the data is illustrative."""
    return {lang: f"{text} {NOTICE[lang]}" if illustrative and lang in NOTICE else text for lang, text in texts.items()}
