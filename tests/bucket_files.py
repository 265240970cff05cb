"""What the bucket holds under clean/, read straight from the packs (not through manifests):
for tests that check no stray or second copy of a record was written."""

from __future__ import annotations

import json

from pipeline.storage import open_store
from pipeline.storage.layout import CLEAN_PREFIX


def stored_record_ids(store_url: str) -> list[str]:
    store = open_store(store_url)
    return [
        json.loads(line)["id"]
        for key in store.list(CLEAN_PREFIX)
        if "/source=" in key
        for line in store.get(key).splitlines()
    ]


def stored_sightings(store_url: str) -> list[tuple[str, str]]:
    """Every (record id, URL) pair the bucket names: records' own ``also_at`` and every link pack
    (docs/bucket.md: each pair appears once)."""
    store = open_store(store_url)
    pairs = []
    for key in store.list(CLEAN_PREFIX):
        for line in store.get(key).splitlines():
            doc = json.loads(line)
            if "/source=" in key:
                pairs += [(doc["id"], seen["url"]) for seen in doc["also_at"]]
            elif "/also_at/" in key:
                pairs.append((doc["record_id"], doc["url"]))
    return pairs
