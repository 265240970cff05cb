"""Drift figures per source: kept in a small state object, not re-read from every manifest."""

from __future__ import annotations

from pipeline.bucket.manifest import Manifest
from pipeline.runs.drift import HISTORY, SourceStats, load_history, save_history
from pipeline.storage import open_store


def manifest(run: str, extracted: int) -> Manifest:
    m = Manifest.start(run, ["site"])
    m.counts = {"site": {"extracted": extracted, "not-an-article": 3}}
    return m


def test_history_is_read_from_manifests_once_then_from_its_own_object(tmp_path) -> None:
    store = open_store(f"file://{tmp_path}")
    calls: list[int] = []

    def manifests() -> list[Manifest]:
        calls.append(1)
        return [manifest("a", 10), manifest("b", 12)]

    past = load_history(store, "site", manifests)
    assert [s.pages for s in past] == [12, 10] and calls == [1]  # newest first, from manifests

    current = SourceStats(pages=9, good_share=1.0, median_chars=900.0)
    save_history(store, "site", past, current)
    assert load_history(store, "site", manifests) == [current, *past] and calls == [1]


def test_history_keeps_the_last_runs_that_say_something(tmp_path) -> None:
    store = open_store(f"file://{tmp_path}")
    past: list[SourceStats] = []
    for pages in range(5, 5 + 2 * HISTORY):
        current = SourceStats(pages=pages, good_share=0.9, median_chars=800.0)
        save_history(store, "site", past, current)
        past = load_history(store, "site", list)
    save_history(store, "site", past, SourceStats(pages=1, good_share=0.0, median_chars=None))  # too few
    kept = load_history(store, "site", list)
    assert [s.pages for s in kept] == list(range(4 + 2 * HISTORY, 4 + HISTORY, -1))
