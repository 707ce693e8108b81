"""``policykg check``: the program's own rules (ontology/rules/) run on the published store."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
import pyoxigraph as ox

from policykg.config import Settings
from policykg.store import StoreError, open_store

FORMATS = ("table", "json", "ttl")
LEVELS = ("violation", "warning", "info")
HEADINGS = {
    "sv": {"violation": "ÖVERTRÄDELSE", "warning": "VARNING", "info": "INFO", "title": "Kontroll av arbetet mot programmets regler",
           "as_of": "per", "year": "år", "none": "Inga resultat.", "total": "resultat"},
    "en": {"violation": "VIOLATION", "warning": "WARNING", "info": "INFO", "title": "Check of the work against the program's rules",
           "as_of": "as of", "year": "year", "none": "No findings.", "total": "findings"},
}


def _labeller(reader, findings):
    """``label(node, lang)``: a focus's label in ``lang`` (else in the other language), through
    the pages' look-ups, those of every focus fetched together where a look-up is a request
    (one each: ``policykg check`` on the 1 000 000-activity set on Virtuoso took 565.6 s)."""
    from policykg.runtime.describe import Reader

    looked = Reader(reader)
    looked.prefetch_labels(f.focus.value for f in findings if isinstance(f.focus, ox.NamedNode))

    def label(node, lang: str) -> str | None:
        labels = looked.labels(node.value)
        return labels.get(lang) or labels.get("sv") or labels.get("en") or labels.get("")

    return label


@click.command()
@click.option("--year", type=click.IntRange(1990, 2100), help="Only the findings about this year: follow-ups of it, and work going on in it.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="A table to read, JSON, or the SHACL validation report as Turtle.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="The day the rules count from (mandate period, follow-ups due) [POLICYKG_CHECK_DATE; default today].")
@click.option("--rule", "rules_wanted", multiple=True, metavar="KEY", help="Run only this rule (check/KEY); may be repeated.")
@click.option("--lang", type=click.Choice(("sv", "en")), default="en", show_default=True, help="The language of the table's messages.")
@click.option("--store-findings", "store_findings", is_flag=True, help="Also store the findings in the published store, as every build does (may publish a generation).")
@click.pass_obj
def check(settings: Settings, year: int | None, fmt: str, as_of, rules_wanted: tuple[str, ...], lang: str, store_findings: bool) -> None:
    """Run every rule of the program (its principles, responsibilities, follow-up and
    review) on the published store and report what it finds; exit 1 when there is a violation.

    Each finding names the resource it is about, the rule and the part of the
    program the rule checks, quoting it. The evaluation runs each rule's SPARQL
    query once on the store itself.
    """
    from policykg.compliance.evaluate import CheckContext, RuleError, evaluate
    from policykg.compliance.findings import report_triples, write_findings
    from policykg.compliance.rules import load_rules
    from policykg.compliance.years import concerning
    from policykg.publication.samples import NOTICE, illustrative_graphs

    context = CheckContext.of(settings, as_of.date() if as_of else None)
    rules = load_rules(settings.base_iri)
    unknown = sorted(set(rules_wanted) - set(rules.by_key()))
    if unknown:
        raise click.UsageError(f"unknown rule {', '.join(unknown)}; known: {', '.join(sorted(rules.by_key()))}")
    store = open_store(settings, batch=True)
    try:
        if store_findings:
            written = write_findings(settings, context=context)
            if written is not None:
                click.echo(written.summary(), err=True)
        reader = store.reader()
        evaluation = evaluate(reader, rules, context, only=rules_wanted or None)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    findings = evaluation.findings if year is None else concerning(evaluation.findings, reader, year)
    illustrative = bool(illustrative_graphs(reader))
    iris = settings.iris
    if fmt == "ttl":
        from policykg.namespaces import PREFIXES, SH

        evaluation.findings = findings
        triples = report_triples(evaluation, iris, illustrative=illustrative, generated=dt.datetime.now(dt.timezone.utc))
        prefixes = {name: PREFIXES[name] for name in ("rdf", "rdfs", "xsd", "dct", "prov", "pkg")} | {"sh": str(SH)}
        sys.stdout.buffer.write(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
    elif fmt == "json":
        click.echo(json.dumps(_as_json(findings, evaluation, reader, year, illustrative, NOTICE), ensure_ascii=False, indent=2))
    else:
        _table(findings, evaluation, reader, iris, year, lang, NOTICE if illustrative else None)
    if any(f.level == "violation" for f in findings):
        sys.exit(1)


def _as_json(findings, evaluation, reader, year, illustrative: bool, notice) -> dict:
    counts = {level: sum(1 for f in findings if f.level == level) for level in LEVELS}
    label = _labeller(reader, findings)
    return {
        "as_of": evaluation.context.as_of.isoformat(),
        "year": year,
        "illustrative": illustrative,
        **({"notice": notice} if illustrative else {}),
        "counts": counts,
        "findings": [
            {
                "rule": f.rule.key,
                "rule_iri": f.rule.iri,
                "severity": f.level,
                "checks": list(f.rule.checks),
                "focus": f.focus.value,
                "focus_label": {lang: label(f.focus, lang) for lang in ("sv", "en")},
                "value": f.value.value,
                "year": f.year,
                "message": f.messages,
            }
            for f in findings
        ],
    }


def _table(findings, evaluation, reader, iris, year, lang: str, notice) -> None:
    words = HEADINGS[lang]
    title = f"{words['title']}, {words['as_of']} {evaluation.context.as_of}"
    if year is not None:
        title += f" ({words['year']} {year})"
    click.echo(title)
    if notice:
        click.echo(notice[lang])
    click.echo("")
    if not findings:
        click.echo(words["none"])
    label_of = _labeller(reader, findings)
    for finding in findings:
        focus = iris.relative(finding.focus.value) or finding.focus.value
        label = label_of(finding.focus, lang)
        value = "" if finding.value == finding.focus else "  " + (iris.relative(finding.value.value) or finding.value.value)
        click.echo(f"{words[finding.level]:<12} {finding.rule.key}  {focus}{value}" + (f"  ({label})" if label else ""))
        click.echo(f"{'':<12} {finding.messages.get(lang) or next(iter(finding.messages.values()), '')}")
    counts = ", ".join(f"{words[level].lower()}: {sum(1 for f in findings if f.level == level)}" for level in LEVELS)
    click.echo(f"\n{len(findings)} {words['total']}: {counts}")


COMMANDS = [check]
