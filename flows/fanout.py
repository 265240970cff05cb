"""Extraction fanned out as Prefect tasks on a Dask cluster (prefect-dask's ``DaskTaskRunner``).

The default path (``pipeline.extract.pool``) forks a process pool on the flow's own
machine. With Dask the same two passes, site learning and extraction, become
Prefect tasks over chunks of a source's pages, so they run on whatever workers
the scheduler has: a ``LocalCluster`` the runner starts (and stops) for the
flow run, or an existing cluster whose scheduler address is configured.

The chunks are submitted from the flow itself, never from inside a task: a
task submitted from a task carries its parent's parameters (every page of the
source) in the serialized run context, to every worker, for every chunk.
"""

from __future__ import annotations

import math
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

import distributed
from prefect import task, unmapped
from prefect.cache_policies import NONE
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.logging import get_run_logger
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect_dask import DaskTaskRunner

from pipeline.extract import pool as parallel
from pipeline.extract.extractor import ExtractionSettings, Extractor
from pipeline.extract.source import Learn, Result, source_extractor
from pipeline.outcomes import NotAnArticle
from pipeline.record import Article, Page
from pipeline.settings import current as current_settings

EXECUTORS = ("local", "dask")
ADDRESS_ENV = "CLEANWIRE_DASK_ADDRESS"
# A chunk is one Prefect task run on a worker (API calls for its states, pickling both ways):
# about 0.1 s of overhead, so a chunk should hold well over 0.1 s of parsing (~3 ms a page).
MIN_CHUNK_PAGES = 64
CHUNKS_PER_THREAD = 4
CONNECT_SECONDS = 10.0
T = TypeVar("T")


class DaskUnavailable(RuntimeError):
    """The configured scheduler does not answer: fail at once instead of queueing work forever."""


def resolve_address(address: str | None) -> str | None:
    """The scheduler to use: the given address, else ``$CLEANWIRE_DASK_ADDRESS``, else none (LocalCluster)."""
    return address or current_settings().dask_address or None


def check_scheduler(address: str, timeout: float = CONNECT_SECONDS) -> None:
    """Raise ``DaskUnavailable`` unless something listens at the scheduler's address.

    distributed's own client retries for its connect timeout (30 s by default) and
    prefect-dask connects only when the first task is submitted, after the crawl;
    a plain TCP connect here fails a misconfigured run before it crawls anything.
    """
    try:
        scheme, location = distributed.comm.parse_address(address)
        if scheme not in ("tcp", "tls"):
            return  # inproc/ucx: nothing to probe with a socket, the client's timeout applies
        host, port = distributed.comm.get_address_host_port(f"{scheme}://{location}")
    except ValueError as exc:
        raise DaskUnavailable(f"not a Dask scheduler address: {address!r} ({exc})") from exc
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        raise DaskUnavailable(
            f"no Dask scheduler answers at {address} ({exc}); start one (`dask scheduler`), "
            f"fix the address, or run without --dask-address/${ADDRESS_ENV} for a local cluster"
        ) from exc


def dask_task_runner(address: str | None = None) -> DaskTaskRunner:
    """A ``DaskTaskRunner`` on the scheduler at ``address``, or on a LocalCluster sized to the machine.

    The LocalCluster has one single-threaded worker process per core (trafilatura
    holds the GIL, so threads would not add throughput); ``$CLEANWIRE_EXTRACT_WORKERS``
    sizes it, as it sizes the default process pool.
    """
    if address:
        check_scheduler(address)
        return DaskTaskRunner(address=address, client_kwargs={"timeout": f"{CONNECT_SECONDS}s"})
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": max(1, parallel.default_workers()),
            "threads_per_worker": 1,
            "processes": True,
            "host": "127.0.0.1",
            "dashboard_address": None,
        }
    )


@contextmanager
def prefect_api_for_workers() -> Iterator[None]:
    """Run the Dask flow with an explicit Prefect API URL, so chunks report to the flow's API.

    Without ``PREFECT_API_URL`` (Prefect's ephemeral mode) the flow's temporary
    server lives in this process, and the settings a task ships to its worker
    name no server: every worker process would start a temporary server of its
    own, on the same database, and the chunk runs would be recorded there.
    """
    if PREFECT_API_URL.value():
        yield
        return
    with get_client(sync_client=True) as client:  # starts the temporary server if none runs yet
        url = str(client.api_url)
    with temporary_settings(updates={PREFECT_API_URL: url}):
        yield


def on_dask() -> bool:
    """Whether the running flow's task runner is a ``DaskTaskRunner`` (tasks it submits go to Dask)."""
    context = FlowRunContext.get()
    return context is not None and isinstance(context.task_runner, DaskTaskRunner)


