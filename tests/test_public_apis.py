"""Every dependency is used through its public API, and every one the code imports is declared.

A private name (one leading underscore) of a library can change in any release; the provider
layer once reached about thirty of them. In the project's packages:

- nothing imports a private module or name of another package (``from openai._x import``);
- no attribute with a leading underscore is read or set on anything but ``self`` or ``cls``
  (that also keeps the project's own modules off each other's private names);
- no ``getattr``/``hasattr``/``setattr`` names a private attribute in a string;
- no class overrides a private method of a dependency's class it inherits from.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["cli", "core", "interviewer", "llm", "problems", "rubrics", "storage", "web"]
TOOLING = ["bench", "scripts"]
OURS = set(PACKAGES) | set(TOOLING) | {"tests"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _sources(folders):
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(ROOT)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            top = node.module.split(".")[0]
            if top not in OURS:
                if any(_private(part) for part in node.module.split(".")):
                    found.append(f"{where}:{node.lineno} imports from {node.module}")
                found += [
                    f"{where}:{node.lineno} imports {alias.name} from {node.module}"
                    for alias in node.names
                    if _private(alias.name)
                ]
        elif isinstance(node, ast.Import):
            found += [
                f"{where}:{node.lineno} imports {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] not in OURS
                and any(_private(part) for part in alias.name.split("."))
            ]
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append(f"{where}:{node.lineno} uses .{node.attr} of {ast.unparse(owner)}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr", "setattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append(f"{where}:{node.lineno} {node.func.id}(..., {node.args[1].value!r})")
    return found


@pytest.mark.parametrize("folder", PACKAGES + TOOLING)
def test_no_private_name_of_a_dependency_is_used(folder):
    found = [line for path in _sources([folder]) for line in _violations(path)]
    assert found == []


def _private_methods(path: Path) -> dict[str, list[str]]:
    """Class name -> the private methods its body defines, for each top-level class."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name: [
            item.name
            for item in node.body
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and _private(item.name)
        ]
        for node in tree.body
        if isinstance(node, ast.ClassDef)
    }


@pytest.mark.parametrize("folder", PACKAGES)
def test_no_class_overrides_a_private_method_of_a_dependency(folder):
    found = []
    for path in _sources([folder]):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        classes = {cls: methods for cls, methods in _private_methods(path).items() if methods}
        if not classes:
            continue
        module = importlib.import_module(name)
        for cls_name, methods in classes.items():
            cls = getattr(module, cls_name)
            foreign = [b for b in cls.__mro__[1:] if b.__module__.split(".")[0] not in OURS]
            found += [
                f"{name}.{cls_name}.{method} overrides a private method"
                for method in methods
                if any(hasattr(base, method) for base in foreign)
            ]
    assert found == []


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [
        item for group in project["optional-dependencies"].values() for item in group
    ]
    names = {re.split(r"[\[<>=!~; ]", item, maxsplit=1)[0] for item in requirements}
    return {name.lower().replace("_", "-") for name in names}


def _imported(folders) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in _sources(folders):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for module in names:
                found.setdefault(module.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared_in_pyproject():
    distributions = metadata.packages_distributions()
    declared = _declared()
    missing = []
    for module, users in sorted(_imported(PACKAGES + TOOLING + ["tests"]).items()):
        if module in sys.stdlib_module_names or module in OURS:
            continue
        dists = {d.lower().replace("_", "-") for d in distributions.get(module, [module])}
        if not dists & declared:
            missing.append(f"{module} (imported by {sorted(users)[0]})")
    assert missing == []
