"""A static site in its own process, for the end-to-end benchmark.

A real crawl fetches from other machines; serving the benchmark's site from a
thread of the measuring process (as the test fixtures do) would charge the
server's CPU and its share of the GIL to the crawl. aiohttp with every file in
memory keeps the server's own cost small (about 0.2 ms per page here).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiohttp import web

TYPES = {".xml": "application/xml", ".txt": "text/plain", ".html": "text/html"}


def _app(root: Path, base: str) -> web.Application:
    files = {
        "/" + p.relative_to(root).as_posix(): p.read_bytes().replace(b"{{base}}", base.encode())
        for p in root.rglob("*")
        if p.is_file()
    }

    async def handle(request: web.Request) -> web.Response:
        body = files.get(request.path)
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type=TYPES.get(Path(request.path).suffix, "text/html"))

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


@contextmanager
def serve_in_process(root: Path) -> Iterator[str]:
    """Serve ``root`` (``{{base}}`` in files becomes the base URL) from a child process."""
    with serve_child(["benchmarks.static_site", str(root)]) as base:
        yield base


@contextmanager
def serve_child(module_args: list[str], timeout: float = 30) -> Iterator[str]:
    """Run ``python -m <module_args> <port>`` (a server on a free loopback port) until the block
    ends; yield its base URL once it answers ``/robots.txt``."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    child = subprocess.Popen([sys.executable, "-m", *module_args, str(port)])
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise RuntimeError("the benchmark site did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        child.terminate()
        child.wait(10)


if __name__ == "__main__":
    site_root, site_port = Path(sys.argv[1]), int(sys.argv[2])
    web.run_app(
        _app(site_root, f"http://127.0.0.1:{site_port}"),
        host="127.0.0.1",
        port=site_port,
        print=None,
        access_log=None,
    )
