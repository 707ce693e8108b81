"""Commands that ask the store questions or serve it: query, serve."""

from __future__ import annotations

import sys

import click

from policykg.config import Settings
from policykg.paths import queries_dir
from policykg.runtime.binding import ask
from policykg.runtime.federation import route_query
from policykg.runtime.querylib import ParameterError, QueryDefinitionError, load_queries
from policykg.runtime.remotes import RemoteRefused
from policykg.runtime.results import ALL_FORMATS, render
from policykg.store import StoreError, open_store

from .options import settings_with


@click.command()
@click.argument("name", required=False)
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE", help="A parameter of the named query.")
@click.option("--sparql", help="Run this SPARQL query instead of a named one.")
@click.option("--format", "-f", "fmt", type=click.Choice(ALL_FORMATS), default="table", show_default=True)
@click.option("--list", "list_only", is_flag=True, help="List the named queries.")
@click.pass_obj
def query(settings: Settings, name: str | None, params: tuple[str, ...], sparql: str | None, fmt: str, list_only: bool) -> None:
    """Run the named query NAME (see --list) or any query given with --sparql."""
    try:
        library = load_queries(queries_dir())
    except QueryDefinitionError as error:
        raise click.ClickException(str(error)) from None
    if list_only or (name is None and sparql is None):
        width = max(map(len, library), default=0)
        for query_name, named in library.items():
            click.echo(f"{query_name.ljust(width)}  {named.title['en']}")
        return
    if name and sparql:
        raise click.UsageError("give a query NAME or --sparql, not both")
    substitutions = {}
    if name:
        if name not in library:
            raise click.UsageError(f"no query named {name!r}; known: {', '.join(library)}")
        values = {}
        for item in params:
            key, sep, value = item.partition("=")
            if not sep:
                raise click.UsageError(f"--param {item!r}: expected KEY=VALUE")
            values[key.strip()] = value
        try:
            substitutions = library[name].bind(values, settings.iris)
        except ParameterError as error:
            raise click.UsageError(str(error)) from None
        sparql = library[name].sparql
    elif params:
        raise click.UsageError("--param applies to named queries only")
    try:
        sparql = route_query(sparql, settings)  # SERVICE only to allow-listed endpoints (or their stand-ins)
    except RemoteRefused as error:
        raise click.ClickException(str(error)) from None
    try:
        result = ask(open_store(settings), sparql, substitutions)
        output = render(result, fmt)
    except SyntaxError as error:
        raise click.ClickException(f"query syntax: {error}") from None
    except (StoreError, ValueError, OSError) as error:
        raise click.ClickException(str(error)) from None
    sys.stdout.buffer.write(output)
    if not output.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@click.command()
@click.option("--host", help="Interface to listen on [POLICYKG_HOST; default 127.0.0.1].")
@click.option("--port", type=int, help="Port [POLICYKG_PORT; default 5000].")
@click.option("--workers", type=int, help="Worker processes [POLICYKG_WORKERS].")
@click.option("--threads", type=int, help="Threads per worker [POLICYKG_THREADS].")
@click.option("--query-timeout", type=float, help="Time limit of a query in seconds [POLICYKG_QUERY_TIMEOUT; default 30].")
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, workers: int | None, threads: int | None, query_timeout: float | None
) -> None:
    """Serve the store over HTTP with a production WSGI server (Granian).

    The SPARQL endpoint is /sparql, the query editor /editor; /update and /store
    exist when POLICYKG_UPDATE_TOKEN is set.
    """
    from policykg.server.wsgi import run

    settings = settings_with(ctx, host=host, port=port, workers=workers, threads=threads, query_timeout=query_timeout)
    run(settings)


COMMANDS = (query, serve)
