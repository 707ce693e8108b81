"""The indicator registry: which Kolada KPIs follow the world of which goals and focus areas, and why.

IRIs are ``BASE/indicator/KEY``. Each row names a KPI of Kolada (``N03702``; checked
against Kolada's list of KPIs when ``POLICYKG_KOLADA`` has it), the goals and focus
areas it follows (``pkg:indicatorOf``) and the rationale in Swedish and English
(``pkg:rationale``). The KPI is Kolada's own resource, ``https://api.kolada.se/v3/kpi/ID``;
its title and values are in ``graph/kolada``. The choice of indicators is curated:
in the sample registries it is illustrative, as every sample graph says.
"""

from __future__ import annotations

import difflib
import sys
from functools import lru_cache
from pathlib import Path

from policykg.namespaces import KOLADA_KPI, PKG, RDFS

from .. import ntriples as nt
from ..registry import RegistrySpec
from .common import R, labels

TYPE = R(PKG.Indicator)
KPI = R(PKG.kpi)
INDICATOR_OF = R(PKG.indicatorOf)
RATIONALE = R(PKG.rationale)
LABEL = R(RDFS.label)


@lru_cache(maxsize=4)
def _titles(path: Path | None) -> dict[str, str] | None:
    from ..reference.kolada import read_kpi_titles

    return read_kpi_titles(path) if path is not None else None


def kpi_reference(catalogue):
    """A KPI id of Kolada's list (any well-formed id when the list is not there)."""
    from ..reference.kolada import kpi_list

    titles = _titles(kpi_list(catalogue.settings))

    def convert(text: str) -> str:
        from ..schema import CellError

        key = text.strip().upper()
        if titles is not None and key not in titles:
            close = difflib.get_close_matches(key, list(titles), n=1, cutoff=0.8)
            hint = f"; did you mean '{close[0]}' ({titles[close[0]]})?" if close else ""
            raise CellError(f"not a KPI of Kolada{hint}", "the id of a Kolada KPI, such as N03702")
        return key

    return convert


def emit(out, row) -> None:
    subject = out.entity(row, TYPE)
    out.add(subject, KPI, R(KOLADA_KPI[row.kpi]))
    titles = _titles(_kpi_list(out.catalogue))
    title = titles.get(row.kpi) if titles else None
    out.add(subject, LABEL, nt.lang(f"{title} ({row.kpi})" if title else row.kpi, "sv"))
    for target in (*row.goals, *row.focus_areas):
        out.add(subject, INDICATOR_OF, R(target))
    labels(out, subject, row.rationale_sv, row.rationale_en, RATIONALE)


def _kpi_list(catalogue) -> Path | None:
    from ..reference.kolada import kpi_list

    return kpi_list(catalogue.settings)


SPEC = RegistrySpec(
    name="indicators",
    title_en="Indicators: Kolada KPIs that follow the program's goals and focus areas",
    title_sv="Indikatorer: Kolada-nyckeltal som följer programmets mål och inriktningar",
    kind="indicator",
    sheet_names=("indicators", "indikatorer"),
    references={"kpi": kpi_reference, "goals": "goal", "focus_areas": "focus-area"},
    emit=emit,
    module=sys.modules[__name__],
)
