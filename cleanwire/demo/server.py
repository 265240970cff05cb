"""Serving built sites on 127.0.0.1, one port per site so each has its own robots.txt.

Files are static; the only thing filled in at serve time is ``{{base}}`` (the
site's own origin), because sitemaps, feeds and canonical links must be
absolute and the port is only known now. ETag and Last-Modified make
conditional GETs work as on a real site.
"""

from __future__ import annotations

import hashlib
import http.server
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    root: Path
    base: str
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet: the crawler logs
        return

    def _resolve(self) -> Path | None:
        path = unquote(urlsplit(self.path).path)
        target = (self.root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if self.root not in target.parents and target != self.root:
            return None
        return target if target.is_file() else None

    def do_GET(self) -> None:
        target = self._resolve()
        if target is None:
            body = b"<html><body><h1>Not found</h1></body></html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = target.read_bytes()
        if target.suffix in _TYPES:
            body = body.replace(b"{{base}}", self.base.encode("ascii"))
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content_type = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0]
        self.send_response(200)
        self.send_header("Content-Type", content_type or "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", _LAST_MODIFIED)
        self.end_headers()
        self.wfile.write(body)


class SiteServer:
    """One static site on 127.0.0.1:port (0 = any free port), served from a thread."""

    def __init__(self, root: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        handler = type("Handler", (_SiteHandler,), {"root": root.resolve(), "base": ""})
        self._server = http.server.ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base_url = f"http://{host}:{self.port}"
        handler.base = self.base_url
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serve_sites(sites: dict[str, Path], ports: dict[str, int] | None = None) -> Iterator[dict[str, str]]:
    """Serve every site; yield {site name: base URL}."""
    servers: list[SiteServer] = []
    try:
        for name, root in sorted(sites.items()):
            port = (ports or {}).get(name, 0)
            try:
                servers.append(SiteServer(root, port).start())
            except OSError as exc:
                raise RuntimeError(
                    f"demo site {name!r} cannot listen on 127.0.0.1:{port} ({exc}); "
                    "is another demo still running?"
                ) from exc
        yield {name: server.base_url for name, server in zip(sorted(sites), servers, strict=True)}
    finally:
        for server in servers:
            server.stop()
