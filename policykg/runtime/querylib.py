"""The library of named queries: ``queries/NAME.rq`` with a metadata header.

The header is YAML in comment lines that start with ``#+`` (the convention of
grlc), before the query::

    #+ title:
    #+   sv: Programmets mål
    #+   en: The program's goals
    #+ description:
    #+   en: The five goals, in the order of the document.
    #+   sv: De fem målen, i dokumentets ordning.
    #+ parameters:
    #+   goal:
    #+     type: iri            # iri | string | integer | decimal | date | year | boolean
    #+     class: pkg:Goal      # for iri: the class of allowed values (documentation and API forms)
    #+     enum: [...]          # allowed values, if a closed list
    #+     default: ...         # used when the caller gives none
    #+     required: false
    #+     description: {en: ..., sv: ...}
    #+     example: goal/2
    #+ example:
    #+   goal: goal/2
    #+ tags: [program]
    #+ stored: true          # answered once per generation at publish (see policykg.publication.answers)

It is the single source for the CLI, the API, the OpenAPI document and the docs.
Parameters become RDF terms bound to the query's variable of the same name (in VALUES
blocks written by pyoxigraph: :mod:`policykg.runtime.binding`); they are never pasted into
the query text as text. A parameter left out (and without default) leaves its variable free.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Mapping

import pyoxigraph as ox
import yaml

from policykg.namespaces import PREFIXES, XSD, Iris

#: Query-string names the API keeps for itself: a query may not declare them.
RESERVED_PARAMETERS = ("limit", "offset", "lang", "format")
#: Rows per page of an answer through the API: by default, and at most.
DEFAULT_PAGE_ROWS = 100
MAX_PAGE_ROWS = 1000
#: The highest offset a page may start at (pyoxigraph's OFFSET is a machine integer).
MAX_OFFSET = 1_000_000_000
PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "date", "year", "boolean")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")
PARAM_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class QueryDefinitionError(ValueError):
    """A .rq file whose header is wrong; the message names the file and the key."""


class ParameterError(ValueError):
    """Parameter values that do not fit their declarations: ``problems`` lists
    (parameter, message) pairs, all of them, not just the first."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"parameter {name!r}: {message}" for name, message in problems))


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool = False
    default: Any = None
    enum: tuple[str, ...] | None = None
    rdf_class: str | None = None
    description: dict[str, str] = field(default_factory=dict)
    example: Any = None

    def to_term(self, raw: Any, iris: Iris) -> ox.NamedNode | ox.Literal:
        """The RDF term for a caller's value, or :class:`ParameterError`."""
        text = str(raw).strip() if not isinstance(raw, bool) else ("true" if raw else "false")
        if self.enum is not None and text not in self.enum:
            raise ParameterError([(self.name, f"expected one of {', '.join(self.enum)}; got {text!r}")])
        try:
            return _CONVERTERS[self.type](text, iris)
        except ValueError as error:
            raise ParameterError([(self.name, str(error))]) from None


def _iri(text: str, iris: Iris) -> ox.NamedNode:
    if not text:
        raise ValueError("expected an IRI, got an empty value")
    if IRI_FORBIDDEN.search(text):
        raise ValueError(f"not an IRI (spaces, quotes and <>{{}}|^`\\ are not allowed): {text!r}")
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", text):
        text = iris(text)  # a path relative to the base, such as goal/2
    elif not re.match(r"^(https?|urn):", text):
        raise ValueError(f"expected an http(s) IRI or a path such as goal/2; got {text!r}")
    return ox.NamedNode(text)


def _integer(text: str, iris: Iris) -> ox.Literal:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"expected an integer, got {text!r}")
    return ox.Literal(str(int(text)), datatype=ox.NamedNode(XSD.integer))


def _decimal(text: str, iris: Iris) -> ox.Literal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"expected a decimal number, got {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"expected a finite decimal number, got {text!r}")
    return ox.Literal(format(value, "f"), datatype=ox.NamedNode(XSD.decimal))


def _date(text: str, iris: Iris) -> ox.Literal:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD.date))


def _year(text: str, iris: Iris) -> ox.Literal:
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"expected a year as YYYY, got {text!r}")
    return ox.Literal(text, datatype=ox.NamedNode(XSD.gYear))


def _boolean(text: str, iris: Iris) -> ox.Literal:
    if text.lower() not in {"true", "false", "1", "0"}:
        raise ValueError(f"expected true or false, got {text!r}")
    return ox.Literal("true" if text.lower() in {"true", "1"} else "false", datatype=ox.NamedNode(XSD.boolean))


def _string(text: str, iris: Iris) -> ox.Literal:
    return ox.Literal(text)


_CONVERTERS = {
    "iri": _iri,
    "string": _string,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "year": _year,
    "boolean": _boolean,
}


