"""The layers: the engine (`interviewer/`, `rubrics/`, `problems/`, `storage/`) never imports
the web layer or the settings (the wiring hands it what it uses), and the provider layer
(`llm/`) imports none of the application."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE_PACKAGES = ["interviewer", "rubrics", "problems", "storage"]
FORBIDDEN = ("web", "fastapi", "starlette", "uvicorn", "cli", "core")
PROVIDER_FORBIDDEN = (*FORBIDDEN, "interviewer", "rubrics", "problems", "storage")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", ENGINE_PACKAGES)
def test_engine_package_does_not_import_the_web_layer(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_the_provider_layer_imports_none_of_the_application():
    offenders = []
    for path in sorted((ROOT / "llm").rglob("*.py")):
        for name in imported_modules(path):
            if name.split(".")[0] in PROVIDER_FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []
