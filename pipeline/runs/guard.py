"""Who may run on a store at once.

One machine (no Redis): runs of different sources crawl and extract at the same time; a run
holds each of its sources' leases for the whole run (two runs of one source never overlap) and
the store's lease only to judge duplicates and commit (``Guard.commit``), reading the dedup index
and seen URLs under it, so verdicts are those of the runs one after another. Shared state in
Redis: no lease is waited for; the run's lease only marks it alive, so that a crash is recognised
and its claims released.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext

from pipeline.bucket.lock import StoreLock
from pipeline.shared import SharedState
from pipeline.storage import ObjectStore
from pipeline.storage.layout import SHARED_MODE_KEY, source_lock_key


class Guard:
    """What a run holds; ``commit()`` is the section that judges duplicates and writes."""

    def __init__(self, store: ObjectStore, run_id: str, lock_wait: float, shared: SharedState | None) -> None:
        self.store, self.run_id, self.lock_wait, self.shared = store, run_id, lock_wait, shared

    def commit(self) -> AbstractContextManager[object]:
        """The store's lease (one machine), or nothing to wait for (shared: claims are atomic)."""
        if self.shared is not None:
            return nullcontext()
        return StoreLock(self.store, owner=self.run_id, wait=self.lock_wait)


@contextmanager
def run_guard(
    store: ObjectStore, run_id: str, sources: list[str], lock_wait: float, shared: SharedState | None
) -> Iterator[Guard]:
    """The run's leases on its sources (one machine; taken in name order, so two runs never wait
    for each other's), or its liveness lease in Redis (shared)."""
    guard = Guard(store, run_id, lock_wait, shared)
    if shared is None:
        if store.exists(SHARED_MODE_KEY):
            raise RuntimeError(
                f"{store.url} is ingested by workers sharing state in Redis: set REDIS_URL to the "
                "same Redis (the bucket's own dedup index and seen URLs are out of date)"
            )
        with ExitStack() as leases:
            for name in sorted(set(sources)):
                lease = StoreLock(
                    store, run_id, wait=lock_wait, key=source_lock_key(name), what=f"source {name}"
                )
                leases.enter_context(lease)
            yield guard
        return
    shared.start()
    try:
        yield guard
    except BaseException:
        shared.abandon()
        raise
    shared.finish()
