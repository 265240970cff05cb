"""Pipeline speed: parallel extraction, storing, the end-to-end split, and scaling.

Every figure is a ratio against a baseline measured in the same run (these
machines are noisy; absolute rates drift), with the absolute rates kept for
the record. ``run(smoke=True)`` is the tiny version ``make test`` runs: it
checks that the benchmark works, not how fast anything is.
"""

from __future__ import annotations

import itertools
import os
import random
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from benchmarks.dedup.corpus import synthetic_docs
from benchmarks.extraction.corpus import build_corpus
from benchmarks.news_pages import news_site_pages
from pipeline.bucket.commit import RecordWriter
from pipeline.bucket.packs import PACK_RECORDS, encode_record
from pipeline.dedup.judge import DedupIndex
from pipeline.dedup.stream import dedup_stream
from pipeline.extract.extractor import ExtractionSettings, Extractor
from pipeline.extract.pool import extract_pages
from pipeline.record import Article, Page
from pipeline.storage import LocalStore, S3Store


def corpus_pages(copies: int) -> list[Page]:
    """The extraction corpus' realistic pages (12 templates), repeated under distinct URLs."""
    items = build_corpus(Path(tempfile.mkdtemp(prefix="cw-bench-")))
    bodies = [(item.url, Path(item.path).read_bytes()) for item in items]
    return [
        Page(url=f"{url}?copy={n}", body=body, source="bench", headers={"Content-Type": "text/html"})
        for n in range(copies)
        for url, body in bodies
    ]


PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title} | Bench Ledger</title>
<meta property="og:type" content="article"><meta name="author" content="Staff">
<meta property="article:published_time" content="2026-01-{day:02d}"></head><body>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/sport">Sport</a></nav>
<a href="/signin">Sign in</a></header><main><article><h1>{title}</h1>{paragraphs}
<p>Sign up for our morning newsletter</p></article>
<aside><h3>Most read</h3><ul><li><a href="/x">Council passes budget</a></li></ul></aside></main>
<footer><p>Copyright 2026 Bench Ledger. All rights reserved.</p></footer></body></html>"""


def synthetic_site_pages(n: int) -> list[Page]:
    """``n`` distinct articles (the dedup corpus' generator) in one realistic template."""
    pages = []
    for number, (doc_id, text) in enumerate(synthetic_docs(n, words=600)):
        words = text.split()
        paragraphs = "".join(f"<p>{' '.join(words[i : i + 60])}</p>" for i in range(0, len(words), 60))
        html = PAGE.format(title=" ".join(words[:8]).capitalize(), day=1 + number % 28, paragraphs=paragraphs)
        pages.append(Page(url=f"https://bench.example/{doc_id}", body=html.encode(), source="bench"))
    return pages


def _best_in_turns(*fns: Callable[[], Any], repeats: int) -> list[tuple[float, Any]]:
    """Each function's fastest run and its result, the functions run in turns: this machine's
    speed drifts by tens of percent over minutes, and a slow spell must not fall on one side only."""
    best: list[tuple[float, Any]] = [(float("inf"), None)] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - started
            if seconds < best[i][0]:
                best[i] = (seconds, result)
    return best


def bench_parallel_extraction(pages: list[Page], repeats: int) -> dict[str, Any]:
    """One process against a pool, best run of each."""
    extractor = Extractor()
    workers = os.cpu_count() or 1
    (one, _), (many, _) = _best_in_turns(
        lambda: list(extract_pages(pages, extractor, workers=1)),
        lambda: list(extract_pages(pages, extractor, workers=workers)),
        repeats=repeats,
    )
    return {
        "pages": len(pages),
        "workers": workers,
        "pages_per_s_one_process": round(len(pages) / one, 1),
        "pages_per_s_parallel": round(len(pages) / many, 1),
        "speedup": round(one / many, 2),
        "target": 1.8,
        "passed": one / many >= 1.8,
    }


def _articles(n: int) -> list[Article]:
    articles = []
    for doc_id, text in synthetic_docs(n, words=600):
        digest = uuid.uuid5(uuid.NAMESPACE_URL, doc_id).hex * 2
        articles.append(
            Article(
                id=digest[:24],
                url=f"https://bench.example/{doc_id}",
                canonical_url=f"https://bench.example/{doc_id}",
                source="bench",
                fetched="2026-01-01T00:00:00Z",
                text=text,
                content_hash=digest,
            )
        )
    return articles


def bench_store(n: int) -> dict[str, Any]:
    """The S3 server runs in its own process, as a real one would: client threads then overlap."""
    import socket
    import subprocess
    import sys
    import urllib.request

    import boto3

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench-access-key")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench-secret-key")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="bench")
        articles = _articles(n)
        from pipeline.dedup.judge import Verdict

        def one_at_a_time(store) -> None:
            """The baseline: one object per record, one PUT at a time (what layout 1 did, serially)."""
            for a in articles:
                key = f"clean/v1/source={a.source}/date={a.fetched:%Y-%m-%d}/{a.id}.json"
                store.put_new(key, encode_record(a))

        def concurrent(store) -> None:
            """What a run does: records in packs (layout 2), the packs written concurrently."""
            RecordWriter(store, DedupIndex(), "bench", "bench").write([Verdict(a) for a in articles])

        # The same server behind a 20 ms round trip (a worker to its S3 region): what concurrency is for.
        with sock_port() as proxy_port:
            pass
        proxy = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.latency_proxy", endpoint, str(proxy_port), str(RTT_MS)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        proxied = f"http://127.0.0.1:{proxy_port}"
        _wait_http(proxied)
        results = {}
        for name, make in (
            ("s3", lambda: S3Store("bench", uuid.uuid4().hex, endpoint_url=endpoint)),
            (f"s3_{RTT_MS}ms_rtt", lambda: S3Store("bench", uuid.uuid4().hex, endpoint_url=proxied)),
            ("local", lambda: LocalStore(tempfile.mkdtemp(prefix="cw-store-"))),
        ):
            (sequential, _), (batched, _) = _best_in_turns(
                lambda make=make: one_at_a_time(make()),
                lambda make=make: concurrent(make()),
                repeats=3 if name == "local" else 1,  # a tenth of a second each: noise, unless repeated
            )
            results[name] = {
                "records": n,
                "records_per_s_one_put_at_a_time": round(n / sequential, 1),
                "records_per_s_packed_concurrent": round(n / batched, 1),
                "puts_packed": -(-n // PACK_RECORDS),
                "speedup": round(sequential / batched, 2),
            }
        for name in ("s3", f"s3_{RTT_MS}ms_rtt"):
            results[name]["target"] = 4.0
            results[name]["passed"] = results[name]["speedup"] >= 4.0
        proxy.terminate()
        proxy.wait(10)
        return results
    finally:
        server.terminate()
        server.wait(10)


RTT_MS = 20


@contextmanager
def sock_port() -> Iterator[int]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _wait_http(url: str) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _write_site(root: Path, pages: list[Page]) -> None:
    (root / "a").mkdir(parents=True)
    locs = []
    for number, page in enumerate(pages):
        (root / "a" / f"{number}.html").write_bytes(page.body)
        locs.append(f"<url><loc>{{{{base}}}}/a/{number}.html</loc></url>")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(locs)
        + "</urlset>"
    )
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")