@dataclass(frozen=True)
class NamedQuery:
    """One query of the library."""

    name: str
    path: Path
    title: dict[str, str]
    description: dict[str, str]
    sparql: str
    parameters: dict[str, Parameter]
    example: dict[str, Any]
    tags: tuple[str, ...] = ()
    #: Answered once per published generation (with its defaults; per member of the class of
    #: its one required IRI parameter) and served from the stored answers.
    stored: bool = False

    @property
    def text(self) -> str:
        """The whole file, header included (what the query editor shows)."""
        return self.path.read_text(encoding="utf-8")

    def bind(self, values: Mapping[str, Any], iris: Iris) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Check ``values`` against the declarations and turn them into substitutions.

        All problems are reported together, in a :class:`ParameterError` whose
        message lists them.
        """
        takes = ", ".join(self.parameters) or "no parameters"
        problems = [(name, f"unknown; this query takes {takes}") for name in sorted(set(values) - set(self.parameters))]
        bindings = {}
        for name, parameter in self.parameters.items():
            raw = values.get(name)
            if raw is None or raw == "":
                raw = parameter.default
            if raw is None or raw == "":
                if parameter.required:
                    problems.append((name, "required"))
                continue
            try:
                bindings[ox.Variable(name)] = parameter.to_term(raw, iris)
            except ParameterError as error:
                problems += error.problems
        if problems:
            raise ParameterError(problems)
        return bindings


def _split_header(text: str) -> tuple[str, str]:
    """The ``#+`` lines at the top (without their marker), and the rest."""
    lines = text.splitlines(keepends=True)
    count = 0
    while count < len(lines) and lines[count].startswith("#+"):
        count += 1
    header = [line[3:] if line.startswith("#+ ") else line[2:] for line in lines[:count]]
    return "".join(header), "".join(lines[count:])


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or not {"sv", "en"} <= set(value):
        raise QueryDefinitionError(f"{where}: expected a mapping with 'sv' and 'en' texts")
    return {str(k): str(v).strip() for k, v in value.items()}


def parse_query_file(path: Path) -> NamedQuery:
    """Read one ``.rq`` file; :class:`QueryDefinitionError` says what is wrong with its header."""
    name = path.stem
    if not NAME_PATTERN.match(name):
        raise QueryDefinitionError(f"{path}: a query's file name must be lower-case words joined by '-'")
    text = path.read_text(encoding="utf-8")
    header_text, body = _split_header(text)
    sparql = text  # the header lines are SPARQL comments: positions in errors are file positions
    try:
        header = yaml.safe_load(header_text) or {}
    except yaml.YAMLError as error:
        raise QueryDefinitionError(f"{path}: header is not valid YAML: {error}") from None
    if not isinstance(header, dict):
        raise QueryDefinitionError(f"{path}: header must be a mapping of keys (title, description, ...)")
    title = _bilingual(header.get("title"), f"{path}: title")
    description = _bilingual(header.get("description"), f"{path}: description")
    parameters = {}
    for pname, spec in (header.get("parameters") or {}).items():
        where = f"{path}: parameters.{pname}"
        if not PARAM_PATTERN.match(str(pname)):
            raise QueryDefinitionError(f"{where}: names are lower-case letters, digits and '_'")
        if pname in RESERVED_PARAMETERS:
            raise QueryDefinitionError(f"{where}: {', '.join(RESERVED_PARAMETERS)} are kept for paging and formats")
        if not isinstance(spec, dict) or spec.get("type") not in PARAMETER_TYPES:
            raise QueryDefinitionError(f"{where}: 'type' must be one of {', '.join(PARAMETER_TYPES)}")
        if not re.search(r"[?$]" + re.escape(str(pname)) + r"\b", body):
            raise QueryDefinitionError(f"{where}: the query has no variable ?{pname} to bind")
        enum = spec.get("enum")
        parameters[pname] = Parameter(
            name=pname,
            type=spec["type"],
            required=bool(spec.get("required", False)),
            default=spec.get("default"),
            enum=tuple(str(v) for v in enum) if enum is not None else None,
            rdf_class=_expand(spec.get("class")),
            description=_bilingual(spec.get("description"), f"{where}.description"),
            example=spec.get("example"),
        )
    _check_sparql(path, sparql, parameters)
    example = header.get("example") or {}
    if not isinstance(example, dict) or set(example) - set(parameters):
        raise QueryDefinitionError(f"{path}: example must map declared parameters to values")
    if not body.strip():
        raise QueryDefinitionError(f"{path}: no query after the header")
    stored = header.get("stored", False)
    if not isinstance(stored, bool):
        raise QueryDefinitionError(f"{path}: stored must be true or false")
    required = [p for p in parameters.values() if p.required]
    if stored and (len(required) > 1 or any(p.type != "iri" or not p.rdf_class for p in required)):
        raise QueryDefinitionError(
            f"{path}: a stored query may have one required parameter, an IRI with a class (it is answered for each member)"
        )
    return NamedQuery(
        name=name,
        path=path,
        title=title,
        description=description,
        sparql=sparql,
        parameters=parameters,
        example={str(k): v for k, v in example.items()},
        tags=tuple(header.get("tags") or ()),
        stored=stored,
    )


def _check_sparql(path: Path, sparql: str, parameters: dict[str, Parameter]) -> None:
    """Parse the query (by running it on an empty store) with every parameter bound.

    pyoxigraph substitutes only variables that the query projects, so this also
    catches a parameter missing from the SELECT clause.
    """
    dummy = {ox.Variable(name): ox.Literal("") for name in parameters}
    try:
        ox.Store().query(sparql, substitutions=dummy)
    except SyntaxError as error:
        raise QueryDefinitionError(f"{path}: the query does not parse: {short(str(error))}") from None
    except RuntimeError as error:
        missing = re.search(r"variable \?(\w+) in its SELECT projection", str(error))
        if missing:
            raise QueryDefinitionError(
                f"{path}: parameter ?{missing.group(1)} must be in the SELECT clause (only projected variables can be bound)"
            ) from None
        raise QueryDefinitionError(f"{path}: {error}") from None


def short(message: str, limit: int = 240) -> str:
    """A parser message cut to a readable length (pyoxigraph lists every expected character class)."""
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _expand(curie: str | None) -> str | None:
    if curie is None:
        return None
    prefix, _, local = str(curie).partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES and not local.startswith("//") else str(curie)


def load_queries(directory: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` in ``directory``, by name."""
    return {q.name: q for q in map(parse_query_file, sorted(directory.glob("*.rq")))}