def _runner() -> DaskTaskRunner:
    context = FlowRunContext.get()
    if context is None or not isinstance(context.task_runner, DaskTaskRunner):
        raise RuntimeError("the Dask fan-out runs only in a flow whose task runner is a DaskTaskRunner")
    return context.task_runner


def chunk_pages(pages: list[Page], threads: int) -> list[list[Page]]:
    """Consecutive chunks: a few per worker thread, so a slow chunk does not leave the others idle,
    but each big enough to outweigh its task's overhead (``$CLEANWIRE_DASK_CHUNK_PAGES`` overrides)."""
    if not pages:
        return []
    if configured := current_settings().dask_chunk_pages:
        size = configured
    else:
        size = max(MIN_CHUNK_PAGES, math.ceil(len(pages) / (max(1, threads) * CHUNKS_PER_THREAD)))
    return [pages[i : i + size] for i in range(0, len(pages), size)]


def _worker_address() -> str | None:
    try:
        return distributed.get_worker().address
    except ValueError:
        return None  # not on a Dask worker (e.g. the task was run in-process)


@dataclass
class ChunkResult(Generic[T]):
    """What a chunk returns, with the worker that ran it (logged, so a run shows where it ran)."""

    worker: str | None
    results: list[T]


@task(name="learn-chunk", cache_policy=NONE)
def learn_chunk(pages: list[Page]) -> ChunkResult[set[str]]:
    """Each page's small text blocks: site-learning input, merged by the flow over all chunks."""
    return ChunkResult(_worker_address(), parallel.pages_blocks(pages, workers=1))


@task(name="extract-chunk", cache_policy=NONE)
def extract_chunk(pages: list[Page], extractor: Extractor) -> ChunkResult[Article | NotAnArticle]:
    """Extract and clean a chunk in the worker's process; a broken page is an outcome, not a failure."""
    return ChunkResult(_worker_address(), [r for _, r in parallel.extract_pages(pages, extractor, workers=1)])


def _gather(futures: Iterable[PrefectFuture[ChunkResult[T]]], what: str, source: str) -> list[ChunkResult[T]]:
    results = [future.result() for future in futures]
    workers = sorted({r.worker or "in-process" for r in results})
    get_run_logger().info(
        "%s: %s in %d chunks on %d Dask workers: %s",
        source,
        what,
        len(results),
        len(workers),
        ", ".join(workers),
    )
    return results


def pages_blocks(pages: list[Page]) -> list[set[str]]:
    """``pipeline.extract.pool.pages_blocks`` on the Dask cluster: each page's blocks, in page order."""
    if not pages:
        return []
    runner = _runner()
    chunks = chunk_pages(pages, sum(runner.client.nthreads().values()))
    results = _gather(learn_chunk.map(chunks), "site learning", pages[0].source)
    return [blocks for r in results for blocks in r.results]


def extract_pages(pages: list[Page], extractor: Extractor) -> Iterator[tuple[Page, Article | NotAnArticle]]:
    """``pipeline.extract.pool.extract_pages`` on the Dask cluster: every page with its result, in order.

    What travels to a worker per chunk: its pages (body bytes and headers) and the
    extractor (settings and the site's learned blocks); back: articles or outcomes.
    """
    if not pages:
        return iter(())
    runner = _runner()
    chunks = chunk_pages(pages, sum(runner.client.nthreads().values()))
    results = _gather(extract_chunk.map(chunks, unmapped(extractor)), "extraction", pages[0].source)
    return zip(pages, [r for chunk in results for r in chunk.results], strict=True)


class DaskPasses:
    """``pipeline.extract.source.extract_source``'s two passes as chunk tasks on the flow's Dask
    cluster: site learning sees every page's blocks before any page is extracted."""

    def run(
        self, source: str, pages: list[Page], settings: ExtractionSettings, learn: Learn
    ) -> list[tuple[Page, Result]]:
        return list(extract_pages(pages, source_extractor(settings, source, learn(pages_blocks(pages)))))


def rerun_on(executor: str, address: str | None) -> DaskTaskRunner | None:
    """The task runner a flow asked to use ``executor`` must be run again on, or None to go on as it is.

    A task runner is fixed when a flow run starts, so a deployment or a plain call
    that asks for Dask by parameter runs the flow again as a subflow on a
    ``DaskTaskRunner``; the CLI sets the runner up front (``with_options``) instead.
    """
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if executor != "dask":
        if address:
            raise ValueError("dask_address is for executor='dask'; the local executor has no scheduler")
        return None
    return None if on_dask() else dask_task_runner(resolve_address(address))
