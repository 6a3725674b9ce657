"""The package's layout rules, read from the source with ``ast`` (no module is imported).

The subpackages form layers, lowest first: util, catalog, embedding, search, brandfit, ranking, evaluation,
planning, scale; above them ``recommender/saved.py`` (the saved folder), the facade module ``recommender/recommender.py``
and then the command line ``recommender/cli/``. A module
may import only from its own layer or lower ones, another subpackage only through its ``__init__``, no private
name of another module, and the module graph has no cycles. Every import counts, at any nesting level (inside
functions, under ``if TYPE_CHECKING:``). The top-level ``recommender/__init__.py`` only re-exports lazily, so it
is left out of the graph; importing it from inside the package is a layering violation (it re-exports the facade).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "recommender"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
LAYERS = ("util", "catalog", "embedding", "search", "brandfit", "ranking", "evaluation", "planning", "scale", "saved",
          "recommender", "cli")
MAX_LINES = 400


@dataclass(frozen=True)
class Import:
    """One imported module at one line of an importer: ``target``, named in the statement as ``via``.

    ``from ..util import persistence`` imports the module ``recommender.util.persistence`` via ``recommender.util``;
    ``names`` are the imported names that are not modules.
    """

    importer: str
    line: int
    target: str
    via: str
    names: tuple[str, ...]

    def where(self) -> str:
        return f"{module_path(self.importer)}:{self.line}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


FILES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}
SOURCES = {name: path.read_text(encoding="utf-8") for name, path in FILES.items()}
MODULES = set(SOURCES) - {PACKAGE}
PACKAGES = {name for name, path in FILES.items() if path.name == "__init__.py"}


def module_path(name: str) -> str:
    """The file of module ``name``, relative to the repository root."""
    return str(FILES[name].relative_to(ROOT.parent))


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    package = importer if importer in PACKAGES else importer.rpartition(".")[0]
    if node.level == 0:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(importer: str) -> list[Import]:
    """The package-internal imports of ``importer``: ``from .x import a, b`` targets ``.x.a`` where that is a module."""
    out = []
    for node in ast.walk(ast.parse(SOURCES[importer])):
        if isinstance(node, ast.Import):
            out += [Import(importer, node.lineno, a.name, a.name, ()) for a in node.names
                    if a.name == PACKAGE or a.name.startswith(PACKAGE + ".")]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(importer, node)
            if base != PACKAGE and not base.startswith(PACKAGE + "."):
                continue
            plain = tuple(a.name for a in node.names if f"{base}.{a.name}" not in MODULES)
            out += [Import(importer, node.lineno, f"{base}.{a.name}", base, ()) for a in node.names
                    if f"{base}.{a.name}" in MODULES]
            if plain:
                out.append(Import(importer, node.lineno, base, base, plain))
    return out


IMPORTS = {name: _imports(name) for name in sorted(MODULES)}


def _unit(module: str) -> str:
    """The layer a module belongs to: its subpackage, or the top-level module itself (recommender, cli)."""
    return module.split(".")[1] if module != PACKAGE else PACKAGE


def _edges(imp: Import) -> list[str]:
    """Modules an import runs: the target and its enclosing packages, but those the importer is inside of."""
    parts = imp.target.split(".")
    enclosing = [".".join(parts[:i]) for i in range(2, len(parts))]
    return [m for m in enclosing if m in MODULES and not (imp.importer + ".").startswith(m + ".")] + (
        [imp.target] if imp.target in MODULES else [])


def _cycles() -> list[list[str]]:
    """Strongly connected components of the module graph with a cycle (Tarjan's algorithm, iterative)."""
    graph = {m: sorted({t for imp in IMPORTS[m] for t in _edges(imp)}) for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    found.append(sorted(component))
    return found


def test_the_layers_name_every_subpackage_and_top_level_module():
    unknown = sorted(m for m in MODULES if _unit(m) not in LAYERS)
    assert not unknown, f"modules outside every layer of {LAYERS}: {unknown}"


def test_no_import_cycles():
    lines = []
    for component in _cycles():
        members = set(component)
        lines.append("cycle among " + ", ".join(component) + ":")
        lines += [f"  {imp.where()} imports {target}" for m in component for imp in IMPORTS[m]
                  for target in _edges(imp) if target in members]
    assert not lines, "\n".join(lines)


def test_modules_import_only_their_own_layer_or_lower_ones():
    bad = []
    for name, imports in IMPORTS.items():
        if _unit(name) not in LAYERS:  # reported by the test above
            continue
        for imp in imports:
            here = LAYERS.index(_unit(imp.importer))
            if imp.target == PACKAGE:
                bad.append(f"{imp.where()} imports the top-level package {PACKAGE} ({', '.join(imp.names)}); "
                           "import from the subpackage that defines the name")
            elif _unit(imp.target) in LAYERS and LAYERS.index(_unit(imp.target)) > here:
                bad.append(f"{imp.where()} ({_unit(imp.importer)}) imports {imp.target} from the higher layer "
                           f"{_unit(imp.target)}")
    assert not bad, "imports of a higher layer (order " + " < ".join(LAYERS) + "):\n" + "\n".join(bad)


def _bound(package: str) -> set[str]:
    """Names the ``__init__`` of ``package`` binds at its top level: its interface."""
    names = set()
    for node in ast.parse(SOURCES[package]).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def test_other_subpackages_are_imported_through_their_init():
    """``from ..catalog import X`` with X bound by catalog/__init__.py; not ``from ..catalog.tables import X``,
    nor ``from ..catalog import validation`` where the __init__ does not export the submodule."""
    bad = []
    for imports in IMPORTS.values():
        for imp in imports:
            if _unit(imp.via) == _unit(imp.importer) or imp.via == PACKAGE:
                continue
            if imp.via.count(".") > 1:
                bad.append(f"{imp.where()} imports from {imp.via}; import from {PACKAGE}.{_unit(imp.via)} instead")
            elif imp.target != imp.via and imp.via in PACKAGES and imp.target.rpartition(".")[2] not in _bound(imp.via):
                bad.append(f"{imp.where()} imports the submodule {imp.target}, which {module_path(imp.via)} does not "
                           "export; import the names it needs from the __init__")
    assert not bad, "imports past another subpackage's __init__:\n" + "\n".join(bad)


def test_no_private_names_are_imported_from_another_module():
    bad = []
    for name in sorted(MODULES):
        for node in ast.walk(ast.parse(SOURCES[name])):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names
                           if a.name.startswith("_") and not (a.name.startswith("__") and a.name.endswith("__"))]
                if private:
                    source = "." * node.level + (node.module or "")
                    bad.append(f"{module_path(name)}:{node.lineno} imports {', '.join(private)} from {source}")
    assert not bad, "private names imported from another module:\n" + "\n".join(bad)


def test_no_module_is_longer_than_the_limit():
    long = {module_path(name): len(text.splitlines()) for name, text in SOURCES.items()}
    bad = [f"{path}: {n} lines" for path, n in sorted(long.items()) if n > MAX_LINES]
    assert not bad, f"modules over {MAX_LINES} lines:\n" + "\n".join(bad)
