"""The ``ingest`` flow: crawl -> extract+clean -> dedup -> store, with a report per source.

Tasks pass plain Python objects (no result persistence, no input hashing:
pages are large); retries are on the tasks that touch the network or the store,
and both are safe to repeat because every write is write-once.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, get_client, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.concurrency.sync import concurrency
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from flows import fanout
from flows.limits import GLOBAL_CRAWL_LIMIT, domain_limit_name
from pipeline.cleaning import Cleaner
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.commit import Commit, apply_commit
from pipeline.dedup import DedupIndex, Deduplicator, Verdict, duplicate_drop
from pipeline.drift import SourceStats, drift_warnings, load_history, median, save_history
from pipeline.extract import ExtractionSettings, Extractor
from pipeline.link_index import maybe_compact_links
from pipeline.lock import StoreLock
from pipeline.manifest import Manifest, Sequencer, list_manifests, new_run_id
from pipeline.near_dup import Fingerprint, NearDupSettings
from pipeline.outcomes import Dropped, NotAnArticle, Outcome
from pipeline.parallel import ExtractionStream, extract_pages, pages_blocks
from pipeline.record import Article, Page
from pipeline.report import RunReport
from pipeline.seen import SeenUrl, SeenUrls, seen_entry
from pipeline.shared import SharedState
from pipeline.shared.state import redis_url_from_env
from pipeline.sources import SourceConfig, default_sources_dir, load_sources, select_sources
from pipeline.spool import Spool
from pipeline.storage import ConditionalWritesUnsupported, ObjectStore, S3Store, StoreError, open_store
from pipeline.storage.layout import SHARED_MODE_KEY, raw_key
from pipeline.urls import canonicalize
from pipeline.warc import read_run_pages
from pipeline.writer import WriteReport, recover_pending
from spiders.runner import SourceCrawl, crawl
from spiders.shared_frontier import FrontierCrawl, SharedFrontierError

# Task arguments that hold a run's pages, articles or state go in ``quote``: Prefect otherwise
# walks every element of every argument looking for upstream results (1.7 s of a 3,000-page run,
# measured), and these are plain values.


@dataclass
class Extracted:
    source: str
    articles: list[Article]
    pages: list[tuple[Page, Outcome]]
    dropped: list[Dropped]
    seconds: float
    boilerplate: SiteBoilerplate


def _retry_unless_refused(task: Any, task_run: Any, state: Any) -> bool:
    """Network and storage errors are worth retrying; a backend refused for ignoring
    conditional writes will still ignore them in a minute."""
    try:
        state.result()
    except ConditionalWritesUnsupported:
        return False
    except Exception:
        return True
    return True


# Storage steps: idempotent, so retried with exponential backoff and jitter (2, 4, 8 s, +-50%).
STORAGE_RETRIES: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _retry_unless_refused,
}


# In shared mode other runs upload at the same time: only uploads this old are orphans.
SHARED_ORPHAN_UPLOAD_AGE = 6 * 3600


@task(name="load-state", cache_policy=NONE, **STORAGE_RETRIES)
def load_state(store: ObjectStore, shared: SharedState | None = None) -> tuple[Any, SeenUrls]:
    """The dedup index and seen URLs: from the bucket (one run at a time) or Redis (shared).

    Crashed runs are recovered first, so their records count as known.
    """
    logger = get_run_logger()
    if isinstance(store, S3Store):
        store.check_conditional_writes()
        age = SHARED_ORPHAN_UPLOAD_AGE if shared is not None else 0
        if aborted := store.abort_orphan_uploads(older_than=age):
            logger.warning("aborted %d incomplete multipart uploads of interrupted runs", aborted)
    if shared is not None:
        recovered = shared.recover()
        index: Any = shared.index
        seen: SeenUrls = shared.seen
        logger.info("shared state in Redis: %d records, %d seen URLs", len(shared.index), len(seen))
    else:
        index = DedupIndex.load(store)
        recovered = recover_pending(store, index)
        seen = SeenUrls.load(store)
    for manifest in recovered:
        logger.warning("recovered interrupted run %s: %d records", manifest.run_id, len(manifest.records))
    return index, seen


@contextmanager
def run_guard(
    store: ObjectStore, run_id: str, lock_wait: float, shared: SharedState | None
) -> Iterator[None]:
    """One run at a time per store, unless the state is shared (then a lease only marks the run
    alive, so that a crash is recognised and its claims released)."""
    if shared is None:
        if store.exists(SHARED_MODE_KEY):
            raise RuntimeError(
                f"{store.url} is ingested by workers sharing state in Redis: set REDIS_URL to the "
                "same Redis (the bucket's own dedup index and seen URLs are out of date)"
            )
        with StoreLock(store, owner=run_id, wait=lock_wait):
            yield
        return
    shared.start()
    try:
        yield
    except BaseException:
        shared.abandon()
        raise
    shared.finish()


def existing_limits(names: list[str]) -> list[str]:
    """Those of ``names`` that are global concurrency limits on the Prefect server.

    ``cleanwire deploy --apply`` and ``cleanwire serve`` create them; a plain
    ``cleanwire run`` (or a test) does not, and its crawl should neither create
    server state as a side effect nor warn about limits nobody asked for.
    """
    wanted, found, offset = set(names), set(), 0
    with get_client(sync_client=True) as client:
        while page := client.read_global_concurrency_limits(limit=200, offset=offset):
            found.update(limit.name for limit in page if limit.name in wanted)
            offset += len(page)
    return [name for name in names if name in found]


@task(name="crawl", cache_policy=NONE, retries=1, retry_delay_seconds=5, retry_jitter_factor=0.5)
def crawl_sources(
    sources: list[SourceConfig],
    seen: SeenUrls,
    warc_dir: Path,
    overrides: dict[str, Any] | None,
    on_page: Callable[[Page], None] | None = None,
) -> list[SourceCrawl]:
    """Take a global and a per-domain crawl slot (limits made by ``cleanwire deploy``/``serve``).

    Only limits that exist are asked for (``existing_limits``): an ad-hoc run on a
    server where nobody made them is not limited, on purpose, and says so at debug
    level instead of Prefect's warning for each missing name. A source
    with ``crawl_processes`` > 1 is crawled by that many Scrapy processes sharing one frontier
    in Redis (``REDIS_URL``), while the others crawl in this process.
    """
    logger = get_run_logger()
    redis_url = redis_url_from_env()
    big = [s for s in sources if s.crawl_processes > 1 and redis_url]
    for s in sources:
        if s.crawl_processes > 1 and not redis_url:
            logger.warning("%s: crawl_processes %d needs REDIS_URL; one process", s.name, s.crawl_processes)
    domains = sorted({d for s in sources for d in s.allowed_domains})
    names = existing_limits([GLOBAL_CRAWL_LIMIT, *(domain_limit_name(d) for d in domains)])
    if not names:
        logger.debug("no cleanwire crawl limits on this Prefect server: this run's crawl is not limited")
    slots = concurrency(names, occupy=1, timeout_seconds=3600, strict=False) if names else nullcontext()
    with slots:
        frontier = [
            FrontierCrawl(s, redis_url, s.crawl_processes, seen, warc_dir, overrides)
            for s in big
            if redis_url
        ]
        crawls: list[SourceCrawl] = []
        started: list[FrontierCrawl] = []
        try:
            for f in frontier:
                started.append(f.start())
                logger.info("%s: %d crawl processes share a frontier in Redis", f.source.name, f.processes)
            in_process = [s for s in sources if s not in big]
            crawls = crawl(in_process, seen=seen, warc_dir=warc_dir, overrides=overrides, on_page=on_page)
        finally:
            for f in started:  # never leave a source's workers running, whatever failed
                try:
                    crawls.append(f.finish())
                except SharedFrontierError as exc:
                    logger.error("%s: %s", f.source.name, exc)
                    crawls.append(exc.partial)
    for c in crawls:
        logger.info(
            "%s: fetched %d responses, %d article pages, %d skipped unchanged",
            c.source,
            c.fetched,
            len(c.pages),
            c.skipped_unchanged,
        )
    return crawls


@task(name="extract-clean", cache_policy=NONE)
def extract_source(
    crawled: SourceCrawl,
    settings: ExtractionSettings,
    boilerplate: SiteBoilerplate,
    stream: ExtractionStream | None = None,
) -> Extracted:
    """Learn the site's recurring blocks, then extract and clean every page, across cores.

    With a ``stream`` the pages were drafted while the crawl ran (``pipeline.parallel``): what
    is left is learning and cleaning.
    """
    if stream is None:
        return _extract(crawled, settings, boilerplate, pages_blocks, extract_pages)
    started = time.monotonic()

    results = stream.results(crawled.source, crawled.pages, boilerplate.learn)
    return _collect(crawled, results, started, boilerplate)


def extract_source_on_dask(
    crawled: SourceCrawl, settings: ExtractionSettings, boilerplate: SiteBoilerplate
) -> Extracted:
    """The same, with both passes fanned out over the flow's Dask cluster (``flows.fanout``).

    Not a task: tasks submitted from inside a task would carry its parameters, every page, to each chunk.
    """
    return _extract(crawled, settings, boilerplate, fanout.pages_blocks, fanout.extract_pages)


def _extract(
    crawled: SourceCrawl,
    settings: ExtractionSettings,
    boilerplate: SiteBoilerplate,
    blocks_of: Callable[[list[Page]], list[set[str]]],
    extract: Callable[[list[Page], Extractor], Iterable[tuple[Page, Article | NotAnArticle]]],
) -> Extracted:
    """Site learning sees every page of the source before any page is extracted."""
    started = time.monotonic()
    cleaner = Cleaner(learned={crawled.source: boilerplate.learn(blocks_of(crawled.pages))})
    extractor = Extractor(settings, cleaner)
    return _collect(crawled, extract(crawled.pages, extractor), started, boilerplate)


def _collect(
    crawled: SourceCrawl,
    results: Iterable[tuple[Page, Article | NotAnArticle]],
    started: float,
    boilerplate: SiteBoilerplate,
) -> Extracted:
    articles: list[Article] = []
    pages: list[tuple[Page, Outcome]] = []
    dropped: list[Dropped] = list(crawled.failures)
    for page, result in results:
        if isinstance(result, NotAnArticle):
            dropped.append(Dropped(page.url, page.source, result.outcome, result.reason))
            pages.append((page, result.outcome))
        else:
            articles.append(result)
            pages.append((page, Outcome.EXTRACTED))
    return Extracted(crawled.source, articles, pages, dropped, time.monotonic() - started, boilerplate)


def _representative_order(article: Article) -> tuple[bool, int, str]:
    """Clean URLs before tracking-parameter copies, so the kept record has the plain URL."""
    return (canonicalize(article.url) != article.url, len(article.url), article.url)


@task(name="dedup", cache_policy=NONE)
def dedup(
    extracted: list[Extracted], index: Any, fingerprints: dict[str, Fingerprint] | None = None
) -> list[Verdict]:
    """``fingerprints`` (by article id) were made by the extraction workers, when they used the
    index's settings."""
    deduplicator = Deduplicator(index)
    if index.near.settings != NearDupSettings():
        fingerprints = None
    prints = fingerprints or {}
    ordered = [a for e in extracted for a in sorted(e.articles, key=_representative_order)]
    return [deduplicator.judge(a, prints.get(a.id)) for a in ordered]


