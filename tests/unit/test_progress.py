"""The progress display of long loads."""

from __future__ import annotations

import io

from policykg.progress import LoadProgress


def test_lines_when_not_on_a_terminal():
    stream = io.StringIO()
    progress = LoadProgress(stream, interval=0)
    progress.rows("activities", 50_000)
    progress.writing("activities", 25_000, 100_000, 1_250_000)
    progress.writing("activities", 100_000, 100_000, 5_000_000)
    progress("ontology", 1548)
    progress.close()
    assert stream.getvalue().splitlines() == [
        "activities: 50,000 rows read and checked",
        "activities: [#######-----------------------] 25,000/100,000 rows, 1,250,000 triples",
        "activities: [##############################] 100,000/100,000 rows, 5,000,000 triples",
        "ontology: 1,548 triples written",
    ]


def test_short_sources_say_nothing_when_not_on_a_terminal():
    stream = io.StringIO()
    progress = LoadProgress(stream, interval=60)
    progress.writing("partners", 20, 20, 227)
    assert stream.getvalue() == ""
