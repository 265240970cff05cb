"""Runs of different sources at once on one store (one machine, no Redis), against each alone.

Three generated news sites (``benchmarks.news_pages``: the same stories in three sites' chrome,
so each run's articles are the others' copies), each served from its own process; each source
is crawled with a politeness delay, as a real site is. Measured in the same run: every source's
``cleanwire run --source NAME`` alone into an empty store, then the three at once into one empty
store. The runs crawl and extract at the same time and take the store's lease only to judge
duplicates and commit, so three at once should take little longer than the longest alone
(target: 1.3x). Checked on the way: the shared store holds each story once, with every other
site's copy in its ``also_at`` (the same URLs the three stores made alone hold between them).

Generated pages on 127.0.0.1: the figure says the runs overlap, not how fast a real site is.
``python -m benchmarks.overlap_bench [--smoke]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import Any

from benchmarks.news_pages import news_site_pages
from benchmarks.pipeline_bench import _source_yaml, _write_site
from pipeline.bucket.reader import BucketReader

SOURCES = ("courier-a", "courier-b", "courier-c")
CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
TARGET = 1.3


def start_run(source: str, config: Path, store: str, log: Path) -> subprocess.Popen:
    """``cleanwire run --source SOURCE`` in its own process, on this Prefect server, without Redis."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["PREFECT_API_URL"] = str(PREFECT_API_URL.value())
    with log.open("w") as out:
        return subprocess.Popen(
            [CLEANWIRE, "run", "--config", str(config), "--store", store, "--source", source],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _runs(sources: list[str], config: Path, store: str, logs: Path) -> float:
    """Seconds from the first start to the last exit of one ``cleanwire run`` per source."""
    started = time.perf_counter()
    runs = [start_run(name, config, store, logs / f"{name}-{time.monotonic_ns()}.log") for name in sources]
    for run in runs:
        if run.wait(timeout=1800) != 0:
            raise RuntimeError(f"{run.args[-1]} failed: see {logs}")
    return time.perf_counter() - started


def _urls(store: str) -> tuple[int, set[str]]:
    """(records, every URL the store knows an article at: records' and their also_at's)."""
    records = list(BucketReader(store).records())
    return len(records), {u for r in records for u in (r.url, *(a.url for a in r.also_at))}


def run(smoke: bool = False) -> dict[str, Any]:
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    from benchmarks.static_site import serve_in_process

    pages, delay = (8, 0.0) if smoke else (120, 0.2)
    work = Path(tempfile.mkdtemp(prefix="cw-overlap-"))
    harness = nullcontext() if PREFECT_API_URL.value() else prefect_test_harness(server_startup_timeout=180)
    with ExitStack() as stack:
        config = work / "sources"
        config.mkdir()
        for seed, name in enumerate(SOURCES, start=21):
            _write_site(work / name, news_site_pages(pages, seed=seed))
            base = stack.enter_context(serve_in_process(work / name))
            (config / f"{name}.yaml").write_text(_source_yaml(base, pages, delay, concurrency=1))
        stack.enter_context(harness)
        logs = work / "logs"
        logs.mkdir()
        alone = {name: _runs([name], config, f"file://{work / ('alone-' + name)}", logs) for name in SOURCES}
        together = _runs(list(SOURCES), config, f"file://{work / 'together'}", logs)
    alone_urls = [_urls(f"file://{work / ('alone-' + name)}") for name in SOURCES]
    records, urls = _urls(f"file://{work / 'together'}")
    longest = max(alone.values())
    ratio = together / longest
    each_once = records == max(n for n, _ in alone_urls)  # the same stories on all three sites
    also_at_complete = urls == set().union(*(u for _, u in alone_urls))
    return {
        "data": "generated news-weight pages (the same stories on three sites), local servers",
        "pages_per_source": pages,
        "download_delay": delay,
        "alone_seconds": {k: round(v, 2) for k, v in alone.items()},
        "sum_alone_seconds": round(sum(alone.values()), 2),
        "together_seconds": round(together, 2),
        "ratio_to_longest_alone": round(ratio, 2),
        "records_together": records,
        "each_story_once": each_once,
        "also_at_complete": also_at_complete,
        "target": TARGET,
        "passed": ratio <= TARGET and each_once and also_at_complete,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overlap_bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="8 pages per source, no delay")
    args = parser.parse_args(argv)
    print(json.dumps(run(smoke=args.smoke), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
