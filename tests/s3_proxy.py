"""A proxy in front of moto's S3 server that misbehaves on command, on 127.0.0.1 only.

Modes: ``pass``; ``fail-writes`` (drop the connection on writes under clean/, as a
storage outage mid-run does); ``hang-writes`` (accept and never answer, so the
client's read timeout must fire); ``ignore-if-none-match`` (strip the header, as
some S3-compatible servers do).
"""

from __future__ import annotations

import http.client
import http.server
import threading
import time
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"}


class S3Proxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.mode = "pass"
        self.requests: list[tuple[str, str]] = []
        self.ranges: dict[str, list[str | None]] = {}  # GET path -> Range headers asked
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.requests.append((self.command, self.path))
                if self.command == "GET":
                    proxy.ranges.setdefault(self.path, []).append(self.headers.get("Range"))
                is_write = self.command in ("PUT", "POST") and "/clean/" in self.path
                if proxy.mode == "fail-writes" and is_write:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if proxy.mode == "hang-writes" and is_write:
                    deadline = time.monotonic() + 30
                    while proxy.mode == "hang-writes" and time.monotonic() < deadline:
                        time.sleep(0.05)
                    self.close_connection = True
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
                if proxy.mode == "ignore-if-none-match":
                    headers = {k: v for k, v in headers.items() if k.lower() != "if-none-match"}
                upstream = http.client.HTTPConnection(
                    proxy.upstream.hostname, proxy.upstream.port, timeout=30
                )
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                upstream.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def writes(self) -> list[str]:
        return [path for method, path in self.requests if method == "PUT" and "/clean/" in path]

    def close(self) -> None:
        self.mode = "pass"
        self._server.shutdown()
        self._server.server_close()
