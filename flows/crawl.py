"""The crawl step of a flow: Prefect's concurrency slots around the spiders (``spiders.runner``),
and the sources crawled by several processes sharing a frontier (``spiders.frontier``)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from prefect import get_client, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.concurrency.sync import concurrency

from flows.limits import GLOBAL_CRAWL_LIMIT, domain_limit_name
from pipeline.bucket.seen import SeenUrls
from pipeline.record import Page
from pipeline.shared.state import redis_url_from_env
from pipeline.sources import SourceConfig
from spiders.frontier.crawl import FrontierCrawl, SharedFrontierError
from spiders.runner import SourceCrawl, crawl


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
