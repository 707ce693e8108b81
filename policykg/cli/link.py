"""``policykg link TARGET``: link discovery with review (see :mod:`policykg.linking`)."""

from __future__ import annotations

from pathlib import Path

import click

from policykg.config import Settings
from policykg.store import StoreError

TARGETS = ("wikidata", "se-municipalities", "eu-projects")


@click.command()
@click.argument("target", type=click.Choice(TARGETS))
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False),
              help="The SSSOM/TSV file to write [default: the target's set in the registries manifest's [mappings]].")
@click.option("--rdf", type=click.Path(path_type=Path, dir_okay=False), help="Also write the set as SSSOM/RDF (Turtle).")
@click.option("--accept", type=click.FloatRange(0, 1), default=0.95, show_default=True,
              help="Candidates scoring this or more are accepted.")
@click.option("--review", type=click.FloatRange(0, 1), default=0.80, show_default=True,
              help="Candidates scoring this or more (and less than --accept) go to the review queue; the rest are rejected.")
@click.pass_obj
def link(settings: Settings, target: str, out: Path | None, rdf: Path | None, accept: float, review: float) -> None:
    """Propose links from our organisations to TARGET, for review.

    Exact keys first (organisation number, municipality code, PIC, VAT number), then
    names (Swedish and English variants, legal forms, typos). Each candidate is written
    to an SSSOM mapping set with its score and the reason: accepted, in the review
    queue, or rejected. Review it in Excel or an editor (set review_status to accepted
    or rejected and put your name in reviewer_label); 'policykg build' loads the set
    as a linkset graph when the registries manifest lists it under [mappings].
    Reviewed rows of an existing file are kept.
    """
    from policykg.linking.discovery import Thresholds
    from policykg.linking.run import LinkError, link as run_link
    from policykg.loaders.errors import InputError
    from policykg.loaders.manifest import manifest_path, read_manifest

    try:
        thresholds = Thresholds(accept=accept, review=review)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--review") from None
    try:
        if out is None:
            listed = read_manifest(manifest_path(settings)).mappings.get(target)
            if listed is None:
                raise click.UsageError(f"the registries manifest lists no mapping set '{target}' under [mappings]: give --out FILE")
            out = listed
        report = run_link(settings, target, out, thresholds, rdf=rdf)
    except (LinkError, StoreError) as error:
        raise click.ClickException(str(error)) from None
    except InputError as error:
        raise click.ClickException(error.report().replace("; nothing was written", "")) from None
    click.echo(report.summary())


COMMANDS = (link,)
