"""Throughput and peak memory of one dedup method, each in a fresh process.

``python -m benchmarks.dedup._measure launch METHOD N`` starts ``... work METHOD N`` as its only
child, waits for it, and prints the child's figures plus
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: since the launcher has no other child, that
is the worker's own peak RSS, untouched by the bench process or by other methods' runs.

The worker generates ``synthetic_docs(N)`` before the clock starts and feeds the list to the
method, so docs/s is the method's alone. (Timing a lazy stream and taking the generation time out
favoured a method with worker processes: they kept working while the next documents were made.)
The documents' own memory (RSS after generating minus before) is taken out of the peak.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
METHODS = ("cleanwire", "minhash_lsh")

Stream = Callable[[Iterable[tuple[str, str]]], Iterator[tuple[str, str, str | None]]]


def _rss_mib() -> float:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _method(name: str) -> Stream:
    if name == "cleanwire":
        from pipeline.dedup.stream import dedup_stream

        return dedup_stream
    if name == "minhash_lsh":
        from benchmarks.dedup.baselines import minhash_lsh_stream

        return minhash_lsh_stream
    raise SystemExit(f"unknown method {name!r}")


def work(method: str, n: int, words: int, seed: int) -> dict[str, object]:
    from benchmarks.dedup.corpus import _synthetic_vocab, synthetic_docs

    stream = _method(method)
    _synthetic_vocab()
    before = _rss_mib()
    started = time.perf_counter()
    docs = list(synthetic_docs(n, words=words, seed=seed))
    generation = time.perf_counter() - started
    docs_mib = _rss_mib() - before
    count = duplicates = 0
    start = time.perf_counter()
    for _doc_id, _rep, dup_of in stream(docs):
        count += 1
        duplicates += dup_of is not None
    seconds = max(time.perf_counter() - start, 1e-9)
    return {
        "method": method,
        "docs": count,
        "duplicates_found": duplicates,
        "seconds": round(seconds, 3),
        "generation_seconds": round(generation, 3),
        "documents_rss_mib": round(docs_mib, 1),
        "docs_per_s": round(count / seconds, 1) if count else None,
    }


def launch(method: str, n: int, words: int, seed: int, timeout: float | None = None) -> dict[str, object]:
    cmd = [sys.executable, "-m", "benchmarks.dedup._measure", "work", method, str(n), str(words), str(seed)]
    paths = [str(REPO), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"method": method, "docs": n, "error": " | ".join(tail) or f"exit {proc.returncode}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["peak_rss_mib"] = round(peak_kib / 1024 - result.get("documents_rss_mib", 0.0), 1)
    return result


def main(argv: list[str]) -> int:
    mode, method, n, words, seed = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    if mode == "work":
        print(json.dumps(work(method, n, words, seed)))
    elif mode == "launch":
        print(json.dumps(launch(method, n, words, seed)))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
