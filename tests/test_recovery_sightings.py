"""Crash recovery tells the dedup index everything the crashed run's commit would have: its
records, the URLs folded into their ``also_at``, and the URLs of its link entries.

Pass: a run killed after its record and link packs (before the index and manifest), then the same
pages fetched twice more: no new record, no new link entry, every (record id, URL) pair once in
the bucket; with the bucket's own index and with the shared index in Redis.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from pipeline.bucket.commit import Commit, apply_commit, recover_pending
from pipeline.bucket.manifest import Manifest
from pipeline.bucket.reader import BucketReader
from pipeline.bucket.seen import SeenUrls
from pipeline.dedup.judge import DedupIndex, Deduplicator
from pipeline.record import Article
from pipeline.shared import SharedState
from pipeline.storage import open_store
from tests.bucket_files import stored_sightings
from tests.test_shared_state import stories

# A run: (index, seen, sequencer, finish) for a store, recovering crashed runs first.
Opener = Callable[[str], tuple[Any, Any, Any, Callable[[bool], None]]]


def local_runs(store) -> Opener:
    def open_run(run_id: str):
        index = DedupIndex.load(store)
        recover_pending(store, index)
        return index, SeenUrls.load(store), None, lambda ok: None

    return open_run


def shared_runs(redis_url: str, store) -> Opener:
    def open_run(run_id: str):
        state = SharedState(redis_url, store, run_id).start()
        state.recover()

        def finish(ok: bool) -> None:
            state.finish() if ok else state.abandon()

        return state.index, state.seen, state.sequencer.slot, finish

    return open_run


def pages() -> tuple[list[Article], list[Article]]:
    """Run 0 stores east[0]; the crashed run fetches east[1] (new), west[1] (its copy, folded into
    its also_at) and west[0] (a copy of run 0's record: a link entry)."""
    east, west = stories(2)
    return [east[0]], [east[1], west[1], west[0]]


def run(open_run: Opener, store, run_id: str, batch: list[Article]) -> Manifest:
    index, seen, sequencer, finish = open_run(run_id)
    fresh = [a.model_copy(deep=True) for a in batch]  # fetched again: new objects
    manifest = Manifest.start(run_id, sorted({a.source for a in fresh}))
    commit = Commit(manifest=manifest, verdicts=list(Deduplicator(index)(fresh)))
    try:
        apply_commit(store, index, seen, commit, sequencer)
    except SystemExit:
        finish(False)
        raise
    finish(True)
    return manifest


def crash_then_rerun_twice(open_run: Opener, store, store_url: str, monkeypatch) -> None:
    first, crashed = pages()
    run(open_run, store, "run-0", first)
    monkeypatch.setenv("CLEANWIRE_FAILPOINT", "after-links")  # packs written, index not told
    monkeypatch.setattr("os._exit", lambda code: (_ for _ in ()).throw(SystemExit(code)))
    with pytest.raises(SystemExit):
        run(open_run, store, "run-1", crashed)
    monkeypatch.delenv("CLEANWIRE_FAILPOINT")
    assert len(stored_sightings(store_url)) == 2  # west[1] in east[1]'s also_at, west[0] linked

    for run_id in ("run-2", "run-3"):
        manifest = run(open_run, store, run_id, crashed)
        assert manifest.records == [] and manifest.links == [], run_id

    pairs = Counter(stored_sightings(store_url))
    assert pairs and all(n == 1 for n in pairs.values()), pairs
    recovered = [m for m in BucketReader(store).manifests() if m.recovered]
    assert len(recovered) == 1 and len(recovered[0].records) == 1 and len(recovered[0].links) == 1
    east1 = next(a for a in BucketReader(store).records() if a.id == crashed[0].id)
    assert [s.url for s in east1.also_at] == [crashed[1].url]


def test_recovery_enters_folded_and_linked_urls_local(tmp_path, monkeypatch) -> None:
    store_url = f"file://{tmp_path / 'bucket'}"
    store = open_store(store_url)
    crash_then_rerun_twice(local_runs(store), store, store_url, monkeypatch)


def test_recovery_enters_folded_and_linked_urls_shared(redis_url, s3_url, monkeypatch) -> None:
    store = open_store(s3_url)
    crash_then_rerun_twice(shared_runs(redis_url, store), store, s3_url, monkeypatch)
