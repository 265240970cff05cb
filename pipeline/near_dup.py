"""Near-duplicates: MinHash LSH proposes, a verification step against the representative decides.

Plain MinHash LSH either merges briefs that share site chrome (low threshold)
or misses truncated copies (high threshold). So LSH here only proposes
candidates, generously (25 bands of 3 rows: a pair at Jaccard 0.57, the
lowest truncated copy in the benchmark, is proposed 99.4% of the time), and
each candidate is verified on real overlap:

- Jaccard >= 0.75 of word 5-gram sets (syndicated copies in other chrome,
  light edits, flattened copies: the text is folded first);
- or containment >= 0.88 of the shorter in the longer (teasers and paywalled
  copies cut to their first 60-80%, copies with a paragraph added);
- texts shorter than ``min_words`` only ever match exactly.

Briefs wrapped in one site's chrome reach Jaccard 0.71 and containment 0.85
in benchmarks/dedup, which is why the thresholds sit where they do: every
setting from 0.72-0.75 and 0.88-0.9 gives the same result there.

Overlap is measured on bottom-k sketches of the shingle hashes, which are the
whole set for texts up to k shingles (exact) and a tight estimate above.
Only cluster representatives are indexed, and a new text is compared with
representatives only, so a chain of pairwise matches cannot glue unrelated
texts together.

Shingles are hashed once per token (crc32) and combined into 5-gram hashes
with numpy, and the signature is one-permutation MinHash over the sorted
hashes, which keeps Python's per-shingle work (the cost that dominates
datasketch and rensa) out of the loop. ``dedup_stream`` goes further: it
fingerprints a batch of texts at once (``Fingerprinter.batch``: ASCII texts
folded with one ``bytes.translate``, one crc32 per token, then every 5-gram,
sort, signature and sketch of the batch in a handful of numpy calls, with the
same results as ``Fingerprinter.__call__``), in worker processes when the
input is long, and looks the whole batch up in the LSH buckets at once.

The index keeps representatives in fixed-width numpy blocks (sketch, signature)
and the LSH buckets as a few sorted runs of (band key, slot), merged as they
grow. ``dedup_stream`` holds about 2 KB per representative (sketch 1 KB, bucket
entries 0.3 KB, id and exact hash; no signature, which only ``dumps`` needs),
and nothing per duplicate or per text.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing as mp
import os
import zlib
from array import array
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice

import numpy as np

from pipeline.textnorm import fold, hash_folded

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_MULTIPLIERS = np.array([0x100000001B3, 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F], dtype=np.uint64)
_DENSIFY = np.uint64(0x9E3779B1)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)

# ASCII text folds with one table: letters lower-cased, digits kept, every other ASCII byte a
# space (what ``fold``'s lower() and ``[\W_]+`` do to ASCII), after which ``split`` drops the runs.
_ASCII_FOLD = bytes((ord(chr(c).lower()) if chr(c).isalnum() else 32) if c < 128 else c for c in range(256))


def _fold_tokens(text: str) -> tuple[bytes, list[bytes]]:
    """``fold(text)`` encoded as UTF-8, and its tokens."""
    if text.isascii():
        tokens = text.encode("ascii").translate(_ASCII_FOLD).split()
        return b" ".join(tokens), tokens
    folded = fold(text).encode("utf-8")
    return folded, folded.split()


@dataclass(frozen=True)
class NearDupSettings:
    shingle: int = 5
    bands: int = 25
    rows: int = 3
    sketch_size: int = 256
    jaccard: float = 0.75
    containment: float = 0.88
    # Below this many words only exact (folded) matches count: short texts share too much by chance.
    min_words: int = 40
    # Containment only when the shorter text is at least this share of the longer: a brief is
    # not a "truncated copy" of a long article it happens to quote.
    min_length_ratio: float = 0.25
    seed: int = 42

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


@dataclass
class Fingerprint:
    exact: str
    words: int
    shingles: int
    signature: np.ndarray  # uint32[num_perm], empty for short texts
    sketch: np.ndarray  # sorted unique uint32, the smallest sketch_size shingle hashes


_EMPTY = np.empty(0, dtype=np.uint32)


@dataclass
class FingerprintBatch:
    """Fingerprints of a batch of texts as a few arrays (cheap to build, to pickle and to index).

    Text ``i`` has row ``rows[i]`` of ``shingles``, ``signatures`` and ``sketches`` (zero-padded
    past ``sketch_lengths``), or -1 when it is too short for anything but an exact match.
    """

    exact: list[str]
    words: list[int]
    rows: list[int]
    shingles: np.ndarray  # int64[m]
    signatures: np.ndarray  # uint32[m, num_perm]
    sketches: np.ndarray  # uint32[m, sketch_size]
    sketch_lengths: np.ndarray  # int64[m]

    def __len__(self) -> int:
        return len(self.exact)

    def fingerprint(self, i: int) -> Fingerprint:
        row = self.rows[i]
        if row < 0:
            return Fingerprint(self.exact[i], self.words[i], 0, _EMPTY.copy(), _EMPTY.copy())
        sketch = self.sketches[row, : self.sketch_lengths[row]].copy()
        return Fingerprint(
            self.exact[i], self.words[i], int(self.shingles[row]), self.signatures[row].copy(), sketch
        )

    @classmethod
    def of(cls, fingerprints: Sequence[Fingerprint], settings: NearDupSettings) -> FingerprintBatch:
        rows, m = [], 0
        for fp in fingerprints:
            rows.append(m if fp.signature.size else -1)
            m += bool(fp.signature.size)
        full = [fp for fp in fingerprints if fp.signature.size]
        sketches = np.zeros((m, settings.sketch_size), dtype=np.uint32)
        for row, fp in enumerate(full):
            sketches[row, : len(fp.sketch)] = fp.sketch
        signatures = np.zeros((m, settings.num_perm), dtype=np.uint32)
        if full:
            signatures = np.stack([fp.signature for fp in full])
        return cls(
            [fp.exact for fp in fingerprints],
            [fp.words for fp in fingerprints],
            rows,
            np.array([fp.shingles for fp in full], dtype=np.int64),
            signatures,
            sketches,
            np.array([len(fp.sketch) for fp in full], dtype=np.int64),
        )


class Fingerprinter:
    def __init__(self, settings: NearDupSettings | None = None) -> None:
        self.settings = settings or NearDupSettings()
        k = self.settings.num_perm
        self._bounds = (np.arange(k + 1, dtype=np.uint64) << _SHIFT) // np.uint64(k)

    def shingle_hashes(self, folded: str) -> np.ndarray:
        """Sorted unique 32-bit hashes of the word n-grams (n = settings.shingle) of folded text."""
        n = self.settings.shingle
        tokens = folded.encode("utf-8").split()
        hashed = np.fromiter(map(zlib.crc32, tokens), dtype=np.uint64, count=len(tokens))
        if len(tokens) < n:
            return np.unique(hashed)
        grams = np.zeros(len(tokens) - n + 1, dtype=np.uint64)
        for offset in range(n):
            grams = grams * _MULTIPLIERS[offset % len(_MULTIPLIERS)] + hashed[offset : offset + len(grams)]
        return np.unique((grams ^ (grams >> _SHIFT)) & _MASK32)

    def signature(self, shingles: np.ndarray) -> np.ndarray:
        """One-permutation MinHash: the smallest hash in each of num_perm equal ranges.

        ``shingles`` is sorted, so each range's minimum is found by binary search
        instead of num_perm hashing passes. An empty range borrows the next
        non-empty one's value (rotation densification), which keeps the
        collision probability equal to the Jaccard similarity.
        """
        k = self.settings.num_perm
        starts = np.searchsorted(shingles, self._bounds[:-1])
        ends = np.searchsorted(shingles, self._bounds[1:])
        filled = starts < ends
        values = np.where(filled, shingles[np.minimum(starts, len(shingles) - 1)] - self._bounds[:-1], 0)
        if not filled.all():
            order = np.flatnonzero(filled)
            nxt = order[np.searchsorted(order, np.arange(k)) % len(order)]
            distance = (nxt - np.arange(k)) % k
            values = values[nxt] + distance.astype(np.uint64) * _DENSIFY
        return (values & _MASK32).astype(np.uint32)

    def __call__(self, text: str) -> Fingerprint:
        folded = fold(text)
        exact = hash_folded(folded)
        words = folded.count(" ") + 1 if folded else 0
        if words < self.settings.min_words:
            empty = np.empty(0, dtype=np.uint32)
            return Fingerprint(exact, words, 0, empty, empty)
        shingles = self.shingle_hashes(folded)
        # np.unique sorted them by hash value, so the bottom-k sketch is the first k.
        sketch = shingles[: self.settings.sketch_size].astype(np.uint32)
        return Fingerprint(exact, words, len(shingles), self.signature(shingles), sketch)

    def many(self, texts: Iterable[str]) -> list[Fingerprint]:
        """``[self(text) for text in texts]``, equal array for array, several times faster."""
        batch = self.batch(list(texts))
        return [batch.fingerprint(i) for i in range(len(batch))]

    def batch(self, texts: Sequence[str]) -> FingerprintBatch:
        """The fingerprints of ``texts`` as one ``FingerprintBatch``, computed for all texts at once.

        Per text, Python only folds (ASCII: one ``translate``), splits, hashes the folded text and
        crc32s its tokens; 5-grams, their sort, the bottom-k sketches and the one-permutation
        signatures of the whole batch come from a few numpy calls over the batch's token hashes.
        """
        s = self.settings
        n = s.shingle
        if s.min_words < n:  # texts with fewer tokens than a shingle hash their tokens: per text
            return FingerprintBatch.of([self(text) for text in texts], s)
        sha256, crc32, uint32 = hashlib.sha256, zlib.crc32, np.uint32
        exact: list[str] = []
        words: list[int] = []
        rows: list[int] = []
        hashed: list[np.ndarray] = []
        min_words = s.min_words
        for text in texts:
            folded, tokens = _fold_tokens(text)
            exact.append(sha256(folded).hexdigest())
            count = len(tokens)
            words.append(count)
            if count < min_words:
                rows.append(-1)
            else:
                rows.append(len(hashed))
                hashed.append(np.fromiter(map(crc32, tokens), dtype=uint32, count=count))
        if not hashed:
            return FingerprintBatch(
                exact,
                words,
                rows,
                np.zeros(0, np.int64),
                np.zeros((0, s.num_perm), np.uint32),
                np.zeros((0, s.sketch_size), np.uint32),
                np.zeros(0, np.int64),
            )
        counts = np.array([len(h) for h in hashed], dtype=np.int64)
        shingles, signatures, sketches, lengths = self._batch_arrays(np.concatenate(hashed), counts)
        return FingerprintBatch(exact, words, rows, shingles, signatures, sketches, lengths)

    def _batch_arrays(
        self, hashed: np.ndarray, counts: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(shingle counts, signatures, sketches, sketch lengths) of texts whose token hashes are
        ``hashed``, text after text, ``counts`` tokens each (every count >= settings.shingle)."""
        s = self.settings
        n, m, k, p = s.shingle, len(counts), s.sketch_size, s.num_perm
        # n-grams over the whole batch, as in shingle_hashes
        hashed = hashed.astype(np.uint64)
        width = len(hashed) - n + 1
        grams = hashed[:width].copy()
        for offset in range(1, n):
            grams *= _MULTIPLIERS[offset % len(_MULTIPLIERS)]
            grams += hashed[offset : offset + width]
        grams ^= grams >> _SHIFT
        grams &= _MASK32
        # (text, hash) in one uint64, so that one sort gives every text's sorted unique hashes; the
        # n-grams that cross into the next text get the tag of a text past the last, and sort last.
        tags = np.repeat(np.arange(m, dtype=np.uint64) << _SHIFT, counts)[:width]
        if n > 1:
            ends = np.cumsum(counts)[:-1]
            tags[(ends[:, None] - np.arange(1, n)).ravel()] = np.uint64(m) << _SHIFT
        grams |= tags
        del tags
        grams.sort()
        first = np.empty(len(grams), dtype=bool)
        first[0] = True
        np.not_equal(grams[1:], grams[:-1], out=first[1:])
        grams = grams[first]
        last = len(grams) - 1
        # where each (text, range) cell starts; a text's range 0 starts it, range num_perm ends it
        cuts = np.searchsorted(grams, ((np.arange(m, dtype=np.uint64) << _SHIFT)[:, None] + self._bounds))
        shingles = cuts[:, p] - cuts[:, 0]
        # bottom-k sketch: each text's first k hashes
        lengths = np.minimum(shingles, k)
        at = cuts[:, :1] + np.arange(k)
        sketches = np.where(np.arange(k) < lengths[:, None], grams[np.minimum(at, last)] & _MASK32, 0)
        # one-permutation MinHash: each cell's first hash, less the cell's lower bound
        starts = cuts[:, :-1]
        filled = starts < cuts[:, 1:]
        sig = np.where(filled, (grams[np.minimum(starts, last)] & _MASK32) - self._bounds[:-1], 0)
        sparse = np.flatnonzero(~filled.all(axis=1))
        if sparse.size:
            sig[sparse] = _densify(sig[sparse], filled[sparse])
        sig &= _MASK32
        sketches = sketches.astype(np.uint32)
        return shingles.astype(np.int64), sig.astype(np.uint32), sketches, lengths.astype(np.int64)


