"""Many workers, one bucket (REDIS_URL set): two sites syndicating the same stories, ingested by
two worker processes at once into moto's S3 server.

Pass: every story stored exactly once, whichever worker got it first; the other site's copy is
in the kept record's ``also_at``; a worker killed mid-commit and run again leaves nothing lost
and nothing twice (in objects or in manifests).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.bucket.reader import BucketReader
from pipeline.storage import open_store
from pipeline.storage.layout import PENDING_PREFIX
from tests import syndication_sites
from tests.syndication_sites import assert_each_story_once_with_copies

pytestmark = pytest.mark.usefixtures("prefect_server")
CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
STORIES = syndication_sites.stories()
EXPECTED = len(STORIES)


@pytest.fixture(scope="module")
def syndicating_sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    from cleanwire.demo.server import serve_sites

    with serve_sites(syndication_sites.build(tmp_path_factory.mktemp("syndication"))) as bases:
        yield bases


@pytest.fixture
def config(tmp_path: Path, syndicating_sites: dict[str, str]) -> Path:
    return syndication_sites.write_configs(tmp_path / "sources", syndicating_sites)


def worker(source: str, config: Path, store: str, redis_url: str, **env: str) -> subprocess.Popen[str]:
    """One worker process running one source's ingest, as a deployment's flow run would."""
    from prefect.settings import PREFECT_API_URL

    full_env = dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value(), REDIS_URL=redis_url, **env)
    return subprocess.Popen(
        [CLEANWIRE, "run", "--config", str(config), "--store", store, "--source", source],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


LOGS: dict[int, str] = {}


def finish(*workers: subprocess.Popen[str]) -> list[int]:
    codes = []
    for w in workers:
        out, err = w.communicate(timeout=240)
        LOGS[w.pid] = out + err
        codes.append(w.returncode)
        if w.returncode not in (0, 86):
            pytest.fail(f"worker failed ({w.returncode}): {err[-3000:]}")
    return codes


def ingest_runs_since(started: datetime) -> list:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterStartTime

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=started))
        )
    return [r for r in runs if r.name and r.state and r.state.is_completed()]


def test_two_workers_on_syndicating_sites_store_each_story_once(
    syndicating_sites, tmp_path, s3_url, redis_url
) -> None:
    # A quarter second between requests makes each crawl last several seconds, longer than the
    # two processes' start-up can differ: the runs overlap for certain, not by luck (with no delay
    # a run took less time than that difference once, and they ran one after the other).
    config = syndication_sites.write_configs(tmp_path / "sources", syndicating_sites, download_delay=0.25)
    started = datetime.now(UTC)
    east = worker("east-gazette", config, s3_url, redis_url)
    west = worker("west-wire", config, s3_url, redis_url)
    assert finish(east, west) == [0, 0]
    assert_each_story_once_with_copies(s3_url)
    manifests = BucketReader(s3_url).manifests()
    assert len(manifests) == 2 and not any(m.recovered for m in manifests)
    # both ran in shared mode, neither waited for a store-wide lease, and the runs overlapped
    for w in (east, west):
        assert "shared state in Redis" in LOGS[w.pid] and "holds the store" not in LOGS[w.pid]
    first, second = sorted(ingest_runs_since(started), key=lambda r: r.start_time)[-2:]
    assert second.start_time < first.end_time


def test_worker_killed_mid_commit_then_rerun_loses_nothing_and_stores_nothing_twice(
    config, s3_url, redis_url
) -> None:
    east = worker("east-gazette", config, s3_url, redis_url, CLEANWIRE_FAILPOINT="after-records")
    west = worker("west-wire", config, s3_url, redis_url)
    assert finish(east, west) == [86, 0]
    # The killed worker's journal is still there, or the live worker already recovered it (it
    # does when it meets a dead run's claim): either way nothing of it is visible half-done.

    again = worker("east-gazette", config, s3_url, redis_url)
    assert finish(again) == [0]
    assert_each_story_once_with_copies(s3_url)
    assert not list(open_store(s3_url).list(PENDING_PREFIX))
    manifests = BucketReader(s3_url).manifests()
    assert [m.id for m in manifests] == sorted(m.id for m in manifests)
    assert len(manifests) == 3 and sum(m.recovered for m in manifests) == 1  # west, recovery, re-run


def test_one_machine_crawl_of_syndicating_sites_stores_each_story_once(
    syndicating_sites, tmp_path, monkeypatch
) -> None:
    """The same two sites in one single-machine run: West Wire's teasers (cut at 50-90%, laid out
    in other paragraphs) and re-wrapped copies land in the East Gazette records' ``also_at``."""
    from flows.ingest import ingest

    monkeypatch.delenv("REDIS_URL", raising=False)
    config = syndication_sites.write_configs(tmp_path / "sources", syndicating_sites)
    store = f"file://{tmp_path / 'bucket'}"
    ingest(config_dir=str(config), store=store)
    assert_each_story_once_with_copies(store)
