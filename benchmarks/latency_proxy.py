"""A proxy that adds a fixed round trip to every request, for the store benchmark.

Against moto on loopback a PUT takes about 3 ms and the server process, not the
network, sets the pace; against S3 from a worker, each request waits tens of
milliseconds on the network. This puts that wait back (``delay`` before each
forwarded request) so "many in flight vs one at a time" is measured under the
condition it exists for. Run in its own process: ``python -m
benchmarks.latency_proxy UPSTREAM PORT DELAY_MS``.
"""

from __future__ import annotations

import asyncio
import sys

import aiohttp
from aiohttp import web

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


def _app(upstream: str, delay: float) -> web.Application:
    async def forward(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(delay)
        session: aiohttp.ClientSession = request.app["session"]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        async with session.request(
            request.method,
            upstream + request.path_qs,
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
            auto_decompress=False,
        ) as reply:
            body = await reply.read()
            out = {k: v for k, v in reply.headers.items() if k.lower() not in HOP_BY_HOP}
            return web.Response(status=reply.status, headers=out, body=body)

    async def start(app: web.Application) -> None:
        app["session"] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))

    async def stop(app: web.Application) -> None:
        await app["session"].close()

    app = web.Application(client_max_size=2**30)
    app.on_startup.append(start)
    app.on_cleanup.append(stop)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


if __name__ == "__main__":
    target, port, delay_ms = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    web.run_app(_app(target, delay_ms / 1000), host="127.0.0.1", port=port, print=None, access_log=None)