@task(name="drain-spool", cache_policy=NONE)
def drain_spool(
    store: ObjectStore, index: Any, seen: SeenUrls, spool: Spool, sequencer: Sequencer | None = None
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
    store: ObjectStore, commit: Commit, index: Any, seen: SeenUrls, sequencer: Sequencer | None = None
) -> WriteReport:
    """Idempotent (write-once objects), so a retry after a storage error finishes the job."""
    return apply_commit(store, index, seen, commit, sequencer)


def _page_outcomes(extracted: list[Extracted], verdicts: list[Verdict]) -> list[tuple[Page, Outcome]]:
    """Each fetched page with its final outcome (an extracted page may turn out a duplicate)."""
    outcome = {id(p): o for e in extracted for p, o in e.pages}
    by_url = {(p.source, p.effective_url): p for e in extracted for p, _ in e.pages}
    for verdict in verdicts:
        page = by_url.get((verdict.article.source, verdict.article.url))
        if page is not None and not verdict.is_new:
            outcome[id(page)] = Outcome.DUPLICATE
    return [(p, outcome[id(p)]) for e in extracted for p, _ in e.pages]


def _plain_stats(stats: dict[str, Any]) -> dict[str, int | float | str]:
    """Scrapy's stats as JSON values: counters kept, times as ISO strings."""
    return {k: v if isinstance(v, int | float | str) else str(v) for k, v in sorted(stats.items())}


