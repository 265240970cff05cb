"""Downloader middlewares: small classes enabled in settings, as Scrapy intends.

``PrivateAddressGuard`` refuses requests (redirects included, since redirected
requests pass through again) to private, loopback, link-local and metadata
addresses unless the source allows them. ``WarcRecorder`` keeps every final
response in the run's WARC file.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from pipeline.record import Page, utcnow
from pipeline.warc import PageWarcWriter


class PrivateAddressRefused(IgnoreRequest):
    """The URL resolves to an address a crawler must not reach (SSRF defence)."""


def _is_forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def resolve(host: str) -> list[str]:
    """Addresses for a host, with decimal/octal/hex IP forms normalised by the resolver."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


class PrivateAddressGuard:
    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressGuard:
        return cls(crawler.settings.getbool("CLEANWIRE_ALLOW_PRIVATE"))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise PrivateAddressRefused(f"scheme {parts.scheme!r} refused")
        if self.allow_private:
            return
        host = parts.hostname or ""
        try:
            addresses = await resolve(host)
        except OSError as exc:
            raise IgnoreRequest(f"cannot resolve {host}: {exc}") from exc
        bad = [a for a in addresses if _is_forbidden(a)]
        if bad:
            raise PrivateAddressRefused(f"{host} resolves to non-public address {bad[0]}")


class WarcRecorder:
    """Every final response (after redirects and decompression) goes to the run's WARC."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.source = source
        path.parent.mkdir(parents=True, exist_ok=True)
        self._stream = path.open("ab")
        self._writer = PageWarcWriter(self._stream)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        path = crawler.settings.get("CLEANWIRE_WARC_PATH")
        if not path:
            raise NotConfigured  # scrapy crawl: no run, no WARC (silently, it is not a problem)
        recorder = cls(Path(path), crawler.settings.get("CLEANWIRE_SOURCE", "unknown"))
        from scrapy import signals

        crawler.signals.connect(recorder.close, signal=signals.spider_closed)
        return recorder

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        redirects = request.meta.get("redirect_urls") or [request.url]
        self._writer.write(
            Page(
                url=redirects[0],
                final_url=response.url,
                body=response.body,
                source=self.source,
                status=response.status,
                headers=headers_dict(response),
                fetched=utcnow(),
                article_candidate=bool(request.meta.get("article_candidate")),
            )
        )
        return response

    def close(self) -> None:
        self._stream.close()


def headers_dict(response: Response) -> dict[str, str]:
    return {
        key.decode("latin-1"): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
