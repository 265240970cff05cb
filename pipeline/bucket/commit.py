"""Where records are written, in the order that keeps the bucket consistent.

1. a pending journal naming every pack and entry this run is about to write;
2. the record packs and link packs, each write-once (412 = already there);
3. the dedup index and seen URLs, now that the writes succeeded (``tell_index``: the same
   step whether the run commits or a later run recovers its journal);
4. the manifest, last;
5. the journal is deleted.

A crash anywhere leaves either nothing visible to readers, or a journal that
``recover_pending`` turns into a recovery manifest on the next run.

A ``Commit`` (below) is everything one run writes, built once the run knows what it will
store; applying it is idempotent (every object is write-once), so a retry after a storage
error finishes the job, and a commit that could not be applied at all can be spooled to
local disk (``pipeline.bucket.spool``) and applied by the next run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.bucket.manifest import (
    LinkEntry,
    Manifest,
    RecordEntry,
    Sequencer,
    created_from_id,
    manifest_exists,
    manifest_id_for,
)
from pipeline.bucket.packs import (
    PACK_CONTENT_TYPE,
    Pack,
    decode_link,
    entry_bytes,
    location,
    pack_links,
    pack_records,
)
from pipeline.bucket.seen import SeenUrl, SeenUrls
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.dedup.judge import Index, Verdict
from pipeline.dedup.minhash import Fingerprint, Fingerprinter
from pipeline.failpoints import failpoint
from pipeline.record import AlsoAt, Article, utcnow
from pipeline.storage import ObjectStore
from pipeline.storage.layout import MANIFEST_PREFIX, PENDING_PREFIX, manifest_key, pending_key
from pipeline.urls import canonicalize

log = logging.getLogger(__name__)


@dataclass
class WriteReport:
    records: list[RecordEntry] = field(default_factory=list)
    links: list[LinkEntry] = field(default_factory=list)
    already_stored: int = 0
    bytes_by_source: dict[str, int] = field(default_factory=dict)


def plan_links(verdicts: Iterable[Verdict], new_ids: set[str]) -> list[tuple[str, AlsoAt]]:
    """Sightings of records stored by earlier runs; sightings of this run's records are folded."""
    links = []
    for verdict in verdicts:
        if verdict.is_new or verdict.refetch or verdict.duplicate_of in new_ids:
            continue
        assert verdict.duplicate_of is not None
        article = verdict.article
        links.append(
            (verdict.duplicate_of, AlsoAt(url=article.url, source=article.source, fetched=article.fetched))
        )
    return links


class SeenAt(NamedTuple):
    """A URL a duplicate was fetched at, for the index: its canonical form finds the record again,
    its fetched form (``url``) is what the record's ``also_at`` or a link entry names."""

    canonical_url: str
    record_id: str
    url: str


def seen_at(verdicts: Iterable[Verdict]) -> list[SeenAt]:
    return [
        SeenAt(v.article.canonical_url, v.duplicate_of, v.article.url)
        for v in verdicts
        if v.duplicate_of is not None
    ]


def journal_urls(journal: dict[str, Any]) -> list[SeenAt] | None:
    """The journal's duplicate URLs; None for a journal written before it listed them."""
    urls = journal.get("urls")
    return None if urls is None else [SeenAt(*u) for u in urls]


def tell_index(
    index: Index,
    records: Iterable[tuple[Article, RecordEntry, Fingerprint | None]],
    links: Iterable[LinkEntry],
    urls: list[SeenAt] | None,
) -> None:
    """Enter stored records, then every URL they were seen at, in the dedup index.

    One step for a commit and for crash recovery (which passes what it adopted), so a recovered
    run leaves the index as its commit would have: else the re-run, not knowing a sighting's
    URL, stores that sighting again as a link. A URL is entered only for a record or link entry
    that is stored (recovery skips a pack cut short: its re-run writes it, and its URLs, again).
    ``urls`` None (an older journal): the URLs the stored records and links name, canonicalised.
    """
    records = list(records)
    links = list(links)
    stored = {entry.id for _, entry, _ in records}
    linked = {(link.record_id, link.url) for link in links}
    index.stash_sketches([(article, fingerprint) for article, _, fingerprint in records])
    for article, entry, fingerprint in records:
        index.add_record(article, location(entry), fingerprint)
    if urls is None:
        urls = [SeenAt(canonicalize(s.url), a.id, s.url) for a, _, _ in records for s in a.also_at]
        urls += [SeenAt(canonicalize(link.url), link.record_id, link.url) for link in links]
    for seen in urls:
        if seen.record_id in stored or (seen.record_id, seen.url) in linked:
            index.add_url(seen.canonical_url, seen.record_id)


