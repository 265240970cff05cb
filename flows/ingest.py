"""The ``ingest`` flow: crawl -> extract+clean -> dedup -> store, with a report per source.

Flows and tasks only: each stage's work is in ``pipeline`` (``extract.source``, ``runs.run``,
``bucket.commit``) and ``spiders``; here the stages are sequenced, retried and logged, each
handing its plain result to the next. Tasks pass plain Python objects (no result persistence, no
input hashing: pages are large); retries are on the tasks that touch the network or the store,
and both are safe to repeat because every write is write-once.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from flows import fanout
from flows.extract import Plan, crawl_and_extract
from flows.report import report_artifact
from flows.retries import STORAGE_RETRIES
from pipeline.bucket.commit import Commit, WriteReport, apply_commit, recover_pending
from pipeline.bucket.link_index import maybe_compact_links
from pipeline.bucket.manifest import Manifest, Sequencer, list_manifests, new_run_id
from pipeline.bucket.seen import SeenUrls
from pipeline.bucket.spool import Spool
from pipeline.bucket.warc import read_run_pages
from pipeline.dedup.judge import DedupIndex, Index, Verdict
from pipeline.dedup.minhash import Fingerprint
from pipeline.runs.guard import run_guard
from pipeline.runs.report import RunReport
from pipeline.runs.run import Extracted, close_manifest, judge_all, record_written, summary
from pipeline.shared import SharedState
from pipeline.shared.state import redis_url_from_env
from pipeline.sources import default_sources_dir, load_sources, select_sources
from pipeline.storage import ObjectStore, StoreError, open_store
from spiders.runner import SourceCrawl

# Task arguments that hold a run's pages, articles or state go in ``quote``: Prefect otherwise
# walks every element of every argument looking for upstream results (1.7 s of a 3,000-page run,
# measured), and these are plain values.


# In shared mode other runs upload at the same time: only uploads this old are orphans.
SHARED_ORPHAN_UPLOAD_AGE = 6 * 3600


@task(name="load-seen", cache_policy=NONE, **STORAGE_RETRIES)
def load_seen(store: ObjectStore, shared: SharedState | None = None) -> SeenUrls:
    """The seen URLs the crawl skips unchanged pages by: Redis's (shared), or the bucket's as they
    are now (read again under the store's lease before they are written)."""
    return shared.seen if shared is not None else SeenUrls.load(store)


@task(name="load-state", cache_policy=NONE, **STORAGE_RETRIES)
def load_state(store: ObjectStore, shared: SharedState | None = None) -> tuple[Index, SeenUrls]:
    """The dedup index and seen URLs: from the bucket (one run at a time) or Redis (shared).

    Crashed runs are recovered first, so their records count as known.
    """
    logger = get_run_logger()
    for line in store.prepare(orphan_age=SHARED_ORPHAN_UPLOAD_AGE if shared is not None else 0):
        logger.warning("%s", line)
    if shared is not None:
        recovered, index, seen = shared.recover(), shared.index, shared.seen
        logger.info("shared state in Redis: %d records, %d seen URLs", len(shared.index), len(seen))
    else:
        local = DedupIndex.load(store)
        recovered, index, seen = recover_pending(store, local), local, SeenUrls.load(store)
    for manifest in recovered:
        logger.warning("recovered interrupted run %s: %d records", manifest.run_id, len(manifest.records))
    return index, seen


@task(name="dedup", cache_policy=NONE)
def dedup(
    extracted: list[Extracted], index: Index, fingerprints: dict[str, Fingerprint] | None = None
) -> list[Verdict]:
    return judge_all(extracted, index, fingerprints)


@task(name="drain-spool", cache_policy=NONE)
def drain_spool(
    store: ObjectStore, index: Index, seen: SeenUrls, spool: Spool, sequencer: Sequencer | None = None
) -> int:
    """Commits an earlier run could not store go first; a failure here fails the run, losing nothing."""
    drained = 0
    for commit in spool.pending():
        report = apply_commit(store, index, seen, commit, sequencer)
        spool.done(commit)
        drained += len(report.records)
        get_run_logger().warning(
            "stored %d records of run %s from the local spool", len(report.records), commit.run_id
        )
    return drained


@task(name="store", cache_policy=NONE, **STORAGE_RETRIES)
def store_results(
    store: ObjectStore, commit: Commit, index: Index, seen: SeenUrls, sequencer: Sequencer | None = None
) -> WriteReport:
    """Idempotent (write-once objects), so a retry after a storage error finishes the job."""
    return apply_commit(store, index, seen, commit, sequencer)


@flow(name="ingest", log_prints=True)
def ingest(
    sources: list[str] | None = None,
    store: str | None = None,
    config_dir: str | None = None,
    crawl_overrides: dict[str, Any] | None = None,
    store_retries: int = 3,
    lock_wait: float = 3600,
    executor: str = "local",
    dask_address: str | None = None,
) -> dict[str, Any]:
    """Ingest the named sources (all enabled ones by default) into the store.

    One run at a time per store (a lease in the store); commits an earlier run
    spooled are stored first; if the store stays down, this run's commit is
    spooled locally for the next one. ``executor="dask"`` extracts on a Dask
    cluster: a LocalCluster, or the scheduler at ``dask_address`` (default
    ``$CLEANWIRE_DASK_ADDRESS``); see docs/dask.md.
    """
    if runner := fanout.rerun_on(executor, dask_address):
        with fanout.prefect_api_for_workers():
            return ingest.with_options(task_runner=runner)(
                sources, store, config_dir, crawl_overrides, store_retries, lock_wait, executor, dask_address
            )
    logger = get_run_logger()
    directory = Path(config_dir) if config_dir else default_sources_dir()
    loaded, errors = load_sources(directory)
    for error in errors:
        logger.error("skipping source config %s", error)
    selected = select_sources(loaded, sources, errors)
    settings = {s.name: s.extraction_settings() for s in selected}
    names = [s.name for s in selected]
    plan = Plan(names, settings, errors, selected, crawl_overrides, None, store_retries, lock_wait)
    return _run(open_store(store), plan)


@flow(name="reprocess", log_prints=True)
def reprocess(
    run_id: str, store: str | None = None, to: str | None = None, config_dir: str | None = None
) -> dict[str, Any]:
    """Re-extract a stored run's raw pages (its WARCs) with today's code, without crawling again.

    Into the same store (new text from improved cleaning becomes new records or
    near-duplicates of the old), or ``to`` another store, e.g. a fresh bucket.
    """
    source_store = open_store(store)
    manifest = next((m for m in list_manifests(source_store) if m.run_id == run_id), None)
    if manifest is None or not manifest.raw:
        raise ValueError(f"no run {run_id!r} with raw pages in {source_store.url}")
    crawls = [
        SourceCrawl(source=source, pages=pages)
        for source, pages in read_run_pages(source_store, manifest.raw).items()
    ]
    loaded, errors = load_sources(Path(config_dir) if config_dir else default_sources_dir())
    settings = {s.name: s.extraction_settings() for s in loaded}
    plan = Plan([c.source for c in crawls], settings, errors, crawls=crawls)
    return _run(open_store(to) if to else source_store, plan)


def _run(bucket: ObjectStore, plan: Plan) -> dict[str, Any]:
    """Everything after the sources are chosen: crawl, extract, dedup, commit (or spool), report."""
    logger = get_run_logger()
    run_id = new_run_id()
    report = RunReport(run_id)
    spool = Spool(bucket.url)
    redis_url = redis_url_from_env()
    shared = SharedState(redis_url, bucket, run_id) if redis_url else None
    sequencer = shared.sequencer.slot if shared is not None else None
    with (
        run_guard(bucket, run_id, plan.names, plan.lock_wait, shared) as guard,
        tempfile.TemporaryDirectory(prefix=f"cleanwire-{run_id}-") as tmp,
    ):
        # The crawl reads seen URLs without the store's lease: its sources are this run's alone.
        seen = load_seen(bucket, quote(shared))
        crawls, extracted, fingerprints = crawl_and_extract(plan, seen, Path(tmp), bucket, report)
        with guard.commit():
            index, seen = load_state(bucket, quote(shared))  # what runs committed meanwhile included
            # After recovery: this run's manifest sorts after any it recovered from a crashed run.
            manifest = Manifest.start(run_id, plan.names)
            drained = drain_spool(bucket, quote(index), quote(seen), spool, sequencer)
            clock = time.monotonic()
            verdicts = dedup(quote(extracted), quote(index), quote(fingerprints))
            clock = report.lap("dedup", clock)
            commit, warnings = close_manifest(manifest, report, crawls, extracted, verdicts, bucket)
            for warning in warnings:
                logger.warning("%s", warning)
            written = _store_or_spool(bucket, commit, index, seen, sequencer, spool, plan.store_retries)
            report.spooled = 0 if written is not None else commit.new_records
            maybe_compact_links(bucket)  # readers' also_at index (pipeline.bucket.link_index)
            report.lap("store", clock)
    report.drained = drained
    return _summary(report, manifest, bucket, written, plan, crawls, verdicts)


def _store_or_spool(
    bucket: ObjectStore,
    commit: Commit,
    index: Index,
    seen: SeenUrls,
    sequencer: Sequencer | None,
    spool: Spool,
    retries: int,
) -> WriteReport | None:
    """The commit applied, or (the store stayed down) spooled for the next run: None."""
    try:
        return store_results.with_options(retries=retries)(
            bucket, quote(commit), quote(index), quote(seen), sequencer
        )
    except StoreError as exc:
        path = spool.save(commit)
        get_run_logger().error(
            "the store stayed unavailable (%s); %d records spooled to %s", exc, commit.new_records, path
        )
        return None


def _summary(
    report: RunReport,
    manifest: Manifest,
    bucket: ObjectStore,
    stored: WriteReport | None,
    plan: Plan,
    crawls: list[SourceCrawl],
    verdicts: list[Verdict],
) -> dict[str, Any]:
    """The run's figures: the report's markdown artifact (and, when the commit was applied, the
    run's part of ``cleanwire report``), and what the flow returns."""
    written = stored or WriteReport()
    record_written(report, written, verdicts)
    markdown = report.to_markdown()
    if stored is not None:
        markdown += report_artifact(bucket, manifest, report, verdicts)
    create_markdown_artifact(markdown, key="ingest-summary", description=f"ingest run {report.run_id}")
    get_run_logger().info("run %s: %s", report.run_id, report.totals())
    return summary(report, manifest, bucket.url, written, plan.errors, crawls, markdown)