def _source_yaml(base: str, pages: int, delay: float = 0, concurrency: int = 32) -> str:
    """Benchmarks only: AutoThrottle off, no delay and high concurrency unless asked."""
    return f"""site_name: Bench Ledger
allowed_domains: [127.0.0.1]
allow_private: true
discovery:
  sitemaps: ["{base}/sitemap.xml"]
  robots_sitemaps: false
article_urls:
  allow: ['/a/']
politeness:
  autothrottle: false
  download_delay: {delay}
  concurrency_per_domain: {concurrency}
  max_pages: {pages + 10}
  obey_robots: false
  memory_limit_mb: 8192  # the measuring process holds every page too (5,000 real-weight pages: 0.9 GB)
language: en
"""


def bench_end_to_end(pages: list[Page]) -> dict[str, Any]:
    """The ingest flow (what ``cleanwire run`` runs) over a generated site served from another
    process, against extract+clean alone on the same pages, in the same run.

    Also measured alone: the crawl (Scrapy, one core). With extraction overlapping the crawl, the
    best a machine can do is bounded by the CPU both need: (crawl + extract x cores) / cores.
    """
    from contextlib import nullcontext

    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    from benchmarks.static_site import serve_in_process
    from flows.ingest import ingest
    from pipeline.cleaning.site_learning import SiteBoilerplate
    from pipeline.extract.pool import ExtractionStream, default_workers
    from pipeline.extract.source import extract_source
    from pipeline.sources import SourceConfig
    from spiders.runner import crawl

    workdir = Path(tempfile.mkdtemp(prefix="cw-e2e-"))
    _write_site(workdir / "site", pages)
    with serve_in_process(workdir / "site") as base:
        config = workdir / "sources"
        config.mkdir()
        (config / "bench.yaml").write_text(_source_yaml(base, len(pages)))

        def extract_alone() -> None:
            """What the extract stage does (the same code), on pages already in memory (new Page
            objects each time: the stream empties a page's body once it is drafted)."""
            html = {"Content-Type": "text/html"}
            fetched = [
                Page(url=f"{base}/a/{n}.html", body=p.body, source="bench", headers=html)
                for n, p in enumerate(pages)
            ]
            stream = ExtractionStream({"bench": ExtractionSettings()})
            try:
                for page in fetched:
                    stream.submit(page)
                extract_source("bench", fetched, ExtractionSettings(), SiteBoilerplate("bench"), stream)
            finally:
                stream.close()

        source = SourceConfig.model_validate(
            {"name": "bench", **yaml.safe_load(_source_yaml(base, len(pages)))}
        )
        started = time.perf_counter()
        (crawled,) = crawl([source], overrides={"LOG_LEVEL": "ERROR"})
        crawl_seconds = time.perf_counter() - started

        harness = (
            nullcontext() if PREFECT_API_URL.value() else prefect_test_harness(server_startup_timeout=180)
        )
        buckets = (workdir / f"bucket-{n}" for n in itertools.count())  # each run starts empty

        def end_to_end() -> dict[str, Any]:
            return ingest(config_dir=str(config), store=f"file://{next(buckets)}")

        # Both in the same surroundings (the Prefect server up).
        with harness:
            (extract_seconds, _), (total, result) = _best_in_turns(
                extract_alone, end_to_end, repeats=1 if len(pages) < 100 else 2
            )
    cores = default_workers()
    floor = max(crawl_seconds, extract_seconds, (crawl_seconds + extract_seconds * cores) / cores)
    return {
        "pages": len(crawled.pages),
        "articles": sum(result["counts"]["bench"].get(o, 0) for o in ("extracted", "duplicate")),
        "stored": result["stored"],
        "pages_per_s_end_to_end": round(len(pages) / total, 1),
        "seconds": {k: round(v, 2) for k, v in result["seconds"].items()},
        "seconds_total": round(total, 2),
        "extract_alone_seconds": round(extract_seconds, 2),
        "crawl_alone_seconds": round(crawl_seconds, 2),
        "end_to_end_over_extract": round(total / extract_seconds, 2),
        "cpu_floor_over_extract": round(floor / extract_seconds, 2),
        "target": 1.3,
        "passed": total / extract_seconds <= 1.3,
        "note": "extraction overlaps the crawl; the floor is what the crawl's and extraction's CPU allow",
    }


