"""Replaying a source's recorded fixtures: shared by the generated per-source tests."""

from __future__ import annotations

from pathlib import Path

from pipeline.source_fixtures import replay
from pipeline.sources import parse_source

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


def source_config_path(name: str) -> Path:
    for directory in (REPO / "config" / "sources", REPO / "config" / "demo"):
        if (directory / f"{name}.yaml").exists():
            return directory / f"{name}.yaml"
    raise AssertionError(f"no config for source {name!r} in config/sources or config/demo")


def assert_source_replays(name: str, fixtures: Path = FIXTURES) -> None:
    directory = fixtures / name
    assert any(directory.glob("*.json")), (
        f"no recorded pages for {name}: run `cleanwire preview {name} --limit 10 --save-fixture`"
    )
    problems = replay(directory, parse_source(source_config_path(name)))
    assert not problems, "recorded pages now extract differently:\n" + "\n\n".join(problems)
