"""Running crawls from Python: many sources at once, as often as needed, in one process.

Scrapy's no-reactor mode (TWISTED_REACTOR_ENABLED=False with AsyncCrawlerRunner)
runs on a plain asyncio loop, so a crawl can be started again in the same
process (the Twisted reactor cannot restart). Each call gets its own loop in its
own thread, which keeps it independent of whatever loop the caller runs
(Prefect's, pytest's).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner

from pipeline.bucket.seen import SeenUrls
from pipeline.outcomes import Dropped
from pipeline.record import Page
from pipeline.sources import SourceConfig
from spiders.registry import spider_class
from spiders.settings import quiet_chosen_handler_notice, settings_for

log = logging.getLogger(__name__)


class _Brake:
    """Pauses one crawler's engine while extraction is behind (``ExtractionStream.hold_back``).

    ``engine.pause()`` only stops the engine taking new requests: nothing blocks the event loop,
    requests in flight finish, AutoThrottle sees no slow responses. Resuming comes from another
    thread (an extraction worker's completion), so it is posted to the crawl's loop.
    """

    def __init__(self, crawler: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.crawler, self.loop = crawler, loop

    def pause(self) -> None:
        if self.crawler.engine is not None:
            self.crawler.engine.pause()

    def resume(self) -> None:
        with contextlib.suppress(RuntimeError):  # the crawl's loop is closed: nothing to resume
            self.loop.call_soon_threadsafe(self._unpause)

    def _unpause(self) -> None:
        engine = self.crawler.engine
        if engine is None:
            return
        engine.unpause()
        # Without this the engine looks again only at its next heartbeat (5 s).
        slot = getattr(engine, "_slot", None)
        if slot is not None and getattr(slot, "nextcall", None) is not None:
            slot.nextcall.schedule()


@dataclass
class SourceCrawl:
    source: str
    pages: list[Page] = field(default_factory=list)
    failures: list[Dropped] = field(default_factory=list)
    warc_path: Path | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def fetched(self) -> int:
        return int(self.stats.get("downloader/response_count", 0))

    @property
    def skipped_unchanged(self) -> int:
        return int(self.stats.get("cleanwire/skipped_unchanged", 0))


class _Collector:
    """Holds the items of one crawler; a bound method so the signal's weak reference survives."""

    def __init__(self, result: SourceCrawl, on_page: Callable[[Page], None] | None) -> None:
        self.result = result
        self.on_page = on_page

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if isinstance(item, Page):
            # The run's own copy (sharing the body's bytes): whoever takes it may empty its body
            # once drafted (pipeline.extract.pool.ExtractionStream), and the item other extensions
            # and item pipelines saw must stay as it was.
            page = replace(item)
            self.result.pages.append(page)
            if self.on_page is not None:
                self.on_page(page)
        elif isinstance(item, Dropped):
            self.result.failures.append(item)


async def _crawl(
    sources: list[SourceConfig],
    seen: SeenUrls,
    warc_dir: Path | None,
    overrides: dict[str, Any] | None,
    on_page: Callable[[Page], None] | None,
) -> list[SourceCrawl]:
    results: list[SourceCrawl] = []
    collectors: list[_Collector] = []
    tasks = []
    # A page consumer that can say "enough" (``ExtractionStream.submit``) pauses the crawls.
    hold_back = getattr(getattr(on_page, "__self__", None), "hold_back", None)
    releases = []
    for source in sources:
        warc_path = warc_dir / f"{source.name}.warc.gz" if warc_dir else None
        settings = settings_for(source, warc_path=warc_path, overrides=overrides)
        runner = AsyncCrawlerRunner(settings)
        crawler = runner.create_crawler(spider_class(source.spider))
        result = SourceCrawl(source=source.name, warc_path=warc_path)
        collector = _Collector(result, on_page)
        crawler.signals.connect(collector.item_scraped, signal=signals.item_scraped)
        if hold_back is not None:
            brake = _Brake(crawler, asyncio.get_running_loop())
            releases.append(hold_back(brake.pause, brake.resume))
        results.append(result)
        collectors.append(collector)
        tasks.append((runner.crawl(crawler, source=source, seen=seen), crawler, result))
    try:
        for task, crawler, result in tasks:
            await task
            result.stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    finally:
        for release in releases:
            release()
    return results


def crawl(
    sources: list[SourceConfig],
    *,
    seen: SeenUrls | None = None,
    warc_dir: Path | None = None,
    overrides: dict[str, Any] | None = None,
    on_page: Callable[[Page], None] | None = None,
) -> list[SourceCrawl]:
    """Crawl the sources concurrently; return their pages and failures, one entry per source."""
    quiet_chosen_handler_notice()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(_crawl(sources, seen or SeenUrls(), warc_dir, overrides, on_page))
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="cleanwire-crawl")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
