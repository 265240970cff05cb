"""A big, well-behaved news site on 127.0.0.1 for shared-frontier crawls: every request is logged.

Hundreds of article pages (demo stories, rendered by ``tests.fault_site.article_html`` with
masthead, nav, related links and footer), reachable two ways, as on a real site: from a sitemap
index named in robots.txt (with lastmod), and from section pages linked from the home page.
So two crawl processes discover most articles twice, and the test can see from the request log
whether the shared frontier fetched each one once. Article responses take ``delay`` seconds, so
one process cannot finish the site alone; section pages and sitemaps take ``listing_delay``, longer
than a process needs to notice new requests, so both processes read some of them and discover
the same articles.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from collections import Counter
from datetime import date, timedelta
from email.utils import formatdate
from typing import Any

from tests.fault_site import Story, _Handler, _Quiet, article_html, section_html, stories

SECTIONS = ("news", "world", "business", "science", "culture", "sport")
PER_SITEMAP = 100


class _LoggingHandler(_Handler):
    # Headers and body go out in two writes; with Nagle on, each response waits for a delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        site: FrontierSite = self.server.site  # type: ignore[attr-defined]
        site.record(self.path)
        site.respond(self)


class FrontierSite:
    """``articles`` article pages under /articles/, six sections, a sitemap index, robots.txt."""

    def __init__(self, articles: int = 300, delay: float = 0.05, listing_delay: float = 0.3) -> None:
        self.delay = delay
        self.listing_delay = listing_delay
        self._server = _Quiet(("127.0.0.1", 0), _LoggingHandler)
        self._server.site = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._hits: Counter[str] = Counter()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.pages: dict[str, tuple[bytes, str]] = {}
        self.article_paths: list[str] = []
        self.lastmod: dict[str, str] = {}
        self._variants: dict[str, Story] = {}
        self._build(articles)

    # -- the log ----------------------------------------------------------------------------------

    def record(self, path: str) -> None:
        with self._lock:
            self._hits[path] += 1

    def hits(self) -> Counter[str]:
        with self._lock:
            return Counter(self._hits)

    def article_hits(self) -> Counter[str]:
        return Counter({p: n for p, n in self.hits().items() if p.startswith("/articles/")})

    def reset_log(self) -> None:
        with self._lock:
            self._hits.clear()

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FrontierSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- the site ---------------------------------------------------------------------------------

    def _build(self, count: int) -> None:
        base = stories()
        first_day = date(2025, 1, 1)
        by_section: dict[str, list[tuple[str, str]]] = {s: [] for s in SECTIONS}
        for n in range(count):
            story = base[n % len(base)]
            section = SECTIONS[n % len(SECTIONS)]
            day = first_day + timedelta(days=n % 200)
            variant = Story(
                f"{story.slug}-{n}",
                f"{story.title} ({section} edition {n})",
                story.author,
                day.isoformat(),
                story.paragraphs,
            )
            path = f"/articles/{section}/{variant.slug}.html"
            self.article_paths.append(path)
            self.lastmod[path] = f"{day.isoformat()}T08:00:00+00:00"
            by_section[section].append((path, variant.title))
            self._variants[path] = variant
        for i, path in enumerate(self.article_paths):
            related = [self.article_paths[(i + k * 7) % count] for k in (1, 2, 3, 4)]
            links = "".join(f'<li><a href="{p}">Related story</a></li>' for p in related)
            page = article_html(
                self._variants[path],
                self.url(path),
                site="The Frontier Times",
                body_wrap=("", f'<aside class="related-stories"><h3>Related</h3><ul>{links}</ul></aside>'),
            )
            self.pages[path] = (page.encode("utf-8"), "text/html; charset=utf-8")
        home_links = [(f"/section/{s}.html", s.title()) for s in SECTIONS]
        self.pages["/"] = (
            section_html("The Frontier Times", home_links).encode(),
            "text/html; charset=utf-8",
        )
        for section, links in by_section.items():
            body = section_html(section.title(), links).encode()
            self.pages[f"/section/{section}.html"] = (body, "text/html; charset=utf-8")
        sitemaps = []
        for k in range(0, count, PER_SITEMAP):
            name = f"/sitemap-{k // PER_SITEMAP + 1}.xml"
            sitemaps.append(name)
            urls = "".join(
                f"<url><loc>{html.escape(self.url(p))}</loc><lastmod>{self.lastmod[p]}</lastmod></url>"
                for p in self.article_paths[k : k + PER_SITEMAP]
            )
            xml = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            self.pages[name] = (xml.encode(), "application/xml")
        entries = "".join(f"<sitemap><loc>{self.url(s)}</loc></sitemap>" for s in sitemaps)
        index = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
        self.pages["/sitemap-index.xml"] = (index.encode(), "application/xml")
        robots = f"User-agent: *\nDisallow: /private/\nSitemap: {self.url('/sitemap-index.xml')}\n"
        self.pages["/robots.txt"] = (robots.encode(), "text/plain")

    def respond(self, handler: _Handler) -> None:
        path = handler.path.split("?", 1)[0]
        found = self.pages.get(path)
        if found is None:
            handler.send(404, "<html><head><title>404</title></head><body>Not found</body></html>")
            return
        body, content_type = found
        if path.startswith("/articles/"):
            time.sleep(self.delay)
        elif path.startswith(("/section/", "/sitemap-")):
            time.sleep(self.listing_delay)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": formatdate(1_700_000_000, usegmt=True)}
        if handler.headers.get("If-None-Match") == etag:
            handler.send(304, b"", None, headers)
            return
        handler.send(200, body, content_type, headers)

    def source(self, **politeness: Any) -> dict[str, Any]:
        """The source config (as YAML would give it) for this site."""
        return {
            "name": "frontier-times",
            "allowed_domains": ["127.0.0.1"],
            "allow_private": True,
            "discovery": {
                "start_urls": [self.url("/")],
                "follow": [r"/section/"],
                "robots_sitemaps": True,
            },
            "article_urls": {"allow": [r"/articles/"]},
            "politeness": {
                "autothrottle": False,
                "download_delay": 0,
                "concurrency_per_domain": 4,
                "max_pages": 5000,
                "max_seconds": 120,
                **politeness,
            },
        }
