"""Reference datasets of others that our data links with, each a source of its own graph.

``reference_sources`` gives the sources whose files are there (each module says
what it reads, from which setting): the EU country table (``eu-countries``),
NUTS 2021 (``nuts``), Sweden's municipalities and counties (``se-municipalities``),
Wikidata items of Swedish public bodies (``wikidata``), Kolada (``kolada``), the
EU project records of Västerbotten (``eu-projects``) and EURIO, the vocabulary
those records are described in (``eurio``). ``POLICYKG_REFERENCE_DATASETS`` chooses
among them ("none": no reference data). A dataset whose files are missing is left
out, and the build says so.
"""

from __future__ import annotations

import sys

from policykg.config import Settings

from .. import rdf
from ..sources import Source, read_ontology
from .countries import country_source
from .euprojects import eu_projects_source
from .kolada import kolada_source
from .nuts import nuts_source
from .places import places_source
from .wikidata import wikidata_source

EURIO_FILE = "eurio-ontology-v2.4.ttl"


def eurio_source(settings: Settings, notes: list[str]) -> Source | None:
    """EURIO (the EU's research and project ontology) as a vocabulary graph, ``graph/eurio``."""
    path = settings.links_location("eu_projects") / EURIO_FILE
    if not path.is_file():
        notes.append(f"EURIO ontology not found at {path}: not loaded")
        return None
    return Source("eurio", "EURIO: the EUropean Research Information Ontology (Publications Office of the EU)",
                  "EURIO: EU:s ontologi för forskning och projekt (EU:s publikationsbyrå)", (path,), read_ontology,
                  modules=(rdf, sys.modules[__name__]))


def reference_sources(settings: Settings, notes: list[str], kpis: tuple[str, ...] = (), kpi_file=None) -> list[Source]:
    """The reference datasets whose files are there; ``notes`` receives what was left out and why.
    ``kpis``: the KPIs that the indicator registry (``kpi_file``) names; Kolada's graph describes
    them (and their values are fetched when ``POLICYKG_KOLADA_API`` is set)."""
    makers = {
        "eu-countries": lambda: country_source(settings, notes),
        "nuts": lambda: nuts_source(settings, notes),
        "se-municipalities": lambda: places_source(settings, notes),
        "wikidata": lambda: wikidata_source(settings, notes),
        "kolada": lambda: kolada_source(settings, notes, kpis, kpi_file),
        "eu-projects": lambda: eu_projects_source(settings, notes),
        "eurio": lambda: eurio_source(settings, notes),
    }
    wanted = [name for name in settings.reference_datasets if name != "none"]
    unknown = [name for name in wanted if name not in makers]
    if unknown:
        notes.append(f"unknown reference datasets {', '.join(unknown)} (POLICYKG_REFERENCE_DATASETS): not loaded; "
                     f"known: {', '.join(makers)}")
    found = [makers[name]() for name in makers if name in wanted]
    return [source for source in found if source is not None]
