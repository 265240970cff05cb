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
from pipeline.shared.compact import (
    ENTRY,
    LOCATION,
    NO_LOCATION,
    SLOT,
    UNKNOWN_NUMBER,
    encode_id,
    field_bits,
    hash_field,
    number_value,
    places,
    sketch_blob,
    slot_key_and_offset,
    split_blob,
    split_value,
)
from pipeline.shared.namespace import Namespace
from pipeline.storage import ObjectStore
from pipeline.storage.layout import NEAR_DUP_SKETCH_PREFIX
from pipeline.textnorm import record_id

log = logging.getLogger(__name__)

# Shared by the scripts: bucket entries are ENTRY-byte strings (residual, record number) appended
# to a hash field (``pipeline.shared.compact``); a new record takes the next number and a zeroed
# slot (its sketch is still in Redis, under its number in the partition's ``fp`` hash).
_LIB = """
local function b4(n) return struct.pack('>I4', n) end
local function at_entry(ids, ent)
  local from = 1
  while true do
    local i = string.find(ids, ent, from, true)
    if not i then return false end
    if (i - 1) % 6 == 0 then return true end
    from = i + 1
  end
end
local function append(key, field, res, num, ttl)
  local ent = res .. b4(num)
  local ids = redis.call('HGET', key, field)
  if not ids then
    redis.call('HSET', key, field, ent)
  elseif not at_entry(ids, ent) then
    redis.call('HSET', key, field, ids .. ent)
  end
  redis.call('EXPIRE', key, ttl, 'NX')
end
local function new_number(prefix, ttl)
  local num = redis.call('INCR', prefix .. 'seq') % 4294967296
  local key = prefix .. 'slot:' .. math.floor(num / 65536)
  redis.call('SETRANGE', key, (num % 65536) * 20, string.rep('\\0', 20))
  redis.call('EXPIRE', key, ttl)
  return num
end
"""

# KEYS: by_hash, records, claims-of-run, today's sketches, url partitions (nu, current first),
#       bucket hashes (band-major, partition-minor)
# ARGV: 1 hash field, 2 canonical url, 3 record id, 4 sketch blob, 5 pending json, 6 nb, 7 nd,
#       8 ttl, 9 nu, 10 url ttl, 11 prefix, 12 hash value suffix, 13 url value suffix,
#       then per key: field, residual, anchor ('1'/'0'); n checked, checked numbers...
_CLAIM = (
    _LIB
    + """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then return {'content', v} end
local nu = tonumber(ARGV[9])
for u = 1, nu do
  v = redis.call('HGET', KEYS[4 + u], ARGV[2])
  if v then return {'url', v} end
end
local nb, nd, ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local at = 14 + 3 * nb
local checked = {}
for i = at + 1, at + tonumber(ARGV[at]) do checked[ARGV[i]] = true end
local out = {'candidates'}
for i = 1, nb do
  local field, res, anchor = ARGV[11 + 3 * i], ARGV[12 + 3 * i], ARGV[13 + 3 * i] == '1'
  for d = 1, nd do
    local ids = redis.call('HGET', KEYS[4 + nu + (i - 1) * nd + d], field)
    if ids then
      local found = {}
      local from = 1
      while true do
        local j = string.find(ids, res, from, true)
        if not j then break end
        if (j - 1) % 6 == 0 then
          table.insert(found, (struct.unpack('>I4', ids, j + 2)))
          from = j + 6
        else
          from = j + 1
        end
      end
      if not (anchor and #found > ANCHOR_CAP) then
        for _, n in ipairs(found) do
          local member = tostring(n)
          if not checked[member] then
            checked[member] = true
            table.insert(out, member)
          end
        end
      end
    end
  end
end
if #out > 1 then return out end
local num = new_number(ARGV[11], ttl)
redis.call('HSET', KEYS[1], ARGV[1], b4(num) .. ARGV[12])
redis.call('HSET', KEYS[5], ARGV[2], b4(num) .. ARGV[13])
redis.call('EXPIRE', KEYS[5], tonumber(ARGV[10]), 'NX')
for i = 1, nb do
  append(KEYS[4 + nu + (i - 1) * nd + 1], ARGV[11 + 3 * i], ARGV[12 + 3 * i], num, ttl)
end
if nb > 0 then
  redis.call('HSET', KEYS[4], tostring(num), ARGV[4])
  redis.call('EXPIRE', KEYS[4], ttl, 'NX')
end
local rec = cjson.decode(ARGV[5])
rec.num = num
redis.call('HSET', KEYS[2], ARGV[3], cjson.encode(rec))
redis.call('SADD', KEYS[3], ARGV[3])
return {'claimed', tostring(num)}
"""
)

