"""Deployments on a work pool: two worker processes share the sources' runs on one machine.

As in production (docs/work-pools.md), but on loopback: a real Prefect server
(SQLite), `cleanwire deploy --apply` registering one deployment per demo source
on a process work pool, and two `prefect worker start` processes with the
checkout at CLEANWIRE_HOME, storing into one S3 bucket (moto).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest

from pipeline.bucket.reader import BucketReader
from tests.conftest import write_demo_config
from tests.demo_pages import unique_articles
from tests.prefect_processes import REPO, PrefectServer, Worker, prefect_server, start_workers

CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
RUNS_TIMEOUT = 150  # seconds for every run to finish, start-up of the flow-run processes included


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """One server for the module: each test uses its own pool, so tests do not see each other's runs."""
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as server:
        yield server


def worker_env(server: PrefectServer, **extra: str) -> dict[str, str]:
    """What a worker machine sets: the API, its checkout, the store's credentials (from os.environ).

    Extend with ``REDIS_URL=...`` and the like; the flow-run processes inherit it.
    """
    return dict(
        server.env,
        CLEANWIRE_HOME=str(REPO),
        PREFECT_WORKER_QUERY_SECONDS="1",  # poll often: the test waits for every run
        PREFECT_WORKER_PREFETCH_SECONDS="5",
        **{k: v for k, v in os.environ.items() if k.startswith("AWS_")},
        **extra,
    )


def deploy_to_pool(server: PrefectServer, config: Path, store: str, pool: str) -> None:
    result = subprocess.run(
        [CLEANWIRE, "deploy", "--apply", "--work-pool", pool, "--config", str(config), "--store", store],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


async def _online_workers(api: str, pool: str) -> set[str]:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api) as client:
        return {w.name for w in await client.read_workers_for_work_pool(pool)}


def wait_for_workers(server: PrefectServer, pool: str, workers: list[Worker], timeout: float = 150) -> None:
    """Runs are created only once every worker has polled, so no worker can take them all by being
    first. A worker's first poll comes after Prefect's start-up: over a minute was seen in CI, on
    2 loaded cores."""
    wanted = {w.name for w in workers}
    deadline = time.monotonic() + timeout
    while (registered := asyncio.run(_online_workers(server.api, pool))) != wanted:
        for worker in workers:
            assert worker.process.poll() is None, f"{worker.name} exited:\n{worker.output()[-3000:]}"
        assert time.monotonic() < deadline, f"workers registered {registered}, wanted {wanted}"
        time.sleep(0.5)


async def _run_every_deployment(api: str, pool: str) -> list[UUID]:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import DeploymentFilter, WorkPoolFilter, WorkPoolFilterName

    async with PrefectClient(api) as client:
        deployments = await client.read_deployments(
            deployment_filter=DeploymentFilter(),
            work_pool_filter=WorkPoolFilter(name=WorkPoolFilterName(any_=[pool])),
        )
        return [(await client.create_flow_run_from_deployment(d.id)).id for d in deployments]


async def _read_runs(api: str, ids: list[UUID]) -> list:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with PrefectClient(api) as client:
        return await client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)))


def wait_for_runs(server: PrefectServer, ids: list[UUID], workers: list[Worker], timeout: float) -> list:
    deadline = time.monotonic() + timeout
    while True:
        runs = asyncio.run(_read_runs(server.api, ids))
        if len(runs) == len(ids) and all(r.state and r.state.is_final() for r in runs):
            return runs
        if time.monotonic() > deadline:
            states = [(r.name, r.state_name, r.labels.get("prefect.worker.name")) for r in runs]
            logs = "\n".join(f"--- {w.name}\n{w.output()[-3000:]}" for w in workers)
            pytest.fail(f"runs not finished after {timeout} s: {states}\n{logs}")
        time.sleep(1)


