"""Hostile source files in the sources directory: each reported with file and reason, none run,
the good ones still load (``pipeline.sources.load_sources``, which the loader and every command use).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.sources import load_sources, select_sources

GOOD = "allowed_domains: [news.test]\ndiscovery: {start_urls: ['https://news.test/']}\n"


def test_bad_files_are_reported_and_the_good_one_loads(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / ".hidden.yaml").write_text(GOOD)  # a dot file: reported, not silently skipped
    (tmp_path / "a{b}.yaml").write_text(GOOD)
    (tmp_path / "tagged.yaml").write_text("discovery: !!python/object/apply:os.system ['echo owned']\n")
    (tmp_path / "latin1.yaml").write_bytes("site_name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "dir.yaml").mkdir()
    sources, errors = load_sources(tmp_path)
    assert [s.name for s in sources] == ["good"]
    by_file = {e.path.name: e.message for e in errors}
    assert set(by_file) == {".hidden.yaml", "a{b}.yaml", "tagged.yaml", "latin1.yaml", "dir.yaml"}
    assert "source name" in by_file[".hidden.yaml"] and "source name" in by_file["a{b}.yaml"]
    assert "line 1" in by_file["tagged.yaml"] and "constructor" in by_file["tagged.yaml"]
    assert "not UTF-8" in by_file["latin1.yaml"] and "cannot read" in by_file["dir.yaml"]
    assert all("\n" not in message for message in by_file.values())


def test_asking_for_a_source_that_did_not_load_names_why(tmp_path: Path) -> None:
    (tmp_path / "tagged.yaml").write_text("discovery: !!python/name:os.system\n")
    sources, errors = load_sources(tmp_path)
    try:
        select_sources(sources, ["tagged"], errors)
    except KeyError as exc:
        assert "tagged.yaml" in exc.args[0] and "not valid YAML" in exc.args[0]
    else:
        raise AssertionError("a broken source was selected")
