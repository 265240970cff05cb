"""The crawl's download handler: Scrapy's aiohttp handler, connecting only to checked addresses.

``PrivateAddressGuard`` refuses a request whose host resolves to a forbidden address, but
the handler resolves the host again when it connects, and a hostile DNS server can answer a
public address the first time and 127.0.0.1 the second (DNS rebinding). Here the connector's
resolver is the check: it resolves once, refuses the host if any address is forbidden, and
hands aiohttp only the addresses it checked, so a connection cannot go anywhere else.
A host written as an IP address is never resolved (aiohttp connects to it as is), and
``PrivateAddressGuard`` has already judged it.

Everything else (limits, timeouts, failure mapping) is Scrapy's ``AiohttpDownloadHandler``.
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler, _ClientResponse
from scrapy.core.downloader.handlers._base_streaming import BaseStreamingDownloadHandler
from scrapy.utils.ssl import _make_ssl_context

from pipeline import addresses

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

HANDLER = "spiders.downloader.PinnedAiohttpDownloadHandler"


def private_hosts(origins: list[str]) -> frozenset[tuple[str, int]]:
    """(host, port) of the origins ``allow_private`` opens (``scheme://host:port``)."""
    opened = set()
    for origin in origins:
        host_port = origin.split("://", 1)[-1]
        host, _, port = host_port.rpartition(":")
        opened.add((host.strip("[]").lower(), int(port)))
    return frozenset(opened)


class PinnedResolver(AbstractResolver):
    """Resolve once, check every address (``pipeline.addresses``), return only checked ones."""

    def __init__(self, allow_private: bool, private: frozenset[tuple[str, int]]) -> None:
        self.allow_private = allow_private
        self.private = private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        infos = await loop.run_in_executor(None, addresses.getaddrinfo, host, port)
        private_ok = self.allow_private and (host.lower(), port) in self.private
        why = addresses.refusal(host, [str(info[4][0]) for info in infos], private_ok)
        if why is not None:
            raise addresses.AddressRefused(why)
        results: list[ResolveResult] = []
        for info_family, _, proto, _, sockaddr in infos:
            if family not in (socket.AF_UNSPEC, info_family):
                continue
            if info_family == socket.AF_INET6 and len(sockaddr) < 3:
                continue  # no IPv6 in this Python build
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(sockaddr[0]),
                    port=port,
                    family=info_family,
                    proto=proto,
                    flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
                )
            )
        return results

    async def close(self) -> None:
        """Nothing held."""


class PinnedAiohttpDownloadHandler(AiohttpDownloadHandler):
    """``AiohttpDownloadHandler`` whose connector resolves with ``PinnedResolver``.

    The session is built as Scrapy builds it (Scrapy 2.19), with the resolver added: the parent's
    ``__init__`` is skipped so that no unused session is left open.
    """

    def __init__(self, crawler: Crawler) -> None:
        BaseStreamingDownloadHandler.__init__(self, crawler)
        settings = crawler.settings
        resolver = PinnedResolver(
            settings.getbool("CLEANWIRE_ALLOW_PRIVATE"),
            private_hosts(settings.getlist("CLEANWIRE_PRIVATE_ORIGINS")),
        )
        self._ssl_context = _make_ssl_context(settings)
        connector = aiohttp.TCPConnector(
            local_addr=self._bind_address,
            limit=self._pool_size_total,
            limit_per_host=self._pool_size_per_host,
            resolver=resolver,
        )
        options: dict[str, Any] = {
            "connector": connector,
            "cookie_jar": aiohttp.DummyCookieJar(),
            "auto_decompress": False,
            "response_class": _ClientResponse,
            "skip_auto_headers": ("Accept", "Accept-Encoding", "Content-Type", "User-Agent"),
        }
        self._session = aiohttp.ClientSession(**options)
