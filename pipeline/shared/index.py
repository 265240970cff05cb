"""Where a record is judged a duplicate when many workers share one bucket: an index in Redis.

The same judgement as ``pipeline.dedup.judge.DedupIndex`` (content hash, canonical URL,
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

Near-duplicate data (LSH buckets and sketches, most of the memory) is kept in partitions
of half the window and expires once older than ``CLEANWIRE_NEAR_DUP_DAYS`` (14; up to 1.5
times that is kept): syndicated copies, edits and
teasers appear within days of the original. Exact copies older than that are still
found (the content-hash and URL maps do not expire), and seen URLs keep old pages
from being fetched again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import redis

from pipeline.dedup.minhash import Fingerprint, NearDupSettings
from pipeline.dedup.near import NearDuplicateIndex, judge_pair, merge_union
from pipeline.record import Article, utcnow
from pipeline.settings import current as current_settings
from pipeline.shared.namespace import Namespace
from pipeline.storage import ObjectStore

log = logging.getLogger(__name__)

# Shared by the claim and the commit: enter record ARGV[3] in today's buckets (band keys
# KEYS[6], KEYS[6+nd], ...) and sketches (KEYS[5]), each partition expiring after the window.
_ENTER = """
local function enter(nb, nd, fields_at, ttl)
  for i = 1, nb do
    local key, field = KEYS[5 + (i - 1) * nd + 1], ARGV[fields_at + i]
    local ids = redis.call('HGET', key, field)
    if not ids then
      redis.call('HSET', key, field, ARGV[3])
    elseif not string.find(',' .. ids .. ',', ',' .. ARGV[3] .. ',', 1, true) then
      redis.call('HSET', key, field, ids .. ',' .. ARGV[3])
    end
    redis.call('EXPIRE', key, ttl, 'NX')
  end
  if nb > 0 then
    redis.call('HSET', KEYS[5], ARGV[3], ARGV[4])
    redis.call('EXPIRE', KEYS[5], ttl, 'NX')
  end
end
"""

# KEYS: by_hash, by_url, records, claims-of-run, today's sketches, bucket hashes (band-major, partition-minor)
# ARGV: content hash, canonical url, record id, sketch, pending json, nb, nd, ttl, nb fields,
#       n checked, checked ids...
_CLAIM = (
    _ENTER
    + """
local rid = redis.call('HGET', KEYS[1], ARGV[1])
if rid and redis.call('HEXISTS', KEYS[3], rid) == 1 then return {'content', rid} end
rid = redis.call('HGET', KEYS[2], ARGV[2])
if rid and redis.call('HEXISTS', KEYS[3], rid) == 1 then return {'url', rid} end
local nb, nd, ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local checked = {}
for i = 10 + nb, 9 + nb + tonumber(ARGV[9 + nb]) do checked[ARGV[i]] = true end
local out = {'candidates'}
for i = 1, nb do
  local anchor = string.sub(ARGV[8 + i], 1, 2) == 'fe'
  for d = 1, nd do
    local ids = redis.call('HGET', KEYS[5 + (i - 1) * nd + d], ARGV[8 + i])
    if ids and anchor and select(2, string.gsub(ids, ',', ',')) >= ANCHOR_CAP then ids = nil end
    if ids then
      for member in string.gmatch(ids, '[^,]+') do
        if not checked[member] then
          checked[member] = true
          table.insert(out, member)
        end
      end
    end
  end