def _seen_entries(page_outcomes: list[tuple[Page, Outcome]]) -> list[tuple[str, SeenUrl]]:
    return [seen_entry(page, outcome) for page, outcome in page_outcomes]


def _fill_report(
    report: RunReport, crawls: list[SourceCrawl], extracted: list[Extracted], verdicts: list[Verdict]
) -> None:
    for c in crawls:
        r = report.source(c.source)
        r.fetched, r.skipped_unchanged = c.fetched, c.skipped_unchanged
        if limit := crawl_limit(c.stats):
            r.notes.append(limit)
    for e in extracted:
        r = report.source(e.source)
        r.seconds += e.seconds
        for dropped in e.dropped:
            r.drop(dropped)
    # A claim the claimed page bore out later in the run (it came after, as a duplicate) is no claim.
    borne_out = {(v.duplicate_of, v.article.canonical_url) for v in verdicts if v.duplicate_of}
    claims: Counter[str] = Counter()
    for verdict in verdicts:
        r = report.source(verdict.article.source)
        if verdict.is_new:
            r.count(Outcome.EXTRACTED)
        else:
            r.drop(duplicate_drop(verdict))
        claimed = verdict.unverified_canonical
        if claimed is not None and (verdict.article.id, claimed) not in borne_out:
            claims[verdict.article.source] += 1
    for name, n in sorted(claims.items()):
        report.source(name).notes.append(
            f"{n} pages named another URL as rel=canonical without the same text there: "
            "kept under their own URLs"
        )


