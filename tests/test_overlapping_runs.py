"""One machine, no Redis: runs of different sources crawl at once and take the store's lease only
to judge duplicates and commit; runs of one source still never run at once.

Two sites syndicating the same stories, one run per site, as two ``cleanwire run`` processes.
The test holds the store's lease itself while they start: both must crawl and extract with it
held (each then logs that it waits for the store), which no run could before. Released, they
commit one after the other, each reading what the other committed: every story is stored once,
with the other site's copy in its ``also_at``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.overlap_bench import start_run
from flows.ingest import ingest
from pipeline.bucket.lock import LockHeld, StoreLock
from pipeline.bucket.reader import BucketReader
from pipeline.storage import open_store
from pipeline.storage.layout import source_lock_key
from tests import syndication_sites
from tests.syndication_sites import assert_each_story_once_with_copies

pytestmark = pytest.mark.usefixtures("prefect_server")
SOURCES = ("east-gazette", "west-wire")


@pytest.fixture(scope="module")
def syndicating_sites(tmp_path_factory: pytest.TempPathFactory):
    from cleanwire.demo.server import serve_sites

    with serve_sites(syndication_sites.build(tmp_path_factory.mktemp("syndication"))) as bases:
        yield bases


@pytest.fixture
def config(tmp_path: Path, syndicating_sites: dict[str, str]) -> Path:
    return syndication_sites.write_configs(tmp_path / "sources", syndicating_sites)


def wait_until(condition: Callable[[], bool], processes: list[subprocess.Popen], what: str) -> None:
    """Wait for ``condition`` (a line in the runs' logs), failing at once if a run exits first."""
    deadline = time.monotonic() + 240
    while not condition():
        exited = [p.args[-1] for p in processes if p.poll() is not None]
        assert not exited, f"{exited} exited before {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def overlapping_runs(config: Path, store: str, tmp_path: Path) -> list[str]:
    logs = {name: tmp_path / f"{name}.log" for name in SOURCES}
    with StoreLock(open_store(store), owner="the-test", poll=0.05):
        runs = [start_run(name, config, store, logs[name]) for name in SOURCES]
        try:
            # Both runs have crawled and extracted while the store's lease was held by the test.
            waiting = "run the-test holds the store; waiting"
            wait_until(
                lambda: all(waiting in log.read_text() for log in logs.values()),
                runs,
                "both runs to wait for the store's lease",
            )
        except BaseException:
            for run in runs:
                run.kill()
            raise
    for run in runs:
        assert run.wait(timeout=240) == 0, logs[run.args[-1]].read_text()[-3000:]
    return [logs[name].read_text() for name in SOURCES]


def test_two_sources_crawl_at_once_on_a_local_store(config, tmp_path) -> None:
    store = f"file://{tmp_path / 'bucket'}"
    texts = overlapping_runs(config, store, tmp_path)
    assert_each_story_once_with_copies(store)
    manifests = BucketReader(store).manifests()
    assert sorted(s for m in manifests for s in m.sources) == sorted(SOURCES)
    assert all("holds source" not in text for text in texts)  # different sources: no source waited


def test_two_sources_crawl_at_once_on_s3(config, tmp_path, s3_url) -> None:
    overlapping_runs(config, s3_url, tmp_path)
    assert_each_story_once_with_copies(s3_url)
    assert len(BucketReader(s3_url).manifests()) == 2


def test_a_source_being_crawled_is_not_crawled_by_a_second_run(config, tmp_path) -> None:
    store = f"file://{tmp_path / 'bucket'}"
    bucket = open_store(store)
    key = source_lock_key("east-gazette")
    with StoreLock(bucket, owner="other-run", key=key, what="source east-gazette"):
        with pytest.raises(LockHeld, match="run other-run holds source east-gazette"):
            ingest(sources=["east-gazette"], config_dir=str(config), store=store, lock_wait=0.5)
        # the other source is free: its run goes on meanwhile
        result = ingest(sources=["west-wire"], config_dir=str(config), store=store, lock_wait=0.5)
        assert result["stored"] > 0
    assert not bucket.exists(key)  # released by its holder only
    assert {s for m in BucketReader(store).manifests() for s in m.sources} == {"west-wire"}
    # and once it is free, the source's run goes ahead
    later = ingest(sources=["east-gazette"], config_dir=str(config), store=store)
    assert later["stored"] > 0
    assert_each_story_once_with_copies(store)
    # its copies of west-wire's stories are links, counted in the run's totals as in its manifest
    [manifest] = [m for m in BucketReader(store).manifests() if m.run_id == later["run_id"]]
    assert later["links"] == len(manifest.links) > 0
    assert later["totals"]["links"] == later["links"]
