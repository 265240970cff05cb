"""A hostile site on 127.0.0.1 and a network jail: what the hostile-input suite runs against.

``HostileSite`` serves whatever a test puts in ``routes`` (path -> status, content type, body)
and records every request it gets (path and headers), so a test can assert what reached it.
``network_jail`` makes any connection to a non-loopback address fail at once, in every thread:
a test that plays a DNS server answering public addresses can never send traffic off the host.
"""

from __future__ import annotations

import http.server
import ipaddress
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest


@dataclass
class Hit:
    path: str
    headers: dict[str, str]


@dataclass
class HostileSite:
    routes: dict[str, tuple[int, str, bytes, dict[str, str]]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    hit: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                site.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}))
                site.hit.set()
                missing = (404, "text/plain", b"no", {})
                status, kind, body, headers = site.routes.get(self.path.split("?")[0], missing)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def serve(
        self,
        path: str,
        body: str | bytes,
        kind: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, kind, data, headers or {})
        return self.base + path

    def redirect(self, path: str, location: str) -> str:
        return self.serve(path, "", status=302, headers={"Location": location})

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def hostile_site() -> Iterator[HostileSite]:
    site = HostileSite()
    yield site
    site.close()


def _loopback(address: Any) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def network_jail() -> Iterator[list[Any]]:
    """Refuse every connection to a non-loopback address; yield the addresses that were tried."""
    tried: list[Any] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            tried.append(address)
            raise ConnectionRefusedError(f"network jail: {address} is not loopback")
        return connect(self, address)

    def guarded_ex(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            tried.append(address)
            return 111
        return connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex = guarded, guarded_ex  # type: ignore[method-assign]
    try:
        yield tried
    finally:
        socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]


class RebindingDns:
    """``socket.getaddrinfo`` for one name that answers a public address first, loopback after:
    the DNS rebinding attack. Every other name (and IP literals) resolve as usual."""

    PUBLIC = "93.184.216.34"

    def __init__(self, name: str) -> None:
        self.name = name
        self.answers: list[str] = []
        self._real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple]:
        if host != self.name:
            return self._real(host, port, *args, **kwargs)
        address = self.PUBLIC if not self.answers else "127.0.0.1"
        self.answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))]
