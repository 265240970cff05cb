"""Where a record is judged a duplicate when many workers share one bucket: an index in Redis.

The same judgement as ``pipeline.dedup.DedupIndex`` (content hash, canonical URL,
near-duplicates by MinHash LSH verified on bottom-k sketches), made atomic by a
*claim*: a Lua script that, in one step, either names what the article duplicates
or enters it as this run's pending record. Near-duplicate verification needs the
candidates' sketches and runs in Python, so the claim is optimistic: the script
returns candidates the worker has not checked yet; the worker verifies them and
claims again naming those it checked; the article is entered only when no
unchecked candidate is left. Two workers holding copies of one story therefore
never both enter it: whichever claims second sees the first one's bands.

A claim is *pending* until the run has stored the record, then *committed*. A
crashed run's pending claims are released by recovery (``pipeline.shared.state``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import redis

from pipeline.near_dup import Fingerprint, NearDuplicateIndex, NearDupSettings, judge_pair
from pipeline.record import Article
from pipeline.shared.namespace import Namespace
from pipeline.storage import ObjectStore

log = logging.getLogger(__name__)

# KEYS: by_hash, by_url, records, sketches, claims-of-run, band keys...
# ARGV: content hash, canonical url, record id, sketch bytes, pending json, n checked, checked ids...
_CLAIM = """
local rid = redis.call('HGET', KEYS[1], ARGV[1])
if rid and redis.call('HEXISTS', KEYS[3], rid) == 1 then return {'content', rid} end
rid = redis.call('HGET', KEYS[2], ARGV[2])
if rid and redis.call('HEXISTS', KEYS[3], rid) == 1 then return {'url', rid} end
local checked = {}
for i = 7, 6 + tonumber(ARGV[6]) do checked[ARGV[i]] = true end
local fresh, out = {}, {'candidates'}
for i = 6, #KEYS do
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    if not checked[member] and not fresh[member] then
      fresh[member] = true
      table.insert(out, member)
    end
  end
