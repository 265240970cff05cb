"""Scrapy's two download paths for cleanwire, measured: which one is the production default (README).

* **in-process** (cleanwire's default): no Twisted reactor, Scrapy's
  ``AiohttpDownloadHandler`` (which Scrapy calls experimental), every crawl of a
  run in one process (``spiders.runner.crawl``), restartable.
* **twisted**: Scrapy's default path, the Twisted reactor and its HTTP/1.1
  handler, one ``scrapy crawl`` subprocess per crawl (how ``spiders/frontier/crawl.py``
  runs its workers), as a production switch would run it.
* **twisted+aiohttp**: the same subprocess with the aiohttp handler, to tell the
  handler's share of a difference from the process's.

Two figures: crawl speed over a generated site served from another process
(best of ``repeats`` in turns, as ``pipeline_bench`` measures), and the fault
site's failure modes (``tests/fault_site.py``): the stats each path ends with
per fault source (responses by status, exceptions by type, finish reason).

    python -m benchmarks.download_handlers [pages] [repeats]
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.pipeline_bench import _source_yaml, _write_site, synthetic_site_pages
from benchmarks.static_site import serve_in_process
from pipeline.sources import parse_source
from spiders.runner import crawl

REPO = Path(__file__).resolve().parent.parent
SCRAPY = str(Path(sys.executable).with_name("scrapy"))
AIOHTTP = "scrapy.core.downloader.handlers._aiohttp.AiohttpDownloadHandler"
KEPT = re.compile(r"downloader/(response_status_count|exception_type_count)/|finish_reason|item_scraped")


def _scrapy_crawl(config: Path, name: str, aiohttp: bool) -> tuple[float, dict[str, Any]]:
    """One ``scrapy crawl`` process (Scrapy's default reactor); wall time and its final stats."""
    stats_file = config.parent / f"stats-{name}-{int(aiohttp)}.json"
    args = [SCRAPY, "crawl", name, "-s", "ITEM_PIPELINES={}", "-s", "LOG_LEVEL=WARNING"]
    args += ["-s", "EXTENSIONS={\"benchmarks.download_handlers.DumpStats\": 0}"]
    args += ["-s", f"CLEANWIRE_STATS_FILE={stats_file}", "-s", f"CLEANWIRE_SOURCES={config}"]
    if aiohttp:
        args += ["-s", f"DOWNLOAD_HANDLERS={json.dumps({'http': AIOHTTP, 'https': AIOHTTP})}"]
    started = time.perf_counter()
    subprocess.run(args, cwd=REPO, check=True, capture_output=True, timeout=900)
    return time.perf_counter() - started, json.loads(stats_file.read_text())


class DumpStats:
    """A Scrapy extension: the crawl's final stats as JSON, for the parent to read."""

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.crawler = crawler
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> DumpStats:
        return cls(crawler)

    def closed(self, spider: Any, reason: str) -> None:
        path = Path(self.crawler.settings.get("CLEANWIRE_STATS_FILE"))
        path.write_text(json.dumps(self.crawler.stats.get_stats(), default=str))


def _kept(stats: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sorted(stats.items()) if KEPT.search(k)}


def speed(pages: int, repeats: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="cw-handlers-"))
    _write_site(workdir / "site", synthetic_site_pages(pages))
    with serve_in_process(workdir / "site") as base:
        config = workdir / "sources"
        config.mkdir()
        (config / "bench.yaml").write_text(_source_yaml(base, pages))
        source = parse_source(config / "bench.yaml")
        best: dict[str, float] = {}
        fetched: dict[str, int] = {}
        for _ in range(repeats):
            started = time.perf_counter()
            (result,) = crawl([source], overrides={"LOG_LEVEL": "WARNING"})
            seconds = time.perf_counter() - started
            best["in-process"] = min(best.get("in-process", seconds), seconds)
            fetched["in-process"] = result.fetched
            for label, aiohttp in (("twisted", False), ("twisted+aiohttp", True)):
                seconds, stats = _scrapy_crawl(config, "bench", aiohttp)
                best[label] = min(best.get(label, seconds), seconds)
                fetched[label] = int(stats.get("downloader/response_count", 0))
    return {"pages": pages, "best_seconds": best, "responses": fetched}


def _fault_sources(sites: Any, root: Path) -> tuple[Path, list[str]]:
    from tests.test_faults_crawl import source_yaml

    config = root / "sources"
    config.mkdir(parents=True)
    named = {"faults": sites.main, **{f"robots-{k}": s for k, s in sites.robots.items()}}
    for name, site in named.items():
        (config / f"{name}.yaml").write_text(source_yaml(site, robots_sitemaps=name == "faults"))
    return config, list(named)


def _stop(sites: Any) -> None:
    for site in sites.all():
        site.stop()
    sites.canary.stop()


def faults() -> dict[str, Any]:
    """Each path against its own freshly started fault sites (some faults answer once, then heal)."""
    sys.path.insert(0, str(REPO))
    from tests.fault_site import start_fault_sites

    root = Path(tempfile.mkdtemp(prefix="cw-faults-"))
    sites = start_fault_sites()
    try:
        config, names = _fault_sources(sites, root / "in-process")
        started = time.perf_counter()
        crawls = crawl([parse_source(config / f"{n}.yaml") for n in names], overrides={"LOG_LEVEL": "ERROR"})
        in_process = {c.source: _kept(c.stats) for c in crawls}
        in_process_seconds = time.perf_counter() - started
    finally:
        _stop(sites)
    sites = start_fault_sites()
    twisted, twisted_seconds = {}, 0.0
    try:
        config, names = _fault_sources(sites, root / "twisted")
        for name in names:
            seconds, stats = _scrapy_crawl(config, name, aiohttp=False)
            twisted[name], twisted_seconds = _kept(stats), twisted_seconds + seconds
    finally:
        _stop(sites)
    differ = {}
    for name in names:
        keys = sorted(in_process[name].keys() | twisted[name].keys())
        differ[name] = {
            k: [in_process[name].get(k), twisted[name].get(k)]
            for k in keys
            if in_process[name].get(k) != twisted[name].get(k)
        }
    return {
        "in_process_seconds": round(in_process_seconds, 1),
        "twisted_seconds_sum_of_processes": round(twisted_seconds, 1),
        "stats compared": sorted({k for stats in in_process.values() for k in stats}),
        "differences (in-process, twisted)": differ,
    }


if __name__ == "__main__":
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    print(yaml.safe_dump({"speed": speed(pages, repeats), "faults": faults()}, sort_keys=False))
