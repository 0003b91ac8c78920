"""The house rules, read from the source with `ast`: imports point down the order of features, no import
hides inside a function, features never hedge against each other being missing, rules stay pure,
and no module grows past ~400 lines without saying why at its top."""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# The order of the portal's parts, lowest first (docs/architecture.md explains it). A module may import
# from its own part and from any part below it, never from one above: a fact a lower part needs from a
# higher one is passed in as an argument. The top part is the composition root, which wires the rest.
LAYERS: list[set[str]] = [
    {"config", "extensions", "db_types", "errors", "timeutil", "jobs", "web"},
    {"audit"},
    {"outbox"},
    {"auth"},
    {"rounds"},
    {"schedule"},
    {"proposals"},
    {"panel"},
    {"mentoring"},
    {"portfolio"},
    {"assessment"},
    {"reminders"},
    {"dashboard"},
    {"privacy"},
    {"admin"},
    {"main"},
    {"__init__", "models", "blueprints", "cli", "demo", "bench"},
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}

# Inside a feature, rules are pure predicates over models: no database, no services, no queries.
PURE_KINDS = {"rules"}
IMPURE_TARGETS = ("extensions", "services", "queries")

MAX_LINES = 400
LONG_REASON = "is over 400 lines because"


def _modules():
    for path in sorted(PORTAL.rglob("*.py")):
        relative = path.relative_to(PORTAL)
        yield path, relative


def _part(relative: Path) -> str:
    return relative.parts[0].removesuffix(".py")


def _part_of_module(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "portal":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    return (PORTAL / f"{name}.py").exists() or (PORTAL / name).is_dir()


def _imports(tree: ast.AST, relative: Path):
    """(line, imported module name, inside a function?) for every import of a portal module."""
    package = ["portal", *relative.parts[:-1]]
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package[: len(package) - child.level + 1]
                    name = ".".join(base + ([child.module] if child.module else []))
                else:
                    name = child.module or ""
                if name == "portal":  # from portal import timeutil: the module is portal.timeutil
                    found.extend((child.lineno, f"portal.{alias.name}" if _is_module(alias.name) else name,
                                  in_function) for alias in child.names)
                else:
                    found.append((child.lineno, name, in_function))
            visit(child, inner)

    visit(tree, False)
    return [(line, name, inner) for line, name, inner in found if name.split(".")[0] == "portal"]


def _parsed():
    for path, relative in _modules():
        yield path, relative, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def upward_imports() -> list[str]:
    """Every import that points from a part to a part above it."""
    problems = []
    for path, relative, tree in _parsed():
        here = _part(relative)
        assert here in RANK, f"{relative}: portal/{here} has no place in LAYERS"
        for line, name, _inner in _imports(tree, relative):
            there = _part_of_module(name)
            if there is None or there == here:
                continue
            assert there in RANK, f"{relative}:{line} imports {name}, which has no place in LAYERS"
            if RANK[there] > RANK[here]:
                problems.append(f"{relative}:{line} imports {name} ({there} is above {here})")
    return problems


def test_every_import_points_down_the_order_of_features():
    assert upward_imports() == []


def test_the_import_check_catches_an_upward_import(tmp_path, monkeypatch):
    """The check itself works: a rounds module that imports proposals is reported."""
    fake = tmp_path / "portal"
    (fake / "rounds").mkdir(parents=True)
    (fake / "rounds" / "bad.py").write_text("from portal.proposals.models import Proposal\n")
    (fake / "proposals").mkdir()
    (fake / "proposals" / "fine.py").write_text("from portal.rounds.models import Round\n")
    monkeypatch.setattr(sys.modules[__name__], "PORTAL", fake)
    assert upward_imports() == ["rounds/bad.py:1 imports portal.proposals.models (proposals is above rounds)"]


def hidden_imports() -> list[str]:
    """Every import of a portal module placed inside a function (where it hides a cycle)."""
    return [f"{relative}:{line} imports {name} inside a function"
            for _path, relative, tree in _parsed()
            for line, name, inner in _imports(tree, relative) if inner]


def test_no_portal_import_hides_inside_a_function():
    assert hidden_imports() == []


def hedges() -> list[str]:
    """Every place that copes with a module being missing."""
    found = []
    for _path, relative, tree in _parsed():
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
                if names & {"ImportError", "ModuleNotFoundError"}:
                    found.append(f"{relative}:{node.lineno} catches {sorted(names)}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module":
                found.append(f"{relative}:{node.lineno} imports a module by name")
    return found


def test_no_feature_hedges_against_another_being_missing():
    assert hedges() == []


def impure_rules() -> list[str]:
    """Every import that would let a rules module touch the database, a service or a query."""
    impure = []
    for path, relative, tree in _parsed():
        if path.stem not in PURE_KINDS:
            continue
        for line, name, _inner in _imports(tree, relative):
            last = name.split(".")[-1]
            if last in IMPURE_TARGETS:
                impure.append(f"{relative}:{line} imports {name}")
    return impure


def test_rules_are_pure_predicates():
    assert impure_rules() == []


def long_modules() -> list[str]:
    """Every module over MAX_LINES whose docstring does not say why."""
    long = []
    for path, relative, tree in _parsed():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES and LONG_REASON not in (ast.get_docstring(tree) or ""):
            long.append(f"{relative}: {lines} lines")
    return long


def test_no_module_is_long_without_saying_why():
    assert long_modules() == []


def test_templates_write_htmx_as_data_attributes():
    """htmx reads data-hx-*, which is valid HTML; a bare hx-* attribute would fail the Nu checker."""
    templates = PORTAL.parent / "templates"
    bare = [f"{path.relative_to(templates)}: {token}"
            for path in sorted(templates.rglob("*.html"))
            for token in set(re.findall(r"(?<![\w-])hx-[a-z-]+=", path.read_text(encoding="utf-8")))]
    assert bare == []


if __name__ == "__main__":
    # python -m tests.test_architecture: every finding, one a line.
    for check in (upward_imports, hidden_imports, hedges, impure_rules, long_modules):
        for finding in check():
            print(f"{check.__name__}: {finding}")
