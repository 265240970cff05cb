"""One source crawled by two Scrapy processes sharing a scrapy-redis frontier (spiders/frontier/crawl.py).

Against a real redis-server and a 300-article site on 127.0.0.1 that logs every request path:
each article is fetched once in total, both processes do a fair share, the merged crawl is what
the in-process runner returns, the frontier is gone afterwards, a second run is incremental
through the seen URLs, and a crashed process loses nothing for good.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from pydantic import ValidationError

from pipeline.bucket.seen import SeenUrl, SeenUrls, seen_entry
from pipeline.bucket.warc import read_pages
from pipeline.outcomes import Outcome
from pipeline.sources import SourceConfig
from spiders.frontier.crawl import FrontierKeys, SharedFrontierError, crawl_shared_frontier
from spiders.runner import SourceCrawl, crawl
from tests.frontier_site import FrontierSite


@pytest.fixture(scope="module")
def site() -> Iterator[FrontierSite]:
    server = FrontierSite(articles=300).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def source(site: FrontierSite) -> SourceConfig:
    return SourceConfig.model_validate({**site.source(), "crawl_processes": 2})


@pytest.fixture(scope="module")
def first_crawl(
    site: FrontierSite, source: SourceConfig, redis_server: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SourceCrawl, dict[str, int], Path]:
    """One two-process crawl from nothing, with the site's request log as it stood right after."""
    site.reset_log()
    warc_dir = tmp_path_factory.mktemp("frontier-warc")
    result = crawl_shared_frontier(source, redis_server, 2, SeenUrls(), warc_dir)
    return result, dict(site.hits()), warc_dir


def frontier_keys(redis_url: str, source: str) -> list[bytes]:
    return sorted(redis.Redis.from_url(redis_url).scan_iter(f"{FrontierKeys(source).prefix}:*"))


def article_paths(crawl_result: SourceCrawl) -> list[str]:
    return sorted(urlsplit(p.url).path for p in crawl_result.pages if p.article_candidate)


def seen_after(*crawls: SourceCrawl) -> SeenUrls:
    """What the flow records once the run's records are stored (``pipeline.runs.run.build_commit``)."""
    seen = SeenUrls()
    for c in crawls:
        for page in c.pages:
            outcome = Outcome.EXTRACTED if page.article_candidate else Outcome.NOT_AN_ARTICLE
            seen.record(*seen_entry(page, outcome))
    return seen


def test_two_processes_fetch_every_article_once_and_share_the_work(
    first_crawl: tuple[SourceCrawl, dict[str, int], Path], site: FrontierSite
) -> None:
    result, hits, _ = first_crawl
    articles = {path: n for path, n in hits.items() if path.startswith("/articles/")}
    assert sorted(articles) == sorted(site.article_paths)
    assert set(articles.values()) == {1}, {p: n for p, n in articles.items() if n != 1}
    # Seeds and listing pages, asked for by both processes, went through the shared dupefilter.
    for path in ["/", "/sitemap-index.xml", "/sitemap-1.xml", "/sitemap-3.xml", "/section/world.html"]:
        assert hits[path] == 1, path
    stats = result.stats
    assert stats["cleanwire/frontier/failed_processes"] == 0
    # Both processes read listing pages or sitemaps naming the same articles: the claims held.
    assert stats["cleanwire/frontier/claimed_elsewhere"] > 0
    share = [stats[f"cleanwire/frontier/worker/{w}/pages"] for w in ("0", "1")]
    assert sum(share) == len(result.pages)
    assert min(share) >= 0.2 * len(result.pages), share
    assert {stats[f"cleanwire/frontier/worker/{w}/finish_reason"] for w in ("0", "1")} == {"finished"}
    assert stats["downloader/response_count"] == sum(hits.values())


