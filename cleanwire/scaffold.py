"""``cleanwire init DIR``: a new project directory, as ``scrapy startproject`` makes one.

The template ships in the package (``cleanwire/project_template``), so a wheel
install can make a project without any repository around it.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.project import Project, ProjectError, is_project

TEMPLATE = Path(__file__).resolve().parent / "project_template"
# Dot files are renamed in the template: package-data globs skip names that start with a dot.
_RENAMED = {"gitignore": ".gitignore"}


def init_project(target: Path) -> tuple[Project, list[Path]]:
    """Write the template into ``target``; refuse a directory that is already a project.

    Files already there (a README, a .gitignore) are kept, not overwritten:
    ``init`` may be run in a directory the user already keeps other things in.
    """
    target = target.expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise ProjectError(f"{target} exists and is not a directory")
    if is_project(target):
        raise ProjectError(f"{target} is already a cleanwire project (it has config/)")
    project = Project(target)
    written = []
    for source in sorted(TEMPLATE.rglob("*")):
        if not source.is_file() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(TEMPLATE)
        destination = target / relative.with_name(_RENAMED.get(relative.name, relative.name))
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(source.read_bytes())
        written.append(destination)
    for directory in (project.sources_dir, project.tests_dir, project.fixtures_dir):
        directory.mkdir(parents=True, exist_ok=True)
    return project, written
