"""Near-duplicate fingerprints: folded 5-gram shingles, a one-permutation MinHash signature (for
LSH) and a bottom-k sketch (for verification), one text at a time or a batch at once.

Shingles are hashed once per token (crc32) and combined into 5-gram hashes with numpy, and the
signature is one-permutation MinHash over the sorted hashes, which keeps Python's per-shingle
work (the cost that dominates datasketch and rensa) out of the loop. ``Fingerprinter.batch``
goes further: ASCII texts folded with one ``bytes.translate``, one crc32 per token, then every
5-gram, sort, signature and sketch of the batch in a handful of numpy calls, with the same
results as ``Fingerprinter.__call__``. What the fingerprint is of (the text less its chrome) is
``pipeline.dedup.identity``'s; how it is judged, ``pipeline.dedup.near``'s.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.dedup.identity import core_text, identity_text, prose_words
from pipeline.textnorm import fold, hash_folded

_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_MULTIPLIERS = np.array([0x100000001B3, 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F], dtype=np.uint64)
_DENSIFY = np.uint64(0x9E3779B1)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)

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


EMPTY = np.empty(0, dtype=np.uint32)


@dataclass
class Fingerprint:
    exact: str
    words: int
    shingles: int
    signature: np.ndarray  # uint32[num_perm], empty for short texts
    sketch: np.ndarray  # sorted unique uint32, the smallest sketch_size shingle hashes
    # sorted unique uint32 shingle hashes of the longest paragraph, for texts whose sketch is
    # their whole shingle set (the short-text rule); empty otherwise
    core: np.ndarray = field(default_factory=lambda: EMPTY.copy())


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
        return self.cores.get(row, EMPTY)

    def fingerprint(self, i: int) -> Fingerprint:
        row = self.rows[i]
        if row < 0:
            return Fingerprint(self.exact[i], self.words[i], 0, EMPTY.copy(), EMPTY.copy())
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
        core = self.core(text) if self.is_brief(text, len(shingles)) else EMPTY.copy()
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
