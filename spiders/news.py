"""The generic news spider: any source config, through sitemaps, feeds and followed links."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from pipeline.bucket.seen import SeenUrls
from pipeline.extract.triage import non_html_reason
from pipeline.outcomes import Dropped, Outcome
from pipeline.record import Page, utcnow
from pipeline.sources import SourceConfig
from pipeline.urls import InvalidUrl, canonicalize, checked_url, display_url, same_site
from spiders.middlewares import (
    USERINFO_STRIPPED,
    CrawlerTrapRefused,
    OffsiteRefused,
    PrivateAddressRefused,
    headers_dict,
)
from spiders.registry import register
from spiders.robots import RobotsDisallowed

MAX_SITEMAP_BYTES = 50 * 1024 * 1024
# <link rel="canonical" href="..."> in either attribute order, in the head (as CMSs write it).
_CANONICAL = re.compile(
    rb"<link\b(?=[^>]*\brel\s*=\s*[\"']?canonical\b)[^>]*?\bhref\s*=\s*[\"']?(?P<href>[^\"'\s>]+)",
    re.IGNORECASE,
)
CANONICAL_HEAD_BYTES = 16 * 1024
_NOT_WEB = re.compile(r"\s*(#|(mailto|tel|sms|javascript|data|about|blob):)", re.IGNORECASE)


@register("news")
class NewsSpider(Spider):
    name = "news"
    # Set on the per-source subclasses that ``scrapy crawl`` uses (spiders.loader).
    source_config: SourceConfig | None = None

    def __init__(
        self,
        source: SourceConfig | None = None,
        seen: SeenUrls | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        source = source or self.source_config
        if source is None:
            raise ValueError("NewsSpider needs a source config")
        super().__init__(*args, name=source.name, **kwargs)
        self.source = source
        self.seen = seen or SeenUrls()
        self.allowed_domains = list(source.allowed_domains)
        self.skipped_unchanged = 0
        self._requested: set[str] = set()
        self._invalid: set[str] = set()  # bad links reported once, not once per page
        self._stripped: set[str] = set()  # URLs found with user:password@ (removed)
        self._article_requests = 0

    # -- discovery -------------------------------------------------------------------------

    def _sites(self) -> list[str]:
        d = self.source.discovery
        roots = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in d.sitemaps + d.feeds + d.start_urls}
        return sorted(roots)

    async def start(self) -> AsyncIterator[Request]:
        d = self.source.discovery
        if d.robots_sitemaps:
            for root in self._sites():
                yield self._request(
                    f"{root}/robots.txt", self.parse_robots, meta={"dont_obey_robotstxt": True}
                )
        for url in d.sitemaps:
            yield self._request(url, self.parse_sitemap)
        for url in d.feeds:
            yield self._request(url, self.parse_feed)
        for url in d.start_urls:
            yield self._request(url, self.parse_listing_or_article)

    def _request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        if url in self._stripped:  # the WARC record says the URL as found had credentials
            kwargs["meta"] = {**(kwargs.get("meta") or {}), USERINFO_STRIPPED: True}
        return Request(url, callback=callback, errback=self.on_error, **kwargs)

    def _entry(self, raw: str, where: str, base: str | None = None) -> str | Dropped:
        """One URL a sitemap, feed or page offers, fit to request; else a ``Dropped`` with the
        reason (counted in the run's outcomes), so one bad entry never ends the callback."""
        try:
            url, stripped = checked_url(raw, base)
        except InvalidUrl as exc:
            self.crawler.stats.inc_value("cleanwire/invalid_url")
            return Dropped(
                display_url(raw), self.source.name, Outcome.ERROR, f"invalid URL in {where}: {exc}"
            )
        if stripped:
            self.crawler.stats.inc_value("cleanwire/userinfo_stripped")
            self._stripped.add(url)
        return url

    def parse_robots(self, response: Response) -> Iterator[Request | Dropped]:
        if response.status != 200:
            return
        for raw in sitemap_urls_from_robots(response.body, base_url=response.url):
            url = self._entry(raw, f"robots.txt {response.url}")
            if isinstance(url, Dropped):
                yield url
            elif url not in self.source.discovery.sitemaps:
                yield self._request(url, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[Request | Dropped]:
        if response.status != 200:
            self.logger.warning("sitemap %s answered HTTP %s", response.url, response.status)
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz file (not Content-Encoding): inflate it, bounded
            try:
                body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
            except ValueError:  # Scrapy's "decompressed size exceeded the maximum"
                self.crawler.stats.inc_value("cleanwire/sitemap_too_large")
                self.logger.warning(
                    "sitemap %s inflates beyond %d bytes: skipped", response.url, MAX_SITEMAP_BYTES
                )
                return
            except (OSError, EOFError) as exc:
                self.logger.warning("sitemap %s is not valid gzip: %s", response.url, exc)
                return
        try:
            sitemap = Sitemap(body)
        except Exception as exc:  # lxml raises several types for garbage
            self.logger.warning("sitemap %s unreadable: %s", response.url, exc)
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            url = self._entry(loc, f"sitemap {response.url}")  # <loc> is absolute: no base
            if isinstance(url, Dropped):
                yield url
            elif sitemap.type == "sitemapindex":
                yield self._request(url, self.parse_sitemap)
            else:
                yield from self._article_request(url, lastmod=entry.get("lastmod"))

    def parse_feed(self, response: Response) -> Iterator[Request | Dropped]:
        if response.status != 200:
            self.logger.warning("feed %s answered HTTP %s", response.url, response.status)
            return
        selector = Selector(text=response.text, type="xml")
        selector.remove_namespaces()
        for item in selector.xpath("//item | //entry"):
            link = item.xpath("link/@href").get() or item.xpath("link/text()").get()
            if not link:
                continue
            date = (
                item.xpath("updated/text()").get()
                or item.xpath("pubDate/text()").get()
                or item.xpath("published/text()").get()
            )
            url = self._entry(link, f"feed {response.url}", base=response.url)
            if isinstance(url, Dropped):
                yield url
            else:
                yield from self._article_request(url, lastmod=date)

    def parse_listing_or_article(self, response: Response) -> Iterator[Request | Page | Dropped]:
        if self.source.is_article_url(response.url) and self.source.article_urls.allow:
            yield from self.parse_article(response)
            return
        page = self._page_or_drop(response, candidate=False)
        yield page
        if response.status != 200 or not isinstance(page, Page) or not hasattr(response, "css"):
            return
        for href in response.css("a::attr(href)").getall():
            if _NOT_WEB.match(href):  # mailto:, tel:, javascript:, a fragment: links, not pages
                continue
            url = self._entry(href, f"page {response.url}", base=response.url)
            if isinstance(url, Dropped):
                if url.url not in self._invalid:
                    self._invalid.add(url.url)
                    yield url
                continue
            if self.source.is_article_url(url) and self.source.article_urls.allow:
                yield from self._article_request(url)
            elif self.source.is_follow_url(url):
                canonical = canonicalize(url)
                if canonical not in self._requested:
                    self._requested.add(canonical)
                    # Marked so CrawlerTrapGuard counts it against its URL pattern.
                    yield self._request(url, self.parse_listing_or_article, meta={"cleanwire_follow": True})

    # -- articles --------------------------------------------------------------------------

    def _article_request(self, url: str, lastmod: str | None = None) -> Iterator[Request]:
        if not self.source.is_article_url(url):
            return
        if url in self._requested:
            return
        limit = self.settings.getint("CLEANWIRE_MAX_ARTICLES") if self.settings else 0
        if limit and self._article_requests >= limit:
            return
        self._requested.add(url)
        canonical = canonicalize(url)
        if not self.seen.should_fetch(canonical, lastmod):
            self.skipped_unchanged += 1
            self.crawler.stats.inc_value("cleanwire/skipped_unchanged")
            return
        headers = {}
        known = self.seen.get(canonical)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        self._article_requests += 1
        # dont_filter: the spider already asks once per URL; Scrapy's dupefilter would also drop
        # the same URL with its query reordered, which then ends with no outcome and no also_at.
        yield self._request(
            url,
            self.parse_article,
            headers=headers,
            meta={"article_candidate": True, "lastmod": lastmod},
            dont_filter=True,
        )

    def parse_article(self, response: Response) -> Iterator[Request | Page | Dropped]:
        if response.status == 304:
            yield Dropped(response.url, self.source.name, Outcome.DUPLICATE, "not modified (304)")
            return
        page = self._page_or_drop(response)
        yield page
        if isinstance(page, Page) and page.status == 200:
            yield from self._check_canonical(response)

    def _check_canonical(self, response: Response) -> Iterator[Request]:
        """A same-site rel=canonical naming another URL is a claim that dedup follows only if that
        URL's page has the same text (``Deduplicator.judge``): fetch it to check, once, as an
        article request (its patterns, seen URLs and limits apply). Read from the head bytes only,
        so no page is parsed twice."""
        match = _CANONICAL.search(response.body[:CANONICAL_HEAD_BYTES])
        if match is None:
            return
        raw = match.group("href").decode("utf-8", "replace").replace("&amp;", "&")
        try:
            claimed, stripped = checked_url(raw, response.url)
        except InvalidUrl:
            return  # not trusted as canonical either (pipeline.urls.choose_canonical)
        if (
            stripped
            or not same_site(response.url, claimed)
            or canonicalize(claimed) == canonicalize(response.url)
        ):
            return
        self.crawler.stats.inc_value("cleanwire/canonical_checked")
        yield from self._article_request(claimed)

    def _page_or_drop(self, response: Response, candidate: bool = True) -> Page | Dropped:
        """The page, or ``not-an-article`` at once when it is not HTML: never parsed as HTML."""
        page = self._page(response, candidate)
        if page.status < 400:
            reason = non_html_reason(page)
            if reason:
                self.crawler.stats.inc_value("cleanwire/not_html")
                return Dropped(page.url, self.source.name, Outcome.NOT_AN_ARTICLE, reason)
        return page

    def _page(self, response: Response, candidate: bool = True) -> Page:
        redirects = response.request.meta.get("redirect_urls") if response.request else None
        return Page(
            url=(redirects or [response.url])[0],
            final_url=response.url,
            body=response.body,
            source=self.source.name,
            status=response.status,
            headers=headers_dict(response),
            fetched=utcnow(),
            article_candidate=candidate,
            lastmod=response.meta.get("lastmod"),
        )

    def on_error(self, failure: Failure) -> Iterator[Dropped]:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if request is not None:
            url = (request.meta.get("redirect_urls") or [url])[0]
        outcome, reason = failure_outcome(failure.value)
        self.logger.info("request failed %s: %s", url, reason)
        if request is not None and request.meta.get("article_candidate"):
            yield Dropped(url, self.source.name, outcome, reason)


MAX_REASON = 300


def failure_outcome(exc: BaseException) -> tuple[Outcome, str]:
    """The outcome of a page that was never downloaded (or whose download was refused), and why.

    Refused by the site's robots.txt or by the SSRF guard: ``blocked``. A crawler trap or a URL
    off the source's domains: ``not-an-article``. Anything else (timeouts, resets, truncated
    bodies, bodies over DOWNLOAD_MAXSIZE raw or decompressed, redirect loops): ``error``, with
    the exception as the reason.
    """
    text = " ".join(str(exc).split())
    if isinstance(exc, (PrivateAddressRefused, RobotsDisallowed)):
        return Outcome.BLOCKED, text or "request refused"
    if isinstance(exc, (CrawlerTrapRefused, OffsiteRefused)):
        return Outcome.NOT_AN_ARTICLE, text
    if isinstance(exc, IgnoreRequest) and "DOWNLOAD_MAXSIZE" in text and "decompress" in text:
        inflated = getattr(exc.__cause__, "decompressed_size", None)
        size = f" ({inflated} B so far)" if inflated else ""
        return Outcome.ERROR, f"decompression bomb: body inflates beyond DOWNLOAD_MAXSIZE{size}"
    if isinstance(exc, IgnoreRequest) and not text:
        return Outcome.ERROR, "request refused"
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return Outcome.ERROR, reason[:MAX_REASON]
