"""Where records are written, in the order that keeps the bucket consistent.

1. a pending journal naming every key this run is about to write;
2. the records and also_at links, each write-once (412 = already there);
3. the dedup index and seen URLs, now that the writes succeeded;
4. the manifest, last;
5. the journal is deleted.

A crash anywhere leaves either nothing visible to readers, or a journal that
``recover_pending`` turns into a recovery manifest on the next run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pipeline.dedup import DedupIndex, Verdict
from pipeline.failpoints import failpoint
from pipeline.manifest import LinkEntry, Manifest, RecordEntry, Sequencer, created_from_id
from pipeline.near_dup import Fingerprinter
from pipeline.record import AlsoAt, Article
from pipeline.storage import ObjectStore
from pipeline.storage.layout import (
    PENDING_PREFIX,
    link_key,
    manifest_key,
    pending_key,
    record_key,
)

log = logging.getLogger(__name__)


def encode_record(article: Article) -> bytes:
    return article.model_dump_json(indent=1).encode("utf-8")


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


class RecordWriter:
    def __init__(
        self, store: ObjectStore, index: DedupIndex, run_id: str, manifest_id: str, concurrency: int = 16
    ) -> None:
        self.concurrency = concurrency
        self.store = store
        self.index = index
        self.run_id = run_id
        self.manifest_id = manifest_id

    def write(self, verdicts: list[Verdict]) -> WriteReport:
        new = [v.article for v in verdicts if v.is_new]
        links = plan_links(verdicts, {a.id for a in new})
        keys = {a.id: record_key(a.source, a.fetched, a.id) for a in new}
        self._journal(keys, links)
        report = WriteReport()
        # Object stores answer each PUT in tens of milliseconds: keep many in flight. A local
        # directory answers in microseconds, and threads only add contention (0.35x, measured).
        workers = self.concurrency if getattr(self.store, "remote", True) else 1
        with ThreadPoolExecutor(max_workers=workers) as pool:
            records = [(a, encode_record(a)) for a in new]
            written = pool.map(lambda item: self.store.put_new(keys[item[0].id], item[1]), records)
            for (article, data), fresh in zip(records, written, strict=True):
                if fresh:
                    sizes = report.bytes_by_source
                    sizes[article.source] = sizes.get(article.source, 0) + len(data)
                else:
                    report.already_stored += 1
                report.records.append(RecordEntry(id=article.id, key=keys[article.id], source=article.source))
            failpoint("after-records")
            link_objects = [
                (record_id, sighting, link_key(record_id, sighting.url)) for record_id, sighting in links
            ]
            written = pool.map(
                lambda item: self.store.put_new(item[2], item[1].model_dump_json().encode("utf-8")),
                link_objects,
            )
            for (record_id, sighting, key), fresh in zip(link_objects, written, strict=True):
                if fresh:
                    report.links.append(LinkEntry(record_id=record_id, key=key, url=sighting.url))
        for verdict in verdicts:
            if verdict.is_new:
                article = verdict.article
                self.index.add_record(article, keys[article.id], verdict.fingerprint)
        for verdict in verdicts:
            if verdict.duplicate_of is not None:
                self.index.add_url(verdict.article.canonical_url, verdict.duplicate_of)
        return report

    def _journal(self, keys: dict[str, str], links: list[tuple[str, AlsoAt]]) -> None:
        self._payload = {
            "run_id": self.run_id,
            "manifest_id": self.manifest_id,
            "records": keys,
            "links": [link_key(rid, s.url) for rid, s in links],
        }
        self.store.put(pending_key(self.run_id), json.dumps(self._payload).encode("utf-8"))

    def restamp(self, manifest_id: str) -> None:
        """The manifest gets another id (shared mode: taken when it is written): so must the journal,
        or recovery would not know the run committed."""
        self.manifest_id = self._payload["manifest_id"] = manifest_id
        self.store.put(pending_key(self.run_id), json.dumps(self._payload).encode("utf-8"))

    def finish(self) -> None:
        self.store.delete(pending_key(self.run_id))


def recover_pending(store: ObjectStore, index: DedupIndex) -> list[Manifest]:
    """Adopt what crashed runs wrote but never committed; return the recovery manifests written."""
    written: list[Manifest] = []
    for key in list(store.list(PENDING_PREFIX)):
        manifest = recover_journal(store, index, json.loads(store.get(key)))
        if manifest is not None:
            written.append(manifest)
    return written


def recover_journal(
    store: ObjectStore,
    index: Any,
    journal: dict[str, Any],
    sequencer: Sequencer | None = None,
) -> Manifest | None:
    """Turn one crashed run's journal into a recovery manifest of the objects it did write.

    Without a ``sequencer`` the manifest gets the id the crashed run would have written
    (runs are serialised, so it still sorts after every visible manifest); with one
    (shared mode) it gets the next id in visibility order.
    """
    key = pending_key(journal["run_id"])
    if store.exists(manifest_key(journal["manifest_id"])):
        store.delete(key)
        return None
    manifest_id = journal["manifest_id"]
    manifest = Manifest(
        id=manifest_id, run_id=journal["run_id"], created=created_from_id(manifest_id), recovered=True
    )
    fingerprint = Fingerprinter(index.near.settings)
    for record_id, record_path in journal["records"].items():
        if not store.exists(record_path):
            continue
        try:
            article = Article.model_validate_json(store.get(record_path))
        except ValueError:  # cut short by a power loss before the run's sync: the re-run writes it
            log.warning("removing %s: not a complete record", record_path)
            store.delete(record_path)
            continue
        index.add_record(article, record_path, fingerprint(article.text))
        manifest.records.append(RecordEntry(id=record_id, key=record_path, source=article.source))
        if article.source not in manifest.sources:
            manifest.sources.append(article.source)
    for link_path in journal["links"]:
        if store.exists(link_path):
            sighting = AlsoAt.model_validate_json(store.get(link_path))
            record_id = link_path.rsplit("/", 2)[-2]
            manifest.links.append(LinkEntry(record_id=record_id, key=link_path, url=sighting.url))
    if not (manifest.records or manifest.links):
        store.delete(key)
        return None
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
