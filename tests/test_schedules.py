"""Scheduled runs: deployments made from source configs fire on their cron under a real Prefect server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline.bucket.reader import BucketReader
from tests.conftest import write_demo_config
from tests.prefect_processes import prefect_server

CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory):
    """A real `prefect server start` (SQLite), with its scheduler: the test harness has none."""
    home = tmp_path_factory.mktemp("prefect-home")
    with prefect_server(home, {"PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2"}) as server:
        yield server.api, server.env


async def _flow_runs(api: str) -> list[tuple[str, str]]:
    from prefect.client.orchestration import PrefectClient

    async with PrefectClient(api) as client:
        runs = await client.read_flow_runs()
        deployments = {d.id: d.name for d in await client.read_deployments()}
        return [(deployments.get(r.deployment_id, ""), r.state_name) for r in runs]


def test_deployment_from_source_config_fires_on_schedule(prefect_api, site_urls, tmp_path) -> None:
    api, env = prefect_api
    config = write_demo_config(tmp_path / "sources", site_urls, names=["weekly-view"])
    source = config / "weekly-view.yaml"
    source.write_text(source.read_text().replace('schedule: "30 * * * *"', 'schedule: "* * * * *"'))
    store = f"file://{tmp_path / 'bucket'}"
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [CLEANWIRE, "serve", "--config", str(config), "--store", store],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 150  # the cron fires at the next minute boundary
        completed = []
        while time.monotonic() < deadline and not completed:
            time.sleep(3)
            runs = asyncio.run(_flow_runs(api))
            completed = [r for r in runs if r == ("ingest-weekly-view", "Completed")]
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
        assert completed, f"no completed scheduled run: {runs[:5]}"
    finally:
        serve.terminate()
        serve.wait(30)
    records = list(BucketReader(store).records())
    assert {r.source for r in records} == {"weekly-view"}
    assert len(records) == 10  # the seed, six own articles, two briefs, the flattened digest (new alone)


def test_deploy_writes_prefect_yaml_in_step_with_configs(tmp_path, site_urls) -> None:
    config = write_demo_config(tmp_path / "sources", site_urls)
    (config / "northwind-post.yaml").write_text(
        (config / "northwind-post.yaml").read_text() + "group: wires\n"
    )
    (config / "weekly-view.yaml").write_text(
        (config / "weekly-view.yaml").read_text().replace('"30 * * * *"', '"15 * * * *"') + "group: wires\n"
    )
    out = tmp_path / "prefect.yaml"
    result = subprocess.run(
        [CLEANWIRE, "deploy", "--config", str(config), "--output", str(out), "--store", "s3://news/clean"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    document = yaml.safe_load(out.read_text())
    by_name = {d["name"]: d for d in document["deployments"]}
    assert set(by_name) == {"ingest-capitol-ledger", "ingest-wires"}
    wires = by_name["ingest-wires"]
    assert wires["parameters"]["sources"] == ["northwind-post", "weekly-view"]
    assert wires["schedules"] == [{"cron": "15 * * * *", "timezone": "UTC"}]
    assert wires["concurrency_limit"]["limit"] == 1
    assert wires["entrypoint"] == "flows/ingest.py:ingest"
    assert by_name["ingest-capitol-ledger"]["parameters"]["store"] == "s3://news/clean"