# Scrapy's finish reasons for a crawl cut short by a limit, in the source's words.
_LIMITS = {
    "closespider_pagecount": "politeness.max_pages",
    "closespider_timeout": "politeness.max_seconds",
    "memusage_exceeded": "politeness.memory_limit_mb",
}


def crawl_limit(stats: dict[str, Any]) -> str | None:
    """A note when the crawl stopped at a limit: the sitemaps, feeds and listings were not read to
    their end, and what was not fetched waits for the next run."""
    limit = _LIMITS.get(str(stats.get("finish_reason", "")))
    if limit is None:
        return None
    fetched = int(stats.get("downloader/response_count", 0))
    return f"crawl stopped at {limit} after {fetched} responses: the rest waits for the next run"


def _check_drift(
    manifest: Manifest, report: RunReport, extracted: list[Extracted], store: ObjectStore
) -> None:
    for e in extracted:
        chars = median(len(a.text) for a in e.articles)
        if chars is not None:
            manifest.median_chars[e.source] = chars
    manifests: list[Manifest] = []

    def all_manifests() -> list[Manifest]:  # only for a bucket from before per-source history
        if not manifests:
            manifests.extend(list_manifests(store))
        return manifests

    for name, counts in manifest.counts.items():
        current = SourceStats.from_counts(counts, manifest.median_chars.get(name))
        past = load_history(store, name, all_manifests)
        warnings = drift_warnings(current, past)
        try:
            save_history(store, name, past, current)
        except StoreError as exc:  # the run's records matter more than its drift figures
            get_run_logger().warning("could not save %s's drift history: %s", name, exc)
        for warning in warnings:
            get_run_logger().warning("drift in %s: %s", name, warning)
        if warnings:
            manifest.drift[name] = warnings
            report.source(name).drift = warnings


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
    return _run(
        open_store(store),
        [s.name for s in selected],
        settings,
        errors,
        store_retries,
        lock_wait,
        lambda seen, tmp, on_page: crawl_sources(selected, quote(seen), tmp, crawl_overrides, on_page),
    )


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
    return _run(
        open_store(to) if to else source_store,
        [c.source for c in crawls],
        settings,
        errors,
        3,
        3600,
        lambda seen, tmp, on_page: crawls,
    )