# A copy of a record was seen: its bucket keys lead to the record too (appended in the current
# partition), and the record's cluster union (until this run commits) is replaced.
# KEYS: the current partition's sketches hash, bucket hashes; ARGV: number, union blob (or ''),
# ttl, then field, residual per bucket hash.
_MEMBER = (
    _LIB
    + """
local num, ttl = tonumber(ARGV[1]), tonumber(ARGV[3])
for i = 2, #KEYS do append(KEYS[i], ARGV[2 * i], ARGV[2 * i + 1], num, ttl) end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'u' .. ARGV[1], ARGV[2])
  redis.call('EXPIRE', KEYS[1], ttl, 'NX')
end
return 1
"""
)

# The record is stored: its slot points at its sketch in the bucket and it leaves the pending
# records. Idempotent, so recovery may adopt a record whose claim was already released, and a
# record committed twice stays one record; a record with no claim is entered now.
# KEYS: by_hash, records, claims-of-run, current url partition, the sketches hash the pending
# sketch is in, bucket hashes (current partition)
# ARGV: 1 hash field, 2 url, 3 id, 4 sketch location, 5 nb, 6 ttl, 7 url ttl, 8 prefix,
#       9 hash value suffix, 10 url value suffix, then field, residual per bucket hash
_COMMIT = (
    _LIB
    + """
local prefix, ttl = ARGV[8], tonumber(ARGV[6])
local num = nil
local raw = redis.call('HGET', KEYS[2], ARGV[3])
if raw then num = cjson.decode(raw).num end
if not num then
  if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
  num = new_number(prefix, ttl)
  for i = 1, tonumber(ARGV[5]) do append(KEYS[5 + i], ARGV[9 + 2 * i], ARGV[10 + 2 * i], num, ttl) end
end
redis.call('HSET', KEYS[1], ARGV[1], b4(num) .. ARGV[9])
if redis.call('HSETNX', KEYS[4], ARGV[2], b4(num) .. ARGV[10]) == 1 then
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[7]), 'NX')
end
if ARGV[4] ~= '' then
  local key = prefix .. 'slot:' .. math.floor(num / 65536)
  redis.call('SETRANGE', key, (num % 65536) * 20, ARGV[4])
  redis.call('EXPIRE', key, ttl)
end
redis.call('HDEL', KEYS[5], tostring(num))
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('SREM', KEYS[3], ARGV[3])
redis.call('INCR', prefix .. 'count')
return 1
"""
)

# A union this run wrote is in the bucket now: the slot points at it, and Redis forgets it unless
# another run replaced it meanwhile. KEYS: sketches hash; ARGV: number, blob written, location, prefix, ttl
_UNION_OUT = """
if redis.call('HGET', KEYS[1], 'u' .. ARGV[1]) ~= ARGV[2] then return 0 end
local num = tonumber(ARGV[1])
local key = ARGV[4] .. 'slot:' .. math.floor(num / 65536)
redis.call('SETRANGE', key, (num % 65536) * 20 + 10, ARGV[3])
redis.call('EXPIRE', key, tonumber(ARGV[5]))
redis.call('HDEL', KEYS[1], 'u' .. ARGV[1])
return 1
"""

