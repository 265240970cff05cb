"""Readers' link index (issue 19): reading since a manifest costs the new manifests, not all.

Pass: after compaction, ``records(since=...)`` reads the link index once and only the manifests
after ``since`` (counted GETs), and each record's ``also_at`` still holds every later sighting,
those of compacted manifests included; without an index, or with one in an unknown format, the
reader reads every manifest and gives the same records.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from pipeline.bucket.commit import Commit, apply_commit
from pipeline.bucket.link_index import LINK_INDEX_PREFIX, compact_links, link_index_key
from pipeline.bucket.manifest import Manifest
from pipeline.bucket.reader import BucketReader
from pipeline.bucket.seen import SeenUrls
from pipeline.dedup.judge import DedupIndex, Verdict
from pipeline.storage import LocalStore
from tests.test_shared_state import article, story


class CountingStore(LocalStore):
    """A real local bucket that counts the objects read, by prefix."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: list[str] = []

    def get(self, key: str) -> bytes:
        self.reads.append(key)
        return super().get(key)

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        self.reads.append(key)
        return super().get_range(key, offset, length)

    def manifests_read(self) -> int:
        return sum(k.startswith("manifests/") for k in self.reads)


def _run(store, verdicts: list[Verdict], n: int) -> Manifest:
    manifest = Manifest.start(f"run{n:03d}", ["east"])
    apply_commit(store, DedupIndex(), SeenUrls(), Commit(manifest=manifest, verdicts=verdicts))
    return manifest


def _bucket(store, runs: int) -> tuple[list[Manifest], list]:
    """Run 0 stores the originals; every later run stores a new story and sights a copy of an
    original on another site (a link entry)."""
    rng = random.Random(5)
    originals = [article(story(rng), f"https://east.example/{i}", "east") for i in range(runs)]
    manifests = [_run(store, [Verdict(a) for a in originals], 0)]
    for n in range(1, runs):
        copy = article(originals[n].text, f"https://west.example/{n}", "west")
        fresh = article(story(rng), f"https://east.example/new/{n}", "east")
        manifests.append(_run(store, [Verdict(copy, originals[n].id, "exact"), Verdict(fresh)], n))
    return manifests, originals


def test_reading_since_a_manifest_reads_the_index_and_the_new_manifests(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    manifests, originals = _bucket(store, 12)
    key = compact_links(store)
    assert key == link_index_key(manifests[-1].id)
    assert compact_links(store) is None  # nothing new
    later = []
    for n in (12, 13):
        copy = article(originals[1].text, f"https://south.example/{n}", "south")
        fresh = article(f"{story(random.Random(n))}", f"https://east.example/late/{n}", "east")
        later.append(_run(store, [Verdict(copy, originals[1].id, "exact"), Verdict(fresh)], n))

    store.reads.clear()
    new = list(BucketReader(store).records(since=manifests[-1].id))
    assert store.manifests_read() == 2  # the two later manifests, not all fourteen
    assert sum(k.startswith(LINK_INDEX_PREFIX) for k in store.reads) == 1
    assert len(new) == 2

    store.reads.clear()
    everything = {a.id: a for a in BucketReader(store).records()}
    first = everything[originals[1].id]
    # sightings from a compacted manifest and from the two later ones
    assert {s.url for s in first.also_at} == {
        "https://west.example/1",
        "https://south.example/12",
        "https://south.example/13",
    }
    assert all(
        {s.url for s in everything[o.id].also_at} == {f"https://west.example/{n}"}
        for n, o in enumerate(originals)
        if n > 1
    )


def test_without_a_readable_index_the_reader_reads_every_manifest(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    manifests, originals = _bucket(store, 5)
    expected = {a.id: sorted(s.url for s in a.also_at) for a in BucketReader(store).records()}
    # an index of a format this reader does not know is skipped
    newer = {"format": "cleanwire-link-index/99", "upto": manifests[-1].id, "links": {}}
    store.put(link_index_key(manifests[-1].id), gzip.compress(json.dumps(newer).encode()))
    store.reads.clear()
    got = {a.id: sorted(s.url for s in a.also_at) for a in BucketReader(store).records()}
    assert got == expected
    assert store.manifests_read() == len(manifests)
    assert any(expected[o.id] for o in originals)
