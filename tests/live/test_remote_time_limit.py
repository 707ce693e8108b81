"""A stored question that a remote store stops at a time limit (the server's own: Virtuoso's
MaxQueryExecutionTime; or ours, the batch time limit) is left unstored and said so, like one
the server refuses; the other answers are stored, and the next run asks it again (the limit
may have been the load of the moment). On the 1 000 000-activity set on a Virtuoso with a 30 s
limit, `policykg answers` used to stop at sdg-coverage, storing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import make_settings, start_oxigraph, start_virtuoso

from policykg.build import build_store
from policykg.paths import queries_dir
from policykg.publication.answers import StoredAnswers, write_answers
from policykg.runtime.querylib import load_queries
from policykg.store import open_store

#: Every pair of quads of the samples, counted: 10^8 pairs, far more than a second's work.
SLOW = "SELECT (COUNT(*) AS ?pairs) WHERE { GRAPH ?g { ?s ?p ?o } GRAPH ?h { ?t ?q ?v } }\n"


def questions(where: Path) -> Path:
    """The program's goals (quick) and the slow count, both stored questions."""
    where.mkdir()
    goals = (queries_dir() / "goals.rq").read_text(encoding="utf-8").replace("#+ tags: [program]", "#+ tags: [program]\n#+ stored: true")
    (where / "goals.rq").write_text(goals, encoding="utf-8")
    (where / "every-pair.rq").write_text(goals[: goals.index("PREFIX")] + SLOW, encoding="utf-8")
    return where


@pytest.mark.parametrize("limit", ["the server's own", "ours"])
def test_a_question_stopped_at_a_time_limit_is_not_stored_and_asked_again(tmp_path: Path, limit: str) -> None:
    if limit == "ours":  # Oxigraph server has no time limit of its own: ours, a second
        (tmp_path / "server").mkdir()
        server, options = start_oxigraph(tmp_path / "server"), {"batch_timeout": 1.0}
        said = "did not answer the query within 1 s"
    else:
        server, options = start_virtuoso(tmp_path / "server", time_limit=1), {}
        said = "at its own time limit (Virtuoso's [SPARQL] MaxQueryExecutionTime"
    try:
        settings = make_settings(tmp_path / "store", **server.settings, **options)
        build_store(settings, dumps=False, answers=False, checks=False)
        asked = load_queries(questions(tmp_path / "queries"))
        store = open_store(settings, batch=True)
        report = write_answers(store, asked, settings.iris, force=True)
        stored = StoredAnswers(report.path)
        try:
            held = {name for name, _ in stored.computed()}
        finally:
            stored.close()
        again = write_answers(store, asked, settings.iris)  # this generation's file is there, without every-pair
    finally:
        server.stop()
    assert [name for name, _ in report.unstored] == ["every-pair"]
    assert report.answers == 1 and report.rows == 5  # the goals
    assert said in report.explanation() and "(asked again by the next run)" in report.explanation()
    assert "stopped them at a time limit (answered per request): every-pair" in report.summary()
    assert held == {"goals"}  # no answer of it stored (the API answers it per request)
    # the next run asks it again, and copies the goals
    assert again.written and [name for name, _ in again.unstored] == ["every-pair"]
    assert "goals" in again.reused and not again.timings
