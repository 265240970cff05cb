"""Who may run on a store at once: one run at a time (a lease in the store), unless the state is
shared in Redis (then a lease only marks the run alive)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.bucket.lock import StoreLock
from pipeline.shared import SharedState
from pipeline.storage import ObjectStore
from pipeline.storage.layout import SHARED_MODE_KEY


@contextmanager
def run_guard(
    store: ObjectStore, run_id: str, lock_wait: float, shared: SharedState | None
) -> Iterator[None]:
    """One run at a time per store, unless the state is shared (then a lease only marks the run
    alive, so that a crash is recognised and its claims released)."""
    if shared is None:
        if store.exists(SHARED_MODE_KEY):
            raise RuntimeError(
                f"{store.url} is ingested by workers sharing state in Redis: set REDIS_URL to the "
                "same Redis (the bucket's own dedup index and seen URLs are out of date)"
            )
        with StoreLock(store, owner=run_id, wait=lock_wait):
            yield
        return
    shared.start()
    try:
        yield
    except BaseException:
        shared.abandon()
        raise
    shared.finish()