end
if #out > 1 then return out end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
enter(nb, nd, 8, ttl)
redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
redis.call('SADD', KEYS[4], ARGV[3])
return {'claimed', ARGV[3]}
"""
)

# A copy of a record was seen: its bucket keys lead to the record too (appended in the current
# partition), and the record's cluster union is replaced. KEYS: the record's sketches hash, band
# hashes; ARGV: record id, union blob (or ''), ttl, fields (one per band hash).
_MEMBER = """
for i = 2, #KEYS do
  local field = ARGV[2 + i]
  local ids = redis.call('HGET', KEYS[i], field)
  if not ids then
    redis.call('HSET', KEYS[i], field, ARGV[1])
  elseif not string.find(',' .. ids .. ',', ',' .. ARGV[1] .. ',', 1, true) then
    redis.call('HSET', KEYS[i], field, ids .. ',' .. ARGV[1])
  end
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[3]), 'NX')
end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[1] .. ':u', ARGV[2])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]), 'NX')
end
return 1
"""

# The same entries as a claim, marked committed: idempotent, so recovery may adopt a record
# whose claim was already released, and a record committed twice stays one record.
# KEYS as the claim's with one partition; ARGV: content hash, url, id, sketch, committed json, nb, ttl, fields
_COMMIT = (
    _ENTER
    + """
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local rid = redis.call('HGET', KEYS[2], ARGV[2])
if not rid or redis.call('HEXISTS', KEYS[3], rid) == 0 then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
enter(tonumber(ARGV[6]), 1, 7, tonumber(ARGV[7]))
redis.call('HSET', KEYS[3], ARGV[3], ARGV[5])
redis.call('SREM', KEYS[4], ARGV[3])
return 1
"""
)

# Undo a pending claim of a run that died. KEYS: by_hash, by_url, records; ARGV: id, run id, prefix
_RELEASE = """
local raw = redis.call('HGET', KEYS[3], ARGV[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.state ~= 'pending' or rec.run ~= ARGV[2] then return 0 end
if redis.call('HGET', KEYS[1], rec.hash) == ARGV[1] then redis.call('HDEL', KEYS[1], rec.hash) end
if redis.call('HGET', KEYS[2], rec.url) == ARGV[1] then redis.call('HDEL', KEYS[2], rec.url) end
for _, field in ipairs(rec.bands) do
  local key = ARGV[3] .. 'band:' .. rec.part .. ':' .. string.sub(field, -2)
  local ids = redis.call('HGET', key, field)
  if ids then
    local kept = {}
    for member in string.gmatch(ids, '[^,]+') do
      if member ~= ARGV[1] then table.insert(kept, member) end
    end
    if #kept > 0 then redis.call('HSET', key, field, table.concat(kept, ','))
    else redis.call('HDEL', key, field) end
  end
end
redis.call('HDEL', ARGV[3] .. 'fp:' .. rec.part, ARGV[1], ARGV[1] .. ':u')
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""


# Partitions are half a window long: a day per partition made a claim look in 14 x 25 hashes
# (1 ms per article, measured, with a 14-day window); three partitions of 7 days cut that to
# 3 x 25 (0.6 ms) and still expire whole.
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def window_days() -> int:
    return current_settings().near_dup_days


def period_days() -> int:
    return -(-window_days() // 2)


def _periods() -> int:
    """The current partition and as many earlier ones as cover the window."""
    return 1 + -(-window_days() // period_days())


_PACKED = b"CWS2"  # shingle count, sketch length, sketch, core; before it: shingle count, sketch


def pack_sketch(fp: Fingerprint) -> bytes:
    return pack_arrays(int(fp.shingles), fp.sketch, fp.core)


def pack_arrays(shingles: int, sketch: np.ndarray, core: np.ndarray | None = None) -> bytes:
    core = np.zeros(0, np.uint32) if core is None else core
    head = _PACKED + np.int64(shingles).tobytes() + np.uint32(len(sketch)).tobytes()
    return head + sketch.astype("<u4").tobytes() + core.astype("<u4").tobytes()


def unpack_sketch(data: bytes) -> tuple[int, np.ndarray, np.ndarray]:
    """(shingle count, bottom-k sketch, core) as ``pack_sketch`` wrote them (no core in the older form)."""
    if not data.startswith(_PACKED):
        return int(np.frombuffer(data[:8], dtype=np.int64)[0]), np.frombuffer(data[8:], dtype="<u4"), _NONE
    shingles = int(np.frombuffer(data[4:12], dtype=np.int64)[0])
    length = int(np.frombuffer(data[12:16], dtype=np.uint32)[0])
    values = np.frombuffer(data[16:], dtype="<u4")
    return shingles, values[:length], values[length:]


_NONE = np.zeros(0, np.uint32)


class StaleClaim(Exception):
    """A match points at a pending claim of a run that died: recover, then judge again."""


class SharedDedupIndex:
    """``pipeline.dedup.judge.Index`` (what ``Deduplicator`` and ``RecordWriter`` ask) in Redis."""

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
        cap = self.near.settings.anchor_cap
        self._claim = client.register_script(_CLAIM.replace("ANCHOR_CAP", str(cap)))
        self._member = client.register_script(_MEMBER)
        self._commit = client.register_script(_COMMIT)
        self._release = client.register_script(_RELEASE)

    @staticmethod
    def _partitions() -> list[str]:
        """The partitions to look in, the current one first."""
        length = period_days()
        current = (utcnow() - EPOCH).days // length
        return [f"{length}d{current - n}" for n in range(_periods())]

    def _keys(self, bands: list[int], parts: list[str]) -> list[str]:
        ns = self.ns
        fixed = [ns.by_hash, ns.by_url, ns.records, ns.claims(self.run_id), ns.sketches(parts[0])]
        return fixed + [ns.bands(part, b) for b in bands for part in parts]

    @staticmethod
    def _ttl() -> int:
        return _periods() * period_days() * 86400

    # -- judging -------------------------------------------------------------------------------

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
        fields = [f"{b:016x}" for b in bands]
        parts = self._partitions()
        keys = self._keys(bands, parts)
        pending = json.dumps(
            {
                "state": "pending",
                "run": self.run_id,
                "part": parts[0],
                "hash": article.content_hash,
                "url": article.canonical_url,
                "bands": fields,
            }
        )
        sketch = pack_sketch(fp) if fp is not None and bands else b""
        head = [article.content_hash, article.canonical_url, article.id, sketch, pending]
        head += [len(bands), len(parts), self._ttl(), *fields]
        checked: list[str] = []
        while True:
            reply = [r.decode() for r in self._claim(keys=keys, args=[*head, len(checked), *checked])]
            kind, found = reply[0], reply[1:]
            if kind == "claimed":
                return None
            if kind in ("content", "url"):
                self._records(found[:1])
                return found[0], kind
            assert fp is not None
            best = self._verify(fp, found)
            if best is not None:
                return best
            checked.extend(found)

    def _records(self, record_ids: list[str]) -> list[dict | None]:
        """The records' states; a pending claim of a dead run raises ``StaleClaim``."""
        states = []
        for raw in self.client.hmget(self.ns.records, record_ids):
            rec = None if raw is None else json.loads(raw)
            mine = rec is None or rec["state"] != "pending" or rec["run"] == self.run_id
            if not mine and not self._is_alive(rec["run"]):
                raise StaleClaim(rec["run"])
            states.append(rec)
        return states

    def _verify(self, fp: Fingerprint, candidates: list[str]) -> tuple[str, str] | None:
        """``NearDuplicateIndex._best`` against the candidates' sketches, cores and unions in Redis."""
        if not candidates or fp.signature.size == 0:
            return None
        states = self._records(candidates)
        pipe = self.client.pipeline(transaction=False)
        for rid, rec in zip(candidates, states, strict=True):
            pipe.hmget(self.ns.sketches(rec["part"] if rec else ""), [rid, f"{rid}:u"])
        s = self.near.settings
        best: tuple[tuple[int, float], str, str] | None = None
        for rid, (packed, packed_union) in zip(candidates, pipe.execute(), strict=True):
            if packed is None:  # released or expired meanwhile
                continue
            shingles, sketch, core = unpack_sketch(packed)
            union = None
            if packed_union is not None:
                count, union_sketch, _ = unpack_sketch(packed_union)
                union = (count, union_sketch)
            verdict = judge_pair(s, fp.sketch, fp.shingles, sketch, shingles, fp.core, core, union)
            if verdict is None:
                continue
            rank = (union[0] if union else 0, verdict[0])
            if best is None or rank > best[0]:
                best = (rank, rid, verdict[1])
        return None if best is None else (best[1], best[2])

    def add_member(self, record_id: str, fingerprint: Fingerprint | None) -> None:
        """A copy of ``record_id`` was seen: its keys lead to the record, its shingles join the
        record's union (read, merged here, written back: two workers adding copies of one record
        at the same moment may lose one union update, which only makes a later copy's judgement
        as it would have been without that member)."""
        if fingerprint is None or fingerprint.signature.size == 0:
            return
        raw = self.client.hget(self.ns.records, record_id)
        if raw is None:
            return
        rec = json.loads(raw)
        sketches = self.ns.sketches(rec["part"])
        current, union = self.client.hmget(sketches, [record_id, f"{record_id}:u"])
        blob = b""
        if current is not None:
            count, sketch, _ = unpack_sketch(union if union is not None else current)
            merged = merge_union(
                (count, sketch), fingerprint.sketch, int(fingerprint.shingles), self.near.settings.sketch_size
            )
            blob = pack_arrays(*merged)
        bands = self.near.band_keys(fingerprint)
        part = self._partitions()[0]
        self._member(
            keys=[sketches, *(self.ns.bands(part, b) for b in bands)],
            args=[record_id, blob, self._ttl(), *(f"{b:016x}" for b in bands)],
        )

    # -- after the writes ----------------------------------------------------------------------

    def add_record(self, article: Article, key: str, fingerprint: Fingerprint | None = None) -> None:
        """The record is in the bucket: its claim is committed (entered now if it was released)."""
        bands = self.near.band_keys(fingerprint) if fingerprint is not None else []
        raw = self.client.hget(self.ns.records, article.id)
        claimed = json.loads(raw) if raw else {}
        part = claimed.get("part") or self._partitions()[0]
        committed = json.dumps({"state": "committed", "run": self.run_id, "part": part, "key": key})
        sketch = pack_sketch(fingerprint) if fingerprint is not None and bands else b""
        self._commit(
            keys=self._keys(bands, [part]),
            args=[
                article.content_hash,
                article.canonical_url,
                article.id,
                sketch,
                committed,
                len(bands),
                self._ttl(),
                *(f"{b:016x}" for b in bands),
            ],
        )

    def same_page(self, article: Article, record_id: str) -> bool:
        """The article is the record's own page fetched again, not another place it appeared."""
        found = self.client.hget(self.ns.by_url, article.canonical_url)
        return found is not None and found.decode() == record_id

    def add_url(self, canonical_url: str, record_id: str) -> None:
        self.client.hsetnx(self.ns.by_url, canonical_url, record_id)

    def release(self, record_id: str, run_id: str) -> bool:
        ns = self.ns
        return bool(
            self._release(keys=[ns.by_hash, ns.by_url, ns.records], args=[record_id, run_id, ns.prefix])
        )

    def save(self, store: ObjectStore) -> None:
        """Nothing to do: every change went to Redis as it happened."""

    def __len__(self) -> int:
        return int(self.client.hlen(self.ns.records))
