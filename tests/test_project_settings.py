"""One project directory found one way, and every setting read in one place (pipeline/settings.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cleanwire.scaffold import init_project
from pipeline import settings
from pipeline.project import ProjectError, find_project

REPO = Path(__file__).resolve().parent.parent
CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
TABLE = re.compile(r"<!-- settings-table -->\n(.*?)<!-- /settings-table -->", re.DOTALL)
# The places that may read a CLEANWIRE_* variable themselves: the settings module, and the
# project finder's refusal of the variable it replaced (read only to say so).
READERS = {"pipeline/settings.py", "pipeline/project.py"}


@pytest.fixture(autouse=True)
def no_project_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLEANWIRE_HOME", "CLEANWIRE_CONFIG", "CLEANWIRE_STORE", "CLEANWIRE_LOCK_TTL"):
        monkeypatch.delenv(name, raising=False)


def cleanwire(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEANWIRE_")}
    return subprocess.run([CLEANWIRE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_readme_settings_table_is_the_settings_module() -> None:
    """Pass: the README's table between its markers is exactly ``settings_table()``."""
    match = TABLE.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert match, "README.md lacks <!-- settings-table --> ... <!-- /settings-table -->"
    assert match.group(1) == settings.settings_table(), "regenerate: python -m pipeline.settings"


def test_no_module_reads_a_cleanwire_variable_but_the_settings_module() -> None:
    """Pass: no code outside ``READERS`` reads ``CLEANWIRE_*`` from the environment directly."""
    direct = re.compile(r"""(environ(\.get)?\s*[\[(]|getenv\s*\()\s*["']CLEANWIRE_""")
    offenders = [
        str(path.relative_to(REPO))
        for package in ("pipeline", "spiders", "flows", "cleanwire")
        for path in (REPO / package).rglob("*.py")
        if str(path.relative_to(REPO)) not in READERS and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_project_is_the_option_else_home_else_the_nearest_parent_with_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pass: --project beats $CLEANWIRE_HOME, which beats the cwd's nearest parent with config/."""
    a, b = init_project(tmp_path / "a")[0].root, init_project(tmp_path / "b")[0].root
    (a / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(a / "deep" / "er")
    assert find_project().root == a
    monkeypatch.setenv("CLEANWIRE_HOME", str(b))
    assert find_project().root == b
    assert find_project(a).root == a


@pytest.mark.parametrize("problem", ["missing", "no-config", "a-file"])
def test_a_bad_project_is_one_error_naming_the_path(tmp_path: Path, problem: str) -> None:
    """Pass: a --project that does not exist, has no config/ or is a file: exit 2, one line naming it."""
    target = tmp_path / "proj"
    if problem == "no-config":
        target.mkdir()
    elif problem == "a-file":
        target.write_text("")
    for args in (["--project", str(target), "ls"], ["run", "--project", str(target)]):
        result = cleanwire(tmp_path, *args)
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("cleanwire: error: ") and str(target) in lines[0]


def test_a_command_outside_any_project_is_one_error_naming_the_directory(tmp_path: Path) -> None:
    """Pass: ``run`` and ``new-source`` with no config/ here or above: exit 2, one line naming the cwd."""
    for args in (["run"], ["new-source", "x", "http://127.0.0.1:9/", "--allow-private"]):
        result = cleanwire(tmp_path, *args)
        assert result.returncode == 2, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(tmp_path.resolve()) in lines[0] and "cleanwire init" in lines[0]


def test_cleanwire_home_that_is_no_project_is_an_error(tmp_path: Path, monkeypatch) -> None:
    """Pass: a $CLEANWIRE_HOME without config/ is refused by name, not replaced by the cwd's project."""
    monkeypatch.setenv("CLEANWIRE_HOME", str(tmp_path))
    monkeypatch.chdir(REPO)
    with pytest.raises(ProjectError, match=re.escape(f"{tmp_path.resolve()} ($CLEANWIRE_HOME)")):
        find_project()


def test_settings_environment_over_file_over_default(tmp_path: Path, monkeypatch) -> None:
    """Pass: settings.yaml overrides a default, the variable overrides the file; a relative store is
    the project's; an unknown key is an error naming the file."""
    project = init_project(tmp_path / "p")[0]
    project.settings_file.write_text("store: file://data/records\nlock_ttl: 30\n")
    loaded = settings.load(project)
    assert loaded.lock_ttl == 30 and loaded.near_dup_days == 14
    assert loaded.store_url(project) == f"file://{project.root}/data/records"
    monkeypatch.setenv("CLEANWIRE_LOCK_TTL", "7")
    assert settings.load(project).lock_ttl == 7
    project.settings_file.write_text("stor: file://typo\n")
    with pytest.raises(ProjectError, match=re.escape(str(project.settings_file))):
        settings.load(project)


def test_init_writes_a_project_and_refuses_an_existing_one(tmp_path: Path) -> None:
    """Pass: init writes settings, a commented disabled example source, tests/sources/ and a README;
    a second init of the same directory is refused (exit 2) and changes nothing; ``--project DIR
    init`` makes DIR."""
    result = cleanwire(tmp_path, "init", "proj")
    assert result.returncode == 0, result.stderr
    root = tmp_path / "proj"
    from pipeline.sources import load_sources

    sources, errors = load_sources(root / "config" / "sources")
    assert errors == [] and [s.enabled for s in sources] == [False]
    assert (root / "tests" / "sources").is_dir()
    assert "cleanwire new-source" in (root / "README.md").read_text()
    before = sorted(p.stat().st_mtime_ns for p in root.rglob("*"))
    again = cleanwire(tmp_path, "init", "proj")
    assert again.returncode == 2 and "already a cleanwire project" in again.stderr
    assert sorted(p.stat().st_mtime_ns for p in root.rglob("*")) == before
    named = cleanwire(tmp_path, "--project", str(tmp_path / "other"), "init")
    assert named.returncode == 0 and (tmp_path / "other" / "config" / "settings.yaml").is_file()
