"""Extraction across cores: a process pool, pages in order, in-process when there are few.

Two ``Passes`` for ``pipeline.extract.source.extract_source``: ``PoolPasses`` (the pages in
hand), ``ExtractionStream`` (drafted while the crawl runs).

trafilatura is pure CPU and holds the GIL, so threads do not help; processes
do. Each worker builds its extractor once; pages go in chunks so the pickling
cost stays small next to the parsing.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

from pipeline.cleaning.site_learning import page_blocks
from pipeline.dedup.minhash import Fingerprint, Fingerprinter
from pipeline.extract.decode import decode_body
from pipeline.extract.extractor import Draft, ExtractionSettings, Extractor
from pipeline.extract.source import Learn, Result, source_extractor
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Article, Page
from pipeline.settings import current as current_settings

MIN_PAGES_FOR_POOL = 64
_worker_extractor: Extractor | None = None


def _init(extractor: Extractor) -> None:
    global _worker_extractor
    _worker_extractor = extractor


def _extract_one(page: Page, extractor: Extractor) -> Article | NotAnArticle:
    try:
        return extractor.extract_page(page)
    except NotAnArticle as exc:
        return exc
    except Exception as exc:  # a broken page never kills a run
        return NotAnArticle(Outcome.ERROR, f"{type(exc).__name__}: {exc}"[:300])


def _extract_in_worker(page: Page) -> Article | NotAnArticle:
    assert _worker_extractor is not None
    return _extract_one(page, _worker_extractor)


def default_workers() -> int:
    return current_settings().extract_workers or os.cpu_count() or 1


def extract_pages(
    pages: list[Page], extractor: Extractor, workers: int | None = None
) -> Iterator[tuple[Page, Article | NotAnArticle]]:
    """Every page with its article or the reason it has none, in the order given."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(pages) < MIN_PAGES_FOR_POOL:
        for page in pages:
            yield page, _extract_one(page, extractor)
        return
    chunk = max(4, len(pages) // (workers * 8))
    with ProcessPoolExecutor(
        workers, mp_context=get_context("fork"), initializer=_init, initargs=(extractor,)
    ) as pool:
        yield from zip(pages, pool.map(_extract_in_worker, pages, chunksize=chunk), strict=True)


def _blocks(page: Page) -> set[str]:
    return page_blocks(decode_body(page)) if page.status == 200 else set()


def pages_blocks(pages: list[Page], workers: int | None = None) -> list[set[str]]:
    """Site-learning input (each page's small text blocks), parsed across cores too."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(pages) < MIN_PAGES_FOR_POOL:
        return [_blocks(page) for page in pages]
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(_blocks, pages, chunksize=max(4, len(pages) // (workers * 8))))


class PoolPasses:
    """Both passes over the pages in hand, on this machine's cores (``workers``: the default)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def run(
        self, source: str, pages: list[Page], settings: ExtractionSettings, learn: Learn
    ) -> list[tuple[Page, Result]]:
        extractor = source_extractor(settings, source, learn(pages_blocks(pages, self.workers)))
        return list(extract_pages(pages, extractor, self.workers))


# -- overlapping extraction with the crawl ---------------------------------------------------------

STREAM_CHUNK = 16
_worker_extractors: dict[ExtractionSettings, Extractor] = {}


def _draft_one(page: Page, extractor: Extractor) -> tuple[set[str], Draft | NotAnArticle]:
    """The draft and the page's blocks for site learning, from one parse of the page."""
    blocks: set[str] = set()
    try:
        return blocks, extractor.draft_page(page, blocks=blocks if page.status == 200 else None)
    except NotAnArticle as exc:
        failed: Draft | NotAnArticle = exc
    except Exception as exc:  # a broken page never kills a run
        failed = NotAnArticle(Outcome.ERROR, f"{type(exc).__name__}: {exc}"[:300])
    # Turned away before it was parsed (a paywall, a challenge): its chrome still teaches.
    return (blocks or _blocks(page)), failed


def _finish_one(draft: Draft | NotAnArticle, extractor: Extractor) -> Article | NotAnArticle:
    if isinstance(draft, NotAnArticle):
        return draft
    try:
        return extractor.finish(draft)
    except NotAnArticle as exc:
        return exc
    except Exception as exc:
        return NotAnArticle(Outcome.ERROR, f"{type(exc).__name__}: {exc}"[:300])


def _worker(settings: ExtractionSettings) -> Extractor:
    extractor = _worker_extractors.get(settings)
    if extractor is None:
        extractor = _worker_extractors[settings] = Extractor(settings)
    return extractor


def _draft_chunk(pages: list[Page], settings: ExtractionSettings, spill: Path) -> int:
    """Draft a chunk in a worker and leave it on disk: its blocks (``spill`` + ``.blocks``, read by
    the parent for site learning) and its drafts (``.drafts``, read back only by the worker that
    finishes them). The parent holds none of it while the crawl goes on: a source of 20,000
    news-weight pages held 1.2 GB of drafts and block sets until its crawl ended."""
    extractor = _worker(settings)
    drafted = [_draft_one(page, extractor) for page in pages]
    _dump(spill.with_suffix(".drafts"), [draft for _, draft in drafted])
    _dump(spill.with_suffix(".blocks"), [blocks for blocks, _ in drafted])
    return len(drafted)


