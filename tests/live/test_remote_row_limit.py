"""A stored question whose answer a remote store cannot send whole (Virtuoso's
ResultSetMaxRows: 7.2 sends at most 1 048 576 rows, whatever virtuoso.ini says) is left
unstored and said so, as a refused one is; the other answers are stored. On the
1 000 000-activity set, `body-work` has more rows than that, and `policykg answers` stopped
there, storing nothing."""

from __future__ import annotations

from pathlib import Path

from helpers import make_settings, start_virtuoso

from policykg.build import build_store
from policykg.paths import queries_dir
from policykg.publication.answers import StoredAnswers, write_answers
from policykg.runtime.querylib import load_queries
from policykg.store import open_store

ROWS = 5_000


def test_a_question_the_server_cannot_send_whole_is_not_stored_and_said_so(tmp_path: Path) -> None:
    server = start_virtuoso(tmp_path / "virtuoso", max_rows=ROWS)
    try:
        settings = make_settings(tmp_path / "store", **server.settings)
        build_store(settings, dumps=False, answers=False, checks=False)
        asked = tmp_path / "queries"
        asked.mkdir()
        goals = (queries_dir() / "goals.rq").read_text(encoding="utf-8").replace("#+ tags: [program]", "#+ tags: [program]\n#+ stored: true")
        (asked / "goals.rq").write_text(goals, encoding="utf-8")
        header = goals[: goals.index("PREFIX")]
        (asked / "every-quad.rq").write_text(header + "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }\n", encoding="utf-8")
        store = open_store(settings)
        assert len(store) > ROWS  # the samples: more quads than one answer may have there
        report = write_answers(store, load_queries(asked), settings.iris, force=True)
        stored = StoredAnswers(report.path)
        try:
            held, left = stored.computed(), stored.unstored()
        finally:
            stored.close()
        again = write_answers(store, load_queries(asked), settings.iris)  # this generation's file is there
    finally:
        server.stop()
    assert [name for name, _ in report.unstored] == ["every-quad"]
    assert report.answers == 1 and report.rows == 5  # the goals
    assert f"cut the answer at {ROWS} rows (Virtuoso's [SPARQL] ResultSetMaxRows" in report.explanation()
    assert "could not send them whole or stopped them at a time limit (answered per request): every-quad" in report.summary()
    # the file holds no answer of it (the API would serve one), and says it was left unstored
    assert {name for name, _ in held} == {"goals"}
    assert [name for name, _ in left] == ["every-quad"]
    # the next run does not send it again (on the 1 000 000-activity set, 7 minutes each)
    assert not again.written, again.summary()
