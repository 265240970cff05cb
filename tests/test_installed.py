"""cleanwire as an installed tool: from a wheel in a fresh virtualenv, and from a copy of the checkout.

Each test runs the commands a new user runs (``init``, ``new-source`` against a
fixture site on 127.0.0.1, ``preview``, ``run`` into a ``file://`` store,
``ls --json``) and then proves where files went, by comparing snapshots (path,
size, mtime) of the checkout and of site-packages taken before and after: the
project gains them, nothing else changes.

The wheel's virtualenv gets cleanwire from the wheel only (``--no-deps
--no-index``). Its dependencies come from the running environment through a
``.pth`` line naming this environment's site-packages as a plain path: Python
adds the directory to ``sys.path`` without running the ``.pth`` files in it,
so the editable install's finder (which would import cleanwire from the
checkout) stays off, and the test checks where every package was imported from.
Subprocesses run with ``PYTHONDONTWRITEBYTECODE``: bytecode caches are the
interpreter's writing, not cleanwire's, and the snapshots of the checkout and
of this environment skip ``__pycache__`` (the test process itself imports
from them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_adding_a_source import loopback_speed

REPO = Path(__file__).resolve().parent.parent
HERE_SITE = Path(sysconfig.get_paths()["purelib"])
# Git's own files, bytecode caches and the caches of the lint and test tools are not cleanwire's writing.
CHECKOUT_SKIP = frozenset({".git", "__pycache__", ".ruff_cache", ".pytest_cache"})
Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path, skip: frozenset[str] = frozenset()) -> Snapshot:
    """Every file under ``root``: relative path -> (size, mtime in ns)."""
    files: Snapshot = {}
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in names:
            path = Path(directory, name)
            if path.is_symlink():
                continue
            stat = path.stat()
            files[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return files


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def copy_checkout(target: Path) -> Path:
    """What git tracks or would track, as in the working tree: a fresh clone plus this change."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, (n.decode() for n in listed)):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def clean_env(prefect_api: str) -> dict[str, str]:
    """No CLEANWIRE_* from the test's environment; the session's Prefect server (no start-up per run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEANWIRE_")}
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        PREFECT_API_URL=prefect_api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    env.pop("PYTHONPATH", None)
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{cmd} in {cwd}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def prefect_api(prefect_server: None) -> str:
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    assert url, "the session's Prefect server has no API URL"
    return str(url)


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A virtualenv outside the checkout with cleanwire installed from a freshly built wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = copy_checkout(root / "src")  # building in the checkout would write build/ into it
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root / "dist"), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = (root / "dist").glob("cleanwire-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
         str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "cleanwire_test_dependencies.pth").write_text(f"{HERE_SITE}\n")
    yield venv


def test_wheel_imports_cleanwire_from_the_wheel_only(wheel_venv: Path) -> None:
    """Pass: every cleanwire package is imported from the wheel's site-packages, none from the checkout."""
    probe = (
        "import json, cleanwire, pipeline, spiders, flows, cleanwire.demo.run as d, pipeline.schema as s;"
        "print(json.dumps([m.__file__ for m in (cleanwire, pipeline, spiders, flows, d, s)]))"
    )
    result = run([str(wheel_venv / "bin" / "python"), "-c", probe], wheel_venv, clean_env(""))
    files = [Path(f) for f in json.loads(result.stdout)]
    assert all(f.is_relative_to(wheel_venv) for f in files), files
    demo_sources = files[4].parent / "sources"
    assert sorted(p.name for p in demo_sources.glob("*.yaml")) == [
        "capitol-ledger.yaml",
        "northwind-post.yaml",
        "weekly-view.yaml",
    ]
    assert (files[5].parent / "record.v1.json").is_file()


