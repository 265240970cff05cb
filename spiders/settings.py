"""Scrapy settings for one source: politeness and limits set explicitly, never left to defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.sources import SourceConfig

USER_AGENT = "cleanwire/0.1 (+https://github.com/cleanwire/cleanwire; news ingestion)"


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
        "CONCURRENT_REQUESTS_PER_DOMAIN": p.concurrency_per_domain,
        "DOWNLOAD_DELAY": p.download_delay,
        "DOWNLOAD_MAXSIZE": p.max_size_mb * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": p.max_size_mb * 1024 * 1024 // 4,
        "DOWNLOAD_TIMEOUT": p.download_timeout,
        "DEPTH_LIMIT": p.depth_limit,
        "CLOSESPIDER_PAGECOUNT": p.max_pages,
        "CLOSESPIDER_TIMEOUT": 3600,
        "RETRY_TIMES": p.retry_times,
        "REDIRECT_MAX_TIMES": 5,
        "URLLENGTH_LIMIT": 2000,
        "MEMUSAGE_LIMIT_MB": 2048,
        "COOKIES_ENABLED": False,
        # Blocked and error pages reach the spider, so they are counted with a reason.
        "HTTPERROR_ALLOW_ALL": True,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "DOWNLOADER_MIDDLEWARES": {
            "spiders.middlewares.PrivateAddressGuard": 40,
            "spiders.middlewares.WarcRecorder": 90,
        },
        "CLEANWIRE_SOURCE": source.name,
        "CLEANWIRE_ALLOW_PRIVATE": source.allow_private,
    }
    if warc_path is not None:
        settings["CLEANWIRE_WARC_PATH"] = str(warc_path)
    settings.update(overrides or {})
    return settings
