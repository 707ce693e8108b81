"""SSSOM mapping sets: written and read back (TSV with its YAML block), every problem named by
file, row and column, the kg prefix resolved against the configured base, and the RDF."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from policykg.loaders import sssom
from policykg.loaders.errors import InputError
from policykg.loaders.sssom import Mapping, MappingSet
from policykg.namespaces import OWL, PKG, SEMAPV, SKOS, WD

BASE = "https://example.org/kg/"
CURIES = {"wd": str(WD), "pkg": str(PKG), "skos": str(SKOS), "owl": str(OWL), "semapv": str(SEMAPV)}


def mapping(subject: str, obj: str, status: str, **more) -> Mapping:
    return Mapping(BASE + subject, str(OWL.sameAs), str(WD[obj]), str(SEMAPV.LexicalMatching), subject_label=subject,
                   object_label=obj, confidence=more.pop("confidence", 0.97), mapping_date="2026-01-01",
                   comment="names equal", review_status=status, **more)


@pytest.fixture
def written(tmp_path):
    path = tmp_path / "test.sssom.tsv"
    mappings = [mapping("body/a", "Q1", "accepted"), mapping("body/b", "Q2", "review", confidence=0.85),
                mapping("body/c", "Q3", "accepted", reviewer_label="A. Reviewer"), mapping("body/d", "Q4", "rejected", confidence=0.6)]
    sssom.write_mapping_set(path, MappingSet(BASE + "mapping-set/test", mappings, CURIES,
                                             {"mapping_set_title": "Test", "license": "http://example.org/licence"}), BASE)
    return path


def test_a_written_set_reads_back_the_same(written):
    text = written.read_text(encoding="utf-8")
    assert text.startswith("#curie_map:") and "#mapping_set_id: https://example.org/kg/mapping-set/test" in text
    assert "kg:body/a\t" in text and "wd:Q1" in text and "slot_name: review_status" in text
    read = sssom.read_mapping_set(written, base=BASE)
    assert [(m.subject_id, m.object_id, m.review_status, m.confidence) for m in read.mappings] == [
        (BASE + "body/a", str(WD.Q1), "accepted", 0.97), (BASE + "body/b", str(WD.Q2), "review", 0.85),
        (BASE + "body/c", str(WD.Q3), "accepted", 0.97), (BASE + "body/d", str(WD.Q4), "rejected", 0.6)]
    assert read.title == "Test" and read.mappings[2].reviewed and not read.mappings[0].reviewed


def test_the_kg_prefix_follows_the_configured_base(written):
    read = sssom.read_mapping_set(written, base="https://data.example.com/umea/")
    assert read.mappings[0].subject_id == "https://data.example.com/umea/body/a"


def test_rdf_states_the_accepted_links_and_describes_every_accepted_mapping(written):
    read = sssom.read_mapping_set(written, base=BASE)
    store = ox.Store()
    store.extend(sssom.mapping_set_quads(read, BASE + "mapping-set/test", BASE + "graph/linkset/test/source/test.sssom.tsv#row="))
    links = {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, ox.NamedNode(str(OWL.sameAs)), None)}
    assert links == {(BASE + "body/a", str(WD.Q1)), (BASE + "body/c", str(WD.Q3))}
    reviewer = list(store.query("PREFIX sssom: <https://w3id.org/sssom/> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
                                "SELECT ?r ?row { ?m owl:annotatedSource ?s ; sssom:reviewer_label ?r ; "
                                "<http://www.w3.org/ns/prov#wasDerivedFrom> ?row }"))
    line = line_of(written, "kg:body/c\t")
    assert [r["r"].value for r in reviewer] == ["A. Reviewer"] and reviewer[0]["row"].value.endswith(f"#row={line}")


def line_of(path, text: str) -> int:
    """The line (from 1) of the file that holds ``text``."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.mark.parametrize("change, message", [
    (("wd:Q1\t", "http://www.wikidata.org/entity/Q1\t"), ":object_id: an identifier must be a CURIE"),
    (("wd:Q1\t", "xx:Q1\t"), ":object_id: unknown prefix"),
    (("\taccepted\n", "\tmaybe\n"), ":review_status: unknown review status"),
    (("\t0.97\t", "\t1.7\t"), ":confidence: not a number between 0 and 1"),
    (("owl:sameAs", "rdfs:seeAlso"), ":predicate_id: not a mapping predicate we load"),
])
def test_problems_name_the_file_row_and_column(written, change, message):
    text = written.read_text(encoding="utf-8")
    written.write_text(text.replace(*change, 1), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        sssom.read_mapping_set(written, base=BASE)
    assert f"{written}:{line_of(written, 'kg:body/a')}{message}" in raised.value.report()


def test_a_file_without_its_metadata_block_is_refused(tmp_path):
    path = tmp_path / "bare.sssom.tsv"
    path.write_text("subject_id\tpredicate_id\tobject_id\tmapping_justification\n", encoding="utf-8")
    with pytest.raises(InputError, match="no mapping_set_id"):
        sssom.read_mapping_set(path)
