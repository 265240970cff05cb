"""Extraction fanned out on Dask (prefect-dask's DaskTaskRunner) stores what the default path stores."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from cleanwire.cli import main as cli
from flows.fanout import DaskUnavailable
from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader
from tests.conftest import REPO, write_demo_config

pytestmark = pytest.mark.usefixtures("prefect_server")


def records(store: str) -> dict[str, tuple[str, str, list[str]]]:
    """id -> (url, text, also_at urls): what a downstream reader would see."""
    return {a.id: (a.url, a.text, sorted(x.url for x in a.also_at)) for a in BucketReader(store).records()}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory, site_urls: dict[str, str]) -> tuple[dict, dict]:
    """The default path (process pool) on the demo sites: the result and records to compare with."""
    base = tmp_path_factory.mktemp("default")
    store = f"file://{base / 'bucket'}"
    result = ingest(config_dir=str(write_demo_config(base / "sources", site_urls)), store=store)
    return result, records(store)


@pytest.fixture
def dask_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two worker processes, small chunks so the demo's few pages still make several per source,
    and the worktree importable in worker processes that are not forked from this one."""
    monkeypatch.setenv("CLEANWIRE_EXTRACT_WORKERS", "2")
    monkeypatch.setenv("CLEANWIRE_DASK_CHUNK_PAGES", "4")
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.delenv("CLEANWIRE_DASK_ADDRESS", raising=False)


def extract_chunk_runs(since: float) -> list:
    """The extract-chunk task runs Prefect recorded since ``since`` (epoch seconds)."""
    from datetime import UTC, datetime

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        TaskRunFilter,
        TaskRunFilterName,
        TaskRunFilterStartTime,
    )

    with get_client(sync_client=True) as client:
        return client.read_task_runs(
            task_run_filter=TaskRunFilter(
                name=TaskRunFilterName(like_="extract-chunk"),
                start_time=TaskRunFilterStartTime(after_=datetime.fromtimestamp(since, UTC)),
            )
        )


@pytest.mark.usefixtures("dask_env")
def test_local_cluster_stores_the_same_records_as_the_default_path(
    default_run: tuple[dict, dict], demo_config: Path, tmp_path: Path
) -> None:
    expected_result, expected = default_run
    store = f"file://{tmp_path / 'bucket'}"
    started = time.time()
    result = ingest(config_dir=str(demo_config), store=store, executor="dask")
    assert records(store) == expected
    assert result["counts"] == expected_result["counts"]
    assert result["stored"] == expected_result["stored"] == len(expected)
    chunks = extract_chunk_runs(started)
    assert len(chunks) >= 2 * len(result["counts"])  # several chunks per source at 4 pages a chunk
    assert all(run.state and run.state.is_completed() for run in chunks)


@pytest.mark.usefixtures("dask_env")
def test_existing_scheduler_runs_the_chunks_on_its_workers(
    default_run: tuple[dict, dict], demo_config: Path, tmp_path: Path
) -> None:
    from distributed import Client, LocalCluster, get_task_stream
    from distributed.utils import key_split

    _, expected = default_run
    store = f"file://{tmp_path / 'bucket'}"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        workers = set(client.scheduler_info()["workers"])
        with get_task_stream(client) as stream:
            code = cli(
                [
                    "run",
                    "--config",
                    str(demo_config),
                    "--store",
                    store,
                    "--dask-address",
                    cluster.scheduler_address,
                ]
            )
        ran = [(key_split(t["key"]), t["worker"]) for t in stream.data]
    assert code == 0
    assert records(store) == expected
    # Both passes ran as tasks of this scheduler, on this cluster's workers; several chunks per source.
    extracted = [worker for name, worker in ran if name == "extract_chunk"]
    learned = [worker for name, worker in ran if name == "learn_chunk"]
    assert len(extracted) >= 6 and len(learned) >= 6
    assert set(extracted) | set(learned) <= workers


def test_unreachable_scheduler_fails_fast_with_the_address(
    dask_env: None, demo_config: Path, tmp_path: Path
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"  # closed again: nothing listens there
    store = f"file://{tmp_path / 'bucket'}"
    started = time.monotonic()
    with pytest.raises(DaskUnavailable, match=address):
        ingest(config_dir=str(demo_config), store=store, executor="dask", dask_address=address)
    assert time.monotonic() - started < 20
    assert not (tmp_path / "bucket").exists() or not list(BucketReader(store).records())


def test_cli_reports_an_unreachable_scheduler(
    dask_env: None, demo_config: Path, tmp_path: Path, capsys
) -> None:
    code = cli(
        [
            "run",
            "--config",
            str(demo_config),
            "--store",
            f"file://{tmp_path}",
            "--dask-address",
            "tcp://127.0.0.1:9",
        ]
    )
    assert code == 2
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"executor": "ray"}, "executor must be one of local, dask"),
        ({"dask_address": "tcp://127.0.0.1:8786"}, "dask_address is for executor='dask'"),
    ],
)
def test_a_mistaken_executor_choice_is_refused(demo_config: Path, tmp_path: Path, options, message) -> None:
    with pytest.raises(ValueError, match=message):
        ingest(config_dir=str(demo_config), store=f"file://{tmp_path / 'bucket'}", **options)
    assert not (tmp_path / "bucket").exists()
