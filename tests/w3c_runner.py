"""A runner for the W3C SPARQL 1.1 protocol, graph store protocol and service
description test suites, against a live server over HTTP.

The manifests describe HTTP requests in RDF (ht:, cnt:) with expected answers
(mf:expectedStatus, mf:expectedFormat, mf:expectedBoolean, response headers and
bodies, mf:expectedLocation). How they are mapped onto this server:

* paths: ``/sparql/`` becomes ``/sparql`` and ``/gsp`` becomes ``/store``;
* a request of an update test (``update_*``, ``bad_update_*``) that carries no
  query goes to ``/update``: the suite sends queries and updates to one path,
  we serve updates on their own, token-protected endpoint;
* every request to ``/update`` and ``/store`` carries ``Authorization: Bearer TOKEN``;
* each test starts from an empty store (``DROP ALL``), then its ``ut:graphData``
  files are loaded into the named graphs their labels give (graph store PUT);
* the service description tests, which the manifest names without requests,
  are implemented here from the Service Description recommendation.
"""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from policykg.namespaces import CNT, HT, MF, RDF, RDFS, SD, UT

NAMED_STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
SOLUTION_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


@dataclass
class Expected:
    statuses: list[str] = field(default_factory=list)  # local names in hts:
    format: str | None = None
    boolean: bool | None = None
    location_variable: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class W3CTest:
    id: str  # the local name, e.g. query_post_form
    name: str
    requests: list[Request]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)


def _local(term) -> str:
    text = str(term)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _items(graph: rdflib.Graph, head) -> list:
    return list(Collection(graph, head)) if head is not None else []


