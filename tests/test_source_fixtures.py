"""Every recorded source replays offline: a cleaning change that alters output fails here."""

from __future__ import annotations

import gzip
import json
import shutil

import pytest

from cleanwire.demo.run import DEMO_SOURCES
from pipeline.sources import load_sources
from tests.source_replay import FIXTURES, REPO, assert_source_replays


def enabled_sources() -> list[str]:
    """The registry (this checkout's config/sources and the demo's), not the fixture folders: an
    enabled source without recorded pages fails here instead of passing unseen."""
    names = []
    for directory in (REPO / "config" / "sources", DEMO_SOURCES):
        loaded, errors = load_sources(directory)
        assert not errors, errors
        names += [s.name for s in loaded if s.enabled]
    return sorted(names)


@pytest.mark.parametrize("name", enabled_sources())
def test_recorded_source_replays(name: str) -> None:
    assert_source_replays(name)


def test_an_enabled_source_without_fixtures_fails(tmp_path) -> None:
    with pytest.raises(AssertionError, match="no recorded pages for weekly-view"):
        assert_source_replays("weekly-view", fixtures=tmp_path)


def test_a_changed_page_fails_with_a_readable_diff(tmp_path) -> None:
    fixtures = tmp_path / "sources"
    shutil.copytree(FIXTURES / "weekly-view", fixtures / "weekly-view")
    record = next(
        p
        for p in sorted((fixtures / "weekly-view").glob("*.json"))
        if json.loads(p.read_text())["outcome"] == "extracted"
    )
    html_path = record.with_name(record.name.removesuffix(".json") + ".html.gz")
    expected = json.loads(record.read_text())
    first_paragraph = expected["text"].split("\n\n")[1]
    html = gzip.decompress(html_path.read_bytes()).decode()
    assert first_paragraph[:40] in html
    html_path.write_bytes(gzip.compress(html.replace(first_paragraph[:40], "Changed words here")[:].encode()))
    with pytest.raises(AssertionError) as failure:
        assert_source_replays("weekly-view", fixtures=fixtures)
    message = str(failure.value)
    assert (
        record.name in message and "-" + first_paragraph[:40] in message and "+Changed words here" in message
    )
