"""The scheduler each worker of a shared-frontier crawl runs: scrapy-redis's, with article URLs
claimed in Redis before they are queued and a worker closing only when the whole frontier is idle
(Lua scripts, so that no push falls between two reads). ``spiders.frontier.crawl`` says why."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler as RedisScheduler

log = logging.getLogger(__name__)

KEY_PREFIX = "cleanwire:frontier"
CLAIMED = "cleanwire_frontier_claimed"
DEFAULT_LEASE = 60.0  # seconds a busy worker may go without refreshing its state
DEFAULT_GRACE = 1.0  # seconds of empty queue and nobody busy before a worker closes
IDLE_POLL = 0.05  # how soon an idle worker looks at the shared queue again (one Lua call)
BARRIER_TIMEOUT = 20.0  # seconds a worker waits for the others to open before it seeds alone
BARRIER_POLL = 0.02


def connect(redis_url: str) -> Any:
    """A client of the frontier's Redis (imported here: only shared-frontier crawls need it)."""
    import redis

    return redis.Redis.from_url(redis_url)


@dataclass(frozen=True)
class FrontierKeys:
    """The Redis keys of one source's frontier; one prefix, so clean-up cannot miss one."""

    source: str

    @property
    def prefix(self) -> str:
        return f"{KEY_PREFIX}:{self.source}"

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    @property
    def articles(self) -> str:
        return f"{self.prefix}:articles"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def ready(self) -> str:
        return f"{self.prefix}:ready"

    def all(self) -> list[str]:
        return [self.requests, self.dupefilter, self.articles, self.workers, self.ready]


# Marks this worker idle and reads the queue and everyone's state in one atomic step, so a request
# pushed by a worker that then goes idle is either counted as queued or the worker as busy.
_IDLE_SCRIPT = """
local now = tonumber(redis.call('TIME')[1])
redis.call('HSET', KEYS[2], ARGV[1], 'idle ' .. now)
local queued = redis.call('ZCARD', KEYS[1])
local busy = 0
local states = redis.call('HGETALL', KEYS[2])
for i = 1, #states, 2 do
  local state, stamp = string.match(states[i + 1], '^(%a+) (%d+)$')
  if state == 'busy' and now - tonumber(stamp) <= tonumber(ARGV[2]) then
    busy = busy + 1
  end
end
return {queued, busy}
"""

# Server time, so workers on machines with different clocks agree on what a stale lease is.
_STATE_SCRIPT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. redis.call('TIME')[1])
return 1
"""


class SharedFrontierScheduler(RedisScheduler):
    """scrapy-redis's scheduler, plus article-URL claims and a close that waits for the others."""

    crawler: Crawler
    worker: str
    keys: FrontierKeys
    lease: float
    grace: float
    processes: int
    barrier_timeout: float

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontierScheduler:
        instance = super().from_crawler(crawler)
        settings = crawler.settings
        instance.crawler = crawler
        instance.worker = settings.get("CLEANWIRE_FRONTIER_WORKER") or f"pid{os.getpid()}"
        instance.keys = FrontierKeys(settings.get("CLEANWIRE_SOURCE", "unknown"))
        instance.lease = settings.getfloat("CLEANWIRE_FRONTIER_LEASE", DEFAULT_LEASE)
        instance.grace = settings.getfloat("CLEANWIRE_FRONTIER_GRACE", DEFAULT_GRACE)
        instance.processes = settings.getint("CLEANWIRE_FRONTIER_PROCESSES", 1)
        instance.barrier_timeout = settings.getfloat("CLEANWIRE_FRONTIER_BARRIER_TIMEOUT", BARRIER_TIMEOUT)
        instance._state = ""
        instance._quiet_since: float | None = None
        instance._poke = None
        instance._refresher = None
        instance._idle_script = instance.server.register_script(_IDLE_SCRIPT)
        instance._state_script = instance.server.register_script(_STATE_SCRIPT)
        crawler.signals.connect(instance.spider_idle, signal=signals.spider_idle)
        return instance

    def _set_state(self, state: str) -> None:
        self._state_script(keys=[self.keys.workers], args=[self.worker, state])
        self._state = state

    def _refresh(self) -> None:
        if self._state == "busy":
            self._set_state("busy")

    def open(self, spider: Spider) -> None:
        from twisted.internet import task

        super().open(spider)
        self._set_state("busy")  # seeding from start() is work others must wait for
        self._wait_for_the_others()
        self._refresher = task.LoopingCall(self._refresh)
        self._refresher.start(max(self.lease / 4, 0.5), now=False)

    def _wait_for_the_others(self) -> None:
        """Start seeding together: a worker that opens first would otherwise take every seed alone.

        The barrier sits here, after Scrapy has built the engine and right before ``start()``
        seeds, because building a crawler takes seconds on a busy machine: with the barrier
        before it (in the worker's main), one worker once fetched 292 of 300 pages before the
        other opened. Blocking the reactor is harmless here: this worker has nothing in flight
        yet. A worker that never opens (it failed to start) holds the others for
        ``barrier_timeout`` at most.
        """
        self.server.incr(self.keys.ready)
        deadline = time.monotonic() + self.barrier_timeout
        while int(self.server.get(self.keys.ready) or 0) < self.processes:
            if time.monotonic() > deadline:
                log.warning(
                    "started without all %d workers after %.0f s", self.processes, self.barrier_timeout
                )
                return
            time.sleep(BARRIER_POLL)

    def close(self, reason: str) -> None:
        if self._refresher is not None and self._refresher.running:
            self._refresher.stop()
        if self._poke is not None and self._poke.active():
            self._poke.cancel()
        self._set_state("done")
        super().close(reason)  # SCHEDULER_PERSIST: the parent, not a worker, clears the frontier

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("article_candidate") and not request.meta.get(CLAIMED):
            if not self.server.sadd(self.keys.articles, request.url):
                if self.stats:
                    self.stats.inc_value("cleanwire/frontier/claimed_elsewhere")
                return False
            request.meta[CLAIMED] = True
        return super().enqueue_request(request)

    def next_request(self) -> Request | None:
        request = super().next_request()
        if request is not None and self._state != "busy":
            self._set_state("busy")
        return request

    def spider_idle(self, spider: Spider) -> None:
        """Close only when the shared queue is empty and no worker is busy, for ``grace`` seconds.

        Between a pop and the busy mark another worker may briefly see nobody busy and an empty
        queue; the grace period covers that. Were it missed, nothing is lost: the worker that
        popped fetches the page and whatever it links on its own.
        """
        queued, busy = self._idle_script(
            keys=[self.keys.requests, self.keys.workers], args=[self.worker, self.lease]
        )
        self._state = "idle"
        now = time.monotonic()
        if queued or busy:
            self._quiet_since = None
        elif self._quiet_since is None:
            self._quiet_since = now
        if self._quiet_since is not None and now - self._quiet_since >= self.grace:
            return
        self._wake_later()
        raise DontCloseSpider

    def _wake_later(self) -> None:
        """Look again soon, not at the engine's 5-second heartbeat (its only other wake-up)."""
        from twisted.internet import reactor

        if self._poke is None or not self._poke.active():
            self._poke = reactor.callLater(IDLE_POLL, self._wake)

    def _wake(self) -> None:
        slot = getattr(self.crawler.engine, "_slot", None)  # private: the heartbeat still works without it
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()
