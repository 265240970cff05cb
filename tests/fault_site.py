"""A misbehaving news site on 127.0.0.1: one path per fault, among normal pages a crawler must still store.

``FaultSite`` serves robots.txt, sitemaps, a home page, section and archive pages, and
articles written from the demo content (``cleanwire/demo/content``), plus every fault in
``docs/reliability.md``: charset lies, non-HTML at article URLs, decompression bombs,
endless, slow, truncated and reset bodies, redirect loops and chains, SSRF redirects,
crawler traps, soft 404s, paywall and challenge pages, 429/503 with Retry-After.
Each server counts hits per path (with times) so tests can see what the crawler fetched.
``Canary`` is a bare TCP listener on another loopback port that records every
connection: the address a crawler must never reach. ``CrawlSpy`` is a Scrapy extension
(enabled through ``ingest(crawl_overrides=...)``) that keeps each crawl's items and stats.
"""

from __future__ import annotations

import functools
import gzip
import html
import http.server
import socket
import socketserver
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import brotli

from cleanwire.demo.build_sites import iter_pages

# The sentence every charset case carries: curly quotes, an apostrophe, accents, a dash.
CHARSET_SENTENCE = "“It’s the café’s best year,” said Zoë Brontë — naïvely, perhaps."
CHARSET_MARKERS = ("“", "”", "’", "é", "ë", "—")
BOMB_INFLATED = 24 * 1024 * 1024  # what a bomb inflates to (the test's DOWNLOAD_MAXSIZE is 1 MB)
SITEMAP_BOMB_INFLATED = 60 * 1024 * 1024  # beyond the spider's 50 MB sitemap limit


# -- content --------------------------------------------------------------------------------------

# Copies of another demo story (syndicated, flattened): leaving them out keeps every story distinct.
_COPIES = ("putin-and", "putin-tells", "state-supreme-court-strikes-down-legislative-map-capitol", "archive-")


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    author: str
    date: str
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)


@functools.cache
def stories() -> tuple[Story, ...]:
    """Distinct demo stories (one per same-story family, so dedup keeps each), 150+ words each."""
    found: list[Story] = []
    briefs = []
    for page in iter_pages():
        if page.slug.startswith(_COPIES):
            continue
        paragraphs = tuple(p.text for p in page.paragraphs if not p.boiler)
        story = Story(page.slug, page.title, page.author or "Staff", page.date.isoformat(), paragraphs)
        if page.kind == "article":
            found.append(story)
        elif page.kind == "brief":
            briefs.append(story)
    # Two briefs make one roundup long enough to be an article.
    for first, second in zip(briefs[0::2], briefs[1::2], strict=False):
        found.append(
            Story(
                f"{first.slug}-and-more",
                f"Roundup: {first.title}",
                first.author,
                first.date,
                first.paragraphs + second.paragraphs,
            )
        )
    assert all(s.words >= 100 for s in found)
    return tuple(found)


