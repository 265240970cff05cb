"""A run's bookkeeping, with no Prefect in it: what each stage hands the next, and the commit.

The flow (``flows.ingest``) only sequences the stages and logs; everything it used to compute in
between lives here, on plain data passed forward: the extraction of each source (``Extracted``),
the verdicts on its articles (``judge_all``), each page's final outcome (``page_outcomes``), the
report's figures (``fill_report``), the drift alarm (``check_drift``) and the ``Commit`` the
bucket applies (``build_commit``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipeline.bucket.commit import Commit, WriteReport
from pipeline.bucket.manifest import Manifest, list_manifests
from pipeline.bucket.seen import seen_entry
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.dedup.judge import Deduplicator, Index, Verdict, duplicate_drop
from pipeline.dedup.minhash import Fingerprint, NearDupSettings
from pipeline.extract.source import Result
from pipeline.outcomes import Dropped, NotAnArticle, Outcome
from pipeline.record import Article, Page
from pipeline.runs.drift import SourceStats, drift_warnings, load_history, median, save_history
from pipeline.runs.report import RunReport
from pipeline.storage import ObjectStore, StoreError
from pipeline.storage.layout import raw_key
from pipeline.urls import canonicalize


class Crawled(Protocol):
    """What a source's crawl hands on (``spiders.runner.SourceCrawl``), as far as bookkeeping reads it."""

    source: str
    pages: list[Page]
    failures: list[Dropped]
    stats: dict[str, Any]
    warc_path: Path | None

    @property
    def fetched(self) -> int: ...

    @property
    def skipped_unchanged(self) -> int: ...


@dataclass
class Extracted:
    source: str
    articles: list[Article]
    pages: list[tuple[Page, Outcome]]
    dropped: list[Dropped]
    seconds: float
    boilerplate: SiteBoilerplate


def collect(
    crawled: Crawled, results: Iterable[tuple[Page, Result]], started: float, boilerplate: SiteBoilerplate
) -> Extracted:
    """A source's extraction results sorted into articles, page outcomes and drops."""
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


def representative_order(article: Article) -> tuple[bool, int, str]:
    """Clean URLs before tracking-parameter copies, so the kept record has the plain URL."""
    return (canonicalize(article.url) != article.url, len(article.url), article.url)


def judge_all(
    extracted: list[Extracted], index: Index, fingerprints: dict[str, Fingerprint] | None = None
) -> list[Verdict]:
    """Every article's verdict. ``fingerprints`` (by article id) were made by the extraction
    workers, with the default settings: used only when the index has those settings."""
    deduplicator = Deduplicator(index)
    prints = fingerprints if fingerprints and index.near.settings == NearDupSettings() else {}
    ordered = [a for e in extracted for a in sorted(e.articles, key=representative_order)]
    return [deduplicator.judge(a, prints.get(a.id)) for a in ordered]


def page_outcomes(extracted: list[Extracted], verdicts: list[Verdict]) -> list[tuple[Page, Outcome]]:
    """Each fetched page with its final outcome (an extracted page may turn out a duplicate)."""
    outcome = {id(p): o for e in extracted for p, o in e.pages}
    by_url = {(p.source, p.effective_url): p for e in extracted for p, _ in e.pages}
    for verdict in verdicts:
        page = by_url.get((verdict.article.source, verdict.article.url))
        if page is not None and not verdict.is_new:
            outcome[id(page)] = Outcome.DUPLICATE
    return [(p, outcome[id(p)]) for e in extracted for p, _ in e.pages]


def plain_stats(stats: dict[str, Any]) -> dict[str, int | float | str]:
    """Scrapy's stats as JSON values: counters kept, times as ISO strings."""
    return {k: v if isinstance(v, int | float | str) else str(v) for k, v in sorted(stats.items())}


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