def _headers(graph: rdflib.Graph, node) -> dict[str, str]:
    found = {}
    for header in _items(graph, graph.value(node, HT.headers)):
        found[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    return found


def _body(graph: rdflib.Graph, node) -> tuple[str | None, str]:
    body = graph.value(node, HT.body)
    if body is None:
        return None, "UTF-8"
    return str(graph.value(body, CNT.chars)), str(graph.value(body, CNT.characterEncoding) or "UTF-8")


def load_manifest(path: Path) -> list[W3CTest]:
    """The tests of a manifest (and of the manifests it includes), in order."""
    # Parsed with the IRI it is looked up by: rdflib takes the path as given, which is not the
    # resolved one where the shared data is reached through a link.
    manifest = rdflib.URIRef(path.resolve().as_uri())
    graph = rdflib.Graph().parse(path, format="turtle", publicID=str(manifest))
    tests: list[W3CTest] = []
    for included in _items(graph, graph.value(manifest, MF.include)):
        tests += load_manifest(Path(urlsplit(str(included)).path))
    for entry in _items(graph, graph.value(manifest, MF.entries)):
        requests = []
        action = graph.value(entry, MF.action)
        for node in _items(graph, graph.value(action, HT.requests)) if action is not None else []:
            text, encoding = _body(graph, node)
            response = graph.value(node, HT.resp)
            expected_body, _ = _body(graph, response)
            boolean = graph.value(response, MF.expectedBoolean)
            location = graph.value(response, MF.expectedLocation)
            requests.append(
                Request(
                    method=str(graph.value(node, HT.methodName)),
                    path=str(graph.value(node, HT.absolutePath)),
                    headers=_headers(graph, node),
                    body=None if text is None else text.encode(encoding),
                    expected=Expected(
                        statuses=[_local(s) for s in graph.objects(response, MF.expectedStatus)],
                        format=str(graph.value(response, MF.expectedFormat) or "") or None,
                        boolean=None if boolean is None else boolean.toPython(),
                        location_variable=None if location is None else str(location),
                        headers=_headers(graph, response),
                        body=expected_body,
                    ),
                )
            )
        data = []
        for item in graph.objects(entry, UT.graphData):
            data.append((Path(urlsplit(str(graph.value(item, UT.graph))).path), str(graph.value(item, RDFS.label))))
        tests.append(W3CTest(_local(entry), str(graph.value(entry, MF.name)), requests, data))
    return tests


def _status_matches(status: int, expected: list[str]) -> bool:
    for name in expected:
        if name.startswith("StatusCode") and name.endswith("xx"):
            if status // 100 == int(name[len("StatusCode")]):
                return True
        elif name in NAMED_STATUS:
            if status == NAMED_STATUS[name]:
                return True
        else:
            raise ValueError(f"unknown expected status {name}")
    return not expected


def _media(value: str | None) -> tuple[str, dict[str, str]]:
    media, *params = (value or "").split(";")
    pairs = (p.split("=", 1) for p in params if "=" in p)
    return media.strip().lower(), {k.strip().lower(): v.strip().strip('"').lower() for k, v in pairs}


class Runner:
    """Runs tests against ``base_url`` (ending with '/') with the update ``token``."""

    def __init__(self, base_url: str, token: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.base_url = base_url
        self.token = token

    # --- HTTP -------------------------------------------------------------------

    def _send(self, connection, method: str, path: str, headers: dict[str, str], body: bytes | None):
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()

    def _authorized(self, headers: dict[str, str]) -> dict[str, str]:
        return {**headers, "Authorization": f"Bearer {self.token}"}

    def reset(self, test: W3CTest) -> None:
        """An empty store, then the test's data in its named graphs."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            status, _, body = self._send(
                connection, "POST", "/update", self._authorized({"Content-Type": "application/sparql-update"}), b"DROP ALL"
            )
            assert status == 204, f"DROP ALL: {status} {body!r}"
            for path, graph in test.graph_data:
                from urllib.parse import quote

                status, _, body = self._send(
                    connection,
                    "PUT",
                    f"/store?graph={quote(graph, safe='')}",
                    self._authorized({"Content-Type": "application/n-triples"}),
                    path.read_bytes(),
                )
                assert status in (201, 204), f"loading {path.name} into <{graph}>: {status} {body!r}"
        finally:
            connection.close()

    def _route(self, test: W3CTest, request: Request) -> tuple[str, dict[str, str]]:
        path, headers = request.path, dict(request.headers)
        if path.startswith("/gsp"):
            return "/store" + path[len("/gsp") :], self._authorized(headers)
        assert path.startswith("/sparql/"), path
        rest = path[len("/sparql/") :]
        carries_query = headers.get("content-type", "").startswith("application/sparql-query") or "query=" in (
            rest + (request.body or b"").decode("utf-8", "replace")
        )
        if "update" in test.id and not carries_query:
            return "/update" + rest, self._authorized(headers)
        return "/sparql" + rest, headers

    # --- checks -----------------------------------------------------------------

    def run(self, test: W3CTest) -> list[str]:
        """Problems found (empty: the test passes)."""
        self.reset(test)
        problems: list[str] = []
        variables: dict[str, str] = {}
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            for number, request in enumerate(test.requests, 1):
                path, headers = self._route(test, request)
                body = request.body
                for name, value in variables.items():
                    path = path.replace(name, value)
                    body = body.replace(name.encode(), value.encode()) if body is not None else None
                status, response_headers, content = self._send(connection, request.method, path, headers, body)
                where = f"request {number} ({request.method} {path})"
                problems += [f"{where}: {p}" for p in self._check(request, status, response_headers, content)]
                if request.expected.location_variable:
                    variables[request.expected.location_variable] = response_headers.get("location", "")
        finally:
            connection.close()
        return problems

    def _check(self, request: Request, status: int, headers: dict[str, str], content: bytes) -> list[str]:
        expected = request.expected
        if not _status_matches(status, expected.statuses):
            return [f"status {status}, expected {' or '.join(expected.statuses)}: {content[:300]!r}"]
        problems = []
        media, params = _media(headers.get("content-type"))
        if expected.format == "boolean" or expected.boolean is not None:
            if media not in SOLUTION_TYPES:
                return [f"a boolean answer in {media!r}"]
            answer = ox.parse_query_results(content, format=SOLUTION_TYPES[media])
            if not isinstance(answer, ox.QueryBoolean):
                return ["the answer is not a boolean"]
            if expected.boolean is not None and bool(answer) != expected.boolean:
                problems.append(f"boolean {bool(answer)}, expected {expected.boolean}")
        elif expected.format == "tabular":
            if media not in SOLUTION_TYPES:
                return [f"a table in {media!r}"]
            ox.parse_query_results(content, format=SOLUTION_TYPES[media])
        elif expected.format == "RDF":
            if media not in RDF_TYPES:
                return [f"RDF in {media!r}"]
            list(ox.parse(content, format=RDF_TYPES[media], base_iri=self.base_url))
        for name, value in expected.headers.items():
            if name == "content-type":
                if _media(value) != (media, params):
                    problems.append(f"Content-Type {headers.get(name)!r}, expected {value!r}")
            elif headers.get(name) != value:
                problems.append(f"{name}: {headers.get(name)!r}, expected {value!r}")
        if expected.body is not None and request.method != "HEAD":
            fmt = RDFLIB_FORMATS.get(media)
            if fmt is None:
                return problems + [f"cannot compare a body in {media!r}"]
            got = rdflib.Graph().parse(data=content, format=fmt)
            want = rdflib.Graph().parse(data=expected.body, format="turtle")
            if not isomorphic(got, want):
                problems.append(f"the graph differs from the expected one:\n{content.decode(errors='replace')}")
        return problems

    # --- the service description tests ---------------------------------------------

    def service_description(self, accept: str) -> tuple[int, str, rdflib.Graph | None]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            status, headers, content = self._send(connection, "GET", "/sparql", {"Accept": accept}, None)
        finally:
            connection.close()
        media, _ = _media(headers.get("content-type"))
        graph = None
        if status == 200 and media in RDFLIB_FORMATS:
            graph = rdflib.Graph().parse(data=content, format=RDFLIB_FORMATS[media], publicID=self.base_url + "sparql")
        return status, media, graph


#: The Service Description vocabulary (https://www.w3.org/TR/sparql11-service-description/, section 3).
SD_CLASSES = {"Service", "Feature", "Language", "Function", "Aggregate", "EntailmentRegime", "EntailmentProfile",
              "GraphCollection", "Dataset", "Graph", "NamedGraph"}
SD_PROPERTIES = {"endpoint", "feature", "defaultEntailmentRegime", "entailmentRegime", "defaultSupportedEntailmentProfile",
                 "supportedEntailmentProfile", "extensionFunction", "extensionAggregate", "languageExtension",
                 "supportedLanguage", "propertyFeature", "defaultDataset", "availableGraphs", "resultFormat",
                 "inputFormat", "defaultGraph", "namedGraph", "name", "graph"}
SD_LANGUAGES = {"SPARQL10Query", "SPARQL11Query", "SPARQL11Update"}
SD_FEATURES = {"DereferencesURIs", "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs", "BasicFederatedQuery"}


def schema_problems(graph: rdflib.Graph) -> list[str]:
    """Where a service description departs from the SD vocabulary's classes, domains and ranges."""
    problems = []
    for s, p, o in graph:
        for term in (p, o):
            if isinstance(term, rdflib.URIRef) and str(term).startswith(str(SD)):
                name = str(term)[len(str(SD)) :]
                if name not in SD_CLASSES | SD_PROPERTIES | SD_LANGUAGES | SD_FEATURES:
                    problems.append(f"sd:{name} is not a term of the vocabulary")
    services = set(graph.subjects(RDF.type, SD.Service))
    if not services:
        problems.append("no sd:Service")
    for service in services:
        if not list(graph.objects(service, SD.endpoint)):
            problems.append("an sd:Service without sd:endpoint")
        for language in graph.objects(service, SD.supportedLanguage):
            if str(language)[len(str(SD)) :] not in SD_LANGUAGES:
                problems.append(f"sd:supportedLanguage {language} is not an sd:Language")
        for feature in graph.objects(service, SD.feature):
            if str(feature)[len(str(SD)) :] not in SD_FEATURES:
                problems.append(f"sd:feature {feature} is not one of the vocabulary's features")
        for fmt in graph.objects(service, SD.resultFormat):
            if not isinstance(fmt, rdflib.URIRef):
                problems.append(f"sd:resultFormat {fmt!r} is not an IRI")
        for dataset in graph.objects(service, SD.defaultDataset):
            if (dataset, RDF.type, SD.Dataset) not in graph:
                problems.append("sd:defaultDataset is not an sd:Dataset")
            for default in graph.objects(dataset, SD.defaultGraph):
                if (default, RDF.type, SD.Graph) not in graph:
                    problems.append("sd:defaultGraph is not an sd:Graph")
            for named in graph.objects(dataset, SD.namedGraph):
                if (named, RDF.type, SD.NamedGraph) not in graph:
                    problems.append("sd:namedGraph is not an sd:NamedGraph")
                names = list(graph.objects(named, SD.name))
                if len(names) != 1 or not isinstance(names[0], rdflib.URIRef):
                    problems.append("an sd:NamedGraph needs exactly one sd:name IRI")
    return problems


def as_json(problems: list[str]) -> str:
    return json.dumps(problems, indent=2, ensure_ascii=False)
