"""``policykg report``: the annual follow-up report, "Uppföljning av Internationellt program YYYY"."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.config import Settings
from policykg.store import StoreError, open_store

FORMATS = ("html", "pdf", "xlsx", "json", "csv")


@click.command()
@click.option("--year", type=click.IntRange(1990, 2100), required=True, help="The year to report on.")
@click.option("--body", metavar="KEY", help="One body's report (kulturnamnden or body/kulturnamnden); default: the whole municipality.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True, help="A page, a PDF, a workbook of its tables, or its data.")
@click.option("--lang", type=click.Choice(("sv", "en")), default="sv", show_default=True, help="The report's language.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write.")
@click.pass_obj
def report(settings: Settings, year: int, body: str | None, fmt: str, lang: str, out: Path) -> None:
    """Write the annual follow-up report of YEAR from the graph: the work per goal and focus
    area and by body, projects, activities, memberships and partnerships, funding, the SDGs,
    the principles' indicators, the follow-up, the findings of the checks and what changed,
    each figure linked to the query that computed it."""
    from policykg.report.data import gather
    from policykg.report.render import RENDERERS

    store = open_store(settings, batch=True)
    try:
        reader = store.reader()
        if body is not None and not _body_exists(reader, settings, body):
            raise click.UsageError(f"unknown body {body!r}: give a key of the organisations registry, such as kulturnamnden")
        data = gather(reader, settings, year, body)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    base_url = settings.public_url or f"http://{settings.host}:{settings.port}/"
    content = RENDERERS[fmt](data, lang, base_url if base_url.endswith("/") else base_url + "/")
    try:
        out.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror}") from None
    click.echo(f"wrote {out} ({fmt}, {len(content):,} bytes)")


def _body_exists(reader, settings: Settings, body: str) -> bool:
    from policykg.namespaces import PKG, RDF, nn

    iri = body if body.startswith("http") else settings.iris(body if body.startswith("body/") else f"body/{body}")
    return next(iter(reader.quads_for_pattern(nn(iri), nn(RDF.type), nn(PKG.Body), None)), None) is not None


COMMANDS = [report]
