"""Layout 2: records in pack objects, written once, read whole or one record at a time.

The S3 tests go through a counting proxy to moto's server, so the number of requests a
write makes (the reason packs exist) is measured, not assumed."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import boto3
import pytest

from pipeline.bucket import packs
from pipeline.bucket.commit import RecordWriter, recover_pending
from pipeline.bucket.manifest import LinkEntry, Manifest, RecordEntry
from pipeline.bucket.packs import pack_records, read_location
from pipeline.bucket.reader import BucketReader
from pipeline.dedup.judge import DedupIndex, Verdict
from pipeline.record import AlsoAt, Article
from pipeline.storage import LocalStore, open_store
from pipeline.storage.layout import pending_key
from tests.s3_proxy import S3Proxy
from tests.test_shared_state import article


def articles(n: int, source: str = "east", days: int = 1) -> list[Article]:
    made = []
    for i in range(n):
        a = article(
            f"Story {source} {i}: the council met again and voted on the plan. " * 20,
            f"https://{source}.example/{i}",
            source,
        )
        made.append(a.model_copy(update={"fetched": a.fetched - timedelta(days=i % days)}))
    return made


@pytest.fixture
def proxy(moto_endpoint, monkeypatch):
    s3 = S3Proxy(moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.url)
    yield s3
    s3.close()


@pytest.fixture
def proxied_store(proxy, moto_endpoint):
    name = f"packs-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=name)
    return open_store(f"s3://{name}/news")


def commit(store, verdicts: list[Verdict], run_id: str, manifest_id: str) -> Manifest:
    report = RecordWriter(store, DedupIndex(), run_id, manifest_id).write(verdicts)
    manifest = Manifest(id=manifest_id, run_id=run_id, created=Manifest.start(run_id, []).created)
    manifest.records, manifest.links = report.records, report.links
    manifest.write(store)
    return manifest


def leave_journal(store, manifest_id: str, planned: packs.RecordPacks) -> None:
    """The journal run r1 wrote before its packs, as a crash leaves it."""
    journal = {
        "run_id": "r1",
        "manifest_id": manifest_id,
        "records": [e.model_dump() for e in planned.entries.values()],
        "links": [],
    }
    store.put(pending_key("r1"), json.dumps(journal).encode())


def test_packs_group_by_source_and_day_and_close_when_full(monkeypatch) -> None:
    monkeypatch.setattr(packs, "PACK_RECORDS", 3)
    batch = articles(7, "east", days=2) + articles(2, "west")
    planned = pack_records("run1", batch)
    sizes = {p.key: len(p.lines) for p in planned.packs}
    assert sorted(sizes.values()) == [1, 2, 3, 3]  # east: 4 + 3 over two days, west: 2
    for key in sizes:
        assert "/source=east/" in key or "/source=west/" in key
    for a in batch:
        entry = planned.entries[a.id]
        data = next(p.data for p in planned.packs if p.key == entry.key)
        assert f"/date={a.fetched:%Y-%m-%d}/" in entry.key
        assert Article.model_validate_json(data[entry.offset : entry.offset + entry.length]) == a
    again = pack_records("run1", batch)  # a retried commit writes the same keys and bytes
    assert [(p.key, p.data) for p in again.packs] == [(p.key, p.data) for p in planned.packs]


def test_a_run_writes_one_put_per_pack_and_a_retry_writes_nothing_twice(proxy, proxied_store, monkeypatch):
    monkeypatch.setattr(packs, "PACK_RECORDS", 4)
    batch = articles(10)
    writer = RecordWriter(proxied_store, DedupIndex(), "run1", "m1")
    report = writer.write([Verdict(a) for a in batch])
    assert len(proxy.writes()) == 3  # 4 + 4 + 2 records, not 10 PUTs
    assert report.already_stored == 0 and sum(report.bytes_by_source.values()) > 0
    again = RecordWriter(proxied_store, DedupIndex(), "run1", "m1").write([Verdict(a) for a in batch])
    assert again.already_stored == 10 and again.records == report.records
    assert len(list(proxied_store.list("clean/"))) == 3


def test_reader_reads_a_pack_once_and_get_asks_one_byte_range(proxy, proxied_store, monkeypatch):
    monkeypatch.setattr(packs, "PACK_RECORDS", 4)
    batch = articles(10)
    commit(proxied_store, [Verdict(a) for a in batch], "run1", "20260101T000000.000000Z-run1")
    proxy.ranges.clear()
    reader = BucketReader(proxied_store)
    assert list(reader.records()) == batch
    pack_gets = {path: asked for path, asked in proxy.ranges.items() if "/clean/" in path}
    assert len(pack_gets) == 3 and all(asked == [None] for asked in pack_gets.values())

    proxy.ranges.clear()
    assert BucketReader(proxied_store).get(batch[5].id[:12]) == batch[5]
    (asked,) = [asked for path, asked in proxy.ranges.items() if "/clean/" in path]
    assert len(asked) == 1 and asked[0].startswith("bytes=")


def test_recovery_adopts_complete_packs_and_removes_one_cut_short(tmp_path, monkeypatch) -> None:
    """A power loss can leave a journalled pack on a local disk cut short: its records are not
    adopted (the re-run writes them again); the complete pack's records are, with their ranges."""
    monkeypatch.setattr(packs, "PACK_RECORDS", 3)
    store = LocalStore(tmp_path)
    batch = articles(5)
    planned = pack_records("r1", batch)
    whole, cut = planned.packs
    store.put_new(whole.key, whole.data)
    store.put_new(cut.key, cut.data[: len(cut.data) // 2])
    leave_journal(store, "20260101T000000.000000Z-r1", planned)
    index = DedupIndex()
    (manifest,) = recover_pending(store, index)
    assert [e.id for e in manifest.records] == [a.id for a in batch[:3]]
    assert not store.exists(cut.key) and not store.exists(pending_key("r1"))
    for a in batch[:3]:
        assert Article.model_validate_json(read_location(store, index.keys[a.id])) == a
    assert list(BucketReader(store).records()) == batch[:3]


def test_a_layout_1_bucket_stays_readable_beside_layout_2(tmp_path) -> None:
    """A bucket written by layout 1 (one object per record, manifests/v1/) then by layout 2: a
    reader sees both in order, reads "since" across them, and merges a layout 2 sighting of a
    layout 1 record as well as a layout 1 also_at object."""
    store = LocalStore(tmp_path)
    old, new = articles(2, "east"), articles(2, "west")
    old_manifest = Manifest(
        manifest_version=1,
        id="20260101T000000.000000Z-old",
        run_id="old",
        created=Manifest.start("old", []).created,
    )
    for a in old:
        key = f"clean/v1/source=east/date={a.fetched:%Y-%m-%d}/{a.id}.json"
        store.put_new(key, a.model_dump_json(indent=1).encode())
        old_manifest.records.append(RecordEntry(id=a.id, key=key, source="east"))
    first_sighting = AlsoAt(url="https://mirror.example/0", source="mirror", fetched=old[0].fetched)
    link_key = f"clean/v1/also_at/{old[0].id}/abc.json"
    store.put_new(link_key, first_sighting.model_dump_json().encode())
    old_manifest.links.append(LinkEntry(record_id=old[0].id, key=link_key, url=first_sighting.url))
    store.put_new(f"manifests/v1/{old_manifest.id}.json", old_manifest.model_dump_json().encode())

    copy = old[0].model_copy(update={"url": "https://west.example/copy", "source": "west"})
    verdicts = [Verdict(a) for a in new] + [Verdict(copy, duplicate_of=old[0].id, how="content")]
    new_manifest = commit(store, verdicts, "new", "20260102T000000.000000Z-new")

    reader = BucketReader(store)
    assert [m.id for m in reader.manifests()] == [old_manifest.id, new_manifest.id]
    records = list(reader.records())
    assert [r.id for r in records] == [a.id for a in old + new]
    assert [x.url for x in records[0].also_at] == ["https://mirror.example/0", "https://west.example/copy"]
    assert [r.id for r in BucketReader(store).records(since=old_manifest.id)] == [a.id for a in new]
    assert BucketReader(store).get(old[1].id) == old[1]


def test_a_spooled_commit_partly_written_before_is_listed_once(tmp_path, monkeypatch) -> None:
    """The store went down after one of a commit's packs: the next run's recovery commits that
    pack's records, then the spooled commit is applied again. Every record ends up in exactly one
    manifest, the later one newer, and nothing is written twice."""
    from pipeline.bucket.commit import Commit, apply_commit
    from pipeline.bucket.seen import SeenUrls

    monkeypatch.setattr(packs, "PACK_RECORDS", 3)
    store = LocalStore(tmp_path)
    batch = articles(5)
    run = Manifest.start("r1", ["east"])
    planned = pack_records("r1", batch)
    store.put_new(planned.packs[0].key, planned.packs[0].data)  # the first attempt got this far
    leave_journal(store, run.id, planned)
    index = DedupIndex()
    (recovered,) = recover_pending(store, index)

    report = apply_commit(
        store, index, SeenUrls(), Commit(manifest=run, verdicts=[Verdict(a) for a in batch])
    )
    assert report.already_stored == 3
    manifests = BucketReader(store).manifests()
    assert [m.id for m in manifests] == [recovered.id, run.id] and run.id > recovered.id
    assert [e.id for m in manifests for e in m.records] == [a.id for a in batch]
    assert list(BucketReader(store).records()) == batch


def test_a_commit_applied_late_takes_an_id_after_the_newest_manifest(tmp_path) -> None:
    """A spooled commit keeps its run's old id only if no manifest became visible since: otherwise a
    reader that read "since" the newest manifest would never see it."""
    from pipeline.bucket.commit import Commit, apply_commit
    from pipeline.bucket.manifest import manifest_id_for
    from pipeline.bucket.seen import SeenUrls
    from pipeline.record import utcnow

    store = LocalStore(tmp_path)
    late = Manifest.start("late", ["east"])  # spooled by a run that could not reach the store
    newer = commit(
        store, [Verdict(a) for a in articles(2, "west")], "newer", manifest_id_for(utcnow(), "newer")
    )
    assert newer.id > late.id
    old_id = late.id
    east = articles(2, "east")
    apply_commit(store, DedupIndex(), SeenUrls(), Commit(manifest=late, verdicts=[Verdict(a) for a in east]))
    assert late.id > newer.id and late.id != old_id
    assert [m.id for m in BucketReader(store).manifests()] == [newer.id, late.id]
    assert list(BucketReader(store).records(since=newer.id)) == east


def test_a_sighting_repeated_by_an_older_recovery_is_read_and_exported_once(tmp_path) -> None:
    """Buckets written before recovery told the index a sighting's URL may name one (record, URL)
    pair in the record's also_at and again in later link packs: readers and export merge them."""
    from pipeline.bucket.export import export_records
    from pipeline.bucket.manifest import manifest_id_for
    from pipeline.bucket.packs import pack_links
    from pipeline.record import utcnow

    store = LocalStore(tmp_path)
    (kept,) = articles(1)
    copy = AlsoAt(url="https://west.example/wire/0", source="west", fetched=kept.fetched)
    kept.also_at.append(copy)
    commit(store, [Verdict(kept)], "r0", manifest_id_for(utcnow(), "r0"))
    for run_id in ("r1", "r2"):  # two later runs each linked the same sighting again
        linked = pack_links(run_id, [(kept.id, copy)], first=0)
        store.put_new(linked.packs[0].key, linked.packs[0].data)
        manifest = Manifest(id=manifest_id_for(utcnow(), run_id), run_id=run_id, created=utcnow())
        manifest.links = linked.entries
        manifest.write(store)
    (read,) = BucketReader(store).records()
    assert [s.url for s in read.also_at] == [copy.url]
    out = tmp_path / "out.jsonl"
    export_records(BucketReader(store).records(), out, "jsonl")
    assert [s["url"] for s in json.loads(out.read_text())["also_at"]] == [copy.url]
