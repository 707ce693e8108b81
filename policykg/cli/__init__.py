"""The ``policykg`` command: build the store, ask it questions, serve it.

The group and its options are here; the commands are in the modules beside it,
one per concern (``data``: build, load, validate, dumps, answers, generate,
status; ``querying``: query, serve; ``link``: link; ``check``: check; ``report``: report). A new concern adds a module and registers
its commands at the bottom of this file.
"""

from __future__ import annotations

from pathlib import Path

import click

from policykg import __version__
from policykg.config import ConfigError, load_settings
from policykg.storebase import StoreError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="policykg")
@click.option("--store", type=click.Path(path_type=Path), help="Store directory [POLICYKG_STORE; default var/store].")
@click.option("--base-iri", help="Base IRI of instance data [POLICYKG_BASE_IRI].")
@click.pass_context
def cli(ctx: click.Context, store: Path | None, base_iri: str | None) -> None:
    """policykg: the International Program of Umeå kommun as a linked-data knowledge graph.

    Settings come from defaults, then POLICYKG_* environment variables, then options.
    """
    try:
        ctx.obj = load_settings({"store": store, "base_iri": base_iri})
    except ConfigError as error:
        raise click.UsageError(str(error)) from None


def main() -> None:
    try:
        cli(prog_name="policykg")
    except StoreError as error:  # a store that failed under any command: said in one line, as click says its errors
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(1) from None


def _register() -> None:
    from . import check, data, link, querying, report

    for module in (data, link, querying, check, report):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()
