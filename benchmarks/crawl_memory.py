"""Crawl memory against the source's size (issue 19): peak RSS at 1,000 and 20,000 pages.

The crawl and extraction stage of a run (``spiders.runner.crawl`` handing pages to
``pipeline.parallel.ExtractionStream``, then the stream's results, as ``flows.ingest`` does)
over generated news-weight pages (``benchmarks.news_pages``: about 190 KB each, 200 distinct
pages served under N URLs with the page number written into each, so every page is its own
article) from a local server in another process. Each size runs in a fresh process; the figure
is that process's peak RSS (``ru_maxrss``; the extraction workers are other processes). Target:
peak at the largest size at most 1.2 times the peak at the smallest.

Generated pages say the plumbing holds its memory bound, not what real sites weigh.
``python -m benchmarks.crawl_memory [--sizes 1000 20000]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DISTINCT = 200


def _app(pages: int):
    from aiohttp import web

    from benchmarks.news_pages import news_site_pages

    bodies = [p.body for p in news_site_pages(DISTINCT)]
    locs = "".join(f"<url><loc>{{base}}/a/{n}.html</loc></url>" for n in range(pages))
    sitemap = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'

    async def handle(request: web.Request) -> web.Response:
        path = request.path
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if path == "/sitemap.xml":
            base = f"http://{request.host}"
            return web.Response(
                text=sitemap + locs.replace("{base}", base) + "</urlset>", content_type="application/xml"
            )
        if path.startswith("/a/") and path.endswith(".html") and path[3:-5].isdigit():
            n = int(path[3:-5])
            body = bodies[n % DISTINCT].replace(b"</h1>", f" (edition {n})</h1>".encode(), 1)
            body = body.replace(b"<p>", f"<p>Dispatch number {n}. ".encode(), 1)
            return web.Response(body=body, content_type="text/html")
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


@contextmanager
def serve(pages: int) -> Iterator[str]:
    from benchmarks.static_site import serve_child

    with serve_child(["benchmarks.crawl_memory", "--serve", str(pages)], timeout=120) as base:
        yield base


def _source(base: str, pages: int):
    import yaml

    from benchmarks.pipeline_bench import _source_yaml
    from pipeline.sources import SourceConfig

    return SourceConfig.model_validate({"name": "bench", **yaml.safe_load(_source_yaml(base, pages))})


def measure_one(pages: int) -> dict[str, Any]:
    """In this process: serve, crawl and extract ``pages`` pages; the peak RSS."""
    from pathlib import Path

    from pipeline.cleaning.site_learning import SiteBoilerplate
    from pipeline.extract.extractor import ExtractionSettings
    from pipeline.extract.pool import ExtractionStream
    from pipeline.outcomes import NotAnArticle
    from spiders.runner import crawl

    started = time.perf_counter()
    with serve(pages) as base, tempfile.TemporaryDirectory(prefix="cw-crawl-mem-") as tmp:
        stream = ExtractionStream({"bench": ExtractionSettings()})
        try:
            (crawled,) = crawl(
                [_source(base, pages)],
                warc_dir=Path(tmp),
                overrides={"LOG_LEVEL": "ERROR"},
                on_page=stream.submit,
            )
            results = stream.run("bench", crawled.pages, ExtractionSettings(), SiteBoilerplate("bench").learn)
        finally:
            stream.close()
    return {
        "pages": len(crawled.pages),
        "articles": sum(not isinstance(r, NotAnArticle) for _, r in results),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "most_waiting": stream.most_waiting,
        "max_waiting": stream.max_waiting,
        "pauses": stream.pauses,
        "seconds": round(time.perf_counter() - started, 1),
    }


def run(sizes: tuple[int, ...] = (1000, 20000), smoke: bool = False) -> dict[str, Any]:
    if smoke:
        sizes = (60, 120)
    rows = {}
    for n in sizes:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.crawl_memory", "--one", str(n)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows[str(n)] = json.loads(out.stdout.strip().splitlines()[-1])
    small, large = rows[str(min(sizes))], rows[str(max(sizes))]
    ratio = large["peak_rss_mib"] / small["peak_rss_mib"]
    return {
        "name": "crawl_memory",
        "data": "generated news-weight pages (benchmarks.news_pages) from a local server",
        "by_pages": rows,
        "peak_ratio_largest_vs_smallest": round(ratio, 2),
        "target": 1.2,
        "passed": ratio <= 1.2,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        from aiohttp import web

        web.run_app(_app(args.serve[0]), host="127.0.0.1", port=args.serve[1], print=None, access_log=None)
        return 0
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    print(json.dumps(run(tuple(args.sizes)), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