def _densify(values: np.ndarray, filled: np.ndarray) -> np.ndarray:
    """``Fingerprinter.signature``'s rotation densification, for the rows of a matrix at once."""
    k = values.shape[1]
    column = np.arange(2 * k)
    # the first filled range at or after each one, going round: positions in the row written twice
    upcoming = np.where(np.concatenate([filled, filled], axis=1), column, 2 * k)
    nxt = np.minimum.accumulate(upcoming[:, ::-1], axis=1)[:, ::-1][:, :k]
    distance = (nxt - column[:k]).astype(np.uint64)
    return np.take_along_axis(values, nxt % k, axis=1) + distance * _DENSIFY


def _overlap(a: np.ndarray, a_shingles: int, b: np.ndarray, b_shingles: int, k: int) -> tuple[float, float]:
    union_k = np.union1d(a, b)[:k]
    if len(union_k) == 0:
        return 0.0, 0.0
    both = np.intersect1d(np.intersect1d(a, b, assume_unique=True), union_k, assume_unique=True)
    jaccard = len(both) / len(union_k)
    small, large = sorted((a_shingles, b_shingles))
    inter = jaccard * (small + large) / (1 + jaccard)
    return jaccard, min(1.0, inter / small) if small else 0.0


def judge_pair(
    s: NearDupSettings, sketch: np.ndarray, shingles: int, rep_sketch: np.ndarray, rep_shingles: int
) -> tuple[float, str] | None:
    """(Jaccard, "near" or "contained") when a text duplicates a representative, else None."""
    jaccard, containment = _overlap(sketch, shingles, rep_sketch, rep_shingles, s.sketch_size)
    if jaccard >= s.jaccard:
        return jaccard, "near"
    small, large = sorted((shingles, rep_shingles))
    if containment >= s.containment and small >= s.min_length_ratio * large:
        return jaccard, "contained"
    return None


