"""The layers hold: pipeline/ is a library (no Prefect, Scrapy, spiders, flows, CLI); spiders run
without Prefect; flows compose pipeline and spiders; only the CLI knows all three."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "pipeline": {"prefect", "scrapy", "twisted", "spiders", "flows", "cleanwire"},
    "spiders": {"prefect", "flows", "cleanwire"},
    "flows": {"cleanwire"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_layers(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (REPO / package).rglob("*.py")
        if imported_roots(path) & FORBIDDEN[package]
    }
    assert not offenders, offenders


MAX_FUNCTION_LINES = 60
MEASURED = ("pipeline", "flows")


def _functions(package: str) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.append((f"{path.relative_to(REPO)}:{node.lineno} {node.name}", node))
    return found


@pytest.mark.parametrize("package", MEASURED)
def test_no_function_over_60_lines(package: str) -> None:
    """Measured from the ``def`` (decorators excluded) to the function's last line, docstring included."""
    long = {
        where: node.end_lineno - node.lineno + 1
        for where, node in _functions(package)
        if node.end_lineno is not None and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    }
    assert not long, long


def test_the_ingest_flow_module_stays_small() -> None:
    assert len((REPO / "flows" / "ingest.py").read_text().splitlines()) <= 250


@pytest.mark.parametrize("package", MEASURED)
def test_no_any_for_the_index_or_the_store(package: str) -> None:
    """The index is ``pipeline.dedup.judge.Index``, the store ``ObjectStore``: never ``Any``."""
    untyped = [
        f"{where} ({arg.arg})"
        for where, node in _functions(package)
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        if arg.arg in {"index", "store", "bucket"}
        and (arg.annotation is None or "Any" in ast.unparse(arg.annotation))
        and arg.arg != "self"
    ]
    assert not untyped, untyped