def _dump(path: Path, value: object) -> None:
    with path.open("wb") as stream:
        pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> list:
    with path.open("rb") as stream:
        return pickle.load(stream)


def _finish_chunk(
    drafts: list[Draft | NotAnArticle], settings: ExtractionSettings, source: str, learned: frozenset[str]
) -> tuple[list[Article | NotAnArticle], dict[str, Fingerprint]]:
    """Cleaning, and the near-duplicate fingerprint of each article while its text is at hand."""
    extractor = source_extractor(settings, source, learned)
    results = [_finish_one(draft, extractor) for draft in drafts]
    fingerprint = Fingerprinter()
    prints = {r.id: fingerprint(r.text) for r in results if isinstance(r, Article)}
    return results, prints


def _finish_spilled(
    spills: list[Path], settings: ExtractionSettings, source: str, learned: frozenset[str]
) -> tuple[list[Article | NotAnArticle], dict[str, Fingerprint]]:
    """``_finish_chunk`` over drafts a worker left on disk, in the order given."""
    drafts = [draft for spill in spills for draft in _load(spill.with_suffix(".drafts"))]
    return _finish_chunk(drafts, settings, source, learned)


def _yield_to_crawl() -> None:
    """Workers run at a lower priority than the crawl: a starved crawl only delays every page,
    while extraction catches up on all cores as soon as the crawl is done."""
    os.nice(10)


def _release_bodies(pages: list[Page], future: Future) -> None:
    """A drafted page's body is not read again (the WARC already holds the response): dropping it
    keeps the crawl's memory to the pages in flight, where a source of 20,000 news-weight pages
    held 4 GB until its crawl ended. Only after a draft that succeeded: a failed chunk keeps its
    pages whole."""
    if not future.cancelled() and future.exception() is None:
        for page in pages:
            page.body = b""


