"""Reading the cleaned bucket, for downstream tools: all records, or only what is new.

Everything goes through manifests, so a reader sees only committed objects.
``since`` takes a manifest id: the records of every later manifest are "new".
Records are read a pack at a time (one GET for up to a thousand records, kept
while its records are read), or one ranged GET for ``get``. Link entries (``also_at``
sightings found by later runs) come from the newest compacted link index
(``pipeline.link_index``) and the manifests after it: reading since a recent
manifest reads the index and the new manifests, not the bucket's whole history.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial

from pipeline.bucket.link_index import add_links, latest_link_index
from pipeline.bucket.manifest import LinkEntry, Manifest, RecordEntry, list_manifests, manifest_exists
from pipeline.bucket.packs import decode_link, entry_bytes, read_entry
from pipeline.record import Article
from pipeline.storage import ObjectStore, open_store

_KEY_DATE = re.compile(r"/date=(\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True)
class RecordRef:
    entry: RecordEntry
    manifest_id: str

    @property
    def day(self) -> date | None:
        match = _KEY_DATE.search(self.entry.key)
        return date.fromisoformat(match.group(1)) if match else None


class BucketReader:
    def __init__(self, store: ObjectStore | str | None = None) -> None:
        self.store = store if store is not None and not isinstance(store, str) else open_store(store)
        self._manifests: list[Manifest] | None = None
        self._objects: OrderedDict[str, bytes] = OrderedDict()  # the packs being read, newest last

    _KEEP_OBJECTS = 4  # a record pack and the link packs read beside it

    def _read(self, entry: RecordEntry | LinkEntry) -> bytes:
        data = self._objects.get(entry.key)
        if data is None:
            data = self._objects[entry.key] = self.store.get(entry.key)
            if len(self._objects) > self._KEEP_OBJECTS:
                self._objects.popitem(last=False)
        else:
            self._objects.move_to_end(entry.key)
        return entry_bytes(data, entry)

    def manifests(self) -> list[Manifest]:
        if self._manifests is None:
            self._manifests = list(list_manifests(self.store))
        return self._manifests

    def _after(self, since: str | None) -> list[Manifest]:
        if since is None:
            return self.manifests()
        if self._manifests is not None:
            ids = [m.id for m in self._manifests]
            if since in ids:
                return self._manifests[ids.index(since) + 1 :]
        elif manifest_exists(self.store, since):
            return list(list_manifests(self.store, after=since))
        raise KeyError(f"no manifest {since!r} in {self.store.url}")

    def refs(
        self,
        since: str | None = None,
        source: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[RecordRef]:
        """Committed records, oldest manifest first; dates filter on the fetch-date partition."""
        return self._refs_in(self._after(since), source, start, end)

    @staticmethod
    def _refs_in(
        manifests: list[Manifest], source: str | None, start: date | None, end: date | None
    ) -> Iterator[RecordRef]:
        seen: set[str] = set()
        for manifest in manifests:
            for entry in manifest.records:
                if entry.id in seen or (source and entry.source != source):
                    continue
                ref = RecordRef(entry, manifest.id)
                day = ref.day
                if (start and (day is None or day < start)) or (end and (day is None or day > end)):
                    continue
                seen.add(entry.id)
                yield ref

    def links(
        self, read: list[Manifest] | None = None, since: str | None = None
    ) -> dict[str, list[LinkEntry]]:
        """Every link entry by record id: the newest link index's, then the manifests after it
        (``read``: the manifests after ``since``, already read, used where they cover those)."""
        if self._manifests is None:
            found = latest_link_index(self.store)
            if found is not None:
                upto, links = found
                if read is not None and (since is None or since <= upto):
                    return add_links(links, [m for m in read if m.id > upto])
                try:
                    return add_links(links, self._after(upto))
                except KeyError:  # the index names a manifest no longer there: read them all
                    pass
        return add_links({}, self.manifests())

    def load(
        self, ref: RecordRef, links: dict[str, list[LinkEntry]] | None = None, whole_pack: bool = True
    ) -> Article:
        """``whole_pack``: read the record's pack once for all its records (reading in manifest
        order); otherwise one ranged GET for this record alone."""
        read = self._read if whole_pack else partial(read_entry, self.store)
        article = Article.model_validate_json(read(ref.entry))
        known = {a.url for a in article.also_at} | {article.url}
        for link in (links if links is not None else self.links()).get(article.id, []):
            if link.url not in known:
                article.also_at.append(decode_link(read(link)))
                known.add(link.url)
        return article

    def records(
        self,
        since: str | None = None,
        source: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[Article]:
        new = self._after(since)
        links = self.links(read=new, since=since)
        for ref in self._refs_in(new, source, start, end):
            yield self.load(ref, links)

    def get(self, record_id: str) -> Article:
        for ref in self.refs():
            if ref.entry.id == record_id or ref.entry.id.startswith(record_id):
                return self.load(ref, whole_pack=False)
        raise KeyError(f"no record {record_id!r} in {self.store.url}")


def iter_records(store_url: str | None = None, since: str | None = None, **filters) -> Iterator[Article]:
    """Shortcut for scripts: ``for article in iter_records("s3://bucket/news"): ...``."""
    return BucketReader(store_url).records(since=since, **filters)