def overlap(a: Fingerprint, b: Fingerprint, k: int) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger), estimated from bottom-k sketches."""
    return _overlap(a.sketch, a.shingles, b.sketch, b.shingles, k)


class _Rows:
    """Fixed-width rows appended in blocks: growing never copies, and costs no more than a block."""

    def __init__(self, width: int, block: int = 4096) -> None:
        self.width, self.block = width, block
        self._blocks: list[np.ndarray] = []
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> np.ndarray:
        return self._blocks[i // self.block][i % self.block]

    def extend(self, rows: np.ndarray) -> None:
        """Append the rows of a 2-D array (narrower rows are zero-padded)."""
        done = 0
        while done < len(rows):
            at = self._n % self.block
            if at == 0:
                self._blocks.append(np.zeros((self.block, self.width), dtype=np.uint32))
            take = min(self.block - at, len(rows) - done)
            self._blocks[-1][at : at + take, : rows.shape[1]] = rows[done : done + take]
            done += take
            self._n += take

    def array(self) -> np.ndarray:
        if not self._blocks:
            return np.zeros((0, self.width), dtype=np.uint32)
        return np.concatenate(self._blocks)[: self._n]


def _merge(
    keys_a: np.ndarray, slots_a: np.ndarray, keys_b: np.ndarray, slots_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted runs as one (b's entries after a's equal keys)."""
    where = np.searchsorted(keys_a, keys_b, side="right") + np.arange(len(keys_b))
    keys = np.empty(len(keys_a) + len(keys_b), dtype=np.uint64)
    slots = np.empty(len(keys), dtype=np.int32)
    keys[where], slots[where] = keys_b, slots_b
    rest = np.ones(len(keys), dtype=bool)
    rest[where] = False
    keys[rest], slots[rest] = keys_a, slots_a
    return keys, slots


