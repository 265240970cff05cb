"""Bad files and bad names through the CLI: one line each, naming the file, line or URL, exit non-zero.

Pass: no traceback on stderr for any case; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleanwire.cli import main
from pipeline.bucket.commit import RecordWriter
from pipeline.bucket.manifest import Manifest
from pipeline.dedup.judge import DedupIndex, Verdict
from pipeline.storage import open_store
from tests.test_shared_state import article

CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
STORY = "The council met on Tuesday and “voted” to approve the café budget for parks. " * 30


def cleanwire(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLEANWIRE, *args], capture_output=True, text=True, timeout=180, cwd=cwd)


def one_line_error(result: subprocess.CompletedProcess[str], *names: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert "error: " in lines[0]
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)) * 40)
    html = '<html><head><meta charset="utf-8"><title>Parks</title><meta property="og:type" content="article">'
    html += f"</head><body><article><h1>Parks budget</h1><p>{STORY}</p></article></body></html>"
    (tmp_path / "cp1252.html").write_bytes(html.encode("cp1252"))
    (tmp_path / "bad.jsonl").write_bytes(b'{"id": "a", "text": "one two three"}\n\xff\xfe\n{"id": 1}\n')
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "evil.yaml").write_text(
        "allowed_domains: [a.test]\ndiscovery: !!python/object/apply:os.system ['echo owned']\n"
    )
    return tmp_path


def test_extract_a_missing_file_or_a_directory(files: Path) -> None:
    one_line_error(cleanwire("extract", str(files / "nope.html"), "--url", "http://a.test/x"), "nope.html")
    one_line_error(cleanwire("extract", str(files), "--url", "http://a.test/x"), str(files))


def test_extract_refuses_binary_data(files: Path) -> None:
    line = one_line_error(cleanwire("extract", str(files / "garbage.bin"), "--url", "http://a.test/x"))
    assert "garbage.bin" in line and "not a text file" in line


def test_extract_decodes_like_the_crawl(files: Path) -> None:
    """cp1252 bytes labelled UTF-8: curly quotes and accents kept, no U+FFFD."""
    result = cleanwire("extract", str(files / "cp1252.html"), "--url", "http://a.test/2025/01/parks.html")
    assert result.returncode == 0, result.stderr
    text = json.loads(result.stdout)["text"]
    assert "\ufffd" not in text and "“voted”" in text and "café" in text


def test_dedup_a_missing_file_and_lines_not_utf8(files: Path) -> None:
    one_line_error(cleanwire("dedup", str(files / "nope.jsonl")), "nope.jsonl")
    result = cleanwire("dedup", str(files / "bad.jsonl"))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a"]
    assert "bad.jsonl:2: skipped: not UTF-8" in result.stderr
    assert "bad.jsonl:3: skipped: no field 'text'" in result.stderr


def test_clean_text_of_a_file_not_utf8(files: Path) -> None:
    one_line_error(cleanwire("clean-text", str(files / "latin1.txt")), "latin1.txt", "not UTF-8")


def test_preview_and_run_with_an_unsafe_yaml_tag(files: Path) -> None:
    source = str(files / "sources" / "evil.yaml")
    line = one_line_error(cleanwire("preview", "evil", "--config", str(files / "sources")), source, "line 2")
    assert "constructor" in line
    store = f"file://{files / 'bucket'}"
    run = cleanwire("run", "--config", str(files / "sources"), "--source", "evil", "--store", store)
    one_line_error(run, source, "line 2")


@pytest.mark.parametrize("name", ["../../x", "a{b}", "\x1b[31mred", ".hidden", "x" * 65, "Caps"])
def test_a_bad_source_name_is_refused_by_every_command(name: str, files: Path) -> None:
    for args in (
        ["new-source", name, "http://127.0.0.1:9/", "--config", str(files), "--tests", str(files)],
        ["preview", name, "--config", str(files / "sources")],
        ["run", "--source", name, "--config", str(files / "sources")],
        ["boilerplate", name],
        ["ls", "--source", name],
    ):
        line = one_line_error(cleanwire(*args))
        assert "source name" in line and "\x1b" not in line
    assert sorted(p.name for p in files.rglob("*.yaml")) == ["evil.yaml"]


def test_debug_shows_the_traceback(files: Path) -> None:
    result = cleanwire("--debug", "extract", str(files / "nope.html"), "--url", "http://a.test/x")
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_ls_prints_a_title_with_markup_as_written(tmp_path: Path, capsys) -> None:
    store_url = f"file://{tmp_path / 'bucket'}"
    store = open_store(store_url)
    stored = article("A story about brackets and colons. " * 20, "http://a.test/1", "east")
    stored.title = "[/bogus] [red]not red[/red] :thumbs_up:"
    report = RecordWriter(store, DedupIndex(), "r1", "m1").write([Verdict(stored)])
    manifest = Manifest.start("r1", ["east"])
    manifest.records = report.records
    manifest.write(store)
    assert main(["ls", "--store", store_url]) == 0
    printed = capsys.readouterr().out
    assert "[/bogus]" in printed and "[red]not" in printed and ":thumbs_up:" in printed


def test_bucket_commands_on_bad_arguments(files: Path) -> None:
    store = f"file://{files / 'bucket'}"
    one_line_error(cleanwire("ls", "--store", "gopher://x"), "gopher://x")
    one_line_error(cleanwire("ls", "--since", "nope", "--store", store), "nope")
    one_line_error(cleanwire("cat", "abc", "--store", store), "abc")
    one_line_error(cleanwire("reprocess", "nope", "--store", store), "nope")
    one_line_error(
        cleanwire("export", str(files / "no" / "dir" / "out.jsonl"), "--format", "jsonl", "--store", store)
    )
    one_line_error(
        cleanwire("extract", str(files / "cp1252.html"), "--url", "javascript:alert(1)"), "javascript"
    )


@pytest.mark.usefixtures("prefect_server")
def test_a_run_whose_store_fails_is_one_error_line_and_no_traceback(tmp_path: Path) -> None:
    """The store fails inside the flow run: Prefect logs the failed task and flow run (one line
    each on the terminal, the traceback only in the run's log), then cleanwire's one error."""
    from prefect.settings import PREFECT_API_URL

    project = tmp_path / "project"
    assert cleanwire("init", str(project)).returncode == 0
    (tmp_path / "a-file").write_text("not a directory")
    store = f"file://{tmp_path / 'a-file' / 'bucket'}"
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        command = [CLEANWIRE, *extra, "run", "--store", store]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=project, env=env)

    result = run()
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    errors = [line for line in result.stderr.splitlines() if line.startswith("cleanwire: error: ")]
    assert len(errors) == 1 and "Not a directory" in errors[0], errors
    debug = run("--debug")
    assert debug.returncode != 0 and "Traceback" in debug.stdout + debug.stderr
