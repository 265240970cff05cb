"""A real Prefect server and real workers as subprocesses, for tests that need what the harness lacks.

``prefect_test_harness`` runs no scheduler and no workers; tests of schedules and
work pools start ``prefect server start`` (SQLite in a temporary PREFECT_HOME)
and ``prefect worker start`` exactly as an operator would. Every process starts
in its own session and is stopped with its whole group and every descendant
(flow-run processes are started by the worker in sessions of their own), so a
failing test leaves nothing running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

PREFECT = str(Path(sys.executable).with_name("prefect"))
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PrefectServer:
    api: str
    # What any process talking to this server needs: its own PREFECT_HOME and the API URL.
    env: dict[str, str]
    home: Path


@dataclass
class Worker:
    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: fields start after the last ')'.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux /proc), found before stopping it orphans them."""
    tree, found, todo = _children_by_parent(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop_process_tree(process: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM the process, its descendants and their groups; SIGKILL whatever outlives ``grace``."""
    pids = [process.pid, *descendants(process.pid)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            for kill in (os.killpg, os.kill):
                with suppress(ProcessLookupError, PermissionError):
                    kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
            time.sleep(0.1)
    process.wait(10)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextmanager
def prefect_server(home: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[PrefectServer]:
    """``prefect server start`` on a free loopback port, its database SQLite under ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = dict(
        os.environ,
        PREFECT_HOME=str(home),
        PREFECT_API_URL=api,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_UI_ENABLED="false",
        # Subprocesses import this checkout's code, whatever the venv's editable install points at.
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **(extra_env or {}),
    )
    log_path = home / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(api + "/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(
                        f"prefect server did not start: {log_path.read_text()[-2000:]}"
                    ) from None
                time.sleep(0.5)
        yield PrefectServer(api, env, home)
    finally:
        stop_process_tree(server, grace=30)


@contextmanager
def start_workers(
    n: int, pool: str, env: Mapping[str, str], log_dir: Path, limit: int = 1
) -> Iterator[list[Worker]]:
    """``n`` process workers on ``pool``, each with ``env`` (the server's, plus what runs need).

    ``limit`` is the flow runs a worker takes at once: with 1 a worker leaves the
    rest of the due runs to the others, as a machine sized for one crawl would.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    workers: list[Worker] = []
    with ExitStack() as stack:
        for number in range(1, n + 1):
            name = f"{pool}-worker-{number}"
            log_path = log_dir / f"{name}.log"
            with log_path.open("w") as log:
                command = [PREFECT, "worker", "start", "--pool", pool, "--type", "process", "--name", name]
                process = subprocess.Popen(
                    [*command, "--limit", str(limit)],
                    env=dict(env),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            stack.callback(stop_process_tree, process)
            workers.append(Worker(name, process, log_path))
        yield workers
