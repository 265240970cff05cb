"""Shared state in a real Redis: two runs judging copies of the same stories at once.

Pass: each story is entered by exactly one run, whoever gets there first; copies name that
record; a crashed run's claims are released and its stored records adopted; manifest ids sort
in the order manifests appear.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest

from pipeline.bucket.commit import Commit, apply_commit
from pipeline.bucket.manifest import Manifest, created_from_id, list_manifests, manifest_id_for
from pipeline.bucket.seen import SeenUrl
from pipeline.dedup.judge import Deduplicator, Verdict
from pipeline.record import Article, utcnow
from pipeline.shared import SharedState
from pipeline.storage import open_store
from pipeline.textnorm import content_hash

WORDS = [
    *[
        "council",
        "budget",
        "harbour",
        "ferry",
        "strike",
        "union",
        "minister",
        "hospital",
        "school",
        "river",
        "flood",
        "bridge",
    ],
    *[
        "court",
        "judge",
        "election",
        "mayor",
        "tax",
        "housing",
        "rent",
        "police",
        "fire",
        "station",
        "train",
        "delay",
        "airport",
    ],
    *[
        "museum",
        "festival",
        "league",
        "match",
        "coach",
        "player",
        "season",
        "market",
        "price",
        "energy",
        "wind",
        "solar",
    ],
]


def story(rng: random.Random, paragraphs: int = 6) -> str:
    return "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 60))).capitalize() + "."
        for _ in range(paragraphs)
    )


def copy_of(text: str, how: int, rng: random.Random) -> str:
    paras = text.split("\n\n")
    if how == 0:  # the same text, flattened
        return " ".join(paras)
    if how == 1:  # light edit: one paragraph dropped
        del paras[rng.randrange(1, len(paras))]
        return "\n\n".join(paras)
    return "\n\n".join(paras[: len(paras) * 3 // 4])  # truncated teaser


def article(text: str, url: str, source: str) -> Article:
    digest = content_hash(text)
    return Article(
        id=digest[:24],
        url=url,
        canonical_url=url,
        source=source,
        fetched=utcnow(),
        text=text,
        content_hash=digest,
    )


@pytest.fixture
def bucket(s3_url: str):
    return open_store(s3_url)


def stories(n: int, seed: int = 3) -> tuple[list[Article], list[Article]]:
    """Originals on one site, copies (flattened, edited, truncated) on another."""
    rng = random.Random(seed)
    east, west = [], []
    for i in range(n):
        text = story(rng)
        east.append(article(text, f"https://east.example/news/{i}", "east"))
        west.append(article(copy_of(text, i % 3, rng), f"https://west.example/wire/{i}", "west"))
    return east, west


def race(redis_url: str, bucket, batches: list[list[Article]], tag: str) -> list[list[Verdict]]:
    """Each batch judged by its own run, in its own thread, at the same time."""
    runs = [SharedState(redis_url, bucket, f"{tag}-{i}").start() for i in range(len(batches))]
    verdicts: list[list[Verdict]] = [[] for _ in batches]

    def judge(i: int) -> None:
        dedup = Deduplicator(runs[i].index)
        verdicts[i] = [dedup.judge(a) for a in batches[i]]

    threads = [threading.Thread(target=judge, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for run in runs:
        run.finish()
    return verdicts


@pytest.mark.parametrize("reverse_east", [True, False])
def test_two_runs_at_once_enter_each_story_once(redis_url, bucket, reverse_east) -> None:
    east, west = stories(40)
    # the two runs walk the stories from opposite ends and meet in the middle
    batches = [east[::-1], west] if reverse_east else [east, west[::-1]]
    verdicts = race(redis_url, bucket, batches, f"race-{reverse_east}")
    winner = {v.article.url: v.article.id for vs in verdicts for v in vs if v.is_new}
    duplicates = {v.article.url: v.duplicate_of for vs in verdicts for v in vs if not v.is_new}
    for e, w in zip(east, west, strict=True):
        new = [url for url in (e.url, w.url) if url in winner]
        assert len(new) == 1, f"story {e.url} entered {len(new)} times"
        other = w.url if new[0] == e.url else e.url
        assert duplicates[other] == winner[new[0]]
    assert all(any(v.is_new for v in vs) for vs in verdicts)  # both runs won some: they did race


def test_a_live_runs_pending_claim_is_respected(redis_url, bucket) -> None:
    east, west = stories(3)
    a = SharedState(redis_url, bucket, "run-a").start()
    b = SharedState(redis_url, bucket, "run-b").start()
    assert Deduplicator(a.index).judge(east[0]).is_new
    verdict = Deduplicator(b.index).judge(west[0])
    assert verdict.duplicate_of == east[0].id  # a is alive: its claim holds although not stored yet
    a.finish()
    b.finish()


def test_a_crashed_runs_claims_are_released(redis_url, bucket) -> None:
    east, west = stories(3)
    a = SharedState(redis_url, bucket, "run-a").start()
    dedup_a = Deduplicator(a.index)
    assert all(dedup_a.judge(x).is_new for x in east)
    a.abandon()  # crashed: the lease is gone, nothing was stored

    b = SharedState(redis_url, bucket, "run-b").start()
    dedup_b = Deduplicator(b.index)
    assert [dedup_b.judge(x).is_new for x in west] == [True, True, True]
    assert [dedup_b.judge(x).duplicate_of for x in east] == [w.id for w in west]
    assert b.client.sismember(b.ns.runs, "run-a") == 0  # settled
    b.finish()


def test_recovery_adopts_what_a_crashed_run_stored(redis_url, bucket, monkeypatch) -> None:
    east, west = stories(4)
    a = SharedState(redis_url, bucket, "run-a").start()
    verdicts = list(Deduplicator(a.index)(east))
    manifest = Manifest.start("run-a", ["east"])
    commit = Commit(
        manifest=manifest,
        verdicts=verdicts,
        seen=[(e.url, SeenUrl(fetched="x", outcome="extracted")) for e in east],
    )
    monkeypatch.setenv("CLEANWIRE_FAILPOINT", "after-records")
    monkeypatch.setattr("os._exit", lambda code: (_ for _ in ()).throw(SystemExit(code)))
    with pytest.raises(SystemExit):
        apply_commit(bucket, a.index, a.seen, commit, a.sequencer.slot)
    monkeypatch.delenv("CLEANWIRE_FAILPOINT")
    a.abandon()

    # a third run finished in between: its manifest is visible before the recovery happens
    c = SharedState(redis_url, bucket, "run-c").start()
    c_manifest = Manifest.start("run-c", ["west"])
    apply_commit(bucket, c.index, c.seen, Commit(manifest=c_manifest, verdicts=[]), c.sequencer.slot)
    c.finish()

    b = SharedState(redis_url, bucket, "run-b").start()
    recovered = b.recover()
    assert [m.run_id for m in recovered] == ["run-a"] and len(recovered[0].records) == 4
    ids = [m.id for m in list_manifests(bucket)]
    assert ids == sorted(ids) and ids[-1] == recovered[0].id  # recovered after c: readers see it
    assert all(Deduplicator(b.index).judge(w).duplicate_of == e.id for e, w in zip(east, west, strict=True))
    assert b.seen.should_fetch(east[0].url)  # a's seen URLs were never saved: fetched again
    b.finish()


def test_manifest_ids_follow_the_last_even_if_a_clock_lags(redis_url, bucket) -> None:
    a = SharedState(redis_url, bucket, "run-a").start()
    future = utcnow() + timedelta(hours=1)
    a.client.set(a.ns.last_manifest, manifest_id_for(future, "ahead"))
    with a.sequencer.slot("run-a") as (manifest_id, created):
        pass
    assert manifest_id > manifest_id_for(future, "ahead") and created == created_from_id(manifest_id)
    a.finish()


def test_seen_urls_are_shared(redis_url, bucket) -> None:
    a = SharedState(redis_url, bucket, "run-a").start()
    a.seen.record("https://east.example/news/1", SeenUrl(fetched="2026-01-01T00:00:00", outcome="extracted"))
    a.seen.save(bucket)
    b = SharedState(redis_url, bucket, "run-b").start()
    assert not b.seen.should_fetch("https://east.example/news/1")
    assert b.seen.should_fetch("https://east.example/news/2")
    assert len(b.seen) == 1
    a.finish()
    b.finish()


def test_near_duplicate_data_expires_after_the_window(redis_url, bucket, monkeypatch) -> None:
    monkeypatch.setenv("CLEANWIRE_NEAR_DUP_DAYS", "2")
    east, west = stories(2)  # west[1] is east[1] with a paragraph cut: a near-duplicate
    a = SharedState(redis_url, bucket, "run-a").start()
    verdict = Deduplicator(a.index).judge(east[1])
    assert verdict.is_new
    a.index.add_record(east[1], "clean/v1/x.json", verdict.fingerprint)  # stored: committed
    partitions = [*a.client.scan_iter(match=a.ns.key("band:*")), *a.client.scan_iter(match=a.ns.key("fp:*"))]
    ttls = [a.client.ttl(k) for k in partitions]
    assert len(partitions) > 1 and all(0 < t <= 3 * 86400 for t in ttls)  # whole partitions expire
    a.finish()

    import pipeline.shared.index as index_module

    now = utcnow()
    monkeypatch.setattr(index_module, "utcnow", lambda: now + timedelta(days=1))
    b = SharedState(redis_url, bucket, "run-b").start()
    assert Deduplicator(b.index).judge(west[1]).duplicate_of == east[1].id  # within the window
    b.finish()

    monkeypatch.setattr(index_module, "utcnow", lambda: now + timedelta(days=5))
    c = SharedState(redis_url, bucket, "run-c").start()
    assert Deduplicator(c.index).judge(west[1]).is_new  # past the window: not looked at any more
    c.finish()


def test_a_bucket_in_shared_mode_refuses_single_machine_runs(redis_url, s3_url, prefect_server) -> None:
    from flows.ingest import ingest

    SharedState(redis_url, open_store(s3_url), "run-a").start().finish()
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        ingest(sources=[], store=s3_url)


def test_shared_index_judges_the_syndication_set_as_the_local_index_does(redis_url, bucket) -> None:
    """Copies with several changes, briefs in other sites' chrome, same-story articles, halves and
    briefs in one site's chrome: the Redis index gives each article the verdict the single-machine
    index gives it (each judged by the index, not by a run's own memory)."""
    from benchmarks.dedup.syndication import build_syndication_set
    from pipeline.dedup.judge import DedupIndex

    docs, _ = build_syndication_set("report", None, generated=30, copies_per_real=3)
    articles = [
        article(d.text, f"https://site{i % 7}.example/{d.id}", f"site{i % 7}") for i, d in enumerate(docs)
    ]

    def verdicts(index) -> list[tuple[str | None, str | None]]:
        out = []
        for a in articles:
            verdict = Deduplicator(index).judge(a)
            if verdict.is_new:
                index.add_record(a, key=f"k/{a.id}", fingerprint=verdict.fingerprint)
            out.append((verdict.duplicate_of, verdict.how))
        return out

    local = verdicts(DedupIndex())
    run = SharedState(redis_url, bucket, "parity").start()
    shared = verdicts(run.index)
    run.finish()
    # the same records; how may say "near" where the local index, which also keeps the folded
    # text's hash of every copy it has seen, says "exact"
    assert [dup for dup, _ in shared] == [dup for dup, _ in local]
    assert all(a == b or {a, b} == {"exact", "near"} for (_, a), (_, b) in zip(shared, local, strict=True))
    hows = Counter(how for _, how in local)
    assert hows["contained"] and hows["near"] and hows["same core"], hows
    # and the verdicts are right: every must-not-merge pair apart
    kept = {a.id: (dup or a.id) for a, (dup, _) in zip(articles, local, strict=True)}
    groups: dict[str, list[str]] = {}
    for d, a in zip(docs, articles, strict=True):
        if d.group:
            groups.setdefault(d.group, []).append(kept[a.id])
    assert all(len(set(members)) == len(members) for members in groups.values())
