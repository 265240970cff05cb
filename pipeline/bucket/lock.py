"""Leases kept in the store itself: the store's (one run at a time judges duplicates and commits)
and a source's (one run at a time crawls it).

The dedup index and seen-URL state are read under the store's lease and written before it is
released; two runs writing them at once would lose one run's updates. A lease is a write-once
object (``If-None-Match``), so exactly one run gets it; it expires if its holder dies, and a
heartbeat renews it during long runs.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from datetime import UTC, datetime, timedelta

from pipeline.settings import current as current_settings
from pipeline.storage import ObjectStore, StoreError
from pipeline.storage.layout import LOCK_KEY

log = logging.getLogger(__name__)


def _expired(holder: dict) -> bool:
    return datetime.fromisoformat(holder["expires"]) < datetime.now(UTC)


def dead_here(holder: dict) -> bool:
    """The holder ran on this machine and its process is gone: no need to wait for expiry."""
    if holder.get("host") != socket.gethostname() or not holder.get("pid"):
        return False
    try:
        os.kill(int(holder["pid"]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LockHeld(RuntimeError):
    """Another run holds the store and did not finish within the wait."""


class StoreLock:
    def __init__(
        self,
        store: ObjectStore,
        owner: str,
        ttl: float | None = None,
        wait: float = 3600,
        poll: float = 1.0,
        *,
        key: str = LOCK_KEY,
        what: str = "the store",
    ) -> None:
        self.store, self.owner = store, owner
        self.key, self.what = key, what
        # A short lease renewed by a heartbeat: a dead holder on another machine blocks 2 minutes at most.
        self.ttl = ttl or current_settings().lock_ttl
        self.wait, self.poll = wait, poll
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def _body(self) -> bytes:
        expires = datetime.now(UTC) + timedelta(seconds=self.ttl)
        return json.dumps(
            {
                "owner": self.owner,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "expires": expires.isoformat(),
            }
        ).encode()

    def _holder(self) -> dict | None:
        try:
            return json.loads(self.store.get(self.key))
        except KeyError:
            return None

    def acquire(self) -> StoreLock:
        deadline = time.monotonic() + self.wait
        announced = False
        while True:
            if self.store.put_new(self.key, self._body()):
                break
            holder = self._holder()
            if holder and (_expired(holder) or dead_here(holder)):
                log.warning("taking over the lock of run %s (expired or its process died)", holder["owner"])
                self.store.delete(self.key)
                continue
            if time.monotonic() > deadline:
                raise LockHeld(
                    f"run {holder and holder['owner']} holds {self.what} of {self.store.url}; gave up waiting"
                )
            if not announced:
                log.warning("run %s holds %s; waiting", holder and holder["owner"], self.what)
                announced = True
            time.sleep(self.poll)
        self._heartbeat = threading.Thread(target=self._renew, daemon=True, name="cleanwire-lock")
        self._heartbeat.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            holder = self._holder()
            if not holder or holder["owner"] != self.owner:
                log.error("lost the lease of %s to %s", self.what, holder and holder["owner"])
                return
            self.store.put(self.key, self._body())

    def release(self) -> None:
        self._stop.set()
        try:
            holder = self._holder()
            if holder and holder["owner"] == self.owner:
                self.store.delete(self.key)
        except StoreError as exc:  # the store is down: the lease expires on its own
            log.warning(
                "could not release the lease of %s (%s); it expires in %.0f s",
                self.what,
                exc,
                self.ttl,
            )

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
