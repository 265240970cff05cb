"""A compacted index of the link entries of every manifest up to one, for readers (issue 19).

A record's ``also_at`` sightings found by later runs are in those runs' link packs, named in
their manifests' ``links``. Without an index, a reader merging them reads every manifest the
bucket has ever had, even to read "since" yesterday's. ``compact_links`` writes
``index/v1/links/<manifest id>.json.gz``: every link entry of every manifest up to and including
that id, built from the previous index and the manifests after it. A reader takes the newest
index it understands and reads only the manifests after it (``BucketReader.links``).

An index is a pure function of the manifests up to its id, so any process may compact at any
time, two at once write the same thing, and a reader that finds none, or one in a format it
does not know, reads every manifest as before. Format and key are part of the bucket contract
(``docs/bucket.md``).
"""

from __future__ import annotations

import gzip
import json
import logging

from pipeline.bucket.manifest import LinkEntry, Manifest, list_manifests
from pipeline.storage import ObjectStore
from pipeline.storage.layout import LINK_INDEX_PREFIX

log = logging.getLogger(__name__)

LINK_INDEX_FORMAT = "cleanwire-link-index/1"
_SUFFIX = ".json.gz"


def link_index_key(upto: str) -> str:
    return f"{LINK_INDEX_PREFIX}{upto}{_SUFFIX}"


def _index_keys(store: ObjectStore) -> list[str]:
    return sorted(k for k in store.list(LINK_INDEX_PREFIX) if k.endswith(_SUFFIX))


def latest_link_index(store: ObjectStore) -> tuple[str, dict[str, list[LinkEntry]]] | None:
    """(the last manifest id it covers, record id -> link entries) of the newest readable index."""
    for key in reversed(_index_keys(store)):
        try:
            payload = json.loads(gzip.decompress(store.get(key)))
        except KeyError:  # pruned between the listing and the read
            continue
        except (OSError, ValueError) as exc:
            log.warning("link index %s unreadable (%s): using an older one", key, exc)
            continue
        if not isinstance(payload, dict) or payload.get("format") != LINK_INDEX_FORMAT:
            continue  # a newer layout this reader does not know
        links: dict[str, list[LinkEntry]] = {}
        for record_id, entries in payload["links"].items():
            links[record_id] = [LinkEntry(record_id=record_id, **e) for e in entries]
        return payload["upto"], links
    return None


def add_links(links: dict[str, list[LinkEntry]], manifests: list[Manifest]) -> dict[str, list[LinkEntry]]:
    for manifest in manifests:
        for link in manifest.links:
            links.setdefault(link.record_id, []).append(link)
    return links


def compact_links(store: ObjectStore, min_new: int = 1, keep: int = 2) -> str | None:
    """Write a new index if at least ``min_new`` manifests came after the newest one; keep the
    newest ``keep`` indexes (a reader that listed an older one falls back to the next). Returns
    the key written, or None."""
    found = latest_link_index(store)
    upto, links = found if found is not None else (None, {})
    new = list(list_manifests(store, after=upto))
    if len(new) < min_new or not new:
        return None
    add_links(links, new)
    payload = {
        "format": LINK_INDEX_FORMAT,
        "upto": new[-1].id,
        "links": {
            rid: [e.model_dump(exclude={"record_id"}) for e in entries] for rid, entries in links.items()
        },
    }
    key = link_index_key(new[-1].id)
    data = gzip.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    store.put_new(key, data, "application/gzip")
    for old in _index_keys(store)[:-keep]:
        store.delete(old)
    return key


COMPACT_EVERY = 50  # manifests: a run compacts when this many came after the newest index


def maybe_compact_links(store: ObjectStore, min_new: int = COMPACT_EVERY) -> str | None:
    """What a run does after its commit: compact when enough manifests are new. A failure only
    leaves readers reading more manifests, so it is logged, never raised."""
    try:
        return compact_links(store, min_new=min_new)
    except Exception as exc:  # the records are stored; the index only saves readers GETs
        log.warning("link index not compacted (%s): readers read more manifests until the next run", exc)
        return None
