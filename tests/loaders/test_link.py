"""``policykg link TARGET``: proposes links from the built store, writes the SSSOM mapping set
(TSV, and RDF if asked), keeps the rows a person reviewed; build loads the reviewed set."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from helpers import make_settings, require_shared, write_manifest

from policykg.build import build_store
from policykg.loaders import sssom
from policykg.namespaces import OWL, WD


@pytest.fixture(autouse=True)
def _shared():
    require_shared("data", "links")


def link(runner, settings, *args):
    return runner.invoke(runner.cli, ["--store", str(settings.store), "link", *args], env={"POLICYKG_SHARED_DIR": str(settings.shared_dir)})


def test_link_writes_a_mapping_set_with_each_candidate_scored(runner, built_settings, tmp_path):
    out, rdf = tmp_path / "wikidata.sssom.tsv", tmp_path / "wikidata.ttl"
    done = link(runner, built_settings, "wikidata", "--out", str(out), "--rdf", str(rdf))
    assert done.exit_code == 0, done.output
    assert "of our organisations against" in done.output and f"wrote {out}" in done.output
    found = sssom.read_mapping_set(out, base=built_settings.base_iri)
    assert found.mapping_set_id == built_settings.iris.mapping_set("wikidata")
    assert all(m.comment and m.confidence is not None for m in found.mappings)
    # a link that a registry already states (a partner's Wikidata column) is not proposed again
    assert not any(m.subject_id == built_settings.iris.of("organisation", "umea-universitet") for m in found.mappings)
    # one that only this set states is proposed again (the run refreshes the set), by its key
    umea = [m for m in found.mappings if m.subject_id == built_settings.iris.body("umea-kommun")]
    assert [(m.object_id, m.review_status, m.confidence) for m in umea] == [(str(WD.Q507709), "accepted", 1.0)]
    graph = ox.Store()
    graph.load(path=str(rdf), format=ox.RdfFormat.TURTLE)
    assert len(list(graph.quads_for_pattern(None, ox.NamedNode(str(OWL.annotatedSource)), None))) == len(found.mappings)


def test_reviewed_rows_are_kept_when_link_runs_again(runner, built_settings, tmp_path):
    out = tmp_path / "eu-projects.sssom.tsv"
    assert link(runner, built_settings, "eu-projects", "--out", str(out)).exit_code == 0
    first = sssom.read_mapping_set(out, base=built_settings.base_iri)
    rejected = next(m for m in first.mappings if m.review_status == "rejected")
    text = out.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.endswith("\trejected") and rejected.subject_label in line)
    # a person accepts a rejected candidate (for the test's sake) and signs it
    cells = line.split("\t")
    header = text.splitlines()[next(i for i, l in enumerate(text.splitlines()) if l.startswith("subject_id"))].split("\t")
    cells[header.index("review_status")] = "accepted"
    if "reviewer_label" in header:
        cells[header.index("reviewer_label")] = "A. Reviewer"
        out.write_text(text.replace(line, "\t".join(cells)), encoding="utf-8")
    else:
        cells.append("A. Reviewer")
        out.write_text(text.replace(header and "\t".join(header), "\t".join(header + ["reviewer_label"]))
                       .replace(line, "\t".join(cells)), encoding="utf-8")
    again = link(runner, built_settings, "eu-projects", "--out", str(out))
    assert again.exit_code == 0 and "kept 1 reviewed rows" in again.output, again.output
    kept = [m for m in sssom.read_mapping_set(out, base=built_settings.base_iri).mappings if m.reviewed]
    assert [(m.subject_id, m.object_id, m.review_status) for m in kept] == [(rejected.subject_id, rejected.object_id, "accepted")]


def test_link_before_build_says_to_build(runner, tmp_path):
    settings = make_settings(tmp_path / "store")
    done = link(runner, settings, "wikidata", "--out", str(tmp_path / "x.tsv"))
    assert done.exit_code != 0 and "run 'policykg build' first" in done.output


def test_thresholds_out_of_order_are_refused(runner, built_settings, tmp_path):
    done = link(runner, built_settings, "wikidata", "--out", str(tmp_path / "x.tsv"), "--accept", "0.7", "--review", "0.9")
    assert done.exit_code == 2 and "review" in done.output


def test_a_broken_mapping_set_stops_the_build_and_names_the_row(tmp_path):
    directory = write_manifest(tmp_path / "set", ["organisations"])
    mappings = directory / "mappings"
    mappings.mkdir()
    (mappings / "wikidata.sssom.tsv").write_text(
        "#curie_map:\n#  kg: https://w3id.org/policykg/umea/\n#  wd: http://www.wikidata.org/entity/\n"
        "#mapping_set_id: https://w3id.org/policykg/umea/mapping-set/wikidata\n"
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\treview_status\n"
        "kg:body/umea-kommun\towl:sameAs\twd:Q507709\tsemapv:LexicalMatching\taccepted\n"
        "kg:body/kulturnamnden\towl:sameAs\twd:Q1\tsemapv:Guessing\taccepted\n", encoding="utf-8")
    with open(directory / "registries.toml", "a", encoding="utf-8") as manifest:
        manifest.write('\n[mappings]\nwikidata = "mappings/wikidata.sssom.tsv"\n')
    settings = make_settings(tmp_path / "store", registries=directory)
    from policykg.loaders.errors import InputError

    with pytest.raises(InputError) as raised:
        build_store(settings, dumps=False, answers=False)
    assert f"{mappings / 'wikidata.sssom.tsv'}:7:mapping_justification: not a justification of SEMAPV" in raised.value.report()
    # fixed, it loads as a linkset graph with the link
    text = (mappings / "wikidata.sssom.tsv").read_text(encoding="utf-8").replace("semapv:Guessing", "semapv:ManualMappingCuration")
    (mappings / "wikidata.sssom.tsv").write_text(text, encoding="utf-8")
    report = build_store(settings, dumps=False, answers=False)
    assert "linkset/wikidata: 2 accepted mappings (0 by a reviewer), 0 awaiting review, 0 rejected, from wikidata.sssom.tsv" in report.notes
    from policykg.store import open_store

    assert open_store(settings).query(
        f"ASK {{ GRAPH <{settings.iris.graph('linkset/wikidata')}> {{ <{settings.iris.body('umea-kommun')}> <{OWL.sameAs}> <{WD.Q507709}> }} }}")


def test_build_without_the_shared_data_still_works_and_says_what_it_left_out(tmp_path):
    settings = make_settings(tmp_path / "store", shared_dir=tmp_path / "no-shared", registries=write_manifest(tmp_path / "set", []))
    report = build_store(settings, dumps=False, answers=False)
    assert report.generation is not None
    left_out = [note for note in report.notes if "not loaded" in note]
    assert len(left_out) == 8  # the UN SDG framework and the seven reference datasets
    assert any(note.startswith("EU project records not found at") for note in left_out)
