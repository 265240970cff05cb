"""The shared (Redis) dedup index against the single-machine one, for ``docs/scaling.md``.

Per article: the claim (one Lua call, plus one round trip per batch of unverified
candidates) and the commit after the write, against ``DedupIndex`` judging in
memory; and Redis memory per stored record and per seen URL, read from
``INFO memory`` before and after. Fingerprinting is done before timing: both
indexes need it and it is measured by the dedup benchmark.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Any

import redis

from benchmarks.dedup.corpus import synthetic_docs
from pipeline.bucket.seen import SeenUrl
from pipeline.dedup.judge import DedupIndex, Deduplicator
from pipeline.dedup.minhash import Fingerprinter
from pipeline.record import Article
from pipeline.shared import SharedState
from pipeline.storage import LocalStore
from pipeline.textnorm import content_hash


def _redis() -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def _articles(n: int) -> list[Article]:
    out = []
    for doc_id, text in synthetic_docs(n, words=600):
        digest = content_hash(text)
        url = f"https://bench.example/{doc_id}"
        out.append(
            Article(
                id=digest[:24],
                url=url,
                canonical_url=url,
                source="bench",
                fetched="2026-01-01T00:00:00Z",
                text=text,
                content_hash=digest,
            )
        )
    return out


def run(smoke: bool = False) -> dict[str, Any]:
    n = 200 if smoke else 20000
    articles = _articles(n)
    fingerprint = Fingerprinter()
    prints = fingerprint.many(a.text for a in articles)

    class _Prints:  # the fingerprints computed above, handed out in order
        settings = fingerprint.settings

        def __init__(self) -> None:
            self.it = iter(prints)

        def __call__(self, text: str):
            return next(self.it)

    local = Deduplicator(DedupIndex(), fingerprinter=_Prints())  # type: ignore[arg-type]
    started = time.perf_counter()
    local_new = sum(local.judge(a).is_new for a in articles)
    local_seconds = time.perf_counter() - started

    process, url = _redis()
    try:
        store = LocalStore(tempfile.mkdtemp(prefix="cw-shared-bench-"))
        state = SharedState(url, store, "bench").start()
        before = state.client.info("memory")["used_memory"]
        dedup = Deduplicator(state.index, fingerprinter=_Prints())  # type: ignore[arg-type]
        started = time.perf_counter()
        verdicts = [dedup.judge(a) for a in articles]
        claim_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for v in verdicts:
            if v.is_new:
                state.index.add_record(v.article, f"clean/v1/{v.article.id}.json", v.fingerprint)
        commit_seconds = time.perf_counter() - started
        shared_new = sum(v.is_new for v in verdicts)
        index_bytes = state.client.info("memory")["used_memory"] - before
        by_kind: dict[str, int] = {}
        for key in state.client.scan_iter(match=state.ns.key("*"), count=1000):
            kind = key.decode().split("}:", 1)[1].split(":")[0]
            by_kind[kind] = by_kind.get(kind, 0) + (state.client.memory_usage(key, samples=0) or 0)
        stats = state.client.info("commandstats")
        server_us = sum(v["usec"] for k, v in stats.items() if k.startswith("cmdstat_evalsha"))
        before = state.client.info("memory")["used_memory"]
        for a in articles:
            state.seen.record(
                a.canonical_url, SeenUrl(fetched="2026-01-01T00:00:00+00:00", outcome="extracted")
            )
        state.seen.save(store)
        seen_bytes = state.client.info("memory")["used_memory"] - before
        state.finish()
    finally:
        process.terminate()
        process.wait(10)
    shared_seconds = claim_seconds + commit_seconds
    return {
        "name": "shared_index",
        "documents": n,
        "same_verdicts": local_new == shared_new,
        "local_docs_per_s": n / local_seconds,
        "shared_docs_per_s": n / shared_seconds,
        "shared_vs_local": local_seconds / shared_seconds,
        "claim_ms": 1000 * claim_seconds / n,
        "commit_ms": 1000 * commit_seconds / max(1, shared_new),
        "redis_bytes_per_record": index_bytes / max(1, shared_new),
        "redis_bytes_per_record_windowed": (by_kind.get("band", 0) + by_kind.get("fp", 0))
        / max(1, shared_new),
        "redis_bytes_per_record_kept": sum(by_kind.get(k, 0) for k in ("rec", "hash", "url"))
        / max(1, shared_new),
        "redis_server_us_per_article": server_us / n,
        "redis_bytes_per_seen_url": seen_bytes / n,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
