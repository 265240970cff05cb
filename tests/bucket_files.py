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
