"""The compact Redis layout (issue 19): sketches in the bucket, URL state with a retention.

Pass: a run that never saw a record finds its copies through sketches read from the bucket
(S3 via moto), with nothing of the sketch left in Redis; the shared index gives the local
index's verdicts on generated articles (the benchmark's own assertion, small); seen URLs and URL
mappings are forgotten after ``url_retention_days`` while an exact copy is still recognised
by its content hash.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

import pipeline.shared.index as index_module
from pipeline.bucket.seen import SeenUrl
from pipeline.dedup.judge import Deduplicator
from pipeline.record import utcnow
from pipeline.shared import SharedState
from pipeline.shared.compact import decode_id, encode_id, places
from pipeline.storage import open_store
from tests.test_shared_state import article, stories


@pytest.fixture
def bucket(s3_url: str):
    return open_store(s3_url)


class _Counting:
    """The bucket, counting ranged reads (what a claim's candidates cost it)."""

    def __init__(self, store) -> None:
        self._store, self.ranged = store, 0

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        self.ranged += 1
        return self._store.get_range(key, offset, length)


def test_ids_and_places_are_fixed_width_and_round_trip() -> None:
    for rid in ("0123456789abcdef01234567", "a1", "x" * 11, "é-ñ", "f" * 24):
        assert decode_id(encode_id(rid)) == rid
    assert len(encode_id("0123456789abcdef01234567")) == 12
    spots = places([1, 2, 0xFE << 56 | 7], bits=9)
    assert all(0 <= h < 256 and 0 <= int(f) < 512 and len(r) == 2 for h, f, r in spots)
    assert len({(h, f, r) for h, f, r in spots}) == 3


def test_a_fresh_run_finds_copies_through_sketches_in_the_bucket(redis_url, bucket) -> None:
    east, west = stories(6)
    a = SharedState(redis_url, bucket, "run-a").start()
    dedup = Deduplicator(a.index)
    verdicts = [dedup.judge(x) for x in east]
    assert all(v.is_new for v in verdicts)
    a.index.stash_sketches([(v.article, v.fingerprint) for v in verdicts])
    for v in verdicts:
        a.index.add_record(v.article, f"clean/v2/{v.article.id}", v.fingerprint)
    a.finish()
    assert list(bucket.list("state/v1/near-dup/"))  # one object for the commit
    # Redis holds no sketch of a committed record: only pending ones are kept there
    fp_keys = list(a.client.scan_iter(match=a.ns.key("fp:*")))
    assert all(a.client.hlen(k) == 0 for k in fp_keys)

    counting = _Counting(bucket)
    b = SharedState(redis_url, counting, "run-b").start()  # type: ignore[arg-type]
    judged = [Deduplicator(b.index).judge(x) for x in west]
    b.finish()
    assert [v.duplicate_of for v in judged] == [x.id for x in east]
    assert counting.ranged >= len({v.duplicate_of for v in judged if v.how != "content"})


def test_shared_bench_smoke_gives_the_local_verdicts() -> None:
    from benchmarks.shared_bench import run

    result = run(smoke=True)  # asserts verdict for verdict equality itself
    assert result["same_verdicts"] and result["new_records"] < result["documents"]
    assert result["redis_windowed_by_kind"]["fp"] == 0  # every sketch went to the bucket
    assert result["bucket_sketch_bytes_per_record"] > 1000  # where the kilobyte went


def test_urls_are_forgotten_after_the_retention_but_content_is_not(redis_url, bucket, monkeypatch) -> None:
    monkeypatch.setenv("CLEANWIRE_URL_RETENTION_DAYS", "2")
    east, _ = stories(2)
    page = east[0]
    a = SharedState(redis_url, bucket, "run-a").start()
    verdict = Deduplicator(a.index).judge(page)
    assert verdict.is_new
    a.index.stash_sketches([(page, verdict.fingerprint)])
    a.index.add_record(page, "clean/v2/x", verdict.fingerprint)
    a.seen.record(page.canonical_url, SeenUrl(fetched="2026-01-01T00:00:00", outcome="extracted"))
    a.seen.save(bucket)
    a.finish()
    retained = [*a.client.scan_iter(match=a.ns.key("url:*")), *a.client.scan_iter(match=a.ns.key("seen:*"))]
    assert retained and all(0 < a.client.ttl(k) <= 3 * 86400 for k in retained)
    assert all(a.client.ttl(k) == -1 for k in (a.ns.by_hash,))  # the content map is kept for good

    other_text = article(east[1].text, page.canonical_url, "east")  # another story at the same URL
    now = utcnow()
    monkeypatch.setattr(index_module, "utcnow", lambda: now + timedelta(days=1))
    b = SharedState(redis_url, bucket, "run-b").start()
    assert not b.seen.should_fetch(page.canonical_url)
    assert b.index.same_page(page, page.id)
    assert Deduplicator(b.index).judge(other_text).how == "url"  # within the retention
    b.abandon()

    for key in retained:  # what Redis does once the partitions' TTL has passed
        a.client.delete(key)
    monkeypatch.setattr(index_module, "utcnow", lambda: now + timedelta(days=5))
    c = SharedState(redis_url, bucket, "run-c").start()
    assert c.seen.should_fetch(page.canonical_url)  # fetched again
    again = Deduplicator(c.index).judge(article(page.text, "https://mirror.example/p", "mirror"))
    assert (again.duplicate_of, again.how) == (page.id, "content")  # still one record
    assert Deduplicator(c.index).judge(other_text).how != "url"  # the URL mapping is gone
    c.finish()