class _Buckets:
    """LSH buckets as (band key, slot) pairs in a few sorted runs, merged as they grow.

    12 bytes a pair instead of a dict entry and its int objects; a batch of keys is looked up with
    one ``searchsorted`` per run. A run is merged into the one before it once it is at least half
    as long, so there are about log2(pairs / run) runs and each pair is copied O(log) times.
    A bitmap of 8-16 bits per pair (one bit per key, set by a hash of the key) lets most queries,
    which match nothing, skip the runs altogether. Pairs added a few at a time (one text at a
    time, as the ingest flow does) wait in a small dict until there are enough for a run.
    """

    PENDING = 16384

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._slots: list[np.ndarray] = []
        self._size = 0
        self._pending: dict[int, int | list[int]] = {}  # key -> slot, or slots when several
        self._pending_size = 0
        self._bits = np.zeros(1 << 7, dtype=np.uint8)  # 2**10 bits
        self._shift = np.uint64(64 - 10)

    def __len__(self) -> int:
        return self._size + self._pending_size

    def _mark(self, keys: np.ndarray) -> None:
        at = (keys * _GOLDEN) >> self._shift
        np.bitwise_or.at(self._bits, at >> np.uint64(3), np.left_shift(1, at & np.uint64(7)).astype(np.uint8))

    def _maybe(self, keys: np.ndarray) -> np.ndarray:
        at = (keys * _GOLDEN) >> self._shift
        return (self._bits[at >> np.uint64(3)] >> (at & np.uint64(7)).astype(np.uint8)) & np.uint8(1) > 0

    def add(self, keys: np.ndarray, slots: np.ndarray) -> None:
        if len(keys) < 256:
            pending = self._pending
            for key, slot in zip(keys.tolist(), slots.tolist(), strict=True):
                hit = pending.get(key)
                if hit is None:
                    pending[key] = slot
                elif isinstance(hit, int):
                    pending[key] = [hit, slot]
                else:
                    hit.append(slot)
            self._pending_size += len(keys)
            if self._pending_size >= self.PENDING:
                self._flush()
            return
        self._add_run(keys, slots)

    def _flush(self) -> None:
        keys, slots = [], []
        for key, hit in self._pending.items():
            if isinstance(hit, int):
                keys.append(key)
                slots.append(hit)
            else:
                keys += [key] * len(hit)
                slots += hit
        self._pending, self._pending_size = {}, 0
        self._add_run(np.array(keys, dtype=np.uint64), np.array(slots, dtype=np.int32))

    def _add_run(self, keys: np.ndarray, slots: np.ndarray) -> None:
        if len(keys) == 0:
            return
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order].astype(np.int32)
        self._size += len(keys)
        bits = 64 - int(self._shift)
        if self._size * 8 > 1 << bits:  # a new bitmap, twice as long (or more), from every key
            while self._size * 8 > 1 << bits:
                bits += 1
            self._bits = np.zeros(1 << (bits - 3), dtype=np.uint8)
            self._shift = np.uint64(64 - bits)
            for run in self._keys:
                self._mark(run)
        self._mark(keys)
        while self._keys and len(self._keys[-1]) <= 2 * len(keys):
            keys, slots = _merge(self._keys.pop(), self._slots.pop(), keys, slots)
        self._keys.append(keys)
        self._slots.append(slots)

    def lookup(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(query position, slot) for every stored pair whose key equals a query."""
        found_at: list[np.ndarray] = []
        found_slots: list[np.ndarray] = []
        if self._pending:
            pending, at, slots = self._pending, [], []
            for i, key in enumerate(queries.tolist()):
                hit = pending.get(key)
                if hit is None:
                    continue
                if isinstance(hit, int):
                    at.append(i)
                    slots.append(hit)
                else:
                    at += [i] * len(hit)
                    slots += hit
            found_at.append(np.array(at, dtype=np.intp))
            found_slots.append(np.array(slots, dtype=np.int32))
        order = np.flatnonzero(self._maybe(queries)) if self._keys and len(queries) else ()
        if len(order):
            order = order[np.argsort(queries[order])]
            ordered = queries[order]
            for keys, slots in zip(self._keys, self._slots, strict=True):
                lo = np.searchsorted(keys, ordered)
                hit = np.flatnonzero(keys[np.minimum(lo, len(keys) - 1)] == ordered)
                if hit.size == 0:
                    continue
                lo = lo[hit]
                counts = np.searchsorted(keys, ordered[hit], side="right") - lo
                offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
                found_at.append(np.repeat(order[hit], counts))
                found_slots.append(slots[np.repeat(lo, counts) + offsets])
        if not found_at:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int32)
        return np.concatenate(found_at), np.concatenate(found_slots)


class _Fresh:
    """A batch's new representatives while ``NearDuplicateIndex.dedup`` runs: slot ``first + j`` is
    row ``rows[j]`` of the batch; they are copied into the index once the batch is done."""

    def __init__(self, first: int, batch: FingerprintBatch) -> None:
        self.first, self.batch = first, batch
        self.rows: list[int] = []

    def get(self, slot: int) -> tuple[int, np.ndarray]:
        row = self.rows[slot - self.first]
        return int(self.batch.shingles[row]), self.batch.sketches[row, : self.batch.sketch_lengths[row]]


class NearDuplicateIndex:
    """Representatives' fingerprints, LSH buckets, and exact hashes; persistent via ``dumps``/``loads``.

    Per representative: its id, shingle count, sketch and signature (rows of block arrays) and
    ``bands`` bucket entries; per exact hash, its first id. Nothing is kept per duplicate. An index
    that is never saved can do without the signatures (``persistent=False``, as ``dedup_stream``):
    the buckets hold all that matching needs of them.
    """

    def __init__(self, settings: NearDupSettings | None = None, persistent: bool = True) -> None:
        self.settings = s = settings or NearDupSettings()
        self.persistent = persistent
        self.ids: list[str] = []
        self.exact: dict[str, str] = {}
        self._known: set[str] = set()
        self._shingles = array("q")
        self._lengths = array("q")
        self._sketches = _Rows(s.sketch_size)
        self._signatures = _Rows(s.num_perm)
        self._buckets = _Buckets()
        self._mix = np.arange(s.rows, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(1)
        self._tags = np.arange(s.bands, dtype=np.uint64) << np.uint64(56)

    def __len__(self) -> int:
        return len(self.ids)

    def _band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """uint64[texts, bands]: each band's rows mixed into 56 bits, the band number in the top byte."""
        s = self.settings
        rows = signatures[:, : s.bands * s.rows].astype(np.uint64).reshape(len(signatures), s.bands, s.rows)
        mixed = (rows * self._mix).sum(axis=2) >> np.uint64(8)
        return mixed | self._tags

    def candidates(self, fp: Fingerprint) -> list[int]:
        if fp.signature.size == 0:
            return []
        _, slots = self._buckets.lookup(self._band_keys(fp.signature[None, :]).ravel())
        return sorted(set(slots.tolist()))

    def _best(
        self, sketch: np.ndarray, shingles: int, slots: Iterable[int], fresh: _Fresh | None = None
    ) -> tuple[int, str] | None:
        """(slot, how) of the candidate with the highest Jaccard among those that verify."""
        s = self.settings
        best: tuple[float, int, str] | None = None
        for slot in slots:
            if fresh is not None and slot >= fresh.first:
                rep_shingles, rep_sketch = fresh.get(slot)
            else:
                rep_shingles = self._shingles[slot]
                rep_sketch = self._sketches[slot][: self._lengths[slot]]
            verdict = judge_pair(s, sketch, shingles, rep_sketch, rep_shingles)
            if verdict is not None and (best is None or verdict[0] > best[0]):
                best = (verdict[0], slot, verdict[1])
        return None if best is None else (best[1], best[2])

    def band_keys(self, fp: Fingerprint) -> list[int]:
        """The LSH bucket keys of one text (none for a text too short to compare)."""
        if fp.signature.size == 0:
            return []
        return self._band_keys(fp.signature[None, :]).ravel().tolist()

    def match(self, fp: Fingerprint) -> tuple[str, str] | None:
        """(representative id, how) for a duplicate, None for a new text."""
        if fp.exact in self.exact:
            return self.exact[fp.exact], "exact"
        found = self._best(fp.sketch, fp.shingles, self.candidates(fp))
        return None if found is None else (self.ids[found[0]], found[1])

    def _append(self, record_id: str, shingles: int, sketch: np.ndarray, signature: np.ndarray) -> int:
        slot = len(self.ids)
        self._known.add(record_id)
        self.ids.append(record_id)
        self._shingles.append(shingles)
        self._lengths.append(len(sketch))
        self._sketches.extend(sketch[None, :])
        if self.persistent:
            self._signatures.extend(signature[None, :])
        return slot

    def add(self, record_id: str, fp: Fingerprint) -> None:
        """Index a representative; adding the same id again is a no-op (recovery may re-add)."""
        if fp.exact:
            self.exact.setdefault(fp.exact, record_id)
        if fp.signature.size == 0 or record_id in self._known:
            return
        slot = self._append(record_id, int(fp.shingles), fp.sketch, fp.signature)
        keys = self._band_keys(fp.signature[None, :]).ravel()
        self._buckets.add(keys, np.full(len(keys), slot, dtype=np.int32))

    def dedup(self, ids: Sequence[str], batch: FingerprintBatch) -> list[tuple[str, str | None]]:
        """``match`` then, for a new text, ``add``, text after text: (representative, duplicate_of).

        What ``dedup_stream`` does for each text, for a batch at once: the batch's band keys are
        looked up among the indexed representatives in one go, and a text that shares a band key
        with an earlier text of the batch also looks among the batch's new representatives.
        """
        s = self.settings
        bands = s.bands
        keys = self._band_keys(batch.signatures)
        flat = keys.ravel()
        # candidates among the representatives indexed before this batch, by row
        at, slots = self._buckets.lookup(flat)
        indexed: dict[int, list[int]] = {}
        if len(at):
            pairs = np.unique((at // bands).astype(np.int64) << 32 | slots.astype(np.int64))
            for code in pairs.tolist():
                indexed.setdefault(code >> 32, []).append(code & 0xFFFFFFFF)
        # band keys that several texts of the batch share, by row
        shared: dict[int, list[int]] = {}
        if len(flat) > 1:
            ordered = np.sort(flat)
            repeated = ordered[1:][ordered[1:] == ordered[:-1]]
            if repeated.size:
                where = np.flatnonzero(np.isin(flat, repeated))
                for position, key in zip(where.tolist(), flat[where].tolist(), strict=True):
                    shared.setdefault(position // bands, []).append(key)
        local: dict[int, list[int]] = {}  # shared key -> slots of this batch's new representatives
        fresh = _Fresh(len(self.ids), batch)
        exact, known, ids_, out = self.exact, self._known, self.ids, []
        for i, record_id in enumerate(ids):
            digest = batch.exact[i]
            rep = exact.get(digest)
            if rep is not None:
                out.append((rep, rep))
                continue
            row = batch.rows[i]
            if row >= 0:
                found = indexed.get(row)
                mine = shared.get(row)
                if mine:
                    nearby = {slot for key in mine for slot in local.get(key, ())}
                    if nearby:
                        found = sorted(nearby.union(found or ()))
                if found:
                    sketch = batch.sketches[row, : batch.sketch_lengths[row]]
                    best = self._best(sketch, int(batch.shingles[row]), found, fresh)
                    if best is not None:
                        rep = ids_[best[0]]
                        out.append((rep, rep))
                        continue
            exact.setdefault(digest, record_id)
            if row >= 0 and record_id not in known:
                known.add(record_id)
                slot = len(ids_)
                ids_.append(record_id)
                fresh.rows.append(row)
                for key in mine or ():
                    local.setdefault(key, []).append(slot)
            out.append((record_id, None))
        if fresh.rows:
            rows = fresh.rows
            self._shingles.extend(batch.shingles[rows].tolist())
            self._lengths.extend(batch.sketch_lengths[rows].tolist())
            self._sketches.extend(batch.sketches[rows])
            if self.persistent:
                self._signatures.extend(batch.signatures[rows])
            slots = np.arange(fresh.first, len(ids_), dtype=np.int32)
            self._buckets.add(keys[rows].ravel(), np.repeat(slots, bands))
        return out

    # -- persistence -------------------------------------------------------------------------

    def dumps(self) -> bytes:
        """Compact form: fixed-width arrays; buckets are rebuilt from signatures on load."""
        if not self.persistent:
            raise ValueError("this index keeps no signatures (persistent=False): it cannot be saved")
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            ids=np.array(self.ids, dtype=object).astype(str),
            shingles=np.array(self._shingles, dtype=np.int64),
            sketches=self._sketches.array(),
            sketch_lengths=np.array(self._lengths, dtype=np.int32),
            signatures=self._signatures.array(),
            exact_keys=np.array(list(self.exact), dtype=str),
            exact_ids=np.array(list(self.exact.values()), dtype=str),
            settings=np.array(
                [self.settings.bands, self.settings.rows, self.settings.sketch_size, self.settings.seed]
            ),
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes, settings: NearDupSettings | None = None) -> NearDuplicateIndex:
        settings = settings or NearDupSettings()
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
        stored = arrays["settings"].tolist()
        if stored != [settings.bands, settings.rows, settings.sketch_size, settings.seed]:
            raise ValueError(f"near-duplicate index built with other settings {stored}; rebuild it")
        index = cls(settings)
        ids = arrays["ids"].tolist()
        first = [
            i
            for i, record_id in enumerate(ids)
            if record_id not in index._known and not index._known.add(record_id)
        ]
        index.ids = [ids[i] for i in first]
        index._shingles = array("q", arrays["shingles"][first].tolist())
        index._lengths = array("q", arrays["sketch_lengths"][first].tolist())
        index._sketches.extend(arrays["sketches"][first])
        signatures = arrays["signatures"][first]
        index._signatures.extend(signatures)
        keys = index._band_keys(signatures).ravel()
        index._buckets.add(keys, np.repeat(np.arange(len(first), dtype=np.int32), settings.bands))
        index.exact = dict(zip(arrays["exact_keys"].tolist(), arrays["exact_ids"].tolist(), strict=True))
        return index


# Texts per batch: enough to amortise numpy's per-call cost, few enough to stay in cache.
BATCH = 128
# Worker processes start only after this many batches, so that small inputs never pay for them.
IN_PROCESS_BATCHES = 8
# Batches handed to the workers ahead of the one being matched (bounds the texts held in memory).
AHEAD_PER_WORKER = 3

_worker_fingerprinter: Fingerprinter | None = None


def _start_worker(settings: NearDupSettings) -> None:
    global _worker_fingerprinter
    _worker_fingerprinter = Fingerprinter(settings)


def _fingerprint_in_worker(texts: list[str]) -> FingerprintBatch:
    assert _worker_fingerprinter is not None
    return _worker_fingerprinter.batch(texts)


def _pool(workers: int, settings: NearDupSettings) -> ProcessPoolExecutor:
    # fork: no re-import of anything, in particular not of the caller's __main__ (spawn would)
    return ProcessPoolExecutor(
        workers, mp_context=mp.get_context("fork"), initializer=_start_worker, initargs=(settings,)
    )


def _fingerprint_batches(
    docs: Iterable[tuple[str, str]], fingerprint: Fingerprinter, workers: int
) -> Iterator[tuple[list[str], FingerprintBatch]]:
    """(ids, fingerprints) a batch at a time, in input order; in worker processes past the first batches."""
    source = iter(docs)

    def batches() -> Iterator[tuple[list[str], list[str]]]:
        while chunk := list(islice(source, BATCH)):
            yield [doc_id for doc_id, _ in chunk], [text for _, text in chunk]

    chunks = batches()
    if "fork" not in mp.get_all_start_methods():
        workers = 1
    for ids, texts in chunks if workers <= 1 else islice(chunks, IN_PROCESS_BATCHES):
        yield ids, fingerprint.batch(texts)
    if workers <= 1:
        return
    pending: deque[tuple[list[str], Future[FingerprintBatch]]] = deque()
    pool: ProcessPoolExecutor | None = None
    try:
        for ids, texts in chunks:
            if pool is None:
                pool = _pool(workers, fingerprint.settings)
            pending.append((ids, pool.submit(_fingerprint_in_worker, texts)))
            del texts
            if len(pending) > AHEAD_PER_WORKER * workers:
                ids, future = pending.popleft()
                yield ids, future.result()
        while pending:
            ids, future = pending.popleft()
            yield ids, future.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def dedup_stream(
    docs: Iterable[tuple[str, str]], settings: NearDupSettings | None = None, workers: int | None = None
) -> Iterator[tuple[str, str, str | None]]:
    """Batch dedup for any corpus: (id, text) in, (id, cluster representative, duplicate_of) out.

    Streams: texts are read a batch at a time and dropped once fingerprinted; memory grows with
    the number of representatives (about 2 KB each), not with the texts. ``workers`` processes
    (default: one per CPU; forked, where the platform can fork) fingerprint the batches once the
    input has proved longer than a few batches; matching stays in this process, in input order.
    ``workers=1`` keeps it all in this process.
    """
    fingerprint = Fingerprinter(settings)
    index = NearDuplicateIndex(fingerprint.settings, persistent=False)
    workers = (os.cpu_count() or 1) if workers is None else workers
    for ids, batch in _fingerprint_batches(docs, fingerprint, workers):
        for record_id, (rep, duplicate_of) in zip(ids, index.dedup(ids, batch), strict=True):
            yield record_id, rep, duplicate_of
