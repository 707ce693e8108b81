"""The API's OpenAPI 3.1 document, generated from the named queries' headers."""

from __future__ import annotations

from policykg import __version__
from policykg.config import Settings
from policykg.runtime.querylib import DEFAULT_PAGE_ROWS as DEFAULT_LIMIT
from policykg.runtime.querylib import MAX_OFFSET, NamedQuery, Parameter
from policykg.runtime.querylib import MAX_PAGE_ROWS as MAX_LIMIT

#: JSON Schema of each parameter type (what the query string carries).
TYPE_SCHEMAS = {
    "iri": {"type": "string", "format": "iri-reference"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
    "boolean": {"type": "boolean"},
}
VALUE = {"type": ["string", "number", "integer", "boolean", "null"]}
SCHEMAS = {
    "Value": {
        **VALUE,
        "description": "One cell: an IRI or a text as a string, a number or a boolean as such, null when unbound.",
    },
    "Answer": {
        "type": "object",
        "required": ["query", "title", "parameters", "columns", "rows", "limit", "offset", "next", "prev"],
        "properties": {
            "query": {"type": "string", "description": "The query's name."},
            "title": {"type": "object", "properties": {"sv": {"type": "string"}, "en": {"type": "string"}}},
            "parameters": {
                "type": "object",
                "description": "The parameters as bound: IRIs in full, other values as their lexical form.",
                "additionalProperties": {"type": "string"},
            },
            "columns": {"type": "array", "items": {"type": "string"}},
            "rows": {
                "type": "array",
                "description": "One object per row, keyed by column.",
                "items": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Value"}},
            },
            "limit": {"type": "integer", "minimum": 1},
            "offset": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"], "format": "uri", "description": "The next page, or null on the last."},
            "prev": {"type": ["string", "null"], "format": "uri", "description": "The previous page, or null on the first."},
            "total": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "How many rows the whole answer has, when it is known (a stored answer), else null.",
            },
            "answered": {
                "type": "string",
                "enum": ["stored", "computed"],
                "description": "stored: answered once for this generation of the data, when it was published; "
                "computed: answered for this request.",
            },
        },
    },
    "Problem": {
        "type": "object",
        "description": "Problem details (RFC 9457); errors names each bad parameter.",
        "required": ["title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["parameter", "message"],
                    "properties": {"parameter": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
    "SparqlResults": {
        "type": "object",
        "description": "SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/).",
        "required": ["head", "results"],
    },
}


def parameter_schema(parameter: Parameter) -> dict:
    schema = dict(TYPE_SCHEMAS[parameter.type])
    if parameter.enum is not None:
        schema = {"type": "string", "enum": list(parameter.enum)}
    if parameter.default is not None:
        schema["default"] = _typed(parameter, parameter.default)
    if parameter.example is not None:
        schema["examples"] = [_typed(parameter, parameter.example)]
    return schema


def _typed(parameter: Parameter, value):
    """A default or example as the schema's type says (a YAML date becomes its ISO text)."""
    if parameter.enum is not None or parameter.type in ("iri", "string", "date", "year"):
        return str(value)
    if parameter.type == "boolean":
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
    if parameter.type == "integer":
        return int(value)
    return float(value)


def _parameter(parameter: Parameter) -> dict:
    entry = {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required,
        "description": parameter.description["en"],
        "x-description-sv": parameter.description["sv"],
        "schema": parameter_schema(parameter),
    }
    if parameter.rdf_class:
        entry["x-rdf-class"] = parameter.rdf_class
    return entry


STORED_NOTE = (
    "\n\nAnswered once per generation of the data, when it is published (with the defaults"
    " and for each value of a required parameter); other parameter values are computed per request."
)


def _operation(query: NamedQuery) -> dict:
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": query.title["en"],
        "description": query.description["en"] + (STORED_NOTE if query.stored else ""),
        "x-stored": query.stored,
        "x-title-sv": query.title["sv"],
        "x-description-sv": query.description["sv"],
        "tags": list(query.tags) or ["queries"],
        "parameters": [_parameter(p) for p in query.parameters.values()]
        + [{"$ref": "#/components/parameters/limit"}, {"$ref": "#/components/parameters/offset"}],
        "responses": {
            "200": {
                "description": "One page of the answer. `Link` headers point to the next and previous pages.",
                "headers": {
                    "Link": {"description": 'rel="next" and rel="prev" pages', "schema": {"type": "string"}},
                    "Policykg-Answered": {"description": "stored or computed (see answered)", "schema": {"type": "string"}},
                },
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Answer"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                    "application/sparql-results+json": {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
                },
            },
            "400": {"$ref": "#/components/responses/BadParameters"},
            "406": {"$ref": "#/components/responses/Problem"},
            "422": {"$ref": "#/components/responses/Problem"},
            "503": {"$ref": "#/components/responses/Problem"},
            "504": {"$ref": "#/components/responses/Problem"},
        },
    }


def openapi_document(queries: dict[str, NamedQuery], public_base: str, settings: Settings) -> dict:
    """The whole document; ``public_base`` is this server's URL, ending with '/'."""

    paths = {
        "/": {
            "get": {
                "operationId": "list_queries",
                "summary": "The named queries",
                "description": "Every query with its titles, description and parameters (JSON by Accept: application/json; HTML otherwise).",
                "responses": {"200": {"description": "The list", "content": {"application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}}},
            }
        }
    }
    for name, query in queries.items():
        paths[f"/{name}"] = {"get": _operation(query)}
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "policykg: the International Program of Umeå kommun, as questions",
            "version": __version__,
            "description": (
                "Ready questions to the knowledge graph of Umeå kommun's International Program and the "
                "municipality's international work. Each is a SPARQL query with typed parameters, which are "
                "bound as RDF terms. Answers are JSON (default), CSV, HTML or SPARQL JSON, by Accept or by a "
                f"suffix (.json, .csv, .html). The base IRI of the data is {settings.base_iri}; an IRI "
                "parameter also takes a path under it, such as goal/2."
            ),
            "x-description-sv": (
                "Färdiga frågor till kunskapsgrafen över Umeå kommuns internationella program och kommunens "
                "internationella arbete. Parametrar binds som RDF-termer."
            ),
            "license": {"name": "CC0-1.0 (data)", "identifier": "CC0-1.0"},
        },
        "servers": [{"url": public_base + "api"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "parameters": {
                "limit": {
                    "name": "limit",
                    "in": "query",
                    "description": f"Rows per page (at most {MAX_LIMIT}).",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                },
                "offset": {
                    "name": "offset",
                    "in": "query",
                    "description": "Rows to skip: the page starts after them.",
                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
                },
            },
            "responses": {
                "BadParameters": {"description": "A parameter does not fit its declaration; each is named.", "content": problem},
                "Problem": {"description": "The answer could not be given (not acceptable, too large, busy, too slow).", "content": problem},
            },
        },
    }