def fill_report(
    report: RunReport, crawls: list[Crawled], extracted: list[Extracted], verdicts: list[Verdict]
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
    for verdict in verdicts:
        r = report.source(verdict.article.source)
        if verdict.is_new:
            r.count(Outcome.EXTRACTED)
        else:
            r.drop(duplicate_drop(verdict))
    for name, n in sorted(_unverified_claims(verdicts).items()):
        report.source(name).notes.append(
            f"{n} pages named another URL as rel=canonical without the same text there: "
            "kept under their own URLs"
        )


def _unverified_claims(verdicts: list[Verdict]) -> Counter[str]:
    """Per source, the rel=canonical claims not borne out: a claim the claimed page bore out later
    in the run (it came after, as a duplicate) is no claim."""
    borne_out = {(v.duplicate_of, v.article.canonical_url) for v in verdicts if v.duplicate_of}
    claims: Counter[str] = Counter()
    for verdict in verdicts:
        claimed = verdict.unverified_canonical
        if claimed is not None and (verdict.article.id, claimed) not in borne_out:
            claims[verdict.article.source] += 1
    return claims


def check_drift(
    manifest: Manifest, report: RunReport, extracted: list[Extracted], store: ObjectStore
) -> list[str]:
    """The drift alarm per source, entered in the manifest and the report; returns the warnings to
    log (a drift figure that could not be saved among them: the run's records matter more)."""
    for e in extracted:
        chars = median(len(a.text) for a in e.articles)
        if chars is not None:
            manifest.median_chars[e.source] = chars
    manifests: list[Manifest] = []

    def all_manifests() -> list[Manifest]:  # only for a bucket from before per-source history
        if not manifests:
            manifests.extend(list_manifests(store))
        return manifests

    logged: list[str] = []
    for name, counts in manifest.counts.items():
        current = SourceStats.from_counts(counts, manifest.median_chars.get(name))
        past = load_history(store, name, all_manifests)
        warnings = drift_warnings(current, past)
        try:
            save_history(store, name, past, current)
        except StoreError as exc:
            logged.append(f"could not save {name}'s drift history: {exc}")
        logged.extend(f"drift in {name}: {warning}" for warning in warnings)
        if warnings:
            manifest.drift[name] = warnings
            report.source(name).drift = warnings
    return logged


def build_commit(
    manifest: Manifest, crawls: list[Crawled], extracted: list[Extracted], verdicts: list[Verdict]
) -> Commit:
    """Everything the run will write: records, raw pages, seen URLs, what was learned per site."""
    return Commit(
        manifest=manifest,
        verdicts=verdicts,
        raw=[
            (c.warc_path, raw_key(c.source, manifest.created, manifest.run_id))
            for c in crawls
            if c.warc_path is not None and c.warc_path.exists() and c.warc_path.stat().st_size
        ],
        seen=[seen_entry(page, outcome) for page, outcome in page_outcomes(extracted, verdicts)],
        boilerplate=[e.boilerplate for e in extracted],
    )


def close_manifest(
    manifest: Manifest,
    report: RunReport,
    crawls: list[Crawled],
    extracted: list[Extracted],
    verdicts: list[Verdict],
    store: ObjectStore,
) -> tuple[Commit, list[str]]:
    """The report's figures into the manifest, the drift alarm, and the commit; with the warnings
    to log."""
    fill_report(report, crawls, extracted, verdicts)
    manifest.counts = report.counts()
    manifest.notes = report.notes()
    warnings = check_drift(manifest, report, extracted, store)
    return build_commit(manifest, crawls, extracted, verdicts), warnings



def record_written(report: RunReport, written: WriteReport, verdicts: Iterable[Verdict]) -> None:
    """What the store took, per source: records, bytes, and links (a sighting of a record stored by
    an earlier run belongs to the source whose article it was; a link entry names only its URL)."""
    for entry in written.records:
        report.source(entry.source).stored += 1
    source_of = {v.article.url: v.article.source for v in verdicts if v.duplicate_of is not None}
    for link in written.links:
        if (source := source_of.get(link.url)) is not None:
            report.source(source).links += 1
    for name, size in written.bytes_by_source.items():
        report.source(name).bytes = size


def summary(
    report: RunReport,
    manifest: Manifest,
    store_url: str,
    written: WriteReport,
    errors: list,
    crawls: list[Crawled],
    markdown: str,
) -> dict[str, Any]:
    """What an ingest flow returns."""
    return {
        "run_id": report.run_id,
        "manifest": manifest.id,
        "store": store_url,
        "counts": report.counts(),
        "totals": report.totals(),
        "stored": len(written.records),
        "already_stored": written.already_stored,
        "links": len(written.links),
        "config_errors": [str(e) for e in errors],
        "drift": manifest.drift,
        "notes": manifest.notes,
        "spooled": report.spooled,
        "drained": report.drained,
        "markdown": markdown,
        "seconds": report.stages,
        # what each crawl did, by Scrapy's and cleanwire's counters (cleanwire/..., downloader/...)
        "crawl_stats": {c.source: plain_stats(c.stats) for c in crawls},
    }
