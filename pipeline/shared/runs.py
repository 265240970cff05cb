"""Run leases and the order manifests appear in, for runs on many machines at once.

A run's lease is a Redis key that expires unless its heartbeat renews it: a run
whose lease is gone (or whose process on this host is dead) crashed, and what it
claimed but never stored is released by recovery (``pipeline.shared.state``).

Manifest ids sort in the order readers see them: with runs finishing at any time,
an id chosen at a run's start could sort before a manifest that is already
visible, and a reader reading "since" that manifest would never see it. So in
shared mode a manifest's id is taken when it is written, under a Redis lock, and
always after the last one (clock skew between machines included).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, timedelta

import redis

from pipeline.bucket.lock import dead_here
from pipeline.bucket.manifest import created_from_id, manifest_id_for
from pipeline.record import utcnow
from pipeline.settings import current as current_settings
from pipeline.shared.namespace import Namespace

log = logging.getLogger(__name__)


def lease_ttl() -> float:
    return current_settings().lock_ttl


class RunLease:
    """Held for the whole run; renewed every third of its time to live."""

    def __init__(self, client: redis.Redis, ns: Namespace, run_id: str, ttl: float | None = None) -> None:
        self.client, self.ns, self.run_id = client, ns, run_id
        self.ttl = ttl or lease_ttl()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _value(self) -> str:
        return json.dumps({"host": socket.gethostname(), "pid": os.getpid()})

    def start(self) -> RunLease:
        self.client.set(self.ns.lease(self.run_id), self._value(), px=int(self.ttl * 1000))
        self.client.sadd(self.ns.runs, self.run_id)
        self._thread = threading.Thread(target=self._renew, daemon=True, name="cleanwire-lease")
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.client.set(self.ns.lease(self.run_id), self._value(), px=int(self.ttl * 1000))
            except redis.RedisError as exc:  # the lease lapses if Redis stays away; the run goes on
                log.warning("could not renew the run lease: %s", exc)

    def finish(self) -> None:
        """The run ended. Claims it did not commit (a commit spooled while the store was down)
        stay listed for recovery to release; otherwise nothing of the run is left."""
        self._stop.set()
        self.client.delete(self.ns.lease(self.run_id))
        if not self.client.scard(self.ns.claims(self.run_id)):
            self.client.srem(self.ns.runs, self.run_id)

    def abandon(self) -> None:
        """A failed run: stop renewing; its claims stay until recovery releases them."""
        self._stop.set()
        with suppress(redis.RedisError):
            self.client.delete(self.ns.lease(self.run_id))


def run_alive(client: redis.Redis, ns: Namespace, run_id: str) -> bool:
    """A lease that exists, unless it names a process on this host that is gone."""
    raw = client.get(ns.lease(run_id))
    if raw is None:
        return False
    return not dead_here(json.loads(raw))


class ManifestSequencer:
    """Hands out manifest ids in the order the manifests become visible."""

    def __init__(self, client: redis.Redis, ns: Namespace) -> None:
        self.client, self.ns = client, ns

    @contextmanager
    def slot(self, run_id: str) -> Iterator[tuple[str, datetime]]:
        """(id, created) to write a manifest under; the next slot waits until this one is done."""
        with self.client.lock(self.ns.manifest_lock, timeout=60, blocking_timeout=600):
            created = utcnow()
            last = self.client.get(self.ns.last_manifest)
            if last is not None:
                previous = created_from_id(last.decode())
                if created <= previous:  # another machine's clock runs ahead
                    created = previous + timedelta(microseconds=1)
            manifest_id = manifest_id_for(created, run_id)
            yield manifest_id, created
            self.client.set(self.ns.last_manifest, manifest_id)
