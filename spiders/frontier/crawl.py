"""One huge source crawled by several Scrapy processes that share one frontier in Redis.

The in-process runner (``spiders.runner``) is bounded by one CPU: a source with hundreds of
thousands of pages needs several processes. scrapy-redis gives them one request queue and one
dupefilter, but it needs the Twisted reactor (its scheduler is synchronous, and the reactor
cannot restart inside a long-lived flow process), so each crawler runs in its own subprocess
(``python -m spiders.frontier.crawl JOB.json``) and the parent merges what they wrote into one
``SourceCrawl`` of the same shape the in-process runner returns.

What scrapy-redis alone gets wrong, and what is done about it here:

* **Seeding.** Every process runs the spider's ``start()`` (robots.txt, sitemaps, feeds, start
  pages). Those requests are not ``dont_filter``, so the shared dupefilter lets only the first
  through: a sitemap is fetched once, whoever asks first.
* **Article URLs.** The spider requests articles with ``dont_filter`` (its own per-URL set
  decides, see ``NewsSpider._article_request``), which the shared dupefilter never sees. Two
  processes reading two listing pages that link one article would both fetch it, so the
  scheduler *claims* each article URL in a Redis set before queueing it; a claim travels in the
  request's meta, so retries and redirects of a claimed request still pass.
* **Termination.** A process whose queue is empty must not close while another one is still
  working (it may push hundreds of URLs from a sitemap a moment later), nor wait forever. Each
  worker keeps its state (``busy``/``idle``/``done``, with Redis server time) in a hash; on
  ``spider_idle`` it marks itself idle and, atomically with that, reads the queue length and the
  busy workers (a Lua script, so no push can fall between the two reads). It closes only when the
  queue has been empty and nobody busy for a grace period. A busy state older than the lease
  counts as gone, and the parent removes the state of a worker that exited, so a crash does not
  keep the others waiting.
* **Clean-up.** ``SCHEDULER_PERSIST`` is on (a process closing early must not flush the queue
  under the others); the parent deletes the frontier keys before and after the crawl, so every
  run starts fresh. What makes later runs incremental is the seen-URL state, not the dupefilter.

Each worker writes its own WARC (``WarcRecorder``) and an item log (one JSON line per page or
failure, flushed as it goes, so a killed worker's log is readable up to its last item). The
parent rebuilds pages from the log (URL, candidate flag, lastmod) and the WARC (body, status,
headers), and concatenates the workers' complete WARC records into the one WARC file the flow
uploads as the run's raw pages.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from warcio.archiveiterator import ArchiveIterator

from pipeline.bucket.seen import SeenUrls
from pipeline.bucket.warc import read_pages
from pipeline.failpoints import failpoint
from pipeline.outcomes import Dropped, Outcome
from pipeline.record import Page
from pipeline.sources import SourceConfig
from spiders.downloader import HANDLER as PINNED_HANDLER
from spiders.runner import SourceCrawl
from spiders.settings import quiet_chosen_handler_notice, settings_for

log = logging.getLogger(__name__)

KEY_PREFIX = "cleanwire:frontier"
CLAIMED = "cleanwire_frontier_claimed"
DEFAULT_LEASE = 60.0  # seconds a busy worker may go without refreshing its state
DEFAULT_GRACE = 1.0  # seconds of empty queue and nobody busy before a worker closes
IDLE_POLL = 0.05  # how soon an idle worker looks at the shared queue again (one Lua call)
BARRIER_TIMEOUT = 20.0  # seconds a worker waits for the others to be ready
STARTUP_MARGIN = 120  # seconds over politeness.max_seconds before the parent gives up
AIOHTTP_HANDLER = PINNED_HANDLER  # Scrapy's aiohttp handler, connecting to checked addresses only


class SharedFrontierError(RuntimeError):
    """Every worker of a shared-frontier crawl failed; ``partial`` holds whatever they left."""

    def __init__(self, message: str, partial: SourceCrawl) -> None:
        super().__init__(message)
        self.partial = partial


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


# -- the worker side: runs inside each subprocess ------------------------------------------------

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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedFrontierScheduler:
        instance = super().from_crawler(crawler)
        settings = crawler.settings
        instance.crawler = crawler
        instance.worker = settings.get("CLEANWIRE_FRONTIER_WORKER") or f"pid{os.getpid()}"
        instance.keys = FrontierKeys(settings.get("CLEANWIRE_SOURCE", "unknown"))
        instance.lease = settings.getfloat("CLEANWIRE_FRONTIER_LEASE", DEFAULT_LEASE)
        instance.grace = settings.getfloat("CLEANWIRE_FRONTIER_GRACE", DEFAULT_GRACE)
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
        self._refresher = task.LoopingCall(self._refresh)
        self._refresher.start(max(self.lease / 4, 0.5), now=False)

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
    extensions["spiders.frontier.crawl.ItemLog"] = 0
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
            "SCHEDULER": "spiders.frontier.crawl.SharedFrontierScheduler",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",  # _IDLE_SCRIPT uses ZCARD
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_FLUSH_ON_START": False,
            "REDIS_URL": redis_url,
            "EXTENSIONS": extensions,
            "CLEANWIRE_FRONTIER_WORKER": worker,
            "CLEANWIRE_FRONTIER_ITEM_LOG": str(item_log),
        }
    )
    for key, value in (overrides or {}).items():
        if key == "EXTENSIONS":
            settings["EXTENSIONS"] = {**extensions, **value}
        else:
            settings[key] = value
    return settings


def wait_for_the_others(
    redis_url: str, keys: FrontierKeys, processes: int, timeout: float = BARRIER_TIMEOUT
) -> None:
    """Start crawling together: a worker that is up first would otherwise take every seed alone.

    Imports take seconds on a busy machine, and the first worker to run would fetch robots.txt,
    the home page and every sitemap while the others still start. A worker that never arrives
    (it failed to start) holds the others for ``timeout`` at most.
    """
    server = _redis(redis_url)
    server.incr(keys.ready)
    deadline = time.monotonic() + timeout
    while int(server.get(keys.ready) or 0) < processes:
        if time.monotonic() > deadline:
            log.warning("started without all %d workers after %.0f s", processes, timeout)
            return
        time.sleep(0.05)


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
    wait_for_the_others(job["redis_url"], FrontierKeys(source.name), job["processes"])
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


# -- the parent side ------------------------------------------------------------------------------


@dataclass
class _Worker:
    name: str
    job: Path
    warc: Path
    item_log: Path
    result: Path
    stderr: Path
    process: subprocess.Popen[bytes] | None = None
    error: str | None = None

    def stderr_tail(self, lines: int = 15) -> str:
        try:
            text = self.stderr.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])


def _redis(redis_url: str) -> Any:
    import redis

    return redis.Redis.from_url(redis_url)


def clear_frontier(redis_url: str, source: str) -> int:
    """Delete a source's frontier keys (queue, dupefilter, article claims, worker states)."""
    return int(_redis(redis_url).delete(*FrontierKeys(source).all()))


