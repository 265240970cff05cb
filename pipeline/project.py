"""The project directory: where source configs, settings, tests and local data of one deployment live.

cleanwire is installed once (a checkout, a wheel) and used in any number of
project directories, as Scrapy is. Every command finds the project the same
way, so a file is always read where it was written:

1. ``--project DIR`` on the command line (the CLI puts it in ``$CLEANWIRE_HOME``
   for everything it starts: flows, Scrapy processes);
2. else ``$CLEANWIRE_HOME`` (also what a Prefect work-pool worker sets to the
   directory its flow runs start in, docs/work-pools.md);
3. else the current directory, or its nearest parent, that holds ``config/``.

The install location is never a candidate: with a wheel it is site-packages,
and with a checkout installed for another directory it is someone else's
project.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "CLEANWIRE_HOME"


class ProjectError(Exception):
    """No usable project directory; the message names the path and what to do (the CLI exits 2)."""


@dataclass(frozen=True)
class Project:
    """Paths inside one project; relative settings (store, spool) are resolved against ``root``."""

    root: Path

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    @property
    def sources_dir(self) -> Path:
        return self.config_dir / "sources"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.yaml"

    @property
    def tests_dir(self) -> Path:
        """Where ``new-source`` writes a source's test."""
        return self.root / "tests" / "sources"

    @property
    def fixtures_dir(self) -> Path:
        """Where ``preview --save-fixture`` records pages (``tests/source_replay`` reads them)."""
        return self.root / "tests" / "fixtures" / "sources"

    def resolve(self, path: str | Path) -> Path:
        """``path`` as written in a setting: relative to the project, not to the current directory."""
        path = Path(path).expanduser()
        return path if path.is_absolute() else self.root / path


def is_project(directory: Path) -> bool:
    return (directory / "config").is_dir()


def _checked(directory: Path, origin: str) -> Project:
    directory = directory.expanduser().resolve()
    if not directory.is_dir():
        raise ProjectError(f"{directory} ({origin}) is not a directory")
    if not is_project(directory):
        raise ProjectError(
            f"{directory} ({origin}) has no config/ directory: "
            f"`cleanwire init {directory}` makes it a project"
        )
    return Project(directory)


def find_project(explicit: str | Path | None = None, *, required: bool = True) -> Project | None:
    """The project, by the three rules in this module's docstring; ``None`` only if not ``required``.

    A ``--project`` or ``$CLEANWIRE_HOME`` that is not a project is an error
    even when none is required: the user named it, so silently using another
    directory would read and write the wrong files.
    """
    from pipeline.settings import environment  # it resolves paths against the project: imports this

    if explicit:
        return _checked(Path(explicit), "--project")
    if home := environment().home:
        return _checked(home, f"${HOME_ENV}")
    if os.environ.get("CLEANWIRE_CONFIG"):  # a variable no longer read, named so its user learns why
        raise ProjectError(
            "CLEANWIRE_CONFIG is no longer read: set CLEANWIRE_HOME to the project directory "
            "(the one holding config/) or pass --project"
        )
    cwd = Path.cwd().resolve()
    for directory in (cwd, *cwd.parents):
        if is_project(directory):
            return Project(directory)
    if required:
        raise ProjectError(
            f"{cwd} is not in a cleanwire project (no config/ here or in a parent): "
            "run `cleanwire init DIR`, or pass --project DIR"
        )
    return None


def data_root(project: Project | None) -> Path:
    """Where relative data paths (``var/bucket``, ``var/spool``) land: the project, else the cwd.

    Without a project (``cleanwire run --demo`` in an empty directory) the
    current directory is the only place the user chose.
    """
    return project.root if project else Path.cwd()
