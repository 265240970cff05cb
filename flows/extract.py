"""The crawl and extract stage of a run: what a run works on (``Plan``), its pages crawled (or read
back from a stored run), and each source's pages made records through
``pipeline.extract.source.extract_source`` on the local pool, the stream or Dask."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NONE
from prefect.utilities.annotations import quote

from flows import fanout
from flows.crawl import crawl_sources
from pipeline.bucket.seen import SeenUrls
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.dedup.minhash import Fingerprint
from pipeline.extract.extractor import ExtractionSettings
from pipeline.extract.pool import ExtractionStream
from pipeline.extract.source import Passes, extract_source
from pipeline.runs.report import RunReport
from pipeline.runs.run import Extracted, collect
from pipeline.sources import SourceConfig
from pipeline.storage import ObjectStore
from spiders.runner import SourceCrawl


@dataclass
class Plan:
    """What a run works on: sources to crawl, or (``reprocess``) crawls already in hand."""

    names: list[str]
    settings: dict[str, ExtractionSettings]
    errors: list = field(default_factory=list)
    sources: list[SourceConfig] = field(default_factory=list)
    overrides: dict[str, Any] | None = None
    crawls: list[SourceCrawl] | None = None
    store_retries: int = 3
    lock_wait: float = 3600


def _extract(
    crawled: SourceCrawl, settings: ExtractionSettings, boilerplate: SiteBoilerplate, passes: Passes
) -> Extracted:
    """Site learning sees every page of the source before any page is extracted (``extract_source``).

    Not a task on Dask: tasks submitted from inside a task would carry its parameters, every page,
    to each chunk."""
    started = time.monotonic()
    results = extract_source(crawled.source, crawled.pages, settings, boilerplate, passes)
    return collect(crawled, results, started, boilerplate)


extract_task = task(_extract, name="extract-clean", cache_policy=NONE)


def crawl_and_extract(
    plan: Plan, seen: SeenUrls, warc_dir: Path, bucket: ObjectStore, report: RunReport
) -> tuple[list[SourceCrawl], list[Extracted], dict[str, Fingerprint]]:
    """On Dask, extraction waits for the crawl; else it starts while the crawl runs: pages go to
    worker processes as they arrive (``ExtractionStream``), which also fingerprint the articles."""
    clock = time.monotonic()

    def boilerplate(c: SourceCrawl) -> SiteBoilerplate:
        return SiteBoilerplate.load(bucket, c.source)

    def settings(c: SourceCrawl) -> ExtractionSettings:
        return plan.settings.get(c.source, ExtractionSettings())

    if fanout.on_dask():
        crawls = _crawls(plan, seen, warc_dir, None)
        clock = report.lap("crawl", clock)
        passes = fanout.DaskPasses()
        extracted = [_extract(c, settings(c), boilerplate(c), passes) for c in crawls]
        report.lap("extract", clock)
        return crawls, extracted, {}
    stream = ExtractionStream(plan.settings)
    try:
        crawls = _crawls(plan, seen, warc_dir, stream)
        clock = report.lap("crawl", clock)
        extracted = [
            extract_task(quote(c), settings(c), quote(boilerplate(c)), quote(stream)) for c in crawls
        ]
    finally:
        stream.close()
    report.lap("extract", clock)
    return crawls, extracted, stream.fingerprints


def _crawls(
    plan: Plan, seen: SeenUrls, warc_dir: Path, stream: ExtractionStream | None
) -> list[SourceCrawl]:
    if plan.crawls is not None:
        return plan.crawls
    on_page = stream.submit if stream is not None else None
    return crawl_sources(plan.sources, quote(seen), warc_dir, plan.overrides, on_page)
