"""Scrapy settings for one source: politeness and limits set explicitly, never left to defaults.

Each limit is there against one kind of misbehaving site (``docs/reliability.md``):

* ``DOWNLOAD_MAXSIZE`` / ``DOWNLOAD_WARNSIZE``: endless or huge bodies. The download handler
  cancels a body (or a ``Content-Length``) beyond the maximum while it arrives, and
  ``HttpCompressionMiddleware`` applies the same maximum to the *decompressed* size, chunk by
  chunk, so a gzip or brotli bomb is dropped with a bounded amount of memory.
* ``DOWNLOAD_TIMEOUT``: slow-loris servers (aiohttp's total timeout covers the whole body).
* ``REDIRECT_MAX_TIMES``: redirect chains; ``RedirectGuard`` also stops loops at once.
* ``DEPTH_LIMIT``, ``CrawlerTrapGuard``: calendars, endless pagination, repeated path segments.
* ``CLOSESPIDER_PAGECOUNT`` / ``CLOSESPIDER_TIMEOUT`` / ``MEMUSAGE_LIMIT_MB``: the run as a whole.
* ``URLLENGTH_LIMIT``: generated URLs that grow without end.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pipeline.sources import SourceConfig
from spiders.downloader import HANDLER as PINNED_HANDLER
from spiders.middlewares import url_origin

USER_AGENT = "cleanwire/0.1 (+https://github.com/cleanwire/cleanwire; news ingestion)"
MB = 1024 * 1024


class _ChosenHandlerNotice(logging.Filter):
    """Drops Scrapy's "AiohttpDownloadHandler is experimental" line, and nothing else.

    cleanwire runs that handler on purpose, measured against Twisted's default
    download path (README, "The download handler"); the line, once per crawler
    and scheme, gave the user nothing to act on in a healthy run. Any other
    warning from the same logger still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        # ``PinnedAiohttpDownloadHandler`` (spiders/middlewares: addresses pinned) says it too.
        return "AiohttpDownloadHandler is experimental" not in str(record.msg).split(" and ", 1)[0]


def quiet_chosen_handler_notice() -> None:
    """Install ``_ChosenHandlerNotice`` once per process (every crawl calls it; it is idempotent)."""
    logger = logging.getLogger("scrapy.core.downloader.handlers._base_streaming")
    if not any(isinstance(f, _ChosenHandlerNotice) for f in logger.filters):
        logger.addFilter(_ChosenHandlerNotice())


def discovery_origins(source: SourceConfig) -> list[str]:
    """The origins of the source's own discovery URLs: the only private ones ``allow_private`` opens."""
    d = source.discovery
    return sorted({url_origin(u) for u in d.sitemaps + d.feeds + d.start_urls})


def settings_for(
    source: SourceConfig,
    *,
    warc_path: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    p = source.politeness
    settings: dict[str, Any] = {
        "BOT_NAME": "cleanwire",
        "USER_AGENT": USER_AGENT,
        # Many crawls in one process, repeatedly: no Twisted reactor.
        "TWISTED_REACTOR_ENABLED": False,
        "ROBOTSTXT_OBEY": p.obey_robots,
        "AUTOTHROTTLE_ENABLED": p.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(p.download_delay, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(p.concurrency_per_domain),
        "CONCURRENT_REQUESTS": 32,
        # Scrapy starts this many asyncio tasks for every response's output; an article page
        # yields one item (its pipeline is synchronous), so the default 100 was a third of the
        # crawl's CPU. Requests from a sitemap are only scheduled, which needs no concurrency.
        "CONCURRENT_ITEMS": 2,
        "CONCURRENT_REQUESTS_PER_DOMAIN": p.concurrency_per_domain,
        "DOWNLOAD_DELAY": p.download_delay,
        # Raw and decompressed bodies alike (see the module docstring).
        "DOWNLOAD_MAXSIZE": p.max_size_mb * MB,
        "DOWNLOAD_WARNSIZE": p.max_size_mb * MB // 4,
        "DOWNLOAD_TIMEOUT": p.download_timeout,
        # A body shorter than its Content-Length (cut connection) is an error, never a half article.
        "DOWNLOAD_FAIL_ON_DATALOSS": True,
        "DEPTH_LIMIT": p.depth_limit,
        "CLOSESPIDER_PAGECOUNT": p.max_pages,
        "CLOSESPIDER_TIMEOUT": p.max_seconds,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": p.retry_times,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "REDIRECT_MAX_TIMES": p.max_redirects,
        "METAREFRESH_MAXDELAY": 100,
        "URLLENGTH_LIMIT": p.max_url_length,
        "MEMUSAGE_ENABLED": True,
        "MEMUSAGE_LIMIT_MB": p.memory_limit_mb,
        "MEMUSAGE_WARNING_MB": p.memory_limit_mb * 3 // 4,
        "COOKIES_ENABLED": False,
        # Blocked and error pages reach the spider, so they are counted with a reason.
        "HTTPERROR_ALLOW_ALL": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        # Connections go only to addresses checked when they were resolved (DNS rebinding).
        "DOWNLOAD_HANDLERS": {"http": PINNED_HANDLER, "https": PINNED_HANDLER},
        "DOWNLOADER_MIDDLEWARES": {
            # Engine side first: refuse before anything is fetched (robots.txt included).
            "spiders.middlewares.UrlHygieneGuard": 30,
            "spiders.middlewares.PrivateAddressGuard": 40,
            "spiders.middlewares.CrawlerTrapGuard": 45,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "spiders.middlewares.OffsiteGuard": 50,
            "spiders.middlewares.WarcRecorder": 90,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "spiders.robots.StrictRobotsTxtMiddleware": 100,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "spiders.middlewares.RetryAfterMiddleware": 550,
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
            "spiders.middlewares.RedirectGuard": 600,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "spiders.middlewares.MetaRefreshGuard": 580,
        },
        "CLEANWIRE_SOURCE": source.name,
        "CLEANWIRE_ALLOW_PRIVATE": source.allow_private,
        "CLEANWIRE_PRIVATE_ORIGINS": discovery_origins(source) if source.allow_private else [],
        "CLEANWIRE_MAX_RETRY_AFTER": p.max_retry_after,
        "CLEANWIRE_MAX_SEGMENT_REPEATS": p.max_segment_repeats,
        "CLEANWIRE_MAX_LISTING_PAGES_PER_PATTERN": p.max_listing_pages_per_pattern,
    }
    if warc_path is not None:
        settings["CLEANWIRE_WARC_PATH"] = str(warc_path)
    settings.update(overrides or {})
    return settings