class ExtractionStream:
    """Extraction that starts while the crawl is still running.

    The crawl hands over each page as it arrives (``submit``, from the crawl's thread); worker
    processes run the expensive half (trafilatura, and the page's blocks for site learning) in
    chunks meanwhile. When a source's crawl is done, ``results`` learns the site's boilerplate from
    every page's blocks, then finishes the drafts (cleaning, identity): the same articles as
    ``extract_pages`` after ``pages_blocks``, with the crawl and extraction overlapped instead of
    one after the other. Each page's body is emptied once it is drafted (``_release_bodies``): the
    pages handed over must be the run's own (``spiders.runner`` copies Scrapy's items). Drafts and
    blocks wait on disk (``spill_dir``), not in this process: what grows with the source here is
    the pages without their bodies and, once ``run`` returns, the articles.
    """

    def __init__(
        self,
        settings: dict[str, ExtractionSettings],
        workers: int | None = None,
        max_waiting: int | None = None,
        spill_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        # Drafts wait on disk (``_draft_chunk``): in ``spill_dir``, else a temporary directory of
        # the stream's own, removed by ``close``.
        self._own_dir = (
            None if spill_dir is not None else tempfile.TemporaryDirectory(prefix="cleanwire-drafts-")
        )
        self.spill_dir = spill_dir if spill_dir is not None else Path(self._own_dir.name)
        self._chunks = 0
        self.workers = default_workers() if workers is None else workers
        # Backpressure: a page waiting for its draft holds its body (190 KB for a news page); past
        # ``max_waiting`` such pages the crawls handed to ``hold_back`` pause until half drain.
        limit = current_settings().extract_queue_pages if max_waiting is None else max_waiting
        self.max_waiting = max(2 * STREAM_CHUNK, limit)
        self.waiting = 0  # pages handed over and not drafted yet
        self.most_waiting = 0
        self.pauses = 0
        self._paused = False
        self._gates: dict[int, tuple[Callable[[], None], Callable[[], None]]] = {}
        self._pool = None
        if self.workers > 1:
            # forkserver, not fork: this runs inside a flow run, whose other threads (Prefect's
            # API client and log shipping, the crawl's event loop) may hold locks at the moment of
            # a fork; a forked worker inheriting one hangs (seen: a run stuck for good). The fork
            # server is a clean process with the extraction modules already imported.
            context = get_context("forkserver")
            context.set_forkserver_preload(["pipeline.extract.pool"])
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_yield_to_crawl)
        self._lock = threading.RLock()  # a chunk drafted in-process completes inside _send
        self._buffer: dict[str, list[Page]] = {}
        self._futures: dict[str, list[tuple[list[Page], Path, Future]]] = {}
        # Article id -> near-duplicate fingerprint (default settings), made by the workers: dedup
        # then has nothing left to compute on the run's critical path.
        self.fingerprints: dict[str, Fingerprint] = {}

    def _settings(self, source: str) -> ExtractionSettings:
        return self.settings.get(source) or ExtractionSettings()

    def hold_back(self, pause: Callable[[], None], resume: Callable[[], None]) -> Callable[[], None]:
        """A crawl that hands pages over asks to be paused when too many wait (``pause`` is called
        from ``submit``, ``resume`` from a worker's completion thread: it must not block). Returns
        how to let go of the crawl once it is done."""
        with self._lock:
            handle = max(self._gates, default=0) + 1
            self._gates[handle] = (pause, resume)
            if self._paused:
                pause()

        def release() -> None:
            with self._lock:
                self._gates.pop(handle, None)

        return release

    def submit(self, page: Page) -> None:
        with self._lock:
            buffer = self._buffer.setdefault(page.source, [])
            buffer.append(page)
            self.waiting += 1
            self.most_waiting = max(self.most_waiting, self.waiting)
            if len(buffer) >= STREAM_CHUNK:
                self._send(page.source)
            if self.waiting >= self.max_waiting and not self._paused and self._gates:
                self._paused = True
                self.pauses += 1
                for pause, _ in self._gates.values():
                    pause()

    def _drafted(self, count: int, future: Future) -> None:
        """A chunk is drafted (or failed): its pages no longer wait; the crawls resume at half."""
        with self._lock:
            self.waiting -= count
            if not self._paused or self.waiting > self.max_waiting // 2:
                return
            self._paused = False
            resumes = [resume for _, resume in self._gates.values()]
        for resume in resumes:
            resume()

    def _send(self, source: str, counted: bool = True) -> None:
        pages, self._buffer[source] = self._buffer.get(source, []), []
        if not pages:
            return
        self._chunks += 1
        spill = self.spill_dir / f"chunk-{self._chunks}"
        if self._pool is None:
            future: Future = Future()
            future.set_result(_draft_chunk(pages, self._settings(source), spill))
        else:
            future = self._pool.submit(_draft_chunk, pages, self._settings(source), spill)
        future.add_done_callback(partial(_release_bodies, pages))
        if counted:  # handed over by ``submit``
            future.add_done_callback(partial(self._drafted, len(pages)))
        self._futures.setdefault(source, []).append((pages, spill, future))

    def run(
        self, source: str, pages: list[Page], settings: ExtractionSettings, learn: Learn
    ) -> list[tuple[Page, Result]]:
        """Every page of the source (in ``pages``' order) with its article or why it has none.

        Pages the crawl did not hand over (a crawl in another process) are drafted now.
        ``learn`` gets every page's blocks and returns the site's learned boilerplate; ``settings``
        are the source's (those its pages were drafted with, ``self.settings``).
        """
        with self._lock:
            self._send(source)
            sent = {id(p) for chunk, _, _ in self._futures.get(source, []) for p in chunk}
            rest = [p for p in pages if id(p) not in sent]
            for start in range(0, len(rest), STREAM_CHUNK * 4):
                self._buffer[source] = rest[start : start + STREAM_CHUNK * 4]
                self._send(source, counted=False)
            chunks = self._futures.pop(source, [])
        try:
            for _, _, future in chunks:
                future.result()  # a chunk that failed fails the source, as before
            learned = learn(
                blocks for _, spill, _ in chunks for blocks in _load(spill.with_suffix(".blocks"))
            )
            finished = self._finish(chunks, settings, source, learned)
        finally:
            for _, spill, _ in chunks:
                for suffix in (".drafts", ".blocks"):
                    spill.with_suffix(suffix).unlink(missing_ok=True)
        by_page = {
            id(page): result
            for (chunk, _, _), results in zip(chunks, finished, strict=True)
            for page, result in zip(chunk, results, strict=True)
        }
        return [(page, by_page[id(page)]) for page in pages]

    def _finish(
        self,
        chunks: list[tuple[list[Page], Path, Future]],
        settings: ExtractionSettings,
        source: str,
        learned: frozenset[str],
    ) -> list[list[Result]]:
        """Each chunk's results, finished on the workers from the drafts on disk (in parts of a few
        chunks, so that each worker gets a few parts)."""
        pages = sum(len(chunk) for chunk, _, _ in chunks)
        size = max(STREAM_CHUNK, pages // (self.workers * 4) + 1)
        parts: list[list[tuple[list[Page], Path, Future]]] = []
        filled = size  # pages in the last part: the first chunk opens one
        for chunk in chunks:
            if filled >= size:
                parts.append([])
                filled = 0
            parts[-1].append(chunk)
            filled += len(chunk[0])
        spills = [[spill for _, spill, _ in part] for part in parts]
        if self._pool is None or len(spills) < 2:
            done = [_finish_spilled(part, settings, source, learned) for part in spills]
        else:
            futures = [self._pool.submit(_finish_spilled, part, settings, source, learned) for part in spills]
            done = [f.result() for f in futures]
        finished: list[list[Result]] = []
        for part, (results, prints) in zip(parts, done, strict=True):
            self.fingerprints.update(prints)
            at = 0
            for chunk, _, _ in part:
                finished.append(results[at : at + len(chunk)])
                at += len(chunk)
        return finished

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
        if self._own_dir is not None:
            self._own_dir.cleanup()