# Undo a pending claim of a run that died. KEYS: by_hash, records; ARGV: id, run id, prefix
_RELEASE = """
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.state ~= 'pending' or rec.run ~= ARGV[2] then return 0 end
local nb4 = struct.pack('>I4', rec.num)
local hf = (string.gsub(rec.hash, '..', function(c) return string.char(tonumber(c, 16)) end))
local v = redis.call('HGET', KEYS[1], hf)
if v and string.sub(v, 1, 4) == nb4 then redis.call('HDEL', KEYS[1], hf) end
v = redis.call('HGET', rec.urlkey, rec.url)
if v and string.sub(v, 1, 4) == nb4 then redis.call('HDEL', rec.urlkey, rec.url) end
for _, e in ipairs(rec.ents) do
  local key = ARGV[3] .. 'band:' .. rec.part .. ':' .. string.format('%02x', e[1])
  local ids = redis.call('HGET', key, e[2])
  if ids then
    local ent = struct.pack('>I2', e[3]) .. nb4
    local kept = {}
    for j = 1, #ids, 6 do
      local one = string.sub(ids, j, j + 5)
      if one ~= ent then table.insert(kept, one) end
    end
    if #kept > 0 then redis.call('HSET', key, e[2], table.concat(kept))
    else redis.call('HDEL', key, e[2]) end
  end
end
redis.call('HDEL', ARGV[3] .. 'fp:' .. rec.part, tostring(rec.num), 'u' .. tostring(rec.num))
redis.call('HDEL', KEYS[2], ARGV[1])
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
    """``pipeline.dedup.judge.Index`` (what ``Deduplicator`` and the commit ask) in Redis.

    Layout (``pipeline.shared.compact``): the content-hash map is kept for good; URL mappings for
    ``url_retention_days``; bucket entries, slots and pending sketches for the near-duplicate
    window; committed sketches and unions are in the bucket (``state/v1/near-dup/``), one object
    per commit, read by range for a claim's candidates.
    """

    def __init__(
        self,
        client: redis.Redis,
        ns: Namespace,
        run_id: str,
        is_alive: Callable[[str], bool],
        recover: Callable[[], Any],
        settings: NearDupSettings | None = None,
        store: ObjectStore | None = None,
    ) -> None:
        self.client, self.ns, self.run_id, self.store = client, ns, run_id, store
        self.near = NearDuplicateIndex(settings, persistent=False)  # settings and band keys only
        self._is_alive, self._recover = is_alive, recover
        cap = self.near.settings.anchor_cap
        self._claim = client.register_script(_CLAIM.replace("ANCHOR_CAP", str(cap)))
        self._member = client.register_script(_MEMBER)
        self._commit = client.register_script(_COMMIT)
        self._union_out = client.register_script(_UNION_OUT)
        self._release = client.register_script(_RELEASE)
        self._bits: dict[str, int] = {}
        self._numbers: dict[str, int] = {}  # record id -> number, as claims found or entered them
        self._blobs: dict[int, bytes] = {}  # number -> sketch blob, this run's records and those read
        # number -> (sketches hash, union blob) this run wrote and has not moved to the bucket yet
        self._unions: dict[int, tuple[str, bytes]] = {}
        self._locations: dict[str, bytes] = {}  # record id -> its sketch's location, once stashed

    @staticmethod
    def _partitions() -> list[str]:
        """The partitions to look in, the current one first."""
        length = period_days()
        current = (utcnow() - EPOCH).days // length
        return [f"{length}d{current - n}" for n in range(_periods())]

    @staticmethod
    def _url_partitions() -> list[str]:
        return url_partitions()

    @staticmethod
    def _ttl() -> int:
        return _periods() * period_days() * 86400

    def _field_bits(self, part: str) -> int:
        """The partition's field width, fixed by whichever run wrote to it first."""
        if part not in self._bits:
            wanted = field_bits(current_settings().shared_records_per_day * period_days())
            key = self.ns.key(f"bits:{part}")
            found = self.client.set(key, wanted, nx=True, get=True, ex=self._ttl())
            self._bits[part] = wanted if found is None else int(found)
        return self._bits[part]

    def _places(self, keys: list[int], part: str) -> list[tuple[int, str, bytes]]:
        return places(keys, self._field_bits(part)) if keys else []

    def _band_hashes(self, spots: list[tuple[int, str, bytes]], parts: list[str]) -> list[str]:
        return [self.ns.key(f"band:{part}:{h:02x}") for h, _, _ in spots for part in parts]

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
        keys = self.near.band_keys(fp) if fp is not None else []
        parts = self._partitions()
        # one field width for all partitions looked in would miss older ones: each its own
        spots_by_part = {part: self._places(keys, part) for part in parts}
        spots = spots_by_part[parts[0]]
        if len({self._field_bits(p) for p in parts}) > 1:
            return self._claim_mixed(article, fp, keys, parts, spots_by_part)
        return self._claim_in(article, fp, keys, parts, spots)

    def _claim_mixed(
        self,
        article: Article,
        fp: Fingerprint | None,
        keys: list[int],
        parts: list[str],
        spots_by_part: dict[str, list[tuple[int, str, bytes]]],
    ) -> tuple[str, str] | None:
        """Partitions of different widths (the setting changed): look in the older ones first,
        one at a time, then claim in the current one."""
        for part in parts[1:]:
            found = self._candidates_in(fp, keys, part, spots_by_part[part])
            if found is not None:
                return found
        return self._claim_in(article, fp, keys, parts[:1], spots_by_part[parts[0]])

    def _candidates_in(
        self, fp: Fingerprint | None, keys: list[int], part: str, spots: list[tuple[int, str, bytes]]
    ) -> tuple[str, str] | None:
        if fp is None or not spots:
            return None
        cap = self.near.settings.anchor_cap
        pipe = self.client.pipeline(transaction=False)
        for h, field, _ in spots:
            pipe.hget(self.ns.key(f"band:{part}:{h:02x}"), field)
        numbers: list[str] = []
        for (_, _, res), key, ids in zip(spots, keys, pipe.execute(), strict=True):
            if ids is None:
                continue
            found = [
                str(int.from_bytes(ids[j + 2 : j + 6], "big"))
                for j in range(0, len(ids), ENTRY)
                if ids[j : j + 2] == res
            ]
            if key >> 56 == 0xFE and len(found) > cap:
                continue
            numbers.extend(n for n in found if n not in numbers)
        return self._verify(fp, numbers)

    def _claim_in(
        self,
        article: Article,
        fp: Fingerprint | None,
        keys: list[int],
        parts: list[str],
        spots: list[tuple[int, str, bytes]],
    ) -> tuple[str, str] | None:
        urls = self._url_partitions()
        url_keys = [self.ns.key(f"url:{u}") for u in urls]
        hash_field_ = hash_field(article.content_hash)
        pending = {
            "state": "pending",
            "run": self.run_id,
            "part": parts[0],
            "hash": hash_field_.hex(),
            "url": article.canonical_url,
            "urlkey": url_keys[0],
            "ents": [[h, field, int.from_bytes(res, "big")] for h, field, res in spots],
        }
        packed = pack_sketch(fp) if fp is not None and spots else b""
        blob = sketch_blob(article.id, packed) if packed else b""
        suffix = b"" if article.id == record_id(article.content_hash) else encode_id(article.id)
        head: list[Any] = [hash_field_, article.canonical_url, article.id, blob, json.dumps(pending)]
        head += [len(spots), len(parts), self._ttl(), len(urls), self._url_ttl(), self.ns.prefix]
        head += [suffix, encode_id(article.id)]
        for key, (_, field, res) in zip(keys, spots, strict=True):
            head += [field, res, "1" if key >> 56 == 0xFE else "0"]
        all_keys = [self.ns.by_hash, self.ns.records, self.ns.claims(self.run_id), self.ns.sketches(parts[0])]
        all_keys += url_keys + self._band_hashes(spots, parts)
        checked: list[str] = []
        while True:
            reply = self._claim(keys=all_keys, args=[*head, len(checked), *checked])
            kind, found = reply[0].decode(), reply[1:]
            if kind == "claimed":
                number = int(found[0])
                self._numbers[article.id] = number
                if blob:
                    self._blobs[number] = blob
                return None
            if kind in ("content", "url"):
                number, rid = split_value(found[0], record_id(article.content_hash))
                if number != UNKNOWN_NUMBER:
                    self._numbers[rid] = number
                self._records([rid])
                return rid, kind
            assert fp is not None
            numbers = [n.decode() for n in found]
            best = self._verify(fp, numbers)
            if best is not None:
                return best
            checked.extend(numbers)

    @staticmethod
    def _url_ttl() -> int:
        return url_ttl()

    def _records(self, record_ids: list[str]) -> list[dict | None]:
        """The pending records' states (None: committed or gone); a pending claim of a dead run
        raises ``StaleClaim``."""
        states = []
        for raw in self.client.hmget(self.ns.records, record_ids):
            rec = None if raw is None else json.loads(raw)
            mine = rec is None or rec["state"] != "pending" or rec["run"] == self.run_id
            if not mine and not self._is_alive(rec["run"]):
                raise StaleClaim(rec["run"])
            states.append(rec)
        return states

    def _read_located(self, locations: list[bytes]) -> list[bytes | None]:
        """Blobs at slot locations in the bucket (None for no location)."""
        out: list[bytes | None] = []
        for loc in locations:
            pack, offset, length = LOCATION.unpack(loc) if len(loc) == LOCATION.size else (0, 0, 0)
            if pack == 0 or self.store is None:
                out.append(None)
                continue
            try:
                out.append(self.store.get_range(sketch_pack_key(pack), offset, length))
            except KeyError:  # expired by the bucket's lifecycle rule
                out.append(None)
        return out

    def _sketches(self, numbers: list[int]) -> list[tuple[bytes | None, bytes | None]]:
        """(sketch blob, union blob) of each number: this run's memory, Redis (pending, or a union
        not committed yet), else the bucket at the slot's locations."""
        parts = self._partitions()
        pipe = self.client.pipeline(transaction=False)
        for n in numbers:
            key, offset = slot_key_and_offset(n)
            pipe.getrange(self.ns.key(key), offset, offset + SLOT - 1)
            for part in parts:
                pipe.hmget(self.ns.sketches(part), [str(n), f"u{n}"])
        replies = pipe.execute()
        out = []
        step = 1 + len(parts)
        for i, n in enumerate(numbers):
            slot, *held = replies[i * step : (i + 1) * step]
            blob = self._blobs.get(n) or next((b for b, _ in held if b is not None), None)
            union = self._unions[n][1] if n in self._unions else next((u for _, u in held if u), None)
            slot = slot if len(slot) == SLOT else NO_LOCATION * 2
            if blob is None or union is None:
                read_blob, read_union = self._read_located([slot[:10] if blob is None else b"", slot[10:]])
                blob = blob or read_blob
                union = union or read_union
                if blob is not None:
                    self._blobs[n] = blob
            out.append((blob, union))
        return out

    def _verify(self, fp: Fingerprint | None, candidates: list[str]) -> tuple[str, str] | None:
        """``NearDuplicateIndex._best`` against the candidates' sketches, cores and unions."""
        if fp is None or not candidates or fp.signature.size == 0:
            return None
        numbers = [int(c) for c in candidates]
        found = [(n, blob, union) for n, (blob, union) in zip(numbers, self._sketches(numbers), strict=True)]
        found = [(n, *split_blob(blob), union) for n, blob, union in found if blob is not None]
        if not found:  # released or expired meanwhile
            return None
        self._records([rid for _, rid, _, _ in found])
        s = self.near.settings
        best: tuple[tuple[int, float], str, str] | None = None
        for n, rid, packed, packed_union in found:
            self._numbers[rid] = n
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
        number = self._numbers.get(record_id)
        if number is None:
            return
        ((blob, union),) = self._sketches([number])
        merged_blob = b""
        if blob is not None:
            _, packed = split_blob(blob)
            count, sketch, _ = unpack_sketch(union if union is not None else packed)
            merged = merge_union(
                (count, sketch), fingerprint.sketch, int(fingerprint.shingles), self.near.settings.sketch_size
            )
            merged_blob = pack_arrays(*merged)
        part = self._partitions()[0]
        spots = self._places(self.near.band_keys(fingerprint), part)
        sketches = self.ns.sketches(part)
        args: list[Any] = [number, merged_blob, self._ttl()]
        for _, field, res in spots:
            args += [field, res]
        self._member(keys=[sketches, *self._band_hashes(spots, [part])], args=args)
        if merged_blob:
            self._unions[number] = (sketches, merged_blob)

    # -- after the writes ----------------------------------------------------------------------

    def stash_sketches(self, records: list[tuple[Article, Fingerprint | None]]) -> None:
        """Before the commit: the records' sketches, and the unions this run changed, into one
        bucket object, so that Redis keeps 20 bytes of location per record instead of 1 KB."""
        blobs: list[tuple[str, bytes]] = []
        for article, fp in records:
            if fp is None or fp.signature.size == 0 or not self.near.band_keys(fp):
                continue
            number = self._numbers.get(article.id)
            blob = self._blobs.get(number) if number is not None else None
            blobs.append((article.id, blob or sketch_blob(article.id, pack_sketch(fp))))
        unions = list(self._unions.items())
        if (not blobs and not unions) or self.store is None:
            return
        pack = int(self.client.incr(self.ns.key("sketch-packs")))
        data, located = bytearray(), []
        for _, blob in [*blobs, *((str(n), b) for n, (_, b) in unions)]:
            located.append(LOCATION.pack(pack, len(data), len(blob)))
            data += blob
        self.store.put(sketch_pack_key(pack), bytes(data), "application/octet-stream")
        for (rid, _), loc in zip(blobs, located, strict=False):
            self._locations[rid] = loc
        for (number, (sketches, blob)), loc in zip(unions, located[len(blobs) :], strict=True):
            self._union_out(keys=[sketches], args=[number, blob, loc, self.ns.prefix, self._ttl()])
        self._unions.clear()

    def add_record(self, article: Article, key: str, fingerprint: Fingerprint | None = None) -> None:
        """The record is in the bucket: its claim is committed (entered now if it was released)."""
        if article.id not in self._locations:
            self.stash_sketches([(article, fingerprint)])
        location = self._locations.pop(article.id, b"")
        raw = self.client.hget(self.ns.records, article.id)
        claimed = json.loads(raw) if raw else {}
        part = claimed.get("part") or self._partitions()[0]
        keys = self.near.band_keys(fingerprint) if fingerprint is not None else []
        spots = self._places(keys, part) if location else []
        suffix = b"" if article.id == record_id(article.content_hash) else encode_id(article.id)
        args: list[Any] = [hash_field(article.content_hash), article.canonical_url, article.id, location]
        args += [len(spots), self._ttl(), self._url_ttl(), self.ns.prefix, suffix, encode_id(article.id)]
        for _, field, res in spots:
            args += [field, res]
        url_key = self.ns.key(f"url:{self._url_partitions()[0]}")
        self._commit(
            keys=[
                self.ns.by_hash,
                self.ns.records,
                self.ns.claims(self.run_id),
                url_key,
                self.ns.sketches(part),
                *self._band_hashes(spots, [part]),
            ],
            args=args,
        )

    def _url_value(self, url: str) -> bytes | None:
        pipe = self.client.pipeline(transaction=False)
        for u in self._url_partitions():
            pipe.hget(self.ns.key(f"url:{u}"), url)
        return next((v for v in pipe.execute() if v is not None), None)

    def same_page(self, article: Article, record_id: str) -> bool:
        """The article is the record's own page fetched again, not another place it appeared."""
        found = self._url_value(article.canonical_url)
        return found is not None and split_value(found, "")[1] == record_id

    def add_url(self, canonical_url: str, record_id: str) -> None:
        number = self._numbers.get(record_id, UNKNOWN_NUMBER)
        key = self.ns.key(f"url:{self._url_partitions()[0]}")
        if self._url_value(canonical_url) is None and self.client.hsetnx(
            key, canonical_url, number_value(number, record_id)
        ):
            self.client.expire(key, self._url_ttl(), nx=True)

    def release(self, record_id: str, run_id: str) -> bool:
        ns = self.ns
        return bool(self._release(keys=[ns.by_hash, ns.records], args=[record_id, run_id, ns.prefix]))

    def save(self, store: ObjectStore) -> None:
        """Nothing to do: every change went to Redis as it happened."""

    def __len__(self) -> int:
        """Records committed."""
        return int(self.client.get(self.ns.key("count")) or 0)


def sketch_pack_key(number: int) -> str:
    """One commit's sketches and unions (shared mode), read by range for a claim's candidates;
    a bucket lifecycle rule may expire them after 1.5 near-duplicate windows (docs/bucket.md)."""
    return f"{NEAR_DUP_SKETCH_PREFIX}{number:010d}.bin"


def url_partitions() -> list[str]:
    """Retention partitions of URL mappings and seen URLs, the current one first: half the
    retention long, expiring whole (Redis 7.0 cannot expire one hash field)."""
    length = -(-current_settings().url_retention_days // 2)
    count = 1 + -(-current_settings().url_retention_days // length)
    current = (utcnow() - EPOCH).days // length
    return [f"{length}d{current - n}" for n in range(count)]


def url_ttl() -> int:
    days = current_settings().url_retention_days
    length = -(-days // 2)
    return (1 + -(-days // length)) * length * 86400
