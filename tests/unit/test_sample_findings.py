"""``policykg check`` on the sample registries reports exactly the cases that
registries/umea/README.md lists, and no others (checked as of 2026-12-04)."""

from __future__ import annotations

import json
import re

from helpers import SAMPLE_REGISTRIES

from policykg.cli import cli
from policykg.namespaces import DEFAULT_BASE_IRI, PKG

ROW = re.compile(r"^\| (violation|warning|info) \| `([^`]+)` \| `([^`]+)` \| (—|`[^`]+`) \|", re.M)


def readme_findings() -> set[tuple[str, str, str, str]]:
    rows = set()
    for severity, rule, focus, value in ROW.findall((SAMPLE_REGISTRIES / "README.md").read_text(encoding="utf-8")):
        focus_iri = DEFAULT_BASE_IRI + focus
        value = value.strip("`")
        if value == "—":
            value_text = focus_iri
        elif value.startswith("pkg:"):
            value_text = str(PKG) + value[4:]
        elif re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", value):
            value_text = value
        else:
            value_text = DEFAULT_BASE_IRI + value
        rows.add((severity, rule, focus_iri, value_text))
    return rows


def test_the_check_reports_exactly_the_cases_the_readme_lists(runner, built_settings) -> None:
    result = runner.invoke(cli, ["--store", str(built_settings.store), "check", "--as-of", "2026-12-04", "--format", "json"])
    assert result.exit_code == 1, result.output  # there are violations
    report = json.loads(result.output)
    found = {(f["severity"], f["rule"], f["focus"], f["value"]) for f in report["findings"]}
    listed = readme_findings()
    assert len(listed) == 28
    assert found == listed, f"not in the README: {sorted(found - listed)}\nnot found: {sorted(listed - found)}"
    assert report["counts"] == {"violation": 10, "warning": 13, "info": 5}
    assert report["illustrative"] is True and "illustrativa exempel" in report["notice"]["sv"]


def test_every_rule_is_tripped_by_the_samples() -> None:
    from policykg.compliance.rules import load_rules

    tripped = {rule for _, rule, _, _ in readme_findings()}
    assert tripped == {rule.key for rule in load_rules(DEFAULT_BASE_IRI).rules}
