"""The bucket layout, version 2. Documented in docs/bucket.md; change it only with a new version.

clean/v2/source=<source>/date=<YYYY-MM-DD>/<run>-<nnnn>.jsonl   a pack of records, written once
clean/v2/also_at/<run>-<nnnn>.jsonl                               later sightings of stored records
raw/v1/source=<source>/date=<YYYY-MM-DD>/<run>.warc.gz            every response a run fetched
manifests/v2/<manifest id>.json                                   what one run added, written last
reports/v1/<run>.json                                             a run's timings and removals, after it
state/v1/...                                                      the pipeline's own state (not for readers)

Each prefix carries the version of its own format: layout 2 changed how records are grouped
(packs instead of one object per record) and what a manifest entry names (a byte range), so
``clean/`` and ``manifests/`` moved to v2; WARC files and the state did not change. Buckets
written by layout 1 stay readable: readers list both manifest prefixes.
"""

from __future__ import annotations

from datetime import date, datetime

LAYOUT_VERSION = 2
CLEAN_PREFIX = f"clean/v{LAYOUT_VERSION}/"
LINKS_PREFIX = f"{CLEAN_PREFIX}also_at/"
MANIFEST_PREFIX = f"manifests/v{LAYOUT_VERSION}/"
EARLIER_MANIFEST_PREFIXES = ("manifests/v1/",)  # layout 1: one object per record, still read
RAW_PREFIX = "raw/v1/"
RUN_REPORT_PREFIX = "reports/v1/"  # pipeline.runs.history: what cleanwire report reads beside manifests
STATE_PREFIX = "state/v1/"
DEDUP_INDEX_KEY = f"{STATE_PREFIX}dedup-index.json.gz"
NEAR_DUP_INDEX_KEY = f"{STATE_PREFIX}near-dup-index.npz"
SEEN_URLS_KEY = f"{STATE_PREFIX}seen-urls.json.gz"
PENDING_PREFIX = f"{STATE_PREFIX}pending/"
DRIFT_PREFIX = f"{STATE_PREFIX}drift/"
SHARED_MODE_KEY = f"{STATE_PREFIX}shared-mode.json"  # present once runs have kept the state in Redis
LOCK_KEY = f"{STATE_PREFIX}run.lock"  # the store's lease: judging duplicates and committing
SOURCE_LOCK_PREFIX = f"{STATE_PREFIX}locks/"  # a source's lease: one run at a time crawls it
BOILERPLATE_PREFIX = f"{STATE_PREFIX}boilerplate/"
NEAR_DUP_SKETCH_PREFIX = f"{STATE_PREFIX}near-dup/"  # the Redis index's sketches, one object per commit
LINK_INDEX_PREFIX = "index/v1/links/"  # pipeline.bucket.link_index: readers' compacted also_at links
PROBE_PREFIX = "state/probe/"  # objects that test a backend's behaviour, deleted at once


def record_pack_key(source: str, day: date, run_id: str, number: int) -> str:
    return f"{CLEAN_PREFIX}source={source}/date={day:%Y-%m-%d}/{run_id}-{number:04d}.jsonl"


def link_pack_key(run_id: str, number: int) -> str:
    return f"{LINKS_PREFIX}{run_id}-{number:04d}.jsonl"


def raw_key(source: str, day: datetime, run_id: str) -> str:
    return f"{RAW_PREFIX}source={source}/date={day:%Y-%m-%d}/{run_id}.warc.gz"


def manifest_key(manifest_id: str, prefix: str = MANIFEST_PREFIX) -> str:
    return f"{prefix}{manifest_id}.json"


def pending_key(run_id: str) -> str:
    return f"{PENDING_PREFIX}{run_id}.json"


def drift_key(source: str) -> str:
    return f"{DRIFT_PREFIX}{source}.json"


def boilerplate_key(source: str) -> str:
    """What site learning knows about ``source`` (``pipeline.cleaning.site_learning``)."""
    return f"{BOILERPLATE_PREFIX}{source}.json.gz"


def source_lock_key(source: str) -> str:
    return f"{SOURCE_LOCK_PREFIX}source={source}.lock"
