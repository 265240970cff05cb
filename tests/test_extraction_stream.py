"""Extraction overlapped with the crawl gives exactly what extraction after the crawl gives."""

from __future__ import annotations

import threading

import pytest

from benchmarks.pipeline_bench import corpus_pages, synthetic_site_pages
from pipeline.cleaning import Cleaner
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.dedup.minhash import Fingerprinter
from pipeline.extract.extractor import ExtractionSettings, Extractor
from pipeline.extract.pool import ExtractionStream, extract_pages, pages_blocks
from pipeline.outcomes import NotAnArticle


def after_the_crawl(pages):
    learning = SiteBoilerplate("bench")
    for blocks in pages_blocks(pages):
        if blocks:
            learning.observe_blocks(blocks)
    extractor = Extractor(ExtractionSettings(), Cleaner(learned={"bench": learning.learned()}))
    return list(extract_pages(pages, extractor)), learning.learned()


def comparable(results):
    return [
        (page.url, r.outcome.value if isinstance(r, NotAnArticle) else r.model_dump_json())
        for page, r in results
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_stream_equals_extraction_after_the_crawl(workers) -> None:
    # one site's template on many pages (its chrome is learned) and 12 other templates
    pages = synthetic_site_pages(80) + corpus_pages(1)
    expected, learned = after_the_crawl(pages)
    assert learned  # the comparison covers learned boilerplate removal too

    stream = ExtractionStream({"bench": ExtractionSettings()}, workers=workers)
    try:
        # the crawl hands pages over from its own thread, as they arrive; some never (another process)
        handed = threading.Thread(target=lambda: [stream.submit(p) for p in pages[: len(pages) * 3 // 4]])
        handed.start()
        handed.join()
        learning = SiteBoilerplate("bench")

        def learn(all_blocks):
            for blocks in all_blocks:
                if blocks:
                    learning.observe_blocks(blocks)
            return learning.learned()

        got = stream.run("bench", pages, ExtractionSettings(), learn)
    finally:
        stream.close()
    assert learning.learned() == learned
    assert comparable(got) == comparable(expected)
    assert all(page.body == b"" for page in pages)  # drafted: the crawl no longer holds the bodies
    articles = [r for _, r in got if not isinstance(r, NotAnArticle)]
    assert len(articles) > len(pages) // 2
    # the workers also fingerprinted every article, as dedup would have
    fingerprint = Fingerprinter()
    for article in articles:
        made = stream.fingerprints[article.id]
        assert made.exact == fingerprint(article.text).exact
        assert (made.sketch == fingerprint(article.text).sketch).all()


def test_a_chunk_that_failed_keeps_its_pages_whole() -> None:
    from concurrent.futures import Future

    from pipeline.extract.pool import _release_bodies

    pages = synthetic_site_pages(2)
    failed: Future = Future()
    failed.set_exception(RuntimeError("worker died"))
    _release_bodies(pages, failed)
    assert all(page.body for page in pages)
    done: Future = Future()
    done.set_result([])
    _release_bodies(pages, done)
    assert not any(page.body for page in pages)


@pytest.mark.parametrize("workers", [1, 2])
def test_drafts_wait_on_disk_and_are_gone_once_the_source_is_finished(workers, tmp_path) -> None:
    pages = synthetic_site_pages(40)
    stream = ExtractionStream({"bench": ExtractionSettings()}, workers=workers, spill_dir=tmp_path)
    try:
        for page in pages:
            stream.submit(page)
        for _, _, future in stream._futures["bench"]:
            assert future.result() > 0  # a worker hands back a count, not the drafts
        spilled = sorted(p.suffix for p in tmp_path.iterdir())
        assert spilled and set(spilled) == {".blocks", ".drafts"}
        assert stream.run("other", [], ExtractionSettings(), SiteBoilerplate("other").learn) == []
        got = stream.run("bench", pages, ExtractionSettings(), SiteBoilerplate("bench").learn)
    finally:
        stream.close()
    assert [page.url for page, _ in got] == [page.url for page in pages]
    assert not any(isinstance(r, NotAnArticle) for _, r in got)
    assert list(tmp_path.iterdir()) == []


def test_the_streams_own_directory_is_removed_when_it_closes() -> None:
    stream = ExtractionStream({"bench": ExtractionSettings()}, workers=1)
    directory = stream.spill_dir
    stream.submit(synthetic_site_pages(1)[0])
    stream.close()
    assert not directory.exists()