def _measure(fn) -> tuple[float, float]:
    tracemalloc.start()
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(seconds, 3), round(peak / 2**20, 1)


def bench_scaling(sizes: list[int], dedup_sizes: list[int], pages: list[Page]) -> dict[str, Any]:
    extractor = Extractor()
    rows: dict[str, dict[str, Any]] = {"extract": {}, "dedup": {}, "store": {}}
    for n in sizes:
        sample = [pages[i % len(pages)] for i in range(n)]
        rows["extract"][n] = _measure(lambda sample=sample: list(extract_pages(sample, extractor, workers=1)))
        articles = _articles(n)
        from pipeline.dedup.judge import Verdict

        rows["store"][n] = _measure(
            lambda articles=articles: RecordWriter(
                LocalStore(tempfile.mkdtemp(prefix="cw-scale-")), DedupIndex(), "s", "s"
            ).write([Verdict(a) for a in articles])
        )
    for n in dedup_sizes:
        rows["dedup"][n] = _measure(lambda n=n: sum(1 for _ in dedup_stream(synthetic_docs(n, words=600))))
    linear = {}
    for stage, by_size in rows.items():
        ns = sorted(by_size)
        if len(ns) >= 2:
            small, large = ns[0], ns[-1]
            per_doc = (by_size[large][0] / large) / max(by_size[small][0] / small, 1e-9)
            linear[stage] = {
                "time_per_doc_ratio_largest_vs_smallest": round(per_doc, 2),
                "linear": per_doc < 2.0,
            }
    return {
        "seconds_and_peak_mib": {s: {str(n): v for n, v in r.items()} for s, r in rows.items()},
        "linearity": linear,
    }


def run(smoke: bool = False) -> dict[str, Any]:
    random.seed(7)
    pages = corpus_pages(1 if smoke else 4)
    return {
        "name": "pipeline",
        # 1,464 pages (about 4 s in one process): forking the pool is small next to the work, and
        # a passing slowdown of the machine is not the whole measurement
        "parallel_extraction": bench_parallel_extraction(
            pages[:8] if smoke else corpus_pages(24), 1 if smoke else 3
        ),
        "store": bench_store(20 if smoke else 2000),
        # Pages weighed like real news pages (benchmarks/news_pages.py) make the headline figure;
        # the thin 8 KB pages show what the crawl itself costs (full runs only).
        "end_to_end": bench_end_to_end(news_site_pages(10 if smoke else 5000)),
        **({} if smoke else {"end_to_end_thin_pages": bench_end_to_end(synthetic_site_pages(5000))}),
        "scaling": bench_scaling(
            [20, 40] if smoke else [1000, 10000], [50, 100] if smoke else [1000, 10000, 100000], pages
        ),
    }