def test_two_workers_share_the_sources_runs(prefect_api, site_urls, s3_url, redis_url, tmp_path) -> None:
    """Shared state in Redis (REDIS_URL on the workers): the runs of the syndicating demo sources
    overlap, and still every article is stored once with its copies in also_at."""
    config = write_demo_config(tmp_path / "sources", site_urls)
    pool = "cleanwire-test"
    deploy_to_pool(prefect_api, config, s3_url, pool)

    env = worker_env(prefect_api, REDIS_URL=redis_url)
    with start_workers(2, pool, env, tmp_path / "workers") as workers:
        wait_for_workers(prefect_api, pool, workers)
        ids = asyncio.run(_run_every_deployment(prefect_api.api, pool))
        assert len(ids) == 3  # one deployment per demo source
        runs = wait_for_runs(prefect_api, ids, workers, RUNS_TIMEOUT)

    logs = {w.name: w.output() for w in workers}
    assert [r.state_name for r in runs] == ["Completed"] * 3, logs
    # The server records which worker took each run, and that worker's own log agrees. Two workers
    # may both try to take a run; the server lets one move it to Pending and tells the other to abort.
    taken_by = {r.id: r.labels.get("prefect.worker.name") for r in runs}
    assert set(taken_by.values()) == set(logs), taken_by
    for run in runs:
        for name, log in logs.items():
            tried = f"submitting flow run '{run.id}'" in log
            aborted = f"Aborted submission of flow run '{run.id}'" in log
            if name == taken_by[run.id]:
                assert tried and not aborted, (name, run.id)
                assert f"Flow run '{run.name}' submitted to infrastructure" in log, (name, run.id)
            else:
                assert aborted or not tried, (name, run.id)

    # Shared mode in every flow run (their logs stream through the worker that started them): no
    # store-wide lease to wait for. (Whether two runs overlap depends on when the workers poll;
    # tests/test_scale_out.py starts two workers' runs at once and checks that they do.)
    joined = "\n".join(logs.values())
    assert joined.count("shared state in Redis") == 3 and "holds the store" not in joined, joined[-3000:]

    # Every article stored exactly once, whichever source's run came first.
    reader = BucketReader(s3_url)
    records = list(reader.records())
    assert len(records) == len(unique_articles())
    assert len({r.id for r in records}) == len(records)
    urls_in = Counter(u for r in records for u in {r.url, *(a.url for a in r.also_at)})
    for article in unique_articles():
        assert urls_in[site_urls[article.site] + article.path] == 1, article.path
    manifests = reader.manifests()
    assert sorted(s for m in manifests for s in m.sources) == sorted(site_urls)  # one run per source
    assert sum(len(m.records) for m in manifests) == len(records)


async def _registered(api: str, pool: str) -> tuple[str, dict, dict[str, int]]:
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import WorkPoolFilter, WorkPoolFilterName

    async with PrefectClient(api) as client:
        pool_type = (await client.read_work_pool(pool)).type
        deployments = await client.read_deployments(
            work_pool_filter=WorkPoolFilter(name=WorkPoolFilterName(any_=[pool]))
        )
        limits = {limit.name: limit.limit for limit in await client.read_global_concurrency_limits(limit=200)}
        return pool_type, {d.name: d for d in deployments}, limits


def test_apply_is_idempotent_and_keeps_limits_schedules_and_code_location(
    prefect_api, site_urls, tmp_path
) -> None:
    """What a worker on another machine relies on, read back from the server after applying twice."""
    config = write_demo_config(tmp_path / "sources", site_urls, names=["capitol-ledger", "weekly-view"])
    (config / "weekly-view.yaml").write_text(
        (config / "weekly-view.yaml").read_text().replace('"30 * * * *"', '"45 6 * * *"')
    )
    pool = "cleanwire-apply"
    deploy_to_pool(prefect_api, config, "s3://news/clean", pool)
    deploy_to_pool(prefect_api, config, "s3://news/clean", pool)

    pool_type, deployments, limits = asyncio.run(_registered(prefect_api.api, pool))
    assert pool_type == "process"
    assert set(deployments) == {"ingest-capitol-ledger", "ingest-weekly-view"}
    weekly = deployments["ingest-weekly-view"]
    assert [s.schedule.cron for s in weekly.schedules] == ["45 6 * * *"]  # not doubled by the second apply
    assert weekly.global_concurrency_limit is not None and weekly.global_concurrency_limit.limit == 1
    assert weekly.concurrency_options.collision_strategy == "CANCEL_NEW"
    assert weekly.entrypoint == "flows/ingest.py:ingest"
    # Resolved on the worker, from its own environment: the checkout may live anywhere there.
    assert weekly.pull_steps == [
        {"prefect.deployments.steps.set_working_directory": {"directory": "{{ $CLEANWIRE_HOME }}"}}
    ]
    assert weekly.parameters == {
        "sources": ["weekly-view"],
        "store": "s3://news/clean",
        "config_dir": str(config.resolve()),  # outside the checkout: the same path on every worker
    }
    assert limits["cleanwire-crawl"] == 4 and limits["cleanwire-crawl-127-0-0-1"] == 1


def test_config_inside_the_checkout_is_passed_relative_to_it() -> None:
    """Workers start runs in their own $CLEANWIRE_HOME, which need not be this machine's path."""
    from flows.deployments import worker_config_dir

    assert worker_config_dir(REPO / "config" / "sources") == "config/sources"
    assert worker_config_dir(Path("/srv/elsewhere/sources")) == "/srv/elsewhere/sources"
