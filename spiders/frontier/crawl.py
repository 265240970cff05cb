"""One huge source crawled by several Scrapy processes that share one frontier in Redis.

The in-process runner (``spiders.runner``) is bounded by one CPU: a source with hundreds of
thousands of pages needs several processes. scrapy-redis gives them one request queue and one
dupefilter, but it needs the Twisted reactor (its scheduler is synchronous, and the reactor
cannot restart inside a long-lived flow process), so each crawler runs in its own subprocess
(``python -m spiders.frontier.worker JOB.json``, ``worker.py``, with the scheduler in
``scheduler.py``) and the parent merges what they wrote into one
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

import collections
import json
import logging
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
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from pipeline.bucket.seen import SeenUrls
from pipeline.bucket.warc import read_pages
from pipeline.outcomes import Dropped, Outcome
from pipeline.record import Page
from pipeline.sources import SourceConfig
from spiders.frontier.scheduler import FrontierKeys, connect
from spiders.runner import SourceCrawl

log = logging.getLogger(__name__)

STARTUP_MARGIN = 120  # seconds over politeness.max_seconds before the parent gives up


class SharedFrontierError(RuntimeError):
    """Every worker of a shared-frontier crawl failed; ``partial`` holds whatever they left."""

    def __init__(self, message: str, partial: SourceCrawl) -> None:
        super().__init__(message)
        self.partial = partial


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


def clear_frontier(redis_url: str, source: str) -> int:
    """Delete a source's frontier keys (queue, dupefilter, article claims, worker states)."""
    return int(connect(redis_url).delete(*FrontierKeys(source).all()))


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
        self._redis = connect(self.redis_url)
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
                    [sys.executable, "-m", "spiders.frontier.worker", str(w.job)],
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
