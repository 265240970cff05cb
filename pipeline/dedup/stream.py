"""Near-duplicates of a long stream of texts: fingerprinted in batches, in worker processes once the
input is long, each batch judged by one ``NearDuplicateIndex.dedup`` call."""

from __future__ import annotations

import multiprocessing as mp
import os
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from pipeline.dedup.identity import RecurringBlocks
from pipeline.dedup.minhash import FingerprintBatch, Fingerprinter, NearDupSettings
from pipeline.dedup.near import NearDuplicateIndex

# Texts per batch: enough to amortise numpy's per-call cost, few enough to stay in cache.
BATCH = 128
# Worker processes start only after this many batches, so that small inputs never pay for them.
IN_PROCESS_BATCHES = 8
# Batches handed to the workers ahead of the one being matched (bounds the texts held in memory).
AHEAD_PER_WORKER = 3

_worker_fingerprinter: Fingerprinter | None = None


def _start_worker(settings: NearDupSettings) -> None:
    global _worker_fingerprinter
    _worker_fingerprinter = Fingerprinter(settings)


def _fingerprint_in_worker(texts: list[str]) -> FingerprintBatch:
    assert _worker_fingerprinter is not None
    return _worker_fingerprinter.batch(texts)


def _pool(workers: int, settings: NearDupSettings) -> ProcessPoolExecutor:
    # fork: no re-import of anything, in particular not of the caller's __main__ (spawn would)
    return ProcessPoolExecutor(
        workers, mp_context=mp.get_context("fork"), initializer=_start_worker, initargs=(settings,)
    )


Blocks = list[tuple[str, int]]


def _fingerprint_batches(
    docs: Iterable[tuple[str, str]], fingerprint: Fingerprinter, workers: int, chrome: RecurringBlocks | None
) -> Iterator[tuple[list[str], list[Blocks], FingerprintBatch]]:
    """(ids, short lines, fingerprints) a batch at a time, in input order; in worker processes past
    the first batches. Lines ``chrome`` has learned as the corpus's chrome are taken out first (in
    this process: what was learned up to the batches already handed out)."""
    source = iter(docs)

    def batches() -> Iterator[tuple[list[str], list[Blocks], list[str]]]:
        while chunk := list(islice(source, BATCH)):
            texts = [text for _, text in chunk]
            blocks: list[Blocks] = [[] for _ in texts]
            if chrome is not None:
                blocks = [chrome.candidates(text) for text in texts]
                texts = [chrome.strip(text, mine) for text, mine in zip(texts, blocks, strict=True)]
            yield [doc_id for doc_id, _ in chunk], blocks, texts

    chunks = batches()
    if "fork" not in mp.get_all_start_methods():
        workers = 1
    for ids, blocks, texts in chunks if workers <= 1 else islice(chunks, IN_PROCESS_BATCHES):
        yield ids, blocks, fingerprint.batch(texts)
    if workers <= 1:
        return
    pending: deque[tuple[list[str], list[Blocks], Future[FingerprintBatch]]] = deque()
    pool: ProcessPoolExecutor | None = None
    try:
        for ids, blocks, texts in chunks:
            if pool is None:
                pool = _pool(workers, fingerprint.settings)
            pending.append((ids, blocks, pool.submit(_fingerprint_in_worker, texts)))
            del texts
            if len(pending) > AHEAD_PER_WORKER * workers:
                ids, blocks, future = pending.popleft()
                yield ids, blocks, future.result()
        while pending:
            ids, blocks, future = pending.popleft()
            yield ids, blocks, future.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def dedup_stream(
    docs: Iterable[tuple[str, str]],
    settings: NearDupSettings | None = None,
    workers: int | None = None,
    learn_chrome: bool = True,
) -> Iterator[tuple[str, str, str | None]]:
    """Batch dedup for any corpus: (id, text) in, (id, cluster representative, duplicate_of) out.

    Streams: texts are read a batch at a time and dropped once fingerprinted; memory grows with
    the number of clusters (about 2 KB each), not with the texts. ``workers`` processes
    (default: one per CPU; forked, where the platform can fork) fingerprint the batches once the
    input has proved longer than a few batches; matching stays in this process, in input order.
    ``workers=1`` keeps it all in this process.

    A corpus has not been through the cleaning rules, so besides the chrome lines the rules'
    patterns know (``NearDupSettings.strip_chrome``), ``learn_chrome`` discounts short lines that
    recur in documents of several clusters (``pipeline.dedup.identity.RecurringBlocks``): a
    site's navigation, related links and footer, whatever their wording.
    """
    fingerprint = Fingerprinter(settings)
    index = NearDuplicateIndex(fingerprint.settings, persistent=False)
    chrome = RecurringBlocks() if learn_chrome else None
    workers = (os.cpu_count() or 1) if workers is None else workers
    for ids, blocks, batch in _fingerprint_batches(docs, fingerprint, workers, chrome):
        verdicts = index.dedup(ids, batch)
        for record_id, mine, (rep, duplicate_of) in zip(ids, blocks, verdicts, strict=True):
            if chrome is not None and mine:
                chrome.observe(mine, zlib.crc32(rep.encode("utf-8")) >> 1)
            yield record_id, rep, duplicate_of