class RecordWriter:
    def __init__(
        self, store: ObjectStore, index: Index, run_id: str, manifest_id: str, concurrency: int = 16
    ) -> None:
        self.concurrency = concurrency
        self.store = store
        self.index = index
        self.run_id = run_id
        self.manifest_id = manifest_id

    def _put_all(self, packs: list[Pack]) -> list[bool]:
        # Object stores answer each PUT in tens of milliseconds: keep several in flight. A local
        # directory answers in microseconds, and threads only add contention (0.35x, measured).
        def put(pack: Pack) -> bool:
            return self.store.put_new(pack.key, pack.data, PACK_CONTENT_TYPE)

        workers = min(self.concurrency, len(packs)) if self.store.remote else 1
        if workers <= 1:
            return [put(pack) for pack in packs]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(put, packs))

    def write(self, verdicts: list[Verdict]) -> WriteReport:
        new = [v.article for v in verdicts if v.is_new]
        links = plan_links(verdicts, {a.id for a in new})
        records = pack_records(self.run_id, new)
        sightings = pack_links(self.run_id, links, first=len(records.packs))
        self._journal(list(records.entries.values()), sightings.entries, seen_at(verdicts))
        report = WriteReport()
        fresh_keys = {
            pack.key for pack, fresh in zip(records.packs, self._put_all(records.packs), strict=True) if fresh
        }
        for article in new:
            entry = records.entries[article.id]
            if entry.key in fresh_keys:
                sizes = report.bytes_by_source
                sizes[article.source] = sizes.get(article.source, 0) + (entry.length or 0) + 1
            else:  # the same commit, retried: the pack is there already
                report.already_stored += 1
            report.records.append(entry)
        failpoint("after-records")
        self._put_all(sightings.packs)
        failpoint("after-links")  # every pack written, the index not told (Redis is told here)
        report.links = sightings.entries  # a retried pack holds the same sightings: list them all
        stored = [(v.article, records.entries[v.article.id], v.fingerprint) for v in verdicts if v.is_new]
        tell_index(self.index, stored, report.links, journal_urls(self._payload))
        return report

    def _journal(self, records: list[RecordEntry], links: list[LinkEntry], urls: list[SeenAt]) -> None:
        self._payload = {
            "run_id": self.run_id,
            "manifest_id": self.manifest_id,
            "records": [e.model_dump() for e in records],
            "links": [e.model_dump() for e in links],
            "urls": [list(u) for u in urls],
        }
        self.store.put(pending_key(self.run_id), json.dumps(self._payload).encode("utf-8"))

    def restamp(self, manifest_id: str) -> None:
        """The manifest gets another id (shared mode: taken when it is written): so must the journal,
        or recovery would not know the run committed."""
        self.manifest_id = self._payload["manifest_id"] = manifest_id
        self.store.put(pending_key(self.run_id), json.dumps(self._payload).encode("utf-8"))

    def finish(self) -> None:
        self.store.delete(pending_key(self.run_id))


def recover_pending(store: ObjectStore, index: Index) -> list[Manifest]:
    """Adopt what crashed runs wrote but never committed; return the recovery manifests written."""
    written: list[Manifest] = []
    for key in list(store.list(PENDING_PREFIX)):
        manifest = recover_journal(store, index, json.loads(store.get(key)))
        if manifest is not None:
            written.append(manifest)
    return written


def recover_journal(
    store: ObjectStore,
    index: Index,
    journal: dict[str, Any],
    sequencer: Sequencer | None = None,
) -> Manifest | None:
    """Turn one crashed run's journal into a recovery manifest of the objects it did write.

    Without a ``sequencer`` the manifest gets the id the crashed run would have written
    (runs are serialised, so it still sorts after every visible manifest); with one
    (shared mode) it gets the next id in visibility order.
    """
    key = pending_key(journal["run_id"])
    if manifest_exists(store, journal["manifest_id"]):
        store.delete(key)
        return None
    manifest_id = journal["manifest_id"]
    manifest = Manifest(
        id=manifest_id, run_id=journal["run_id"], created=created_from_id(manifest_id), recovered=True
    )
    records, links = journal_entries(journal)
    fingerprint = Fingerprinter(index.near.settings)
    adopted: list[tuple[Article, RecordEntry, Fingerprint | None]] = []
    for object_key, entries in _by_object(records).items():
        articles = _read_complete(store, object_key, entries, Article.model_validate_json)
        if articles is None:
            continue
        for entry, article in zip(entries, articles, strict=True):
            entry.source = article.source
            adopted.append((article, entry, fingerprint(article.text)))
            manifest.records.append(entry)
            if article.source not in manifest.sources:
                manifest.sources.append(article.source)
    for object_key, entries in _by_object(links).items():
        sightings = _read_complete(store, object_key, entries, decode_link)
        if sightings is None:
            continue
        for entry, sighting in zip(entries, sightings, strict=True):
            entry.url = sighting.url
            manifest.links.append(entry)
    if not (manifest.records or manifest.links):
        store.delete(key)
        return None
    tell_index(index, adopted, manifest.links, journal_urls(journal))
    index.save(store)
    if sequencer is None:
        manifest.write(store)
    else:
        with sequencer(manifest.run_id) as (manifest.id, manifest.created):
            manifest.write(store)
    log.warning(
        "recovered %d records and %d links from interrupted run %s",
        len(manifest.records),
        len(manifest.links),
        journal["run_id"],
    )
    store.delete(key)
    return manifest


