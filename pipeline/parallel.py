"""Extraction across cores: a process pool, pages in order, in-process when there are few.

trafilatura is pure CPU and holds the GIL, so threads do not help; processes
do. Each worker builds its extractor once; pages go in chunks so the pickling
cost stays small next to the parsing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from pipeline.cleaning.site_learning import page_blocks
from pipeline.decode import decode_body
from pipeline.extract import Extractor
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Article, Page

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
    return int(os.environ.get("CLEANWIRE_EXTRACT_WORKERS", os.cpu_count() or 1))


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
