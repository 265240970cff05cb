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

The fingerprints are ``pipeline.dedup.minhash``'s, the LSH tables ``pipeline.dedup.lsh``'s, and
``pipeline.dedup.stream.dedup_stream`` feeds a long input through the index a batch at a time.
This module is the judging: pairs and clusters verified (``judge_pair``), and the index.

The index keeps representatives in fixed-width numpy blocks (sketch, signature) and the LSH
buckets and anchors as a few sorted runs of (key, slot), merged as they grow. ``dedup_stream``
holds about 2 KB per cluster (sketch 1 KB, bucket and anchor entries 0.5 KB, id and exact
hash; no signature, which only ``dumps`` needs), plus a union sketch (1 KB) for a cluster with
copies and each copy's keys (0.5 KB), and nothing per text.
"""

from __future__ import annotations

import io
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.dedup.lsh import Buckets, Rows
from pipeline.dedup.minhash import EMPTY, Fingerprint, FingerprintBatch, NearDupSettings


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
    core: np.ndarray = EMPTY,
    rep_core: np.ndarray = EMPTY,
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
        self._sketches = Rows(s.sketch_size)
        self._signatures = Rows(s.num_perm)
        self._cores: dict[int, np.ndarray] = {}
        self._unions: dict[int, tuple[int, np.ndarray]] = {}
        # members' keys, for dumps: (slot, signature, anchors)
        self._members: list[tuple[int, np.ndarray, np.ndarray]] = []
        self._buckets = Buckets()
        self._anchors = Buckets()
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
            self._cores.get(slot, EMPTY),
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
            sketches, lambda row: index._cores.get(row, EMPTY), arrays["sketch_lengths"][first]
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
