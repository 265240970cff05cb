"""Where records are grouped into pack objects, and read back out of them (layout 2).

One object per record meant one request per record, and requests, not bytes, are
what an object store charges and limits: against the S3 test server one PUT per
record was the slowest step of a run, and a downstream tool reading a day of news
made thousands of GETs. A pack holds up to ``PACK_RECORDS`` records of one source
and fetch day as JSON lines, and is written once like every object (a retried
commit writes the same packs under the same keys, and a second write is refused).
The manifest names each record's pack and byte range, so one record is one ranged
GET and a whole pack is one GET.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.bucket.manifest import LinkEntry, RecordEntry
from pipeline.record import AlsoAt, Article
from pipeline.storage import ObjectStore
from pipeline.storage.layout import link_pack_key, record_pack_key

PACK_RECORDS = 1000
PACK_BYTES = 32 * 2**20  # large enough to keep requests few, small enough to read whole
PACK_CONTENT_TYPE = "application/x-ndjson"


@dataclass
class Pack:
    key: str
    lines: list[bytes] = field(default_factory=list)
    size: int = 0

    def add(self, line: bytes) -> tuple[int, int]:
        """Append one JSON document; return its (offset, length) in the pack."""
        offset = self.size
        self.lines.append(line)
        self.size += len(line) + 1
        return offset, len(line)

    @property
    def data(self) -> bytes:
        return b"".join(line + b"\n" for line in self.lines)


@dataclass
class RecordPacks:
    packs: list[Pack]
    entries: dict[str, RecordEntry]  # record id -> where it is


@dataclass
class LinkPacks:
    packs: list[Pack]
    entries: list[LinkEntry]


def _fill(
    items: Iterable[tuple[Hashable, bytes]], make_key: Callable[[Any, int], str], start: int
) -> tuple[list[Pack], list[tuple[Pack, int, int]]]:
    """Group (group, line) items in order into packs of one group each; a pack is closed when
    full. Deterministic: the same items give the same keys and bytes, so a retry rewrites nothing."""
    open_packs: dict[Hashable, Pack] = {}
    packs: list[Pack] = []
    placed = []
    for group, line in items:
        pack = open_packs.get(group)
        if pack is None or len(pack.lines) >= PACK_RECORDS or pack.size + len(line) > PACK_BYTES:
            pack = open_packs[group] = Pack(make_key(group, start + len(packs)))
            packs.append(pack)
        offset, length = pack.add(line)
        placed.append((pack, offset, length))
    return packs, placed


def encode_record(article: Article) -> bytes:
    """One line of a pack: the record's JSON (schema version 1), no newline inside."""
    return article.model_dump_json().encode("utf-8")


def pack_records(run_id: str, articles: Sequence[Article]) -> RecordPacks:
    items = [((a.source, a.fetched.date()), encode_record(a)) for a in articles]
    packs, placed = _fill(items, lambda group, number: record_pack_key(*group, run_id, number), 0)
    entries = {
        article.id: RecordEntry(
            id=article.id, key=pack.key, source=article.source, offset=offset, length=length
        )
        for article, (pack, offset, length) in zip(articles, placed, strict=True)
    }
    return RecordPacks(packs, entries)


def encode_link(record_id: str, sighting: AlsoAt) -> bytes:
    return json.dumps(
        {"record_id": record_id, **sighting.model_dump(mode="json")}, ensure_ascii=False
    ).encode("utf-8")


def decode_link(data: bytes) -> AlsoAt:
    """A sighting from a link pack's line, or from a layout 1 also_at object (no record_id)."""
    payload = json.loads(data)
    payload.pop("record_id", None)
    return AlsoAt.model_validate(payload)


def pack_links(run_id: str, links: Sequence[tuple[str, AlsoAt]], first: int) -> LinkPacks:
    """Sightings go in packs numbered after the record packs: one run, one key sequence."""
    items = [("links", encode_link(record_id, sighting)) for record_id, sighting in links]
    packs, placed = _fill(items, lambda _group, number: link_pack_key(run_id, number), first)
    entries = [
        LinkEntry(record_id=record_id, key=pack.key, url=sighting.url, offset=offset, length=length)
        for (record_id, sighting), (pack, offset, length) in zip(links, placed, strict=True)
    ]
    return LinkPacks(packs, entries)


def entry_bytes(data: bytes, entry: RecordEntry | LinkEntry) -> bytes:
    """The entry's document out of its object (layout 1 entries are the whole object)."""
    if entry.offset is None or entry.length is None:
        return data
    return data[entry.offset : entry.offset + entry.length]


def read_entry(store: ObjectStore, entry: RecordEntry | LinkEntry) -> bytes:
    if entry.offset is None or entry.length is None:
        return store.get(entry.key)
    return store.get_range(entry.key, entry.offset, entry.length)


def location(entry: RecordEntry) -> str:
    """Where a record is, as one string for the dedup index: ``key`` or ``key#offset+length``."""
    if entry.offset is None:
        return entry.key
    return f"{entry.key}#{entry.offset}+{entry.length}"


def read_location(store: ObjectStore, where: str) -> bytes:
    key, _, span = where.partition("#")
    if not span:
        return store.get(key)
    offset, _, length = span.partition("+")
    return store.get_range(key, int(offset), int(length))
