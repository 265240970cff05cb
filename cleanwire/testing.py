"""Replaying a source's recorded pages: what the test ``cleanwire new-source`` writes calls.

It lives in the package, not in the repository's ``tests/``, because the test
it serves lives in whatever project ran ``new-source``: there is no
``tests.source_replay`` to import in a directory made by ``cleanwire init``.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.extract.fixtures import replay
from pipeline.project import find_project
from pipeline.sources import parse_source


def source_config_path(name: str, directories: list[Path]) -> Path:
    for directory in directories:
        if (directory / f"{name}.yaml").exists():
            return directory / f"{name}.yaml"
    raise AssertionError(f"no config for source {name!r} in {', '.join(map(str, directories))}")


def assert_replays(name: str, fixture_dir: Path, config_path: Path) -> None:
    """The pages recorded under ``fixture_dir`` still extract to the recorded records."""
    assert any(fixture_dir.glob("*.json")), (
        f"no recorded pages for {name} in {fixture_dir}: "
        f"run `cleanwire preview {name} --limit 10 --save-fixture`"
    )
    problems = replay(fixture_dir, parse_source(config_path))
    assert not problems, "recorded pages now extract differently:\n" + "\n\n".join(problems)


def assert_source_replays(name: str, project_dir: str | Path | None = None) -> None:
    """Source ``name`` of the project (``--project``, ``$CLEANWIRE_HOME`` or the cwd's) replays."""
    project = find_project(project_dir)
    assert project is not None  # required: find_project raises ProjectError instead
    assert_replays(name, project.fixtures_dir / name, source_config_path(name, [project.sources_dir]))
