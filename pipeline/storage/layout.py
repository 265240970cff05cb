"""The bucket layout, version 1. Documented in docs/bucket.md; change it only with a new version.

clean/v1/source=<source>/date=<YYYY-MM-DD>/<id>.json   one record, written once
clean/v1/also_at/<id>/<url-hash>.json                   a later sighting of record <id>
raw/v1/source=<source>/date=<YYYY-MM-DD>/<run>.warc.gz  every response a run fetched
manifests/v1/<manifest id>.json                         what one run added, written last
state/v1/...                                            the pipeline's own state (not for readers)
"""

from __future__ import annotations

import hashlib
from datetime import datetime

LAYOUT_VERSION = 1
CLEAN_PREFIX = f"clean/v{LAYOUT_VERSION}/"
LINKS_PREFIX = f"{CLEAN_PREFIX}also_at/"
RAW_PREFIX = f"raw/v{LAYOUT_VERSION}/"
MANIFEST_PREFIX = f"manifests/v{LAYOUT_VERSION}/"
STATE_PREFIX = f"state/v{LAYOUT_VERSION}/"
DEDUP_INDEX_KEY = f"{STATE_PREFIX}dedup-index.json.gz"
NEAR_DUP_INDEX_KEY = f"{STATE_PREFIX}near-dup-index.npz"
SEEN_URLS_KEY = f"{STATE_PREFIX}seen-urls.json.gz"
PENDING_PREFIX = f"{STATE_PREFIX}pending/"
DRIFT_PREFIX = f"{STATE_PREFIX}drift/"
SHARED_MODE_KEY = f"{STATE_PREFIX}shared-mode.json"  # present once runs have kept the state in Redis


def record_key(source: str, day: datetime, record_id: str) -> str:
    return f"{CLEAN_PREFIX}source={source}/date={day:%Y-%m-%d}/{record_id}.json"


def link_key(record_id: str, url: str) -> str:
    url_hash = hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]
    return f"{LINKS_PREFIX}{record_id}/{url_hash}.json"


def raw_key(source: str, day: datetime, run_id: str) -> str:
    return f"{RAW_PREFIX}source={source}/date={day:%Y-%m-%d}/{run_id}.warc.gz"


def manifest_key(manifest_id: str) -> str:
    return f"{MANIFEST_PREFIX}{manifest_id}.json"


def pending_key(run_id: str) -> str:
    return f"{PENDING_PREFIX}{run_id}.json"


def drift_key(source: str) -> str:
    return f"{DRIFT_PREFIX}{source}.json"