def _run(
    bucket: ObjectStore,
    source_names: list[str],
    settings: dict[str, ExtractionSettings],
    errors: list,
    store_retries: int,
    lock_wait: float,
    get_crawls: Callable[[SeenUrls, Path, Callable[[Page], None] | None], list[SourceCrawl]],
) -> dict[str, Any]:
    """Everything after the pages are in hand: extract, dedup, commit (or spool), report."""
    logger = get_run_logger()
    run_id = new_run_id()
    report = RunReport(run_id)
    spool = Spool(bucket.url)
    spooled = 0
    redis_url = redis_url_from_env()
    shared = SharedState(redis_url, bucket, run_id) if redis_url else None
    sequencer = shared.sequencer.slot if shared is not None else None
    with (
        run_guard(bucket, run_id, lock_wait, shared),
        tempfile.TemporaryDirectory(prefix=f"cleanwire-{run_id}-") as tmp,
    ):
        index, seen = load_state(bucket, quote(shared))
        # After recovery: this run's manifest sorts after any it recovered from a crashed run.
        manifest = Manifest.start(run_id, source_names)
        drained = drain_spool(bucket, quote(index), quote(seen), spool, sequencer)
        clock = time.monotonic()
        fingerprints: dict[str, Fingerprint] = {}
        if fanout.on_dask():
            crawls = get_crawls(seen, Path(tmp), None)
            clock = report.lap("crawl", clock)
            extracted = [
                extract_source_on_dask(
                    c, settings.get(c.source, ExtractionSettings()), SiteBoilerplate.load(bucket, c.source)
                )
                for c in crawls
            ]
        else:
            # Extraction starts while the crawl runs: pages go to worker processes as they arrive.
            stream = ExtractionStream(settings)
            try:
                crawls = get_crawls(seen, Path(tmp), stream.submit)
                clock = report.lap("crawl", clock)
                extracted = [
                    extract_source(
                        quote(c),
                        settings.get(c.source, ExtractionSettings()),
                        quote(SiteBoilerplate.load(bucket, c.source)),
                        quote(stream),
                    )
                    for c in crawls
                ]
            finally:
                stream.close()
            fingerprints = stream.fingerprints
        clock = report.lap("extract", clock)
        verdicts = dedup(quote(extracted), quote(index), quote(fingerprints))
        clock = report.lap("dedup", clock)
        _fill_report(report, crawls, extracted, verdicts)
        manifest.counts = report.counts()
        manifest.notes = report.notes()
        _check_drift(manifest, report, extracted, bucket)
        commit = Commit(
            manifest=manifest,
            verdicts=verdicts,
            raw=[
                (c.warc_path, raw_key(c.source, manifest.created, run_id))
                for c in crawls
                if c.warc_path is not None and c.warc_path.exists() and c.warc_path.stat().st_size
            ],
            seen=_seen_entries(_page_outcomes(extracted, verdicts)),
            boilerplate=[e.boilerplate for e in extracted],
        )
        try:
            written = store_results.with_options(retries=store_retries)(
                bucket, quote(commit), quote(index), quote(seen), sequencer
            )
        except StoreError as exc:
            path = spool.save(commit)
            spooled = commit.new_records
            logger.error("the store stayed unavailable (%s); %d records spooled to %s", exc, spooled, path)
            written = WriteReport()
        maybe_compact_links(bucket)  # readers' also_at index (pipeline.link_index)
        report.lap("store", clock)

    report.spooled, report.drained = spooled, drained
    for entry in written.records:
        report.source(entry.source).stored += 1
    for name, size in written.bytes_by_source.items():
        report.source(name).bytes = size
    markdown = report.to_markdown()
    create_markdown_artifact(markdown, key="ingest-summary", description=f"ingest run {run_id}")
    logger.info("run %s: %s", run_id, report.totals())
    return {
        "run_id": run_id,
        "manifest": manifest.id,
        "store": bucket.url,
        "counts": report.counts(),
        "totals": report.totals(),
        "stored": len(written.records),
        "already_stored": written.already_stored,
        "links": len(written.links),
        "config_errors": [str(e) for e in errors],
        "drift": manifest.drift,
        "notes": manifest.notes,
        "spooled": spooled,
        "drained": drained,
        "markdown": markdown,
        "seconds": report.stages,
        # what each crawl did, by Scrapy's and cleanwire's counters (cleanwire/..., downloader/...)
        "crawl_stats": {c.source: _plain_stats(c.stats) for c in crawls},
    }
