"""Commands that write or inspect the store: build, load, validate, dumps, answers, generate, status."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from policykg.config import Settings
from policykg.namespaces import PROV
from policykg.store import StoreError, open_store


@click.command()
@click.option("--force", is_flag=True, help="Reload every source, even those unchanged since the last build.")
@click.option("--clean", is_flag=True, help="Start from an empty store instead of the published one.")
@click.option("--no-dumps", is_flag=True, help="Publish without writing the dumps and statistics (write them later with 'policykg dumps').")
@click.option("--no-answers", is_flag=True, help="Publish without storing the answers of the heavy questions (store them later with 'policykg answers').")
@click.option("--no-checks", is_flag=True, help="Publish without checking the program's rules (check and store the findings later with 'policykg check --store').")
@click.pass_obj
def build(settings: Settings, force: bool, clean: bool, no_dumps: bool, no_answers: bool, no_checks: bool) -> None:
    """Load the ontology, the program and every configured registry into the store.

    The new data is prepared aside and published in one step: if anything is
    wrong, the previous store stays as it was and is still served.
    """
    from policykg.build import build_store
    from policykg.loaders.errors import InputError
    from policykg.progress import LoadProgress

    progress = LoadProgress()
    try:
        report = build_store(settings, force=force, clean=clean, progress=progress, dumps=not no_dumps, answers=not no_answers,
                             checks=not no_checks)
    except InputError as error:
        raise click.ClickException(error.report()) from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # published, but its dumps could not be written
        raise click.ClickException(_dumps_failed(settings, error)) from None
    finally:
        progress.close()
    click.echo(report.summary())
    _echo_dumps(settings)


@click.command()
@click.option("--force", is_flag=True, help="Write them again even if the published generation has them.")
@click.pass_obj
def dumps(settings: Settings, force: bool) -> None:
    """Write the dumps of the published data (N-Quads, TriG, Turtle, JSON-LD), their
    checksums and the VoID statistics, as 'build' does after it publishes.

    They are written aside and put in place when complete: until then, and if
    anything fails, the previous dumps are served.
    """
    from policykg.build import after_publish

    try:
        report = after_publish(settings, force=force)
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(_dumps_failed(settings, error)) from None
    click.echo(report.summary())


@click.command()
@click.option("--force", is_flag=True, help="Answer everything again, even what the published generation has or an earlier one could lend.")
@click.pass_obj
def answers(settings: Settings, force: bool) -> None:
    """Answer the stored questions (queries whose header says 'stored: true') and
    describe the most linked resources, for the published generation, as 'build'
    does after it publishes. The API and the pages serve them from then on.

    They are written aside and put in place when complete; until then the
    questions are answered per request.
    """
    from policykg.build import write_stored_answers

    try:
        report = write_stored_answers(settings, force=force, progress=lambda text: click.echo(text + " ...", err=True))
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    click.echo(report.summary())
    if report.written and report.explanation():
        click.echo(report.explanation())


def _dumps_failed(settings: Settings, error: OSError) -> str:
    from policykg.publication.dumps import latest

    previous = latest(open_store(settings))
    served = f"the dumps of generation {previous.generation} are still served" if previous else "there are no dumps"
    return f"the data is published, but its dumps could not be written ({error}); {served}; run 'policykg dumps' to try again"


def _echo_dumps(settings: Settings) -> None:
    from policykg.publication.dumps import latest

    found = latest(open_store(settings))
    if found is not None:
        click.echo(f"dumps of generation {found.generation}: {', '.join(f.name for f in found.files)} in {found.path}")


REGISTRY_HELP = """REGISTRY is one of organisations, partners, funding-programmes, networks,
projects, activities, partnerships (or sdg, with FILE a directory or URL of the
UN's SKOS files). FILE may be .xlsx, CSV (UTF-8, UTF-8 with BOM or
Windows-1252; comma or semicolon; decimal commas) or JSON: it is detected."""


def _registry_source(settings: Settings, registry: str, file: str):
    from policykg.loaders import manifest, sdg
    from policykg.loaders.references import Catalogue

    if registry == "sdg":
        notes: list[str] = []
        source = sdg.sdg_source(settings.replace(un_sdg=file), Catalogue(settings), notes)
        if source is None:
            raise click.ClickException("\n".join(notes))
        return source
    return manifest.single_registry_source(settings, registry, Path(file))


@click.command(epilog=REGISTRY_HELP)
@click.argument("registry")
@click.argument("file")
@click.option("--dry-run", is_flag=True, help="Read and check FILE, say what would be loaded, write nothing.")
@click.option("--force", is_flag=True, help="Reload even if FILE is unchanged since it was loaded.")
@click.option("--no-dumps", is_flag=True, help="Publish without writing the dumps and statistics (write them later with 'policykg dumps').")
@click.option("--no-answers", is_flag=True, help="Publish without storing the answers of the heavy questions (store them later with 'policykg answers').")
@click.option("--no-checks", is_flag=True, help="Publish without checking the program's rules (check and store the findings later with 'policykg check --store').")
@click.pass_obj
def load(settings: Settings, registry: str, file: str, dry_run: bool, force: bool, no_dumps: bool, no_answers: bool,
         no_checks: bool) -> None:
    """Load FILE as REGISTRY, replacing that registry's graph in one step.

    Every problem is reported at once (FILE:ROW:COLUMN: message (value; expected))
    and nothing is written; the server goes on answering from the previous data
    until the new graph is published.
    """
    from policykg.build import after_publish
    from policykg.loaders.errors import InputError
    from policykg.loaders.publish import publish
    from policykg.progress import LoadProgress

    progress = LoadProgress()
    try:
        source = _registry_source(settings, registry, file)
        if dry_run:
            result = source.read_files(settings, progress)
            count = len(list(result.quads))
            if result.ntriples is not None:
                for _ in result.ntriples:
                    pass
                count += result.ntriples.triples
            click.echo(f"{result.note or registry}: valid; would load {count:,} triples into <{source.graph(settings)}> (dry run: nothing written)")
            return
        report = publish(open_store(settings, batch=True), [source], settings, force=force, progress=progress)
        if report.loaded:
            done = after_publish(settings, dumps=not no_dumps, answers=not no_answers, checks=not no_checks)
            if done.findings is not None:
                report.notes.append(done.findings.summary())
    except InputError as error:
        raise click.ClickException(error.report()) from None
    except StoreError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # published, but its dumps could not be written
        raise click.ClickException(_dumps_failed(settings, error)) from None
    finally:
        progress.close()
    click.echo(report.summary())
    _echo_dumps(settings)


@click.command(epilog=REGISTRY_HELP)
@click.argument("registry")
@click.argument("file")
@click.pass_obj
def validate(settings: Settings, registry: str, file: str) -> None:
    """Check FILE as REGISTRY and report every problem; write nothing (exit 1 if any)."""
    from policykg.loaders.errors import InputError
    from policykg.progress import LoadProgress

    progress = LoadProgress()
    try:
        result = _registry_source(settings, registry, file).read_files(settings, progress)
    except InputError as error:
        progress.close()
        click.echo(error.report().replace("; nothing was written", ""), err=True)
        sys.exit(1)
    progress.close()
    click.echo(f"{result.note or registry}: valid")


@click.command()
@click.option("--projects", type=int, default=1000, show_default=True, help="How many projects.")
@click.option("--activities", type=int, default=10000, show_default=True, help="How many activities.")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Directory to write the registries to.")
@click.option("--seed", type=int, default=2018, show_default=True, help="Seed of the random choices (same seed, same files).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.pass_obj
def generate(settings: Settings, projects: int, activities: int, out: Path, seed: int, fmt: str) -> None:
    """Write synthetic registries of any size (for benchmarks), in the formats of the samples.

    OUT gets every registry, its CSVW table description and a registries.toml:
    POLICYKG_REGISTRIES=OUT policykg build loads them.
    """
    from policykg.loaders.generate import generate_registries

    counts = generate_registries(out, projects=projects, activities=activities, seed=seed, fmt=fmt)
    for name, count in counts.items():
        click.echo(f"{name}: {count:,} rows")
    click.echo(f"wrote {out}")


@click.command()
@click.pass_obj
def status(settings: Settings) -> None:
    """Say what the store holds: its generation and each named graph with its size."""
    store = open_store(settings, batch=True)  # counting a large store takes longer than a request may
    generation = store.current_generation()
    click.echo(f"store:      {settings.store}")
    click.echo(f"base IRI:   {settings.base_iri}")
    if generation is None:
        click.echo("generation: none (run 'policykg build')")
        return
    click.echo(f"generation: {generation}")
    rows = store.query(GRAPH_SIZES)
    for row in rows:
        loaded = row["when"].value if row["when"] is not None else "?"
        click.echo(f"  {row['count'].value:>9}  {row['g'].value}  ({loaded})")


#: Each graph's size, then when it was made (counted first: the time of each triple is not asked).
GRAPH_SIZES = f"""
SELECT ?g ?count (SAMPLE(?at) AS ?when) WHERE {{
  {{ SELECT ?g (COUNT(*) AS ?count) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g }}
  OPTIONAL {{ GRAPH ?g {{ ?g <{PROV.generatedAtTime}> ?at }} }}
}} GROUP BY ?g ?count ORDER BY ?g"""


COMMANDS = (build, dumps, answers, load, validate, generate, status)