def article_html(
    story: Story,
    url: str,
    *,
    canonical: str | None = None,
    charset: str | None = "utf-8",
    extra_paragraph: str | None = None,
    head_extra: str = "",
    body_wrap: tuple[str, str] = ("", ""),
    site: str = "The Fault Gazette",
) -> str:
    """A news article page as CMSs write them: chrome, byline, body, related links, footer."""
    paragraphs = list(story.paragraphs)
    if extra_paragraph:
        paragraphs.insert(1, extra_paragraph)
    body = "\n".join(f"        <p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    meta_charset = f'<meta charset="{charset}">' if charset else ""
    title = html.escape(story.title)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  {meta_charset}
  <title>{title} | {site}</title>
  <link rel="canonical" href="{html.escape(canonical or url)}">
  <meta property="og:type" content="article">
  <meta property="og:title" content="{title}">
  <meta property="og:site_name" content="{site}">
  <meta name="author" content="{html.escape(story.author)}">
  <meta property="article:published_time" content="{story.date}">
  {head_extra}
</head>
<body class="article-page">
  <header class="masthead"><a href="/">{site}</a>
    <nav><a href="/section/news.html">News</a> <a href="/section/world.html?sid=1">World</a>
    <a href="/archive?page=1">Archive</a></nav></header>
  {body_wrap[0]}
  <main>
    <article>
      <h1 class="headline">{title}</h1>
      <p class="byline">By <span class="author">{html.escape(story.author)}</span>
        <time datetime="{story.date}">{story.date}</time></p>
      <div class="article-body">
{body}
      </div>
    </article>
  </main>
  {body_wrap[1]}
  <aside class="related"><h3>More from {site}</h3><ul>
    <li><a href="/section/news.html">Latest news</a></li></ul></aside>
  <footer><p>© 2025 {site}. All rights reserved.</p></footer>
</body>
</html>
"""


def section_html(title: str, links: list[tuple[str, str]], og_type: str = "website") -> str:
    items = "\n".join(
        f'    <li><h2><a href="{html.escape(href)}">{html.escape(text)}</a></h2></li>' for href, text in links
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | The Fault Gazette</title>
<meta property="og:type" content="{og_type}"></head>
<body><header><a href="/">The Fault Gazette</a></header>
<main><h1>{html.escape(title)}</h1><ul class="story-list">
{items}
</ul></main><footer>© 2025 The Fault Gazette</footer></body></html>
"""


SOFT_404 = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Page not found | The Fault Gazette</title><meta property="og:type" content="article"></head>
<body><header><a href="/">The Fault Gazette</a> <nav><a href="/section/news.html">News</a></nav></header>
<main><h1>Sorry, we couldn't find that page</h1>
<p>The story you were looking for may have been moved or deleted. Try our search, or start again
from the home page, where you will find today's top stories from the city, the region and beyond.</p>
<ul><li><a href="/section/news.html">Latest news</a></li><li><a href="/">Home</a></li></ul></main>
<footer>© 2025 The Fault Gazette</footer></body></html>"""

PAYWALL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Inside the harbour deal | The Fault Gazette</title><meta property="og:type" content="article">
<script type="application/ld+json">{"@type": "NewsArticle", "isAccessibleForFree": false}</script></head>
<body><main><article><h1>Inside the harbour deal</h1>
<p>The port authority spent two years negotiating the lease that will reshape the waterfront.</p>
<div class="paywall"><p>Subscribe to continue reading. Already a subscriber? Sign in.</p></div>
</article></main></body></html>"""

CHALLENGE = """<!DOCTYPE html><html lang="en"><head><title>Just a moment...</title></head>
<body><div id="cf-challenge"><h1>Checking your browser before accessing the site.</h1>
<p>This process is automatic. Your browser will redirect to your requested content shortly.</p>
<p>Please enable JavaScript and cookies to continue.</p></div></body></html>"""

APP_SHELL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fault Gazette</title>
<meta property="og:type" content="article"></head><body><div id="root"></div>
<noscript>This site needs JavaScript.</noscript>
<script>window.__STATE__ = {"story": "harbour-deal"};</script><script src="/app.js"></script></body></html>"""

MALFORMED_JUNK = (
    "<div class=broken><span>unclosed <b>bold <i>italic</div></span></b>"
    "<p>stray</td></tr></table> &bogus; &#xD800; &#99999999; <<<>>> <img src=x onerror=alert(1)>"
    "<table><tr><td>cell<td>cell</table></p></p></p>"
)


@functools.cache
def _bomb(kind: str) -> bytes:
    block = b"<p>" + b"spam " * 200 + b"</p>\n"
    raw = block * (BOMB_INFLATED // len(block) + 1)
    if kind == "gzip":
        return gzip.compress(raw, compresslevel=9)
    return brotli.compress(raw, quality=5)


@functools.cache
def _sitemap_bomb() -> bytes:
    raw = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    raw += b" " * SITEMAP_BOMB_INFLATED + b"</urlset>"
    return gzip.compress(raw, compresslevel=9)


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"0" * 2000 + b"\n%%EOF\n"


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


# -- the servers ----------------------------------------------------------------------------------


class _Quiet(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:  # resets and cut bodies
        return


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Quiet

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        site: FaultSite = self.server.site  # type: ignore[attr-defined]
        site.record(self.path)
        try:
            site.respond(self)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    # helpers for routes
    def send(
        self,
        status: int,
        body: bytes | str,
        content_type: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


Route = Callable[[_Handler], None]


class FaultSite:
    """One misbehaving site. ``kind`` picks its robots.txt: normal, 404, 500, timeout or garbage."""

    def __init__(self, kind: str = "normal", canary_port: int = 9, robots_delay: float | None = None) -> None:
        self.kind = kind
        self.canary_port = canary_port
        self.robots_delay = robots_delay
        self._server = _Quiet(("127.0.0.1", 0), _Handler)
        self._server.site = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._hits: dict[str, list[float]] = defaultdict(list)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.routes: dict[str, Route] = {}
        self.prefix_routes: list[tuple[str, Route]] = []
        self.expected: dict[str, tuple[str, str]] = {}  # path -> (outcome, reason fragment)
        self.normal: list[str] = []  # the paths that must end extracted in every test
        if kind == "normal":
            self._build_fault_site()
        else:
            self._build_robots_site()

    # -- bookkeeping --------------------------------------------------------------------------

    def record(self, raw_path: str) -> None:
        with self._lock:
            self._hits[raw_path].append(time.monotonic())

    def hits(self, path: str) -> int:
        """Requests for exactly this path (query included)."""
        with self._lock:
            return len(self._hits.get(path, []))

    def hits_under(self, prefix: str) -> int:
        with self._lock:
            return sum(len(t) for p, t in self._hits.items() if p.startswith(prefix))

    def times(self, path: str) -> list[float]:
        with self._lock:
            return list(self._hits.get(path, []))

    def paths(self) -> list[str]:
        with self._lock:
            return sorted(self._hits)

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FaultSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # -- dispatch -----------------------------------------------------------------------------

    def respond(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        route = self.routes.get(parts.path)
        if route is None:
            route = next((r for prefix, r in self.prefix_routes if parts.path.startswith(prefix)), None)
        if route is None:
            handler.send(404, "<html><head><title>404</title></head><body>Not found</body></html>")
            return
        route(handler)

    def _static(
        self, body: bytes | str, content_type: str | None = "text/html; charset=utf-8", **kw: Any
    ) -> Route:
        return lambda h: h.send(200, body, content_type, **kw)

    def _article(self, path: str, story: Story, outcome: str = "extracted", **kw: Any) -> None:
        self.routes[path] = self._static(article_html(story, self.url(path), **kw))
        self.expected[path] = (outcome, "")

    # -- the site with every fault ------------------------------------------------------------

    def _build_fault_site(self) -> None:
        s = iter(stories())
        canary = f"http://127.0.0.1:{self.canary_port}"
        r = self.routes

        # Normal articles: in the sitemap, and what every test checks is still stored.
        for i in range(4):
            path = f"/articles/normal-{i}.html"
            self._article(path, next(s))
            self.normal.append(path)

        # Charset lies. The text must come out with the right characters.
        self.charset_paths: list[str] = []

        def charset_case(
            name: str, encode: Callable[[str], bytes], content_type: str, meta: str | None
        ) -> None:
            path = f"/articles/charset-{name}.html"
            page = article_html(next(s), self.url(path), charset=meta, extra_paragraph=CHARSET_SENTENCE)
            r[path] = self._static(encode(page), content_type)
            self.expected[path] = ("extracted", "")
            self.charset_paths.append(path)

        charset_case(
            "cp1252-labelled-utf8", lambda t: t.encode("cp1252"), "text/html; charset=utf-8", "utf-8"
        )
        charset_case(
            "utf8-bom-labelled-latin1",
            lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
            "text/html; charset=ISO-8859-1",
            "iso-8859-1",
        )
        charset_case("utf16-bom", lambda t: t.encode("utf-16"), "text/html; charset=utf-16", None)
        charset_case("cp1252-no-charset", lambda t: t.encode("cp1252"), "text/html", None)
        charset_case(
            "utf8-labelled-latin1", lambda t: t.encode("utf-8"), "text/html; charset=iso-8859-1", None
        )

        # The same article under tracking and reordered query strings: one record, the rest in also_at.
        story = next(s)
        self.tracked_base = "/articles/tracked.html?id=7&lang=en"
        self.tracked_variants = [
            "/articles/tracked.html?lang=en&id=7",
            "/articles/tracked.html?id=7&lang=en&utm_source=newsletter&utm_medium=email",
            "/articles/tracked.html?fbclid=IwAR0abc123&id=7&lang=en",
        ]
        r["/articles/tracked.html"] = self._static(
            article_html(story, self.url(self.tracked_base), canonical=self.url(self.tracked_base))
        )

        # A hostile canonical: the page claims another site's identity.
        self.hostile_path = "/articles/hostile-canonical.html"
        self._article(self.hostile_path, next(s), canonical="https://victim.example/news/stolen-story")

        # Compressed, correctly: must be decompressed and stored.
        for name, encode in (("gzip", gzip.compress), ("br", brotli.compress)):
            path = f"/articles/{name}-encoded.html"
            page = article_html(next(s), self.url(path)).encode("utf-8")
            r[path] = self._static(encode(page), headers={"Content-Encoding": name})
            self.expected[path] = ("extracted", "")

        # Malformed and deeply nested HTML.
        self._article(
            "/articles/malformed.html", next(s), body_wrap=(MALFORMED_JUNK, MALFORMED_JUNK + "<div><p>")
        )
        nested = "<div>" * 5000 + "deep" + "</div>" * 5000
        self._article("/articles/nested-beside.html", next(s), body_wrap=(nested, ""))
        self.expected["/articles/nested-beside.html"] = ("error", "nested deeper than 255")
        wrapped = article_html(next(s), self.url("/articles/nested-around.html"))
        wrapped = wrapped.replace("<main>", "<main>" + "<div>" * 5000).replace(
            "</main>", "</div>" * 5000 + "</main>"
        )
        r["/articles/nested-around.html"] = self._static(wrapped)
        self.expected["/articles/nested-around.html"] = ("error", "nested deeper than 255")

        # 503 with Retry-After, then the page: waited for, retried, stored.
        busy_story = next(s)
        busy_state = {"n": 0}

        def busy(h: _Handler) -> None:
            busy_state["n"] += 1
            if busy_state["n"] == 1:
                h.send(503, "<html><body>Busy</body></html>", headers={"Retry-After": "1"})
            else:
                h.send(200, article_html(busy_story, self.url("/articles/busy.html")))

        r["/articles/busy.html"] = busy
        self.expected["/articles/busy.html"] = ("extracted", "")

        # A redirect to an article that is fetched anyway: fetched again, one of the two ends duplicate.
        moved_story = stories()[22]
        self._article("/articles/moved-here.html", moved_story)
        r["/articles/moved.html"] = self._redirect("/articles/moved-here.html", 301)
        self.moved = ("/articles/moved.html", "/articles/moved-here.html")
        del self.expected["/articles/moved-here.html"]

        # Soft 404, paywall, challenge, JavaScript-only, index pages at article URLs.
        r["/articles/gone.html"] = self._static(SOFT_404)
        self.expected["/articles/gone.html"] = ("not-an-article", "soft 404")
        r["/articles/premium.html"] = self._static(PAYWALL)
        self.expected["/articles/premium.html"] = ("paywalled", "paywall")
        r["/articles/challenge.html"] = self._static(CHALLENGE)
        self.expected["/articles/challenge.html"] = ("blocked", "challenge page")
        r["/articles/app.html"] = self._static(APP_SHELL)
        self.expected["/articles/app.html"] = ("empty", "JavaScript-only")
        teasers = [(p, f"Story {i}: what the council decided and why") for i, p in enumerate(self.normal)]
        r["/articles/index.html"] = self._static(section_html("All articles", teasers))
        self.expected["/articles/index.html"] = ("not-an-article", "listing")

        # Not HTML at article URLs.
        for path, body, ctype, reason in (
            ("/articles/report.pdf", _pdf(), "application/pdf", "content type application/pdf"),
            ("/articles/photo.html", _png(), "image/png", "content type image/png"),
            ("/articles/download.html", bytes(range(256)) * 16, "application/octet-stream", "octet-stream"),
            (
                "/articles/lying-pdf.html",
                _pdf(),
                "text/html; charset=utf-8",
                "application/pdf (sent as text/html)",
            ),
            ("/articles/untyped-pdf.html", _pdf(), None, "content type application/pdf"),
        ):
            r[path] = self._static(body, ctype)
            self.expected[path] = ("not-an-article", reason)

        # Decompression bombs, endless and oversized bodies.
        for name in ("gzip", "br"):
            path = f"/articles/bomb-{name}.html"
            r[path] = functools.partial(self._send_bomb, name)
            self.expected[path] = ("error", "decompression bomb")
        r["/articles/endless.html"] = self._endless
        self.expected["/articles/endless.html"] = ("error", "larger than download max size")
        r["/articles/huge-declared.html"] = self._huge_declared
        self.expected["/articles/huge-declared.html"] = ("error", "larger than download max size")

        # Broken transfers: slow-loris, truncated body, reset connection.
        r["/articles/slow.html"] = self._slow
        self.expected["/articles/slow.html"] = ("error", "DownloadTimeoutError")
        r["/articles/truncated.html"] = self._truncated
        self.expected["/articles/truncated.html"] = ("error", "ResponseDataLossError")
        r["/articles/reset.html"] = self._reset
        self.expected["/articles/reset.html"] = ("error", "Error")

        # Redirect loops and long chains (the test allows 3 redirects).
        r["/articles/loop-a.html"] = self._redirect("/articles/loop-b.html")
        r["/articles/loop-b.html"] = self._redirect("/articles/loop-a.html")
        self.expected["/articles/loop-a.html"] = ("error", "redirect loop")
        r["/articles/refresh-loop.html"] = self._static(
            '<html><head><meta http-equiv="refresh" content="0; url=/articles/refresh-loop.html">'
            "</head><body>Moved</body></html>"
        )
        self.expected["/articles/refresh-loop.html"] = ("error", "redirect loop")
        for i in range(1, 10):
            r[f"/articles/chain-{i}.html"] = self._redirect(f"/articles/chain-{i + 1}.html")
        self.expected["/articles/chain-1.html"] = ("error", "more than 3 redirects")

        # 429/503 with Retry-After that never succeed, or ask too much.
        r["/articles/rate-limited.html"] = lambda h: h.send(
            429, "<html><body>Too many requests</body></html>", headers={"Retry-After": "1"}
        )
        self.expected["/articles/rate-limited.html"] = ("blocked", "HTTP 429")
        r["/articles/come-back-tomorrow.html"] = lambda h: h.send(
            503, "<html><body>Maintenance</body></html>", headers={"Retry-After": "86400"}
        )
        self.expected["/articles/come-back-tomorrow.html"] = ("blocked", "HTTP 503")

        # SSRF: redirects to the canary port (in every spelling of 127.0.0.1), [::1], the metadata
        # address. allow_private is on for this source, but only for its own origin.
        port = self.canary_port
        self.ssrf_redirects = {
            "to-canary": f"{canary}/articles/stolen.html",
            "to-decimal": f"http://2130706433:{port}/articles/stolen.html",
            "to-hex": f"http://0x7f.1:{port}/articles/stolen.html",
            "to-octal": f"http://017700000001:{port}/articles/stolen.html",
            "to-localhost": f"http://localhost:{port}/articles/stolen.html",
            "to-ipv6-loopback": f"http://[::1]:{port}/articles/stolen.html",
            "to-metadata": "http://169.254.169.254/latest/meta-data/",
        }
        for name, target in self.ssrf_redirects.items():
            path = f"/articles/redirect-{name}.html"
            r[path] = self._redirect(target)
            self.expected[path] = ("blocked", "non-public address")
        r["/articles/redirect-to-file.html"] = self._redirect("file:///etc/passwd")
        # Scrapy does not follow a redirect to a non-http scheme: the 302 itself reaches triage.
        self.expected["/articles/redirect-to-file.html"] = ("error", "HTTP 302 redirect not followed")
        # Links: one to the canary port on the source's own host name (refused by the SSRF guard,
        # blocked), the others to hosts outside allowed_domains (dropped unfetched, as offsite).
        self.ssrf_link = f"{canary}/articles/linked.html"
        self.expected[self.ssrf_link] = ("blocked", "non-public address")
        self.offsite_links = [
            f"http://2130706433:{port}/articles/decimal.html",
            f"http://[::1]:{port}/articles/ipv6.html",
            "http://169.254.169.254/articles/metadata.html",
        ]

        # Disallowed by robots.txt.
        r["/articles/private/draft.html"] = self._static(
            article_html(next(s), self.url("/articles/private/draft.html"))
        )
        self.expected["/articles/private/draft.html"] = ("blocked", "forbidden by robots.txt")

        # Crawler traps (followed, non-article pages).
        self.prefix_routes += [("/trap/", self._trap), ("/calendar/", self._calendar)]
        r["/archive"] = self._archive
        r["/section/world.html"] = self._session
        r["/section/news.html"] = self._static(section_html("News", [(p, p) for p in self.normal]))

        # Discovery: robots.txt, sitemaps (one a gzip bomb), the home page.
        sitemap_paths = [*self.normal, *self.charset_paths, self.hostile_path]
        sitemap_paths += [
            p for p in [*self.expected, *self.moved] if p.startswith("/") and p not in sitemap_paths
        ]
        urls = "".join(f"<url><loc>{html.escape(self.url(p))}</loc></url>" for p in sitemap_paths)
        r["/sitemap.xml"] = self._static(
            f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
            "application/xml",
        )
        r["/sitemap-archive.xml.gz"] = self._static(_sitemap_bomb(), "application/gzip")
        r["/robots.txt"] = self._static(
            "User-agent: *\nDisallow: /articles/private/\n"
            f"Sitemap: {self.url('/sitemap.xml')}\nSitemap: {self.url('/sitemap-archive.xml.gz')}\n",
            "text/plain",
        )
        home_links = [
            ("/section/news.html", "News"),
            ("/section/world.html?sid=1", "World"),
            ("/archive?page=1", "Archive"),
            ("/calendar/2024/01/", "Events calendar"),
            ("/trap/", "Our network"),
            *[(v, "Top story") for v in [self.tracked_base, *self.tracked_variants]],
            ("/articles/private/draft.html", "Draft"),
            ("/articles/redirect-to-file.html", "Old link"),
            *[(u, "Partner story") for u in [self.ssrf_link, *self.offsite_links]],
            ("javascript:alert(1)", "Share"),
            ("mailto:desk@example.org", "Contact"),
        ]
        r["/"] = self._static(section_html("The Fault Gazette", home_links))

    # -- the small sites that only differ in robots.txt ---------------------------------------

    def _build_robots_site(self) -> None:
        # The fault site uses the first 18 stories and the 23rd; these sites the next ones (500 and timeout
        # never get to serve theirs).
        offset = {"404": 18, "500": 23, "timeout": 23, "garbage": 20}[self.kind]
        picked = stories()[offset : offset + 2]
        for i, story in enumerate(picked):
            path = f"/articles/story-{i}.html"
            self._article(path, story)
            self.normal.append(path)
        self.routes["/"] = self._static(section_html("Home", [(p, p) for p in self.normal]))
        if self.kind == "404":
            self.routes["/robots.txt"] = lambda h: h.send(404, "<html><body>Not found</body></html>")
        elif self.kind == "500":
            self.routes["/robots.txt"] = lambda h: h.send(500, "<html><body>Internal error</body></html>")
        elif self.kind == "timeout":
            self.routes["/robots.txt"] = self._robots_timeout
        else:  # binary junk and HTML around one valid rule: the rule is kept, the rest ignored
            garbage = (
                bytes(range(256)) * 4
                + b"\n<html><body>{{{ Allow everything?? }}}\n"
                + b"User-agent: *\nDisallow: /articles/story-1.html\n"
                + b"\xff\xfe\x00" * 50
                + b"\nCrawl-delay: soon\nSitemap: ::::\n"
            )
            self.routes["/robots.txt"] = self._static(garbage, "text/plain")
            self.normal.remove("/articles/story-1.html")
            self.expected["/articles/story-1.html"] = ("blocked", "forbidden by robots.txt")

    # -- misbehaviours ------------------------------------------------------------------------

    def _redirect(self, location: str, status: int = 302) -> Route:
        return lambda h: h.send(status, b"", headers={"Location": location})

    def _send_bomb(self, kind: str, h: _Handler) -> None:
        h.send(200, _bomb(kind), headers={"Content-Encoding": kind})

    def _endless(self, h: _Handler) -> None:
        """Chunked HTML that never ends (until the client gives up, or 64 MB)."""
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"<p>" + b"more " * 2000 + b"</p>\n"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        for _ in range(64 * 1024 * 1024 // len(chunk)):
            if self._stop.is_set():
                return
            h.wfile.write(frame)

    def _huge_declared(self, h: _Handler) -> None:
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(10 * 1024**3))
        h.end_headers()
        h.wfile.write(b"<html><body>" + b"x" * 4096)

    def _slow(self, h: _Handler) -> None:
        """Slow-loris: headers, then one byte every 0.2 s until the site stops.

        No deadline of its own: any deadline would race the client's timeout on a slow machine.
        """
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        while not self._stop.is_set():
            try:
                h.wfile.write(b"<")
                h.wfile.flush()
            except OSError:  # the client gave up (its timeout): the point of this page
                return
            self._stop.wait(0.2)

    def _truncated(self, h: _Handler) -> None:
        page = article_html(stories()[0], self.url("/articles/truncated.html")).encode("utf-8")
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(page) + 5000))
        h.end_headers()
        h.wfile.write(page[: len(page) // 2])
        h.wfile.flush()

    def _reset(self, h: _Handler) -> None:
        page = article_html(stories()[1], self.url("/articles/reset.html")).encode("utf-8")
        h.close_connection = True
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        h.send_header("Content-Length", str(len(page)))
        h.end_headers()
        h.wfile.write(page[:3000])
        h.wfile.flush()
        time.sleep(0.05)
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()  # RST, mid-body

    def _robots_timeout(self, h: _Handler) -> None:
        """No answer until the site stops (``robots_delay`` None): longer than any client timeout."""
        self._stop.wait(self.robots_delay)
        h.send(200, "User-agent: *\nAllow: /\n", "text/plain")

    def _trap(self, h: _Handler) -> None:
        """Relative links resolved against themselves: /trap/a/b/a/b/... without end."""
        h.send(200, section_html("Network", [("a/b/", "Partner sites")]))

    def _calendar(self, h: _Handler) -> None:
        """Every month links the next and the previous one, for ever."""
        parts = [p for p in urlsplit(h.path).path.split("/") if p]
        year, month = (int(parts[1]), int(parts[2])) if len(parts) == 3 else (2024, 1)
        nxt = (year + (month == 12), month % 12 + 1)
        prv = (year - (month == 1), (month - 2) % 12 + 1)
        links = [(f"/calendar/{y}/{m:02d}/", "month") for y, m in (nxt, prv)]
        h.send(200, section_html(f"Events {year}-{month:02d}", links))

    def _archive(self, h: _Handler) -> None:
        page = int(parse_qs(urlsplit(h.path).query).get("page", ["1"])[0])
        h.send(200, section_html(f"Archive page {page}", [(f"/archive?page={page + 1}", "Older")]))

    def _session(self, h: _Handler) -> None:
        """A new session id in every link: each visit is a new URL."""
        sid = int(parse_qs(urlsplit(h.path).query).get("sid", ["1"])[0])
        h.send(200, section_html("World", [(f"/section/world.html?sid={sid * 7 + 3}", "World")]))


class Canary:
    """A TCP listener that only records connections: anything reaching it is an SSRF."""

    def __init__(self) -> None:
        connections = self.connections = []  # type: list[tuple[str, int]]

        class Recorder(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                connections.append(self.client_address)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Recorder)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Canary:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class CrawlSpy:
    """A Scrapy extension that keeps each crawl's items (pages and drops) and final stats."""

    runs: ClassVar[dict[str, dict[str, Any]]] = {}

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.record: dict[str, Any] = {"items": [], "stats": {}, "reason": None, "downloaded": []}
        CrawlSpy.runs[crawler.settings.get("CLEANWIRE_SOURCE")] = self.record

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlSpy:
        from scrapy import signals

        spy = cls(crawler)
        crawler.signals.connect(spy.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(spy.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(spy.request_reached_downloader, signal=signals.request_reached_downloader)
        return spy

    def request_reached_downloader(self, request: Any, spider: Any = None) -> None:
        """Every request that got past the middlewares to the download handler (a connection)."""
        self.record["downloaded"].append(request.url)

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        self.record["items"].append(item)

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.record["stats"] = dict(self.crawler.stats.get_stats())
        self.record["reason"] = reason


@dataclass
class FaultSites:
    main: FaultSite
    robots: dict[str, FaultSite]
    canary: Canary

    def all(self) -> Iterator[FaultSite]:
        yield self.main
        yield from self.robots.values()


def start_fault_sites() -> FaultSites:
    canary = Canary().start()
    main = FaultSite("normal", canary_port=canary.port).start()
    robots = {
        kind: FaultSite(kind, canary_port=canary.port).start()
        for kind in ("404", "500", "timeout", "garbage")
    }
    return FaultSites(main, robots, canary)