def journal_entries(journal: dict[str, Any]) -> tuple[list[RecordEntry], list[LinkEntry]]:
    """The entries a journal names; a layout 1 journal (one object per record) named only keys."""
    if isinstance(journal["records"], dict):
        records = [RecordEntry(id=rid, key=key, source="") for rid, key in journal["records"].items()]
        links = [LinkEntry(record_id=key.rsplit("/", 2)[-2], key=key, url="") for key in journal["links"]]
        return records, links
    return (
        [RecordEntry.model_validate(e) for e in journal["records"]],
        [LinkEntry.model_validate(e) for e in journal["links"]],
    )


def _by_object(entries: list[Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for entry in entries:
        grouped.setdefault(entry.key, []).append(entry)
    return grouped


def _read_complete(
    store: ObjectStore, key: str, entries: list[Any], parse: Callable[[bytes], Any]
) -> list[Any] | None:
    """Every entry of one object, parsed; None if the object is absent or incomplete.

    A local store syncs once per run, before the state and manifest: after a power loss a
    journalled object may be there but cut short. It is removed (the re-run writes it again)."""
    try:
        data = store.get(key)
    except KeyError:
        return None
    try:
        return [parse(entry_bytes(data, entry)) for entry in entries]
    except ValueError:
        log.warning("removing %s: not a complete object", key)
        store.delete(key)
        return None



@dataclass
class Commit:
    manifest: Manifest
    verdicts: list[Verdict]
    raw: list[tuple[Path, str]] = field(default_factory=list)  # local WARC file -> key
    seen: list[tuple[str, SeenUrl]] = field(default_factory=list)  # canonical URL -> state
    boilerplate: list[SiteBoilerplate] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.manifest.run_id

    @property
    def new_records(self) -> int:
        return sum(1 for v in self.verdicts if v.is_new)


def apply_commit(
    store: ObjectStore,
    index: Index,
    seen: SeenUrls,
    commit: Commit,
    sequencer: Sequencer | None = None,
) -> WriteReport:
    """Journal, records and links, raw pages, state, manifest (last), journal removed.

    ``sequencer`` (shared mode) gives the manifest its id when it is written, so that ids
    sort in the order manifests become visible to readers even with many runs at once.
    """
    manifest = commit.manifest
    writer = RecordWriter(store, index, manifest.run_id, manifest.id)
    report = writer.write(commit.verdicts)
    for path, key in commit.raw:
        store.put_file(key, path, "application/warc")
        if key not in manifest.raw:
            manifest.raw.append(key)
    for url, state in commit.seen:
        seen.record(url, state)
    store.sync()  # objects durable before anything names them
    failpoint("before-index")
    index.save(store)
    seen.save(store)
    for site in commit.boilerplate:
        site.save(store)
    manifest.records = report.records
    manifest.links = report.links
    failpoint("before-manifest")
    if sequencer is None:
        _in_visibility_order(store, manifest, writer)
        manifest.write(store)
    else:
        with sequencer(manifest.run_id) as (manifest_id, created):
            manifest.id, manifest.created = manifest_id, created
            writer.restamp(manifest_id)
            manifest.write(store)
    writer.finish()
    return report


def _in_visibility_order(store: ObjectStore, manifest: Manifest, writer: RecordWriter) -> None:
    """Manifest ids must sort in the order manifests become visible, or a reader reading "since" the
    newest id misses one. A commit applied late (from the spool, by a later run) has an older id:
    it takes a new one. If the next run's crash recovery already committed part of it under its
    id (the store went down after some of its packs), the new manifest names only the rest."""
    try:  # recovery writes its manifests where this one goes: one GET, no HEAD before it
        recovered = Manifest.model_validate_json(store.get(manifest_key(manifest.id)))
    except KeyError:
        recovered = None
    if recovered is not None:
        listed = {e.id for e in recovered.records}
        linked = {(e.record_id, e.url) for e in recovered.links}
        manifest.records = [e for e in manifest.records if e.id not in listed]
        manifest.links = [e for e in manifest.links if (e.record_id, e.url) not in linked]
    elif next(iter(store.list(MANIFEST_PREFIX, start_after=manifest_key(manifest.id))), None) is None:
        return  # nothing newer: the id stands
    manifest.created = utcnow()  # runs hold the store lease one at a time: later than any
    manifest.id = manifest_id_for(manifest.created, manifest.run_id)
    writer.restamp(manifest.id)
