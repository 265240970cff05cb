"""Backpressure from extraction to the crawl (issue 19): a bounded queue of pages waiting.

Pass: a crawl of news-weight pages from a local server, extracted by two worker processes while
it runs, never has more pages waiting for extraction than the stream's limit plus what Scrapy
held when it paused (requests in flight, responses queued for parsing); the crawl did pause (it
outpaces extraction on such pages) and every page still arrived and was extracted.
Behavioural, not timed: the counts are the stream's own.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.news_pages import news_site_pages
from benchmarks.pipeline_bench import _source_yaml, _write_site
from benchmarks.static_site import serve_in_process
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.extract.extractor import ExtractionSettings
from pipeline.extract.pool import STREAM_CHUNK, ExtractionStream
from pipeline.outcomes import NotAnArticle
from pipeline.sources import SourceConfig
from spiders.runner import crawl

PAGES = 240
IN_FLIGHT = 8
SCRAPER_BYTES = 1_000_000  # responses Scrapy parses before it stops taking more (its backout)


def _source(base: str) -> SourceConfig:
    return SourceConfig.model_validate({"name": "bench", **yaml.safe_load(_source_yaml(base, PAGES))})


def test_the_queue_waiting_for_extraction_stays_bounded(tmp_path: Path) -> None:
    pages = news_site_pages(PAGES)
    _write_site(tmp_path / "site", pages)
    # Once paused, the pages still to come are those Scrapy already holds: requests in flight and
    # responses queued for parsing (``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes' worth, plus one).
    held = IN_FLIGHT + SCRAPER_BYTES // min(len(p.body) for p in pages) + 1
    overrides = {
        "LOG_LEVEL": "ERROR",
        "CONCURRENT_REQUESTS": IN_FLIGHT,
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": SCRAPER_BYTES,
    }
    stream = ExtractionStream({"bench": ExtractionSettings()}, workers=2, max_waiting=2 * STREAM_CHUNK)
    try:
        with serve_in_process(tmp_path / "site") as base:
            (crawled,) = crawl([_source(base)], overrides=overrides, on_page=stream.submit)
        results = stream.run("bench", crawled.pages, ExtractionSettings(), SiteBoilerplate("bench").learn)
    finally:
        stream.close()
    assert stream.pauses > 0  # the crawl outran extraction and was held back
    assert stream.most_waiting <= stream.max_waiting + held, (stream.most_waiting, held)
    assert len(crawled.pages) == PAGES  # nothing lost to the pauses
    assert len({p.url for p in crawled.pages}) == PAGES
    articles = [r for _, r in results if not isinstance(r, NotAnArticle)]
    assert len(articles) == PAGES
    assert stream.waiting == 0


def test_a_stream_without_a_crawl_to_hold_never_pauses() -> None:
    """Pages handed over by code that is not a crawl (no ``hold_back``) are all taken."""
    pages = news_site_pages(STREAM_CHUNK * 3)
    stream = ExtractionStream({"bench": ExtractionSettings()}, workers=1, max_waiting=2 * STREAM_CHUNK)
    try:
        for page in pages:
            stream.submit(page)
        results = stream.run("bench", pages, ExtractionSettings(), SiteBoilerplate("bench").learn)
    finally:
        stream.close()
    assert stream.pauses == 0 and len(results) == len(pages) and stream.waiting == 0
