"""One worker process of a shared-frontier crawl (``python -m spiders.frontier.worker JOB.json``):
its Scrapy settings and the item log it leaves for the parent (the barrier at its start is the
scheduler's ``open``)."""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler

from pipeline.bucket.seen import SeenUrls
from pipeline.failpoints import failpoint
from pipeline.outcomes import Dropped
from pipeline.record import Page
from pipeline.sources import SourceConfig
from spiders.downloader import HANDLER as PINNED_HANDLER
from spiders.frontier.scheduler import FrontierKeys
from spiders.settings import quiet_chosen_handler_notice, settings_for

log = logging.getLogger(__name__)

AIOHTTP_HANDLER = PINNED_HANDLER  # Scrapy's aiohttp handler, connecting to checked addresses only


class ItemLog:
    """Each page and failure as one JSON line, flushed at once: a killed worker's log stays readable.

    Pages carry what the WARC does not (candidate flag as the spider judged it, lastmod, the exact
    fetch time); the parent takes body, status and headers from the WARC.
    """

    def __init__(self, path: Path, worker: str) -> None:
        self.path = path
        self.worker = worker
        self._stream: IO[str] = path.open("a", encoding="utf-8")
        self._count = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ItemLog:
        item_log = cls(
            Path(crawler.settings.get("CLEANWIRE_FRONTIER_ITEM_LOG")),
            crawler.settings.get("CLEANWIRE_FRONTIER_WORKER", ""),
        )
        crawler.signals.connect(item_log.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(item_log.spider_closed, signal=signals.spider_closed)
        return item_log

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if isinstance(item, Page):
            line = {
                "kind": "page",
                "url": item.url,
                "final_url": item.final_url,
                "status": item.status,
                "fetched": item.fetched.isoformat(),
                "article_candidate": item.article_candidate,
                "lastmod": item.lastmod,
            }
        elif isinstance(item, Dropped):
            line = {"kind": "dropped", "url": item.url, "outcome": item.outcome.value, "reason": item.reason}
        else:
            return
        self._stream.write(json.dumps(line) + "\n")
        self._stream.flush()
        self._count += 1
        # Fault injection (tests): CLEANWIRE_FAILPOINT=frontier-worker-1-item-40 kills worker 1 there.
        failpoint(f"frontier-worker-{self.worker}-item-{self._count}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        self._stream.close()


def worker_settings(
    source: SourceConfig,
    *,
    redis_url: str,
    worker: str,
    processes: int,
    warc_path: Path,
    item_log: Path,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The source's usual settings, under the reactor, with the frontier in Redis."""
    keys = FrontierKeys(source.name)
    settings = settings_for(source, warc_path=warc_path)
    extensions = dict(settings.get("EXTENSIONS", {}))
    extensions["spiders.frontier.worker.ItemLog"] = 0
    settings.update(
        {
            "TWISTED_REACTOR_ENABLED": True,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
            # The download handler the in-process runner gets (Scrapy picks it without a reactor):
            # same limits and failure modes (docs/reliability.md), and Twisted's HTTP/1.1 handler
            # was 4x slower here (300 pages from 127.0.0.1: 16 s against 3.9 s).
            "DOWNLOAD_HANDLERS": {"http": AIOHTTP_HANDLER, "https": AIOHTTP_HANDLER},
            # Scrapy takes requests from the scheduler until CONCURRENT_REQUESTS are in its downloader,
            # though only concurrency_per_domain download at once: with 32, the first worker up
            # took every seed and listing page into its own slot queue and the others idled. Taking
            # no more than it can download leaves the rest in the shared queue for the others.
            "CONCURRENT_REQUESTS": min(
                source.politeness.concurrency_per_domain * len(source.allowed_domains),
                settings["CONCURRENT_REQUESTS"],
            ),
            # The source's page budget is shared, not multiplied by the number of processes.
            "CLOSESPIDER_PAGECOUNT": math.ceil(source.politeness.max_pages / processes),
            "SCHEDULER": "spiders.frontier.scheduler.SharedFrontierScheduler",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # _IDLE_SCRIPT uses ZCARD
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_FLUSH_ON_START": False,
            "REDIS_URL": redis_url,
            "EXTENSIONS": extensions,
            "CLEANWIRE_FRONTIER_WORKER": worker,
            "CLEANWIRE_FRONTIER_PROCESSES": processes,
            "CLEANWIRE_FRONTIER_ITEM_LOG": str(item_log),
        }
    )
    for key, value in (overrides or {}).items():
        if key == "EXTENSIONS":
            settings["EXTENSIONS"] = {**extensions, **value}
        else:
            settings[key] = value
    return settings


def run_worker(job_path: Path) -> int:
    """One worker: the job file says which source, where Redis is, and where to write."""
    from scrapy.crawler import AsyncCrawlerProcess

    from spiders.registry import spider_class

    job = json.loads(job_path.read_text(encoding="utf-8"))
    source = SourceConfig.model_validate(job["source"])
    seen = SeenUrls.loads(Path(job["seen"]).read_bytes())
    settings = worker_settings(
        source,
        redis_url=job["redis_url"],
        worker=job["worker"],
        processes=job["processes"],
        warc_path=Path(job["warc"]),
        item_log=Path(job["item_log"]),
        overrides=job.get("overrides"),
    )
    process = AsyncCrawlerProcess(settings)
    crawler = process.create_crawler(spider_class(source.spider))
    outcome: dict[str, Any] = {}

    def closed(spider: Any, reason: str) -> None:
        outcome["reason"] = reason

    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, source=source, seen=seen)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    result = {"worker": job["worker"], "reason": outcome.get("reason"), "stats": stats}
    Path(job["result"]).write_text(json.dumps(result, default=str), encoding="utf-8")
    return 0 if outcome.get("reason") else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="One worker of a shared-frontier crawl (started by the parent)."
    )
    parser.add_argument("job", type=Path, help="the job file the parent wrote")
    args = parser.parse_args(argv)
    quiet_chosen_handler_notice()
    return run_worker(args.job)


if __name__ == "__main__":
    sys.exit(main())
