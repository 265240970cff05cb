"""Near-duplicates: candidates from LSH bands and anchors, verified against the cluster.

Plain MinHash LSH either merges briefs that share site chrome (low threshold) or misses
truncated copies (high threshold). Copies found in the wild carry several changes at once
(a new headline, house-style edits, a cut at 50-90%, another site's chrome, a flattened
scrape), which is where a one-threshold, one-representative check failed. Why each kind was
missed, and what answers it here:

- *Chrome counted as the article's words* (a brief syndicated into another site's chrome is
  a third of its page; a teaser in other chrome loses containment to it). The fingerprint is
  of the text less its chrome lines (``pipeline.dedup.identity``: the cleaning rules' own
  patterns, and in a corpus the short lines that recur across clusters).
- *Candidate generation* (a copy cut to half has Jaccard 0.4-0.5 with its original, which
  25 bands of 3 rows propose only 80-96% of the time): each text is also filed under its
  ``anchors`` smallest shingle hashes, which a truncated copy keeps (the smallest hashes of
  the part it kept are among the original's smallest), and a brief under its core's. An
  anchor held by more than ``anchor_cap`` texts (a stock phrase) proposes nothing.
- *Verification against one representative that is itself a variant* (a truncated copy of
  the original, compared with an edited copy that came first): a cluster keeps the union of
  its members' shingles (bottom-k) and its members' keys, and a text is contained in the
  cluster if it is contained in that union. Containment is of the smaller text in the larger,
  whichever came first (the representative may be the teaser). Among the clusters a text
  verifies against, it joins the one that has gathered most.
- *Briefs*: two brief-sized texts (one paragraph's worth of prose) are judged by their
  cores, their main paragraphs: the whole texts must match by the strict thresholds and one
  core be inside the other, or the cores agree whatever surrounds them. Briefs of different
  stories in one site's chrome share the chrome, not their cores.
- texts shorter than ``min_words`` (less their chrome) only ever match exactly.

Thresholds (``NearDupSettings``) were chosen on the ``tune`` split of
``benchmarks/dedup/syndication.py`` and are reported on its ``report`` split and on the older
one-change set; same-story articles there reuse at most half of the shorter one's shingles,
which is what the containment threshold stays clear of.

Overlap is measured on bottom-k sketches of the shingle hashes, which are the whole set for
texts up to k shingles (exact) and a tight estimate above. A text is compared with clusters
(representative and union), never chained through other texts: a chain of pairwise matches
cannot glue unrelated texts together.

Shingles are hashed once per token (crc32) and combined into 5-gram hashes
with numpy, and the signature is one-permutation MinHash over the sorted
hashes, which keeps Python's per-shingle work (the cost that dominates
datasketch and rensa) out of the loop. ``dedup_stream`` goes further: it
fingerprints a batch of texts at once (``Fingerprinter.batch``: ASCII texts
folded with one ``bytes.translate``, one crc32 per token, then every 5-gram,
sort, signature and sketch of the batch in a handful of numpy calls, with the
same results as ``Fingerprinter.__call__``), in worker processes when the
input is long, and looks the whole batch up in the LSH buckets at once.

The index keeps representatives in fixed-width numpy blocks (sketch, signature) and the LSH
buckets and anchors as a few sorted runs of (key, slot), merged as they grow. ``dedup_stream``
holds about 2 KB per cluster (sketch 1 KB, bucket and anchor entries 0.5 KB, id and exact
hash; no signature, which only ``dumps`` needs), plus a union sketch (1 KB) for a cluster with
copies and each copy's keys (0.5 KB), and nothing per text.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing as mp
import os
import zlib
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from pipeline.dedup.identity import RecurringBlocks, core_text, identity_text, prose_words
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
    jaccard: float = 0.55
    containment: float = 0.65
    # Below this many words (of the text less its chrome) only exact (folded) matches count:
    # short texts share too much by chance.
    min_words: int = 25
    # Containment only when the shorter text is at least this share of the longer: a brief is
    # not a "truncated copy" of a long article it happens to quote.
    min_length_ratio: float = 0.3
    # Candidates also come from the text's ``anchors`` smallest shingle hashes, which a truncated
    # copy keeps (LSH bands find pairs by Jaccard, which truncation halves). An anchor held by
    # more than ``anchor_cap`` texts (a stock phrase) proposes nothing.
    anchors: int = 12
    anchor_cap: int = 64
    # Two briefs (texts with at most ``brief_words`` words of prose, and so at most
    # ``brief_shingles`` shingles) match only if the core (main paragraph) of one is at least
    # ``core_share`` inside the other: briefs in one site's chrome share the chrome, not their cores.
    core_share: float = 0.5
    brief_words: int = 200
    brief_shingles: int = 400
    # Brief-sized pairs: the whole texts by these (stricter) thresholds, or cores that agree (the
    # smaller core at least ``core_agree`` inside the other): a brief syndicated into another
    # site's chrome keeps its core and little else.
    brief_jaccard: float = 0.75
    brief_containment: float = 0.88
    core_agree: float = 0.6
    core_min_shingles: int = 15
    # Judge the text less its chrome lines (``pipeline.dedup.identity``).
    strip_chrome: bool = True
    seed: int = 42
    # Bumped when what a fingerprint is made of changes: an index saved by another version is
    # rebuilt from the stored records.
    version: int = 2

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows


_EMPTY = np.empty(0, dtype=np.uint32)


@dataclass
class Fingerprint:
    exact: str
    words: int
    shingles: int
    signature: np.ndarray  # uint32[num_perm], empty for short texts
    sketch: np.ndarray  # sorted unique uint32, the smallest sketch_size shingle hashes
    # sorted unique uint32 shingle hashes of the longest paragraph, for texts whose sketch is
    # their whole shingle set (the short-text rule); empty otherwise
    core: np.ndarray = field(default_factory=lambda: _EMPTY.copy())


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
    cores: dict[int, np.ndarray] = field(default_factory=dict)  # row -> core, short texts only

    def __len__(self) -> int:
        return len(self.exact)

    def core(self, row: int) -> np.ndarray:
        return self.cores.get(row, _EMPTY)

    def fingerprint(self, i: int) -> Fingerprint:
        row = self.rows[i]
        if row < 0:
            return Fingerprint(self.exact[i], self.words[i], 0, _EMPTY.copy(), _EMPTY.copy())
        sketch = self.sketches[row, : self.sketch_lengths[row]].copy()
        return Fingerprint(
            self.exact[i],
            self.words[i],
            int(self.shingles[row]),
            self.signatures[row].copy(),
            sketch,
            self.core(row).copy(),
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
            {row: fp.core for row, fp in enumerate(full) if fp.core.size},
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

    def identity(self, text: str) -> str:
        """What is judged of ``text``: less its chrome lines (``pipeline.dedup.identity``)."""
        return identity_text(text) if self.settings.strip_chrome else text

    def is_brief(self, text: str, shingles: int) -> bool:
        """A brief: one paragraph of prose, maybe in chrome lines (judged by ``_judge_briefs``)."""
        s = self.settings
        return shingles <= s.brief_shingles and prose_words(text) <= s.brief_words

    def core(self, text: str) -> np.ndarray:
        """Shingle hashes of the longest paragraph of ``text`` (an identity text)."""
        return self.shingle_hashes(fold(core_text(text))).astype(np.uint32)

    def __call__(self, text: str) -> Fingerprint:
        text = self.identity(text)
        folded = fold(text)
        exact = hash_folded(folded)
        words = folded.count(" ") + 1 if folded else 0
        if words < self.settings.min_words:
            empty = np.empty(0, dtype=np.uint32)
            return Fingerprint(exact, words, 0, empty, empty)
        shingles = self.shingle_hashes(folded)
        # np.unique sorted them by hash value, so the bottom-k sketch is the first k.
        sketch = shingles[: self.settings.sketch_size].astype(np.uint32)
        core = self.core(text) if self.is_brief(text, len(shingles)) else _EMPTY.copy()
        return Fingerprint(exact, words, len(shingles), self.signature(shingles), sketch, core)

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
        identities = [self.identity(text) for text in texts]
        for text in identities:
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
        cores = {
            row: self.core(identities[i])
            for i, row in enumerate(rows)
            if row >= 0 and self.is_brief(identities[i], int(shingles[row]))
        }
        return FingerprintBatch(exact, words, rows, shingles, signatures, sketches, lengths, cores)

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


def _estimate(a: np.ndarray, a_shingles: int, b: np.ndarray, b_shingles: int, k: int) -> tuple[float, float]:
    """(Jaccard, size of the intersection) of two shingle sets, from their bottom-k sketches.

    One sort of both sketches: a hash seen twice is in both (each sketch is unique), and the
    bottom-k of the union ends at the k-th distinct hash.
    """
    merged = np.concatenate((a, b))
    if len(merged) == 0:
        return 0.0, 0.0
    merged.sort()
    twice = merged[1:] == merged[:-1]
    distinct = len(merged) - int(np.count_nonzero(twice))
    if distinct > k:
        cut = merged[np.flatnonzero(np.concatenate(([True], ~twice)))[k - 1]]
        both = int(np.count_nonzero(merged[1:][twice] <= cut))
        jaccard = both / k
    else:
        jaccard = (len(merged) - distinct) / distinct
    return jaccard, jaccard * (a_shingles + b_shingles) / (1 + jaccard)


def _overlap(a: np.ndarray, a_shingles: int, b: np.ndarray, b_shingles: int, k: int) -> tuple[float, float]:
    jaccard, inter = _estimate(a, a_shingles, b, b_shingles, k)
    small = min(a_shingles, b_shingles)
    return jaccard, min(1.0, inter / small) if small else 0.0


def _inside(part: np.ndarray, sketch: np.ndarray, k: int) -> float:
    """Share of ``part`` (sorted unique hashes) found in the set whose bottom-k sketch is ``sketch``:
    of all of ``part`` when the sketch is the whole set, else of the hashes the sketch covers."""
    if len(sketch) >= k:
        part = part[: np.searchsorted(part, sketch[-1], side="right")]
    if part.size == 0 or sketch.size == 0:
        return 0.0
    at = np.minimum(np.searchsorted(sketch, part), len(sketch) - 1)
    return int(np.count_nonzero(sketch[at] == part)) / part.size


def merge_union(
    union: tuple[int, np.ndarray], sketch: np.ndarray, shingles: int, k: int
) -> tuple[int, np.ndarray]:
    """A cluster's union (shingle count, bottom-k sketch) with one more member's shingles in it."""
    count, mine = union
    _, inter = _estimate(mine, count, sketch, shingles, k)
    return round(count + shingles - inter), np.union1d(mine, sketch)[:k].astype(np.uint32)


def judge_pair(
    s: NearDupSettings,
    sketch: np.ndarray,
    shingles: int,
    rep_sketch: np.ndarray,
    rep_shingles: int,
    core: np.ndarray = _EMPTY,
    rep_core: np.ndarray = _EMPTY,
    union: tuple[int, np.ndarray] | None = None,
) -> tuple[float, str] | None:
    """(Jaccard, "near" or "contained") when a text duplicates a cluster, else None.

    The cluster is its representative and, once it has other members, the union of their
    shingles: a truncated copy of an edited copy is inside what the cluster has seen though not
    inside the representative, which may be another variant. Containment is of the smaller
    text in the larger whichever came first (the representative may be the truncated one), and
    of the new text in the union. Two brief-sized texts are judged by ``_judge_briefs``.
    """
    k = s.sketch_size
    jaccard, inter = _estimate(sketch, shingles, rep_sketch, rep_shingles, k)
    small, large = sorted((shingles, rep_shingles))
    if core.size and rep_core.size:
        return _judge_briefs(s, jaccard, inter, small, large, sketch, rep_sketch, core, rep_core)
    if jaccard >= s.jaccard:
        return jaccard, "near"
    if small >= s.min_length_ratio * large and small and inter >= s.containment * small:
        return jaccard, "contained"
    if union is not None and shingles >= s.min_length_ratio * max(union[0], rep_shingles):
        _, union_inter = _estimate(sketch, shingles, union[1], union[0], k)
        if union_inter >= s.containment * shingles:
            return jaccard, "contained"
    return None


def _judge_briefs(
    s: NearDupSettings,
    jaccard: float,
    inter: float,
    small: int,
    large: int,
    sketch: np.ndarray,
    rep_sketch: np.ndarray,
    core: np.ndarray,
    rep_core: np.ndarray,
) -> tuple[float, str] | None:
    """``judge_pair`` for two brief-sized texts: most of such a text may be chrome, so either the
    whole texts match by the strict thresholds and one's core is inside the other, or their
    cores agree whatever surrounds them."""
    k = s.sketch_size
    strict = jaccard >= s.brief_jaccard or (
        small >= s.min_length_ratio * large and small and inter >= s.brief_containment * small
    )
    if strict and max(_inside(core, rep_sketch, k), _inside(rep_core, sketch, k)) >= s.core_share:
        return jaccard, "near" if jaccard >= s.brief_jaccard else "contained"
    less, more = sorted((core, rep_core), key=len)
    if len(less) >= s.core_min_shingles and _inside(less, more, len(more) + 1) >= s.core_agree:
        return jaccard, "same core"
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

    def lookup(self, queries: np.ndarray, cap: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(query position, slot) for every stored pair whose key equals a query; with ``cap``, a
        key held by more than ``cap`` pairs in a run (or in the pending pairs) answers nothing
        from it (the cap is per run: a key spread over runs can hold up to a few times more)."""
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
                elif cap is None or len(hit) <= cap:
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
                if cap is not None:
                    small = counts <= cap
                    hit, lo, counts = hit[small], lo[small], counts[small]
                offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
                found_at.append(np.repeat(order[hit], counts))
                found_slots.append(slots[np.repeat(lo, counts) + offsets])
        if not found_at:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int32)
        return np.concatenate(found_at), np.concatenate(found_slots)


