"""LSH storage for the near-duplicate index: fixed-width rows appended in blocks, and (key, slot)
tables kept as a few sorted runs merged as they grow, looked up for a whole batch of keys at once."""

from __future__ import annotations

import numpy as np

from pipeline.dedup.minhash import GOLDEN


class Rows:
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


class Buckets:
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
        at = (keys * GOLDEN) >> self._shift
        np.bitwise_or.at(self._bits, at >> np.uint64(3), np.left_shift(1, at & np.uint64(7)).astype(np.uint8))

    def _maybe(self, keys: np.ndarray) -> np.ndarray:
        at = (keys * GOLDEN) >> self._shift
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