def test_wheel_project_init_new_source_preview_run_ls(
    wheel_venv: Path, site_urls: dict[str, str], prefect_api: str, tmp_path: Path
) -> None:
    """Pass: in a project made by ``init``, every file the four commands write lands in the project
    and is read from there (``run`` finds the new source, ``ls`` the stored records, the generated
    test replays the recorded pages); the checkout and site-packages do not change."""
    env, cleanwire = clean_env(prefect_api), str(wheel_venv / "bin" / "cleanwire")
    wheel_site = next((wheel_venv / "lib").glob("python*/site-packages"))
    before = snapshot(REPO, CHECKOUT_SKIP), snapshot(wheel_site)
    here = snapshot(HERE_SITE, frozenset({"__pycache__"}))

    run([cleanwire, "init", "proj"], tmp_path, env)
    project = tmp_path / "proj"
    assert (project / "config" / "settings.yaml").is_file()
    assert (project / "config" / "sources" / "example.yaml").is_file()
    assert (project / "tests" / "sources").is_dir() and (project / "README.md").is_file()

    site = site_urls["capitol-ledger"] + "/"
    run([cleanwire, "new-source", "ledger", site, "--allow-private"], project, env)
    config = project / "config" / "sources" / "ledger.yaml"
    assert config.is_file() and (project / "tests" / "sources" / "test_source_ledger.py").is_file()
    loopback_speed(config)
    preview = run([cleanwire, "preview", "ledger", "--limit", "4", "--json", "--save-fixture"], project, env)
    assert sum(json.loads(line)["outcome"] == "extracted" for line in preview.stdout.splitlines()) >= 3
    assert any((project / "tests" / "fixtures" / "sources" / "ledger").glob("*.json"))
    run([cleanwire, "run", "--source", "ledger"], project, env)
    assert (project / "var" / "bucket").is_dir()  # settings.yaml's file://var/bucket, in the project
    listed = run([cleanwire, "ls", "--json"], project / "tests", env)  # from a subdirectory too
    sources = [json.loads(line)["source"] for line in listed.stdout.splitlines()]
    assert len(sources) >= 8 and set(sources) == {"ledger"}
    replay = run(
        [str(wheel_venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/sources"],
        project,
        env,
    )
    assert "1 passed" in replay.stdout

    assert changes(before[0], snapshot(REPO, CHECKOUT_SKIP)) == []
    assert changes(before[1], snapshot(wheel_site)) == []
    assert changes(here, snapshot(HERE_SITE, frozenset({"__pycache__"}))) == []


def test_wheel_demo_runs_in_an_empty_directory_quietly(
    wheel_venv: Path, prefect_api: str, tmp_path: Path
) -> None:
    """Pass: ``run --demo`` in an empty directory (no project) stores the demo into ``./var/bucket``
    and writes nothing else there, nothing into site-packages, and prints no warning: a healthy
    run's output has nothing the user must act on (what ``make run`` shows)."""
    env, cleanwire = clean_env(prefect_api), str(wheel_venv / "bin" / "cleanwire")
    wheel_site = next((wheel_venv / "lib").glob("python*/site-packages"))
    before = snapshot(wheel_site)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run([cleanwire, "run", "--demo"], empty, env)
    output = result.stdout + result.stderr
    assert "stored" in result.stdout
    warnings = [line for line in output.splitlines() if "warn" in line.lower()]
    assert warnings == []
    assert {p.name for p in empty.iterdir()} == {"var"}
    listed = run([cleanwire, "ls", "--json"], empty, env)
    assert {json.loads(line)["source"] for line in listed.stdout.splitlines()} == {
        "capitol-ledger",
        "northwind-post",
        "weekly-view",
    }
    assert changes(before, snapshot(wheel_site)) == []


def test_a_copy_of_the_checkout_writes_and_reads_only_inside_the_copy(
    site_urls: dict[str, str], prefect_api: str, tmp_path: Path
) -> None:
    """Pass: with this checkout's own virtualenv (cleanwire installed from this checkout), the four
    commands run in a copy of the repository write and read in the copy only; the checkout is unchanged."""
    env, cleanwire = clean_env(prefect_api), str(Path(sys.executable).with_name("cleanwire"))
    before = snapshot(REPO, CHECKOUT_SKIP)
    copy = copy_checkout(tmp_path / "copy")

    run([cleanwire, "new-source", "wv", site_urls["weekly-view"] + "/", "--allow-private"], copy, env)
    assert (copy / "config" / "sources" / "wv.yaml").is_file()
    assert (copy / "tests" / "sources" / "test_source_wv.py").is_file()
    loopback_speed(copy / "config" / "sources" / "wv.yaml")
    run([cleanwire, "preview", "wv", "--limit", "3", "--save-fixture"], copy, env)
    assert any((copy / "tests" / "fixtures" / "sources" / "wv").glob("*.json"))
    run([cleanwire, "run", "--source", "wv"], copy, env)
    assert (copy / "var" / "bucket").is_dir()
    listed = run([cleanwire, "ls", "--json"], copy, env)
    assert {json.loads(line)["source"] for line in listed.stdout.splitlines()} == {"wv"}

    assert changes(before, snapshot(REPO, CHECKOUT_SKIP)) == []