_ANCHOR_TAG = np.uint64(0xFE) << np.uint64(56)
# A brief-sized text's core (main paragraph) gives this many anchors of its own.
CORE_ANCHORS = 4


class _Fresh:
    """A batch's new representatives while ``NearDuplicateIndex.dedup`` runs: slot ``first + j`` is
    row ``rows[j]`` of the batch; they are copied into the index once the batch is done."""

    def __init__(self, first: int, batch: FingerprintBatch) -> None:
        self.first, self.batch = first, batch
        self.rows: list[int] = []

    def get(self, slot: int) -> tuple[int, np.ndarray, np.ndarray]:
        row = self.rows[slot - self.first]
        batch = self.batch
        return int(batch.shingles[row]), batch.sketches[row, : batch.sketch_lengths[row]], batch.core(row)


@dataclass
class _BatchKeys:
    """A batch's key lookups: clusters indexed per row, keys rows share, and (filled as the batch
    is judged) the slots of clusters the batch's texts made or joined, per shared key."""

    indexed: dict[int, list[int]]
    shared: dict[int, list[int]]
    local: dict[int, list[int]] = field(default_factory=dict)


def _shared_keys(keys: np.ndarray) -> dict[int, list[int]]:
    """Keys that several texts of the batch share, by row."""
    width, flat = keys.shape[1], keys.ravel()
    shared: dict[int, list[int]] = {}
    if len(flat) > 1:
        ordered = np.sort(flat)
        repeated = ordered[1:][ordered[1:] == ordered[:-1]]
        if repeated.size:
            where = np.flatnonzero(np.isin(flat, repeated))
            for position, key in zip(where.tolist(), flat[where].tolist(), strict=True):
                shared.setdefault(position // width, []).append(key)
    return shared


class NearDuplicateIndex:
    """Clusters' fingerprints, LSH buckets, anchors and exact hashes; persistent via ``dumps``/``loads``.

    Per cluster: its representative's id, shingle count, sketch, core (short texts) and signature
    (rows of block arrays), ``bands`` bucket entries and ``anchors`` anchor entries; once it has
    other members, the union of their shingles (count and bottom-k sketch) and their bucket and
    anchor entries too, so that a later copy finds the cluster through whichever variant it is
    closest to. Per exact hash, its cluster. An index that is never saved can do without the
    signatures (``persistent=False``, as ``dedup_stream``): the buckets hold all that matching
    needs of them.
    """

    def __init__(self, settings: NearDupSettings | None = None, persistent: bool = True) -> None:
        self.settings = s = settings or NearDupSettings()
        self.persistent = persistent
        self.ids: list[str] = []
        self.exact: dict[str, str] = {}
        self._slot: dict[str, int] = {}
        self._shingles = array("q")
        self._lengths = array("q")
        self._sketches = _Rows(s.sketch_size)
        self._signatures = _Rows(s.num_perm)
        self._cores: dict[int, np.ndarray] = {}
        self._unions: dict[int, tuple[int, np.ndarray]] = {}
        # members' keys, for dumps: (slot, signature, anchors)
        self._members: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._buckets = _Buckets()
        self._anchors = _Buckets()
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

    def _anchor_values(
        self, sketches: np.ndarray, cores: Callable[[int], np.ndarray], lengths: np.ndarray | None = None
    ) -> np.ndarray:
        """uint32[texts, anchors + CORE_ANCHORS]: each text's smallest shingle hashes, then its
        core's smallest (a brief in heavy chrome is found through its own words). Places a text
        has nothing for repeat its first anchor. ``lengths``: of the sketches, when zero-padded."""
        m = self.settings.anchors
        out = np.repeat(sketches[:, :1], m + CORE_ANCHORS, axis=1).astype(np.uint32)
        width = min(m, sketches.shape[1])
        out[:, :width] = sketches[:, :width]
        if lengths is not None:
            short = np.flatnonzero(lengths < m)
            for row in short.tolist():
                out[row, lengths[row] : m] = sketches[row, 0]
        for row in range(len(sketches)):
            core = cores(row)
            if core.size:
                take = min(CORE_ANCHORS, core.size)
                out[row, m : m + take] = core[:take]
        return out

    def _anchor_keys(
        self, sketches: np.ndarray, cores: Callable[[int], np.ndarray], lengths: np.ndarray | None = None
    ) -> np.ndarray:
        """``_anchor_values`` tagged apart from band keys."""
        return self._anchor_values(sketches, cores, lengths).astype(np.uint64) | _ANCHOR_TAG

    def _lookup(self, bands: np.ndarray, anchors: np.ndarray) -> dict[int, list[int]]:
        """Candidate slots by row, for rows of band keys and anchor keys."""
        found: list[np.ndarray] = []
        for buckets, keys, cap in (
            (self._buckets, bands, None),
            (self._anchors, anchors, self.settings.anchor_cap),
        ):
            at, slots = buckets.lookup(keys.ravel(), cap)
            if len(at):
                found.append((at // keys.shape[1]).astype(np.int64) << 32 | slots.astype(np.int64))
        out: dict[int, list[int]] = {}
        if found:
            for code in np.unique(np.concatenate(found)).tolist():
                out.setdefault(code >> 32, []).append(code & 0xFFFFFFFF)
        return out

    def keys(self, fp: Fingerprint) -> list[int]:
        """The bucket keys of one text, bands then anchors (none for a text too short to compare)."""
        if fp.signature.size == 0:
            return []
        bands = self._band_keys(fp.signature[None, :]).ravel()
        anchors = self._anchor_keys(fp.sketch[None, :], lambda _: fp.core).ravel()
        return list(dict.fromkeys([*bands.tolist(), *anchors.tolist()]))

    band_keys = keys

    def candidates(self, fp: Fingerprint) -> list[int]:
        if fp.signature.size == 0:
            return []
        found = self._lookup(
            self._band_keys(fp.signature[None, :]), self._anchor_keys(fp.sketch[None, :], lambda _: fp.core)
        )
        return found.get(0, [])

    def _rep(self, slot: int, fresh: _Fresh | None) -> tuple[int, np.ndarray, np.ndarray]:
        if fresh is not None and slot >= fresh.first:
            return fresh.get(slot)
        return (
            self._shingles[slot],
            self._sketches[slot][: self._lengths[slot]],
            self._cores.get(slot, _EMPTY),
        )

    def _best(
        self,
        sketch: np.ndarray,
        shingles: int,
        core: np.ndarray,
        slots: Iterable[int],
        fresh: _Fresh | None = None,
    ) -> tuple[int, str, float] | None:
        """(slot, how, Jaccard) of the candidate with the highest Jaccard among those that verify."""
        s = self.settings
        best: tuple[tuple[int, float], int, str] | None = None
        for slot in slots:
            rep_shingles, rep_sketch, rep_core = self._rep(slot, fresh)
            verdict = judge_pair(
                s, sketch, shingles, rep_sketch, rep_shingles, core, rep_core, self._unions.get(slot)
            )
            if verdict is None:
                continue
            # the cluster that has gathered the most of the story's copies, then the closest
            rank = (self._unions.get(slot, (0,))[0], verdict[0])
            if best is None or rank > best[0]:
                best = (rank, slot, verdict[1])
        return None if best is None else (best[1], best[2], best[0][1])

    def match(self, fp: Fingerprint) -> tuple[str, str] | None:
        """(representative id, how) for a duplicate, None for a new text."""
        if fp.exact in self.exact:
            return self.exact[fp.exact], "exact"
        found = self._best(fp.sketch, fp.shingles, fp.core, self.candidates(fp))
        return None if found is None else (self.ids[found[0]], found[1])

    def _append(
        self, record_id: str, shingles: int, sketch: np.ndarray, signature: np.ndarray, core: np.ndarray
    ) -> int:
        slot = len(self.ids)
        self._slot[record_id] = slot
        self.ids.append(record_id)
        self._shingles.append(shingles)
        self._lengths.append(len(sketch))
        self._sketches.extend(sketch[None, :])
        if core.size:
            self._cores[slot] = core
        if self.persistent:
            self._signatures.extend(signature[None, :])
        return slot

    def _enter_keys(self, slot: int, signature: np.ndarray, anchors: np.ndarray) -> None:
        """``anchors``: the text's ``_anchor_values``."""
        bands = self._band_keys(signature[None, :]).ravel()
        self._buckets.add(bands, np.full(len(bands), slot, dtype=np.int32))
        keys = anchors.astype(np.uint64) | _ANCHOR_TAG
        self._anchors.add(keys, np.full(len(keys), slot, dtype=np.int32))

    def add(self, record_id: str, fp: Fingerprint) -> None:
        """Index a representative; adding the same id again is a no-op (recovery may re-add)."""
        if fp.exact:
            self.exact.setdefault(fp.exact, record_id)
        if fp.signature.size == 0 or record_id in self._slot:
            return
        slot = self._append(record_id, int(fp.shingles), fp.sketch, fp.signature, fp.core)
        self._enter_keys(slot, fp.signature, self._anchor_values(fp.sketch[None, :], lambda _: fp.core)[0])

    def _join(self, slot: int, sketch: np.ndarray, shingles: int) -> None:
        """A member's shingles go into its cluster's union."""
        union = self._unions.get(slot)
        if union is None:
            union = (self._shingles[slot], self._sketches[slot][: self._lengths[slot]].copy())
        self._unions[slot] = merge_union(union, sketch, shingles, self.settings.sketch_size)

    def add_member(self, record_id: str, fp: Fingerprint) -> None:
        """``fp`` was judged a copy of cluster ``record_id``: it joins the cluster's union, and its
        keys lead to the cluster. Exact hashes lead there too."""
        if fp.exact:
            self.exact.setdefault(fp.exact, record_id)
        slot = self._slot.get(record_id)
        if slot is None or fp.signature.size == 0:
            return
        self._join(slot, fp.sketch, int(fp.shingles))
        anchors = self._anchor_values(fp.sketch[None, :], lambda _: fp.core)[0]
        self._enter_keys(slot, fp.signature, anchors)
        if self.persistent:
            self._members.append((slot, fp.signature.copy(), anchors))

    def dedup(self, ids: Sequence[str], batch: FingerprintBatch) -> list[tuple[str, str | None]]:
        """``match`` then ``add`` (a new text) or ``add_member`` (a copy), text after text:
        (representative, duplicate_of).

        What ``dedup_stream`` does for each text, for a batch at once: the batch's band and anchor
        keys are looked up among the indexed clusters in one go, and a text that shares a key with
        an earlier text of the batch also looks among the clusters that text made or joined.
        """
        bands = self._band_keys(batch.signatures)
        anchor_values = self._anchor_values(batch.sketches, batch.core, batch.sketch_lengths)
        anchors = anchor_values.astype(np.uint64) | _ANCHOR_TAG
        shared = _shared_keys(np.concatenate([bands, anchors], axis=1))
        batch_keys = _BatchKeys(indexed=self._lookup(bands, anchors), shared=shared)
        fresh = _Fresh(len(self.ids), batch)
        members: list[tuple[int, int]] = []  # (row, slot)
        out = [
            self._dedup_one(i, rid, batch, batch_keys, fresh, members) for i, rid in enumerate(ids)
        ]
        self._enter_batch(batch, fresh, members, bands, anchors, anchor_values)
        return out

    def _dedup_one(
        self,
        i: int,
        record_id: str,
        batch: FingerprintBatch,
        keys: _BatchKeys,
        fresh: _Fresh,
        members: list[tuple[int, int]],
    ) -> tuple[str, str | None]:
        digest = batch.exact[i]
        rep = self.exact.get(digest)
        if rep is not None:
            return rep, rep
        row = batch.rows[i]
        mine = keys.shared.get(row) if row >= 0 else None
        if row >= 0:
            found = keys.indexed.get(row)
            if mine:
                nearby = {slot for key in mine for slot in keys.local.get(key, ())}
                if nearby:
                    found = sorted(nearby.union(found or ()))
            if found and (rep := self._join_batch(row, digest, batch, found, mine, keys, fresh, members)):
                return rep, rep
        self.exact.setdefault(digest, record_id)
        if row >= 0 and record_id not in self._slot:
            slot = len(self.ids)
            self._slot[record_id] = slot
            self.ids.append(record_id)
            fresh.rows.append(row)
            core = batch.core(row)
            if core.size:
                self._cores[slot] = core
            for key in mine or ():
                keys.local.setdefault(key, []).append(slot)
        return record_id, None

    def _join_batch(
        self,
        row: int,
        digest: str,
        batch: FingerprintBatch,
        found: Sequence[int],
        mine: list[int] | None,
        keys: _BatchKeys,
        fresh: _Fresh,
        members: list[tuple[int, int]],
    ) -> str | None:
        """The representative of the cluster the batch's text ``row`` joins, if it joins one."""
        sketch = batch.sketches[row, : batch.sketch_lengths[row]]
        shingles = int(batch.shingles[row])
        best = self._best(sketch, shingles, batch.core(row), found, fresh)
        if best is None:
            return None
        slot = best[0]
        rep = self.ids[slot]
        self.exact.setdefault(digest, rep)
        if slot < fresh.first:
            self._join(slot, sketch, shingles)
        else:
            self._join_fresh(fresh, slot, sketch, shingles)
        members.append((row, slot))
        for key in mine or ():
            keys.local.setdefault(key, []).append(slot)
        return rep

    def _enter_batch(
        self,
        batch: FingerprintBatch,
        fresh: _Fresh,
        members: list[tuple[int, int]],
        bands: np.ndarray,
        anchors: np.ndarray,
        anchor_values: np.ndarray,
    ) -> None:
        """The batch's new clusters and new members into the index's arrays and key tables."""
        if fresh.rows:
            rows = fresh.rows
            self._shingles.extend(batch.shingles[rows].tolist())
            self._lengths.extend(batch.sketch_lengths[rows].tolist())
            self._sketches.extend(batch.sketches[rows])
            if self.persistent:
                self._signatures.extend(batch.signatures[rows])
        entries = list(zip(fresh.rows, range(fresh.first, len(self.ids)), strict=True)) + members
        if entries:
            rows_, slots_ = (np.array(x) for x in zip(*entries, strict=True))
            self._buckets.add(bands[rows_].ravel(), np.repeat(slots_.astype(np.int32), self.settings.bands))
            self._anchors.add(anchors[rows_].ravel(), np.repeat(slots_.astype(np.int32), anchors.shape[1]))
        if self.persistent:
            for row, slot in members:
                self._members.append((slot, batch.signatures[row].copy(), anchor_values[row].copy()))

    def _join_fresh(self, fresh: _Fresh, slot: int, sketch: np.ndarray, shingles: int) -> None:
        union = self._unions.get(slot)
        if union is None:
            count, rep_sketch, _ = fresh.get(slot)
            union = (count, rep_sketch.copy())
        self._unions[slot] = merge_union(union, sketch, shingles, self.settings.sketch_size)

    # -- persistence -------------------------------------------------------------------------

    def _settings_key(self) -> list[int]:
        s = self.settings
        return [s.bands, s.rows, s.sketch_size, s.seed, s.anchors, s.version]

    def dumps(self) -> bytes:
        """Compact form: fixed-width arrays; buckets are rebuilt from signatures on load."""
        if not self.persistent:
            raise ValueError("this index keeps no signatures (persistent=False): it cannot be saved")
        s = self.settings
        buffer = io.BytesIO()
        unions = sorted(self._unions.items())
        union_sketches = np.zeros((len(unions), s.sketch_size), dtype=np.uint32)
        for i, (_, (_, sketch)) in enumerate(unions):
            union_sketches[i, : len(sketch)] = sketch
        cores = sorted(self._cores.items())
        np.savez_compressed(
            buffer,
            ids=np.array(self.ids, dtype=object).astype(str),
            shingles=np.array(self._shingles, dtype=np.int64),
            sketches=self._sketches.array(),
            sketch_lengths=np.array(self._lengths, dtype=np.int32),
            signatures=self._signatures.array(),
            exact_keys=np.array(list(self.exact), dtype=str),
            exact_ids=np.array(list(self.exact.values()), dtype=str),
            union_slots=np.array([slot for slot, _ in unions], dtype=np.int64),
            union_shingles=np.array([u[0] for _, u in unions], dtype=np.int64),
            union_sketches=union_sketches,
            union_lengths=np.array([len(u[1]) for _, u in unions], dtype=np.int64),
            core_slots=np.array([slot for slot, _ in cores], dtype=np.int64),
            core_lengths=np.array([len(c) for _, c in cores], dtype=np.int64),
            core_values=np.concatenate([c for _, c in cores]) if cores else np.zeros(0, np.uint32),
            member_slots=np.array([m[0] for m in self._members], dtype=np.int64),
            member_signatures=(
                np.stack([m[1] for m in self._members])
                if self._members
                else np.zeros((0, s.num_perm), np.uint32)
            ),
            member_anchors=(
                np.stack([m[2] for m in self._members])
                if self._members
                else np.zeros((0, s.anchors + CORE_ANCHORS), np.uint32)
            ),
            settings=np.array(self._settings_key()),
        )
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes, settings: NearDupSettings | None = None) -> NearDuplicateIndex:
        settings = settings or NearDupSettings()
        arrays = np.load(io.BytesIO(data), allow_pickle=False)
        index = cls(settings)
        stored = arrays["settings"].tolist()
        if stored != index._settings_key():
            raise ValueError(f"near-duplicate index built with other settings {stored}; rebuild it")
        ids = arrays["ids"].tolist()
        first: list[int] = []
        for i, record_id in enumerate(ids):
            if record_id not in index._slot:
                index._slot[record_id] = len(first)
                first.append(i)
        index.ids = [ids[i] for i in first]
        index._shingles = array("q", arrays["shingles"][first].tolist())
        index._lengths = array("q", arrays["sketch_lengths"][first].tolist())
        sketches = arrays["sketches"][first]
        index._sketches.extend(sketches)
        signatures = arrays["signatures"][first]
        index._signatures.extend(signatures)
        slots = np.arange(len(first), dtype=np.int32)
        index._buckets.add(index._band_keys(signatures).ravel(), np.repeat(slots, settings.bands))
        index.exact = dict(zip(arrays["exact_keys"].tolist(), arrays["exact_ids"].tolist(), strict=True))
        for slot, count, sketch, length in zip(
            arrays["union_slots"].tolist(),
            arrays["union_shingles"].tolist(),
            arrays["union_sketches"],
            arrays["union_lengths"].tolist(),
            strict=True,
        ):
            index._unions[slot] = (count, sketch[:length].copy())
        offsets = np.cumsum(arrays["core_lengths"]) - arrays["core_lengths"]
        values = arrays["core_values"]
        for slot, start, length in zip(
            arrays["core_slots"].tolist(), offsets.tolist(), arrays["core_lengths"].tolist(), strict=True
        ):
            index._cores[slot] = values[start : start + length].copy()
        keys = index._anchor_keys(
            sketches, lambda row: index._cores.get(row, _EMPTY), arrays["sketch_lengths"][first]
        )
        index._anchors.add(keys.ravel(), np.repeat(slots, keys.shape[1]))
        member_slots = arrays["member_slots"].astype(np.int32)
        if len(member_slots):
            member_signatures, member_anchors = arrays["member_signatures"], arrays["member_anchors"]
            index._members = list(zip(member_slots.tolist(), member_signatures, member_anchors, strict=True))
            index._buckets.add(
                index._band_keys(member_signatures).ravel(), np.repeat(member_slots, settings.bands)
            )
            anchors = member_anchors.astype(np.uint64) | _ANCHOR_TAG
            index._anchors.add(anchors.ravel(), np.repeat(member_slots, anchors.shape[1]))
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


Blocks = list[tuple[str, int]]


def _fingerprint_batches(
    docs: Iterable[tuple[str, str]], fingerprint: Fingerprinter, workers: int, chrome: RecurringBlocks | None
) -> Iterator[tuple[list[str], list[Blocks], FingerprintBatch]]:
    """(ids, short lines, fingerprints) a batch at a time, in input order; in worker processes past
    the first batches. Lines ``chrome`` has learned as the corpus's chrome are taken out first (in
    this process: what was learned up to the batches already handed out)."""
    source = iter(docs)

    def batches() -> Iterator[tuple[list[str], list[Blocks], list[str]]]:
        while chunk := list(islice(source, BATCH)):
            texts = [text for _, text in chunk]
            blocks: list[Blocks] = [[] for _ in texts]
            if chrome is not None:
                blocks = [chrome.candidates(text) for text in texts]
                texts = [chrome.strip(text, mine) for text, mine in zip(texts, blocks, strict=True)]
            yield [doc_id for doc_id, _ in chunk], blocks, texts

    chunks = batches()
    if "fork" not in mp.get_all_start_methods():
        workers = 1
    for ids, blocks, texts in chunks if workers <= 1 else islice(chunks, IN_PROCESS_BATCHES):
        yield ids, blocks, fingerprint.batch(texts)
    if workers <= 1:
        return
    pending: deque[tuple[list[str], list[Blocks], Future[FingerprintBatch]]] = deque()
    pool: ProcessPoolExecutor | None = None
    try:
        for ids, blocks, texts in chunks:
            if pool is None:
                pool = _pool(workers, fingerprint.settings)
            pending.append((ids, blocks, pool.submit(_fingerprint_in_worker, texts)))
            del texts
            if len(pending) > AHEAD_PER_WORKER * workers:
                ids, blocks, future = pending.popleft()
                yield ids, blocks, future.result()
        while pending:
            ids, blocks, future = pending.popleft()
            yield ids, blocks, future.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def dedup_stream(
    docs: Iterable[tuple[str, str]],
    settings: NearDupSettings | None = None,
    workers: int | None = None,
    learn_chrome: bool = True,
) -> Iterator[tuple[str, str, str | None]]:
    """Batch dedup for any corpus: (id, text) in, (id, cluster representative, duplicate_of) out.

    Streams: texts are read a batch at a time and dropped once fingerprinted; memory grows with
    the number of clusters (about 2 KB each), not with the texts. ``workers`` processes
    (default: one per CPU; forked, where the platform can fork) fingerprint the batches once the
    input has proved longer than a few batches; matching stays in this process, in input order.
    ``workers=1`` keeps it all in this process.

    A corpus has not been through the cleaning rules, so besides the chrome lines the rules'
    patterns know (``NearDupSettings.strip_chrome``), ``learn_chrome`` discounts short lines that
    recur in documents of several clusters (``pipeline.dedup.identity.RecurringBlocks``): a
    site's navigation, related links and footer, whatever their wording.
    """
    fingerprint = Fingerprinter(settings)
    index = NearDuplicateIndex(fingerprint.settings, persistent=False)
    chrome = RecurringBlocks() if learn_chrome else None
    workers = (os.cpu_count() or 1) if workers is None else workers
    for ids, blocks, batch in _fingerprint_batches(docs, fingerprint, workers, chrome):
        verdicts = index.dedup(ids, batch)
        for record_id, mine, (rep, duplicate_of) in zip(ids, blocks, verdicts, strict=True):
            if chrome is not None and mine:
                chrome.observe(mine, zlib.crc32(rep.encode("utf-8")) >> 1)
            yield record_id, rep, duplicate_of
