"""Reviewed mapping sets as linkset graphs: ``graph/linkset/NAME``, one per SSSOM/TSV file
that the registries manifest lists under ``[mappings]``.

Each graph holds the set (``sssom:MappingSet``, a ``void:Linkset``), its accepted
mappings (who proposed each, who reviewed it, when, with what confidence and
why, derived from its row of the file) and the links themselves; mappings still
in the review queue or rejected are counted in the build's note and not loaded.
The subjects are our own entities: every mapping's subject must be under the
instance base.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox

from policykg.config import Settings
from policykg.namespaces import DCT, nn

from . import sssom
from .errors import InputError, Problem
from .manifest import manifest_path, read_manifest
from .registry import source_file_iri
from .sources import ReadResult, Source


def mapping_source(settings: Settings, name: str, path: Path) -> Source:
    """The source of ``graph/linkset/NAME`` from the mapping set in ``path``."""
    key = f"linkset/{name}"

    def read(files: list[Path], settings: Settings) -> ReadResult:
        mapping_set = sssom.read_mapping_set(files[0], base=settings.base_iri)
        graph = settings.iris.graph(key)
        problems = [Problem(str(files[0]), "the subject is not one of ours", line=m.line, column="subject_id",
                            value=m.subject_id, expected=f"an entity under the instance base (kg:...), {settings.base_iri}")
                    for m in mapping_set.mappings if m.accepted and not m.subject_id.startswith(settings.base_iri)]
        if problems:
            raise InputError(problems)
        set_iri = settings.iris.mapping_set(name)
        quads = sssom.mapping_set_quads(mapping_set, set_iri, source_file_iri(graph, files[0].name) + "#row=")
        quads.append(ox.Quad(nn(graph), nn(DCT.source), nn(set_iri)))
        counts = {status: sum(1 for m in mapping_set.mappings if m.review_status == status) for status in sssom.STATUSES}
        reviewed = sum(1 for m in mapping_set.mappings if m.accepted and m.reviewed)
        note = (f"{key}: {counts['accepted']} accepted mappings ({reviewed} by a reviewer), "
                f"{counts['review']} awaiting review, {counts['rejected']} rejected, from {files[0].name}")
        return ReadResult(quads, rows={files[0].name: len(mapping_set.mappings)}, note=note)

    return Source(
        key,
        f"Links to other datasets: mapping set {name}",
        f"Länkar till andra datamängder: mappningsmängden {name}",
        (path,),
        read,
        modules=(sssom, sys.modules[__name__]),
    )


def mapping_sources(settings: Settings) -> list[Source]:
    """A source for each mapping set of the configured manifest."""
    dataset = read_manifest(manifest_path(settings))
    return [mapping_source(settings, name, path) for name, path in dataset.mappings.items()]
