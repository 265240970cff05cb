"""Run manifests: the list of what one run added, written after everything it names.

Readers go through manifests, so an object that is not in a manifest (a write
from a crashed run, not yet recovered) is invisible to them, and a manifest
never names an object that is not there.
"""

from __future__ import annotations

import heapq
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from pipeline.record import utcnow
from pipeline.storage import ObjectStore
from pipeline.storage.layout import EARLIER_MANIFEST_PREFIXES, MANIFEST_PREFIX, manifest_key

MANIFEST_VERSION = 2  # 2: entries name a byte range of a pack (layout 2); 1: one object per entry

# Gives a manifest its id as it is written (shared mode: pipeline.shared.runs.ManifestSequencer);
# called with the run id, yields (manifest id, created).
Sequencer = Callable[[str], AbstractContextManager[tuple[str, datetime]]]


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def manifest_id_for(created: datetime, run_id: str) -> str:
    """Sortable: lexicographic order of ids is creation order (to the microsecond)."""
    return f"{created:%Y%m%dT%H%M%S.%f}Z-{run_id}"


def created_from_id(manifest_id: str) -> datetime:
    stamp = manifest_id.split("Z-", 1)[0]
    layout = "%Y%m%dT%H%M%S.%f" if "." in stamp else "%Y%m%dT%H%M%S"
    return datetime.strptime(stamp, layout).replace(tzinfo=UTC)


class RecordEntry(BaseModel):
    id: str
    key: str
    source: str
    offset: int | None = Field(default=None, description="Byte offset of the record in the pack.")
    length: int | None = Field(default=None, description="Bytes of the record's JSON (no newline).")


class LinkEntry(BaseModel):
    record_id: str
    key: str
    url: str
    offset: int | None = None
    length: int | None = None


class Manifest(BaseModel):
    manifest_version: int = MANIFEST_VERSION
    id: str
    run_id: str
    created: datetime
    sources: list[str] = Field(default_factory=list)
    counts: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="Per source: outcome -> pages."
    )
    records: list[RecordEntry] = Field(default_factory=list)
    links: list[LinkEntry] = Field(default_factory=list)
    raw: list[str] = Field(default_factory=list)
    recovered: bool = Field(default=False, description="Written by crash recovery.")
    median_chars: dict[str, float] = Field(
        default_factory=dict, description="Per source: median length of the articles extracted."
    )
    drift: dict[str, list[str]] = Field(default_factory=dict, description="Per source: drift warnings.")
    notes: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Per source: what the counts do not say, e.g. the crawl stopped at max_pages "
        "before the sitemaps and feeds were read to their end.",
    )

    @classmethod
    def start(cls, run_id: str, sources: list[str]) -> Manifest:
        created = utcnow()
        return cls(id=manifest_id_for(created, run_id), run_id=run_id, created=created, sources=sources)

    def summary(self) -> dict[str, object]:
        totals: dict[str, int] = {}
        for per_source in self.counts.values():
            for outcome, n in per_source.items():
                totals[outcome] = totals.get(outcome, 0) + n
        return {
            "id": self.id,
            "created": self.created.isoformat(),
            "sources": self.sources,
            "records": len(self.records),
            "links": len(self.links),
            "counts": totals,
        }

    def write(self, store: ObjectStore) -> str:
        key = manifest_key(self.id)
        store.put_new(key, self.model_dump_json(indent=1).encode("utf-8"))
        return key


_ALL_PREFIXES = (*EARLIER_MANIFEST_PREFIXES, MANIFEST_PREFIX)


def manifest_exists(store: ObjectStore, manifest_id: str) -> bool:
    return any(store.exists(manifest_key(manifest_id, prefix)) for prefix in _ALL_PREFIXES)


def list_manifests(store: ObjectStore, after: str | None = None) -> Iterator[Manifest]:
    """Every manifest of every layout, oldest first; with ``after``, only those newer than that
    manifest id (the store lists from there: a reader polling for what is new does not re-read the
    bucket's past). Ids sort by creation across layouts, so the listings merge by id."""
    listings = [
        (
            key
            for key in store.list(prefix, start_after=manifest_key(after, prefix) if after else None)
            if key.endswith(".json")
        )
        for prefix in _ALL_PREFIXES
    ]
    for key in heapq.merge(*listings, key=lambda key: key.rsplit("/", 1)[1]):
        yield Manifest.model_validate(json.loads(store.get(key)))
