"""Which imports of a package go upward through its layers, read from the source with ``ast``.

A layer is a set of modules: a subpackage (every module under it) or named top-level modules.
Layers are ordered from the bottom; a module may import its own layer and the ones below it,
never one above. Every import counts, also those inside functions and under ``TYPE_CHECKING``
(a deferred import is a dependency all the same).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layer:
    name: str
    #: Subpackages (``"loading"``) or top-level modules (``"fmt"``) of the package.
    members: tuple[str, ...]


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root`` by dotted name (``__init__`` as the package)."""
    names: dict[str, Path] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def layer_index(module: str, package: str, layers: Sequence[Layer]) -> int | None:
    """The position of the module's layer, or None when no layer holds it."""
    relative = module.removeprefix(package).lstrip(".") or "__init__"
    head = relative.split(".")[0]
    for index, layer in enumerate(layers):
        if head in layer.members:
            return index
    return None


def imported_modules(path: Path, module: str, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, module) for every import of a known module in the file: ``from P import name``
    names module ``P.name`` when that is a module, else ``P``; relative imports are resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if candidate in known:
                    yield node.lineno, candidate
                elif base in known:
                    yield node.lineno, base


def upward_imports(root: Path, package: str, layers: Sequence[Layer]) -> list[str]:
    """One line per import from a higher layer: ``file:line: module (layer) imports ...``."""
    modules = module_names(root, package)
    known = set(modules)
    found = []
    for module, path in modules.items():
        own = layer_index(module, package, layers)
        for line, target in imported_modules(path, module, known):
            theirs = layer_index(target, package, layers)
            if own is not None and theirs is not None and theirs > own:
                found.append(
                    f"{path.relative_to(root)}:{line}: {module} ({layers[own].name}) imports "
                    f"{target} ({layers[theirs].name}), a higher layer"
                )
    return found


def unassigned(root: Path, package: str, layers: Sequence[Layer]) -> list[str]:
    """The modules no layer holds."""
    return [
        module
        for module in module_names(root, package)
        if layer_index(module, package, layers) is None
    ]