end
if #out > 1 then return out end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
for i = 6, #KEYS do redis.call('SADD', KEYS[i], ARGV[3]) end
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
redis.call('SADD', KEYS[5], ARGV[3])
return {'claimed', ARGV[3]}
"""

# The same entries as a claim, marked committed: idempotent, so recovery may adopt a record
# whose claim was already released, and a record committed twice stays one record.
# KEYS: by_hash, by_url, records, sketches, claims-of-run, band keys...
# ARGV: content hash, canonical url, record id, sketch bytes, committed json
_COMMIT = """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local rid = redis.call('HGET', KEYS[2], ARGV[2])
if not rid or redis.call('HEXISTS', KEYS[3], rid) == 0 then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
for i = 6, #KEYS do redis.call('SADD', KEYS[i], ARGV[3]) end
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
redis.call('SREM', KEYS[5], ARGV[3])
return 1
"""

# Undo a pending claim of a run that died. KEYS: by_hash, by_url, records, sketches
# ARGV: record id, run id, key prefix
_RELEASE = """
local raw = redis.call('HGET', KEYS[3], ARGV[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.state ~= 'pending' or rec.run ~= ARGV[2] then return 0 end
if redis.call('HGET', KEYS[1], rec.hash) == ARGV[1] then redis.call('HDEL', KEYS[1], rec.hash) end
if redis.call('HGET', KEYS[2], rec.url) == ARGV[1] then redis.call('HDEL', KEYS[2], rec.url) end
for _, band in ipairs(rec.bands) do redis.call('SREM', ARGV[3] .. 'band:' .. band, ARGV[1]) end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""


def pack_sketch(fp: Fingerprint) -> bytes:
    return np.int64(fp.shingles).tobytes() + fp.sketch.astype("<u4").tobytes()


def unpack_sketch(data: bytes) -> tuple[int, np.ndarray]:
    return int(np.frombuffer(data[:8], dtype=np.int64)[0]), np.frombuffer(data[8:], dtype="<u4")


class StaleClaim(Exception):
    """A match points at a pending claim of a run that died: recover, then judge again."""


class SharedDedupIndex:
    """``DedupIndex``'s interface for ``Deduplicator`` and ``RecordWriter``, backed by Redis."""

    def __init__(
        self,
        client: redis.Redis,
        ns: Namespace,
        run_id: str,
        is_alive: Callable[[str], bool],
        recover: Callable[[], Any],
        settings: NearDupSettings | None = None,
    ) -> None:
        self.client, self.ns, self.run_id = client, ns, run_id
        self.near = NearDuplicateIndex(settings, persistent=False)  # settings and band keys only
        self._is_alive, self._recover = is_alive, recover
        self._claim = client.register_script(_CLAIM)
        self._commit = client.register_script(_COMMIT)
        self._release = client.register_script(_RELEASE)

    def _keys(self, bands: list[int]) -> list[str]:
        ns = self.ns
        return [
            ns.by_hash,
            ns.by_url,
            ns.records,
            ns.sketches,
            ns.claims(self.run_id),
            *(ns.band(b) for b in bands),
        ]

    # -- judging -------------------------------------------------------------------------------

    def match(self, article: Article, fingerprint: Fingerprint | None = None) -> tuple[str, str] | None:
        """What the article duplicates, without entering it (used by previews and tools)."""
        for key, field, how in (
            (self.ns.by_hash, article.content_hash, "content"),
            (self.ns.by_url, article.canonical_url, "url"),
        ):
            rid = self.client.hget(key, field)
            if rid is not None and self.client.hexists(self.ns.records, rid):
                return rid.decode(), how
        if fingerprint is None:
            return None
        bands = self.near.band_keys(fingerprint)
        ids = set().union(*(self.client.smembers(self.ns.band(b)) for b in bands)) if bands else set()
        return self._verify(fingerprint, sorted(i.decode() for i in ids))

    def claim(self, article: Article, fingerprint: Fingerprint | None = None) -> tuple[str, str] | None:
        """(record id, how) if the article is known; else it is now this run's pending record."""
        for _ in range(3):
            try:
                return self._claim_once(article, fingerprint)
            except StaleClaim as stale:
                log.warning("%s points at a claim of crashed run %s: recovering first", article.url, stale)
                self._recover()
        return self._claim_once(article, fingerprint)

    def _claim_once(self, article: Article, fp: Fingerprint | None) -> tuple[str, str] | None:
        bands = self.near.band_keys(fp) if fp is not None else []
        sketch = pack_sketch(fp) if fp is not None else b""
        pending = json.dumps(
            {
                "state": "pending",
                "run": self.run_id,
                "hash": article.content_hash,
                "url": article.canonical_url,
                "bands": [f"{b:016x}" for b in bands],
            }
        )
        checked: list[str] = []
        while True:
            args = [article.content_hash, article.canonical_url, article.id, sketch, pending, len(checked)]
            reply = [r.decode() for r in self._claim(keys=self._keys(bands), args=[*args, *checked])]
            kind, found = reply[0], reply[1:]
            if kind == "claimed":
                return None
            if kind in ("content", "url"):
                self._check_live(found[0])
                return found[0], kind
            assert fp is not None
            self._check_live(*found)
            best = self._verify(fp, found)
            if best is not None:
                return best
            checked.extend(found)

    def _check_live(self, *record_ids: str) -> None:
        for raw in self.client.hmget(self.ns.records, record_ids):
            if raw is None:
                continue
            rec = json.loads(raw)
            if rec["state"] == "pending" and rec["run"] != self.run_id and not self._is_alive(rec["run"]):
                raise StaleClaim(rec["run"])

    def _verify(self, fp: Fingerprint, candidates: list[str]) -> tuple[str, str] | None:
        if not candidates or fp.signature.size == 0:
            return None
        s = self.near.settings
        best: tuple[float, str, str] | None = None
        for rid, packed in zip(candidates, self.client.hmget(self.ns.sketches, candidates), strict=True):
            if packed is None:  # released meanwhile
                continue
            shingles, sketch = unpack_sketch(packed)
            verdict = judge_pair(s, fp.sketch, fp.shingles, sketch, shingles)
            if verdict is not None and (best is None or verdict[0] > best[0]):
                best = (verdict[0], rid, verdict[1])
        return None if best is None else (best[1], best[2])

    # -- after the writes ----------------------------------------------------------------------

    def add_record(self, article: Article, key: str, fingerprint: Fingerprint | None = None) -> None:
        """The record is in the bucket: its claim is committed (entered now if it was released)."""
        bands = self.near.band_keys(fingerprint) if fingerprint is not None else []
        committed = json.dumps({"state": "committed", "run": self.run_id, "key": key})
        sketch = pack_sketch(fingerprint) if fingerprint is not None else b""
        self._commit(
            keys=self._keys(bands),
            args=[article.content_hash, article.canonical_url, article.id, sketch, committed],
        )

    def same_page(self, article: Article, record_id: str) -> bool:
        """The article is the record's own page fetched again, not another place it appeared."""
        found = self.client.hget(self.ns.by_url, article.canonical_url)
        return found is not None and found.decode() == record_id

    def add_url(self, canonical_url: str, record_id: str) -> None:
        self.client.hsetnx(self.ns.by_url, canonical_url, record_id)

    def release(self, record_id: str, run_id: str) -> bool:
        ns = self.ns
        keys = [ns.by_hash, ns.by_url, ns.records, ns.sketches]
        return bool(self._release(keys=keys, args=[record_id, run_id, ns.prefix]))

    def save(self, store: ObjectStore) -> None:
        """Nothing to do: every change went to Redis as it happened."""

    def __len__(self) -> int:
        return int(self.client.hlen(self.ns.records))