def _exit_description(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


def _stop(workers: list[_Worker], wait: float = 30.0) -> None:
    """SIGTERM first (Scrapy closes the spider and writes its stats), SIGKILL if that hangs."""
    running = [w for w in workers if w.process is not None and w.process.poll() is None]
    for w in running:
        assert w.process is not None
        w.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + wait
    for w in running:
        assert w.process is not None
        try:
            w.process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            w.process.kill()
            w.process.wait()


def _complete_records(path: Path) -> Iterator[tuple[int, int]]:
    """(offset, length) of each WARC record that reads back whole; stops at a truncated tail."""
    if not path.exists():
        return
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        try:
            for record in records:
                record.content_stream().read()
                yield records.get_record_offset(), records.get_record_length()
        except Exception as exc:  # a worker killed mid-write leaves a cut gzip member
            log.warning("%s: WARC ends in an incomplete record (%s); the rest is kept", path, exc)


def _merge_warcs(workers: list[_Worker], target: Path) -> None:
    """Whole records only, so the run's one WARC file reads back even when a worker was killed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for w in workers:
            spans = list(_complete_records(w.warc))
            if not spans:
                continue
            with w.warc.open("rb") as src:
                for offset, length in spans:
                    src.seek(offset)
                    out.write(src.read(length))


def _read_item_log(path: Path) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    if not path.exists():
        return lines
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            lines.append(json.loads(raw))
        except json.JSONDecodeError:  # the line a killed worker was writing
            continue
    return lines


def _worker_pages(w: _Worker, source: str) -> tuple[list[Page], list[Dropped], int]:
    """A worker's pages as the spider yielded them; bodies from its WARC. Also: pages not in the WARC."""
    recorded: dict[tuple[str, str], collections.deque[Page]] = collections.defaultdict(collections.deque)
    if w.warc.exists():
        with w.warc.open("rb") as stream:
            try:
                for page in read_pages(stream):
                    recorded[(page.url, page.effective_url)].append(page)
            except Exception as exc:
                log.warning("worker %s: WARC cut short (%s)", w.name, exc)
    pages: list[Page] = []
    failures: list[Dropped] = []
    missing = 0
    for item in _read_item_log(w.item_log):
        if item.get("kind") == "dropped":
            failures.append(Dropped(item["url"], source, Outcome(item["outcome"]), item["reason"]))
            continue
        final_url = item.get("final_url") or item["url"]
        queue = recorded.get((item["url"], final_url))
        if not queue:
            missing += 1  # logged, but the WARC record was lost with the worker's write buffer
            continue
        raw = queue.popleft()
        pages.append(
            Page(
                url=item["url"],
                final_url=item.get("final_url"),
                body=raw.body,
                source=source,
                status=int(item.get("status") or raw.status),
                headers=raw.headers,
                fetched=datetime.fromisoformat(item["fetched"]),
                article_candidate=bool(item.get("article_candidate")),
                lastmod=item.get("lastmod"),
            )
        )
    return pages, failures, missing


_MAX_STATS = ("elapsed_time_seconds", "memusage/max", "memusage/startup")


def _merge_stats(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Counters summed over workers; times and peaks by their extreme; each worker's reason kept."""
    merged: dict[str, Any] = {}
    for name, result in sorted(results.items()):
        stats = result.get("stats", {})
        for key, value in stats.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if key in _MAX_STATS:
                merged[key] = max(merged.get(key, value), value)
            else:
                merged[key] = merged.get(key, 0) + value
        for key, pick in (("start_time", min), ("finish_time", max)):
            if key in stats:
                merged[key] = pick(merged[key], stats[key]) if key in merged else stats[key]
        merged[f"cleanwire/frontier/worker/{name}/responses"] = int(stats.get("downloader/response_count", 0))
        merged[f"cleanwire/frontier/worker/{name}/finish_reason"] = result.get("reason")
    return merged


def _json_safe(overrides: dict[str, Any] | None) -> dict[str, Any]:
    try:
        json.dumps(overrides or {})
    except TypeError as exc:
        raise TypeError(
            "shared-frontier overrides cross a process boundary as JSON; "
            f"use import paths, not objects ({exc})"
        ) from exc
    return dict(overrides or {})


class FrontierCrawl:
    """One shared-frontier crawl in progress: ``start()`` the workers, ``finish()`` for the result.

    Split in two so a caller can run in-process crawls of other sources while these workers run.
    """

    def __init__(
        self,
        source: SourceConfig,
        redis_url: str,
        processes: int,
        seen: SeenUrls,
        warc_dir: Path,
        overrides: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be at least 1, got {processes}")
        self.source = source
        self.redis_url = redis_url
        self.processes = processes
        self.seen = seen
        self.warc_dir = Path(warc_dir)
        self.overrides = _json_safe(overrides)
        self.timeout = timeout if timeout is not None else source.politeness.max_seconds + STARTUP_MARGIN
        self.keys = FrontierKeys(source.name)
        self.workdir = self.warc_dir / f"{source.name}.frontier"
        self.workers: list[_Worker] = []
        self._started = 0.0

    def start(self) -> FrontierCrawl:
        """Clear the frontier left by any earlier run, then start the workers."""
        self._redis = _redis(self.redis_url)
        self._redis.ping()  # a clear error now, not N worker tracebacks later
        self._redis.delete(*self.keys.all())
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True)
        seen_path = self.workdir / "seen.json.gz"
        seen_path.write_bytes(self.seen.dumps())
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        self._started = time.monotonic()
        for i in range(self.processes):
            name = str(i)
            d = self.workdir
            w = _Worker(
                name,
                d / f"job-{i}.json",
                d / f"worker-{i}.warc.gz",
                d / f"items-{i}.jsonl",
                d / f"result-{i}.json",
                d / f"stderr-{i}.log",
            )
            job = {
                "source": self.source.model_dump(mode="json"),
                "redis_url": self.redis_url,
                "worker": name,
                "processes": self.processes,
                "seen": str(seen_path),
                "warc": str(w.warc),
                "item_log": str(w.item_log),
                "result": str(w.result),
                "overrides": self.overrides,
            }
            w.job.write_text(json.dumps(job), encoding="utf-8")
            with w.stderr.open("wb") as err:
                w.process = subprocess.Popen(
                    [sys.executable, "-m", "spiders.frontier.crawl", str(w.job)],
                    cwd=root,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=err,
                    stderr=err,
                )
            self.workers.append(w)
        log.info(
            "%s: %d crawl processes share the frontier %s", self.source.name, self.processes, self.keys.prefix
        )
        return self

    def _wait(self) -> None:
        """Until every worker exits; a worker that dies is taken off the busy list at once."""
        deadline = self._started + self.timeout
        pending = list(self.workers)
        while pending:
            for w in list(pending):
                assert w.process is not None
                code = w.process.poll()
                if code is None:
                    continue
                pending.remove(w)
                if code != 0:
                    w.error = f"worker {w.name} {_exit_description(code)}"
                elif not w.result.exists():
                    w.error = f"worker {w.name} exited without writing its result"
                if w.error:
                    # Its busy state would otherwise hold the others until the lease runs out.
                    self._redis.hdel(self.keys.workers, w.name)
            if pending and time.monotonic() > deadline:
                for w in pending:
                    w.error = f"worker {w.name} still running after {self.timeout:.0f} s: stopped"
                _stop(pending)
                break
            time.sleep(0.1)

    def finish(self) -> SourceCrawl:
        """Wait, merge, clear the frontier. Raises ``SharedFrontierError`` only if every worker failed."""
        try:
            self._wait()
        finally:
            _stop(self.workers)
            self._redis.delete(*self.keys.all())
        results: dict[str, dict[str, Any]] = {}
        crawl = SourceCrawl(source=self.source.name, warc_path=self.warc_dir / f"{self.source.name}.warc.gz")
        missing = 0
        details = ""
        per_worker: dict[str, int] = {}
        for w in self.workers:
            if w.result.exists():
                try:
                    results[w.name] = json.loads(w.result.read_text(encoding="utf-8"))
                except json.JSONDecodeError:
                    w.error = w.error or f"worker {w.name} wrote an unreadable result"
            pages, failures, lost = _worker_pages(w, self.source.name)
            per_worker[f"cleanwire/frontier/worker/{w.name}/pages"] = len(pages)
            crawl.pages.extend(pages)
            crawl.failures.extend(failures)
            missing += lost
        crawl.pages.sort(key=lambda p: p.fetched)
        assert crawl.warc_path is not None
        _merge_warcs(self.workers, crawl.warc_path)
        crawl.stats = _merge_stats(results)
        crawl.stats.update(per_worker)
        errors = [w.error for w in self.workers if w.error]
        crawl.stats.update(
            {
                "cleanwire/frontier/processes": self.processes,
                "cleanwire/frontier/failed_processes": len(errors),
                "cleanwire/frontier/pages_lost": missing,
                "cleanwire/frontier/seconds": round(time.monotonic() - self._started, 3),
            }
        )
        if errors:
            details = "; ".join(
                f"{w.error}: {w.stderr_tail(5) or '(no output)'}" for w in self.workers if w.error
            )
            crawl.stats["cleanwire/frontier/errors"] = [w.error for w in self.workers if w.error]
            log.error(
                "%s: %d of %d crawl processes failed (%d pages recovered from all processes, %d lost "
                "with a killed process's buffer; URLs it had taken from the queue are fetched next run): %s",
                self.source.name,
                len(errors),
                self.processes,
                len(crawl.pages),
                missing,
                details,
            )
        for w in self.workers:
            if not w.error:
                for path in (w.warc, w.item_log, w.result, w.job, w.stderr):
                    path.unlink(missing_ok=True)
        if len(errors) == len(self.workers):
            raise SharedFrontierError(f"{self.source.name}: every crawl process failed: {details}", crawl)
        if not errors:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return crawl


def crawl_shared_frontier(
    source: SourceConfig,
    redis_url: str,
    processes: int,
    seen: SeenUrls,
    warc_dir: Path,
    overrides: dict[str, Any] | None = None,
    timeout: float | None = None,
) -> SourceCrawl:
    """Crawl one source with ``processes`` Scrapy processes sharing one frontier in Redis.

    Returns what ``spiders.runner.crawl`` returns for the source: its pages (read back from the
    workers' WARCs), failures, summed stats and one merged WARC. A worker that fails is logged
    and counted (``cleanwire/frontier/failed_processes``, ``.../errors``); the others' pages,
    and whatever the failed one wrote completely, are still returned.
    """
    return FrontierCrawl(source, redis_url, processes, seen, warc_dir, overrides, timeout).start().finish()


if __name__ == "__main__":
    sys.exit(main())
