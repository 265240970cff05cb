"""One run's view of the shared state: its lease, the index, seen URLs, recovery, manifest order."""

from __future__ import annotations

import json
import logging

import redis

from pipeline.bucket.commit import recover_journal
from pipeline.bucket.manifest import Manifest
from pipeline.dedup.minhash import NearDupSettings
from pipeline.record import utcnow
from pipeline.settings import current as current_settings
from pipeline.shared.index import SharedDedupIndex
from pipeline.shared.namespace import Namespace
from pipeline.shared.runs import ManifestSequencer, RunLease, run_alive
from pipeline.shared.seen import SharedSeenUrls
from pipeline.storage import ObjectStore
from pipeline.storage.layout import SHARED_MODE_KEY, pending_key

log = logging.getLogger(__name__)


def redis_url_from_env() -> str | None:
    return current_settings().redis_url or None


class SharedState:
    """Open at a run's start (``start``), ``finish`` on success, ``abandon`` on failure."""

    def __init__(
        self,
        redis_url: str,
        store: ObjectStore,
        run_id: str,
        settings: NearDupSettings | None = None,
    ) -> None:
        self.client = redis.Redis.from_url(redis_url, health_check_interval=30)
        self.store, self.run_id = store, run_id
        self.ns = Namespace.for_store(store.url)
        self.lease = RunLease(self.client, self.ns, run_id)
        self.index = SharedDedupIndex(
            self.client, self.ns, run_id, self.is_alive, self.recover, settings, store=store
        )
        self.seen = SharedSeenUrls(self.client, self.ns)
        self.sequencer = ManifestSequencer(self.client, self.ns)

    def is_alive(self, run_id: str) -> bool:
        return run_id == self.run_id or run_alive(self.client, self.ns, run_id)

    def start(self) -> SharedState:
        self.client.ping()
        if not self.store.exists(SHARED_MODE_KEY):
            # From now on the bucket's own index and seen URLs are stale: single-machine runs
            # (which would trust them) refuse this bucket.
            marker = {"since": utcnow().isoformat(), "namespace": self.ns.prefix}
            self.store.put(SHARED_MODE_KEY, json.dumps(marker).encode("utf-8"))
        self.lease.start()
        return self

    def finish(self) -> None:
        self.lease.finish()

    def abandon(self) -> None:
        self.lease.abandon()

    def recover(self) -> list[Manifest]:
        """Settle every run that died: adopt what it stored, release what it only claimed.

        One worker at a time (a Redis lock), so a record is adopted once and a
        recovery manifest written once.
        """
        written: list[Manifest] = []
        with self.client.lock(self.ns.recovery_lock, timeout=300, blocking_timeout=600):
            for raw in sorted(self.client.smembers(self.ns.runs)):
                run_id = raw.decode()
                if self.is_alive(run_id):
                    continue
                try:
                    journal = json.loads(self.store.get(pending_key(run_id)))
                except KeyError:
                    journal = None
                if journal is not None:
                    manifest = recover_journal(self.store, self.index, journal, self.sequencer.slot)
                    if manifest is not None:
                        written.append(manifest)
                released = 0
                for rid in self.client.smembers(self.ns.claims(run_id)):
                    released += self.index.release(rid.decode(), run_id)
                if released:
                    log.warning("released %d articles claimed by crashed run %s", released, run_id)
                pipe = self.client.pipeline()
                pipe.delete(self.ns.claims(run_id))
                pipe.srem(self.ns.runs, run_id)
                pipe.execute()
        return written
