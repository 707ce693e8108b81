"""The shape of the code base, checked: every route answers through the one answer path
and the one negotiator (no view serialises, builds a response or reads Accept itself),
there are no import cycles, modules stay small, and no IRI is written inline outside
policykg/namespaces.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from helpers import REPO

#: Where answers become bytes, formats are chosen and errors rendered: the only places allowed to.
RENDERING = {"rendering.py", "negotiation.py", "errors.py"}
#: Calls that serialise, build a response or negotiate by hand.
FORBIDDEN_CALLS = {
    "serialize", "render_template", "render_template_string", "jsonify", "make_response",
    "parse_accept_header", "best_match", "Response", "writer", "json.dumps",
}
FORBIDDEN_ATTRIBUTES = {"accept_mimetypes", "accept_languages"}
#: Responses a view may still hand back as they are: redirects and files sent with byte ranges.
ALLOWED = {"redirect", "send_file"}
PACKAGES = {"policykg": "policykg", "loaders": "policykg.loaders", "server": "policykg.server"}


def _server_modules() -> list[Path]:
    return sorted(p for p in (REPO / "server").glob("*.py") if p.name not in RENDERING)


def _called_name(node: ast.Call) -> str | None:
    """The name a call is forbidden by, if any (``json.dumps``; not Flask's own ``super()`` hooks)."""
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
            return None
        if func.attr == "dumps":
            return "json.dumps" if isinstance(owner, ast.Name) and owner.id == "json" else None
        return func.attr
    return None


@pytest.mark.parametrize("path", _server_modules(), ids=lambda p: p.name)
def test_no_route_serialises_builds_a_response_or_negotiates_by_itself(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node) in FORBIDDEN_CALLS:
            found.append(f"line {node.lineno}: {_called_name(node)}(...)")
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"line {node.lineno}: .{node.attr}")
    # the CORS preflight (an empty 204) is the one response built outside the renderers
    if path.name == "cors.py":
        found = [f for f in found if "Response(...)" not in f]
    assert not found, f"{path.name} should return an Output and use server.negotiation: {found}"


def _imports() -> dict[str, set[str]]:
    modules = {}
    for folder, package in PACKAGES.items():
        for file in (REPO / folder).rglob("*.py"):
            parts = [p for p in file.relative_to(REPO / folder).with_suffix("").parts if p != "__init__"]
            modules[".".join([package, *parts])] = file
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, file in modules.items():
        is_package = file.name == "__init__.py"
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_package else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                subs = [f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in graph]
                targets = subs + ([module] if len(subs) < len(node.names) else [])
            for target in targets:
                if target in graph and target != name:
                    graph[name].add(target)
    return graph


def test_no_import_cycles():
    graph = _imports()
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for vertex in graph:
        if vertex not in index:
            visit(vertex)
    assert not cycles, cycles


@pytest.mark.parametrize("folder", ["policykg", "server", "loaders"])
def test_modules_stay_readable(folder):
    long = {str(p.relative_to(REPO)): n for p in (REPO / folder).rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > 550}
    assert not long, f"modules over 550 lines: {long}"


IRI = re.compile(r"""["'](https?://[^"'\s{}]+[/#])["']""")


@pytest.mark.parametrize("folder", ["policykg", "server", "loaders"])
def test_namespaces_are_written_in_one_module(folder):
    """A namespace IRI written as a Python string belongs in policykg/namespaces.py (SPARQL
    text and documentation are not checked: only string constants in code)."""
    found = []
    for path in (REPO / folder).rglob("*.py"):
        if path.name == "namespaces.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" not in node.value:
                if IRI.fullmatch(repr(node.value)) and "example.org" not in node.value:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.value}")
    assert not found, found