def test_the_merged_crawl_is_what_the_in_process_runner_returns(
    first_crawl: tuple[SourceCrawl, dict[str, int], Path],
    site: FrontierSite,
    source: SourceConfig,
    tmp_path: Path,
) -> None:
    result, _, _ = first_crawl
    assert article_paths(result) == sorted(site.article_paths)
    assert result.failures == []
    [alone] = crawl([source], seen=SeenUrls(), warc_dir=tmp_path)

    def shape(c: SourceCrawl) -> list[tuple[str, str | None, bool, int, bytes, list[str]]]:
        return sorted(
            (p.url, p.final_url, p.article_candidate, p.status, p.body, sorted(k.lower() for k in p.headers))
            for p in c.pages
        )

    assert shape(result) == shape(alone)
    # Found first through a sitemap or a section page (a race, as in one process): the sitemap's
    # lastmod or none, carried over from the worker's item log.
    assert all(
        p.lastmod in (None, site.lastmod[urlsplit(p.url).path]) for p in result.pages if p.article_candidate
    )


def test_the_merged_warc_reads_back_to_the_same_pages(
    first_crawl: tuple[SourceCrawl, dict[str, int], Path], site: FrontierSite
) -> None:
    result, hits, warc_dir = first_crawl
    assert result.warc_path == warc_dir / "frontier-times.warc.gz"
    with result.warc_path.open("rb") as stream:
        recorded = list(read_pages(stream))
    # Every response of both processes, robots.txt and sitemaps included, in one readable file.
    assert len(recorded) == sum(hits.values())
    by_url = {(p.url, p.article_candidate): p.body for p in recorded}
    for page in result.pages:
        if page.article_candidate:
            assert by_url[(page.url, True)] == page.body
    assert not (warc_dir / "frontier-times.frontier").exists()  # the workers' files are gone


def test_the_frontier_is_removed_and_the_next_run_is_incremental_through_seen_urls(
    first_crawl: tuple[SourceCrawl, dict[str, int], Path],
    site: FrontierSite,
    source: SourceConfig,
    redis_server: str,
    tmp_path: Path,
) -> None:
    result, _, _ = first_crawl
    assert frontier_keys(redis_server, source.name) == []
    site.reset_log()
    again = crawl_shared_frontier(source, redis_server, 2, seen_after(result), tmp_path)
    hits = site.hits()
    assert not site.article_hits(), sorted(site.article_hits())[:5]
    # The dupefilter did not carry over: the sitemaps were read again, and said nothing changed.
    assert hits["/sitemap-2.xml"] == 1
    assert again.skipped_unchanged >= len(site.article_paths)
    assert article_paths(again) == []
    assert frontier_keys(redis_server, source.name) == []


def test_a_process_with_an_empty_queue_waits_while_another_may_still_push(
    site: FrontierSite, redis_url: str, tmp_path: Path
) -> None:
    """One seed, the sitemap index: while one process reads it, the other has nothing queued.

    Closing then (what a scrapy-redis spider does by default) would leave the whole site to the
    process that read the index.
    """
    config = site.source()
    config["discovery"] = {"sitemaps": [site.url("/sitemap-index.xml")], "robots_sitemaps": False}
    one_seed = SourceConfig.model_validate(config)
    site.reset_log()
    result = crawl_shared_frontier(one_seed, redis_url, 2, SeenUrls(), tmp_path)
    assert sorted(site.article_hits()) == sorted(site.article_paths)
    assert set(site.article_hits().values()) == {1}
    share = [result.stats[f"cleanwire/frontier/worker/{w}/pages"] for w in ("0", "1")]
    assert min(share) >= 0.2 * len(site.article_paths), share


