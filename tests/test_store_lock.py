"""The store lease: one holder; a dead holder's lease is taken over; expiry frees it too."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from pipeline.bucket.lock import LOCK_KEY, LockHeld, StoreLock
from pipeline.storage import open_store


def test_second_holder_waits_until_release(tmp_path) -> None:
    store = open_store(f"file://{tmp_path}")
    first = StoreLock(store, "run-a").acquire()
    got = []
    waiter = threading.Thread(target=lambda: got.append(StoreLock(store, "run-b", poll=0.05).acquire()))
    waiter.start()
    time.sleep(0.3)
    assert not got
    first.release()
    waiter.join(5)
    assert got and json.loads(store.get(LOCK_KEY))["owner"] == "run-b"
    got[0].release()
    assert not store.exists(LOCK_KEY)


def test_gives_up_after_wait(tmp_path) -> None:
    store = open_store(f"file://{tmp_path}")
    with StoreLock(store, "run-a"), pytest.raises(LockHeld, match="run-a"):
        StoreLock(store, "run-b", wait=0.2, poll=0.05).acquire()


def test_lease_of_a_dead_process_is_taken_over_at_once(tmp_path) -> None:
    store = open_store(f"file://{tmp_path}")
    code = (
        "import os, sys; sys.path.insert(0, '.');"
        "from pipeline.bucket.lock import StoreLock; from pipeline.storage import open_store;"
        f"StoreLock(open_store('file://{tmp_path}'), 'crashed', ttl=3600).acquire(); os._exit(1)"
    )
    subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert json.loads(store.get(LOCK_KEY))["owner"] == "crashed"
    started = time.monotonic()
    with StoreLock(store, "next", wait=5):
        assert time.monotonic() - started < 2


def test_expired_lease_is_taken_over(tmp_path) -> None:
    store = open_store(f"file://{tmp_path}")
    store.put_new(
        LOCK_KEY,
        json.dumps(
            {"owner": "elsewhere", "host": "other-machine", "pid": 1, "expires": "2000-01-01T00:00:00+00:00"}
        ).encode(),
    )
    with StoreLock(store, "next", wait=2):
        assert json.loads(store.get(LOCK_KEY))["owner"] == "next"
