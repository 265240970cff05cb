"""robots.txt as RFC 9309 reads it, where Scrapy's middleware treats every failure as "allow all".

* 2xx: parsed leniently (Protego), at most ``MAX_ROBOTS_BYTES``; garbage parses to what it
  says, usually nothing, so everything is allowed.
* 4xx (robots.txt unavailable, e.g. 404): allow all.
* 5xx, 429, a timeout or any other download failure (robots.txt unreachable): the site may
  be down or refusing us, so nothing else is fetched from that origin for the rest of the run.
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.robotstxt import RobotParser
from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)

# RFC 9309 2.5: crawlers must parse at least 500 KiB.
MAX_ROBOTS_BYTES = 512 * 1024


class RobotsDisallowed(IgnoreRequest):
    """Refused by robots.txt, or because robots.txt could not be fetched."""


class DisallowAll:
    """The parser that stands in for an unreachable robots.txt."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return False

    def crawl_delay(self, user_agent: str | bytes) -> float | None:
        return None


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    def _settle(self, netloc: str, parser: RobotParser | DisallowAll | None) -> None:
        pending = self._parsers[netloc]
        self._parsers[netloc] = parser  # type: ignore[assignment]
        if isinstance(pending, Deferred):
            pending.callback(parser)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        status = response.status
        if status >= 500 or status == 429:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{status}")
            self._stats.inc_value("cleanwire/robots/unreachable")
            log.warning("robots.txt of %s answered HTTP %s: nothing fetched from it this run", netloc, status)
            self._settle(netloc, DisallowAll(f"robots.txt unreachable (HTTP {status})"))
            return
        if status >= 300:
            self._stats.inc_value("robotstxt/response_count")
            self._stats.inc_value(f"robotstxt/response_status_count/{status}")
            self._stats.inc_value("cleanwire/robots/unavailable")
            self._settle(netloc, None)  # 4xx (or a redirect not followed): allow all
            return
        if len(response.body) > MAX_ROBOTS_BYTES:
            response = response.replace(body=response.body[:MAX_ROBOTS_BYTES])
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._stats.inc_value("cleanwire/robots/unreachable")
        log.warning(
            "robots.txt of %s could not be fetched (%s): nothing fetched from it this run", netloc, exc
        )
        self._settle(netloc, DisallowAll(f"robots.txt unreachable ({type(exc).__name__})"))

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        if rp is None:
            return
        if isinstance(rp, DisallowAll):
            self._stats.inc_value("robotstxt/forbidden")
            raise RobotsDisallowed(rp.reason)
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            raise RobotsDisallowed("forbidden by robots.txt") from None