def test_a_crashed_process_is_reported_and_nothing_is_lost_for_good(
    site: FrontierSite,
    source: SourceConfig,
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Worker 1 dies (``os._exit``) after its 20th item; worker 0 carries on to the end.

    Returned: worker 0's pages and every page worker 1 logged and wrote whole to its WARC.
    Lost this run: the requests worker 1 had taken from the queue and not finished (and any
    page still in its write buffer). They are not in the seen URLs, so the next run fetches
    exactly those, even though the crash left the frontier's keys behind.
    """
    site.reset_log()
    monkeypatch.setenv("CLEANWIRE_FAILPOINT", "frontier-worker-1-item-20")
    with caplog.at_level(logging.ERROR, logger="spiders.frontier.crawl"):
        first = crawl_shared_frontier(source, redis_url, 2, SeenUrls(), tmp_path / "run1")
    monkeypatch.delenv("CLEANWIRE_FAILPOINT")
    stats = first.stats
    assert stats["cleanwire/frontier/failed_processes"] == 1
    assert stats["cleanwire/frontier/errors"] == ["worker 1 exited with status 86"]
    assert "1 of 2 crawl processes failed" in caplog.text and "worker 1 exited with status 86" in caplog.text
    assert stats["cleanwire/frontier/worker/0/finish_reason"] == "finished"
    assert 0 < stats["cleanwire/frontier/worker/1/pages"] <= 20
    fetched = site.article_hits()
    assert set(fetched.values()) == {1}
    returned = set(article_paths(first))
    assert returned <= set(fetched)
    in_flight = set(fetched) - returned
    assert len(in_flight) <= 12, sorted(in_flight)
    missing = set(site.article_paths) - returned
    # The worker's files stay for a look at what happened; its WARC still reads back.
    workdir = tmp_path / "run1" / "frontier-times.frontier"
    assert "Traceback" not in (workdir / "stderr-1.log").read_text()
    with first.warc_path.open("rb") as stream:
        assert len(list(read_pages(stream))) >= len(first.pages)

    # A crash of the parent too would leave claims behind; the next run must not trust them.
    redis.Redis.from_url(redis_url).sadd(
        FrontierKeys(source.name).articles, *map(site.url, site.article_paths)
    )
    site.reset_log()
    second = crawl_shared_frontier(source, redis_url, 2, seen_after(first), tmp_path / "run2")
    assert set(site.article_hits()) == missing
    assert set(site.article_hits().values()) == {1}
    assert returned | set(article_paths(second)) == set(site.article_paths)
    assert second.stats["cleanwire/frontier/failed_processes"] == 0


def test_when_every_process_fails_the_error_carries_what_they_left(
    site: FrontierSite, source: SourceConfig, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEANWIRE_FAILPOINT", "frontier-worker-0-item-5")
    with pytest.raises(
        SharedFrontierError, match="every crawl process failed: worker 0 exited with status 86"
    ):
        try:
            crawl_shared_frontier(source, redis_url, 1, SeenUrls(), tmp_path)
        except SharedFrontierError as exc:
            assert 0 < len(exc.partial.pages) <= 5
            assert frontier_keys(redis_url, source.name) == []
            raise


def test_crawl_processes_is_validated(site: FrontierSite) -> None:
    assert SourceConfig.model_validate(site.source()).crawl_processes == 1
    with pytest.raises(ValidationError, match="crawl_processes"):
        SourceConfig.model_validate({**site.source(), "crawl_processes": 0})


def test_seen_urls_cross_a_process_boundary_as_bytes() -> None:
    seen = SeenUrls({"https://example.com/a": SeenUrl("2025-01-01T00:00:00+00:00", "extracted", etag='"x"')})
    back = SeenUrls.loads(seen.dumps())
    assert back.entries == seen.entries
    assert not back.should_fetch("https://example.com/a")


def test_ingest_crawls_such_a_source_on_the_shared_frontier(
    site: FrontierSite, redis_url: str, tmp_path: Path, monkeypatch, prefect_server
) -> None:
    """The flow, not just the crawler: REDIS_URL set and ``crawl_processes: 2`` in the YAML."""
    import yaml

    from flows.ingest import ingest
    from pipeline.bucket.reader import BucketReader

    config = {**site.source(), "crawl_processes": 2}
    name = config.pop("name")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / f"{name}.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("REDIS_URL", redis_url)
    site.reset_log()
    store = f"file://{tmp_path / 'bucket'}"
    result = ingest(config_dir=str(tmp_path / "sources"), store=store)
    stats = result["crawl_stats"][name]
    assert stats["cleanwire/frontier/processes"] == 2 and not stats.get("cleanwire/frontier/failed_processes")
    hits = site.article_hits()
    assert len(hits) == 300 and set(hits.values()) == {1}  # every article fetched once in all
    counts = result["counts"][name]
    assert counts.get("extracted", 0) + counts.get("duplicate", 0) == 300
    assert len(list(BucketReader(store).records())) == result["stored"] == counts["extracted"]
    assert frontier_keys(redis_url, name) == []
