"""``cleanwire new-source``: probe a site and write a first config and a test skeleton.

The probe reads robots.txt for sitemaps, the home page for feed links and
article-looking URLs, and derives an article URL pattern from what it saw.
It makes a handful of requests, as cleanwire's user agent, and refuses
private addresses unless told otherwise (SSRF: a config must not turn the
crawler against the network it runs in).
"""

from __future__ import annotations

import ipaddress
import re
import socket
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from spiders.settings import USER_AGENT

_DATE_PATH = re.compile(r"/(19|20)\d{2}/\d{1,2}/")
_SLUG = re.compile(r"/[a-z0-9]+(?:-[a-z0-9]+){3,}(?:\.html?)?/?$")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.feeds: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        if (
            tag == "link"
            and "alternate" in (values.get("rel") or "")
            and ("rss" in (values.get("type") or "") or "atom" in (values.get("type") or ""))
        ):
            self.feeds.append(values.get("href") or "")


@dataclass
class Probe:
    url: str
    host: str
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    article_urls: list[str] = field(default_factory=list)
    allow: str = ""


def check_host(url: str, allow_private: bool) -> None:
    host = urlsplit(url).hostname or ""
    if urlsplit(url).scheme not in ("http", "https") or not host:
        raise ValueError(f"expected an http(s) URL, got {url!r}")
    if allow_private:
        return
    for info in socket.getaddrinfo(host, None):
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValueError(
                f"{host} resolves to {address}, a private or loopback address; "
                "pass --allow-private for a test or intranet site"
            )


def _get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.read(5_000_000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def article_pattern(urls: list[str]) -> str:
    """A regex that the article URLs share: a date path if most have one, else a long slug."""
    paths = [urlsplit(u).path for u in urls]
    if paths and sum(bool(_DATE_PATH.search(p)) for p in paths) >= 0.6 * len(paths):
        return r"/\d{4}/\d{1,2}/"
    sections = Counter(p.strip("/").split("/")[0] for p in paths if p.count("/") >= 2)
    if sections:
        section, n = sections.most_common(1)[0]
        if n >= 0.6 * len(paths):
            return rf"^https?://[^/]+/{re.escape(section)}/[a-z0-9-]+(?:-[a-z0-9]+){{3,}}"
    return r"/[a-z0-9]+(?:-[a-z0-9]+){3,}(?:\.html?)?/?$"


def probe(url: str, allow_private: bool = False) -> Probe:
    check_host(url, allow_private)
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}"
    result = Probe(url=url, host=parts.hostname or "")
    status, robots = _get(root + "/robots.txt")
    if status == 200:
        result.sitemaps = [
            urljoin(root, line.split(":", 1)[1].strip())
            for line in robots.splitlines()
            if line.lower().startswith("sitemap:")
        ]
    status, home = _get(url)
    links = _Links()
    links.feed(home)
    result.feeds = sorted({urljoin(url, f) for f in links.feeds if f})
    same_site = {urljoin(url, href).split("#")[0] for href in links.links}
    same_site = {u for u in same_site if urlsplit(u).netloc == parts.netloc}
    result.article_urls = sorted(
        u for u in same_site if _DATE_PATH.search(u) or _SLUG.search(urlsplit(u).path)
    )
    result.allow = article_pattern(result.article_urls)
    return result


def source_yaml(name: str, found: Probe, allow_private: bool) -> str:
    lines = [
        f"# Written by `cleanwire new-source {name} {found.url}`; check it, then run",
        f"#   cleanwire preview {name} --limit 10",
        "# docs/adding-a-source.md explains every field.",
        f"site_name: {name}",
        f"allowed_domains: [{found.host}]",
    ]
    if allow_private:
        lines.append("allow_private: true   # the site is on a private or loopback address")
    lines.append("discovery:")
    lines.append(f'  start_urls: ["{found.url}"]')
    if found.sitemaps:
        lines.append("  robots_sitemaps: true   # " + ", ".join(found.sitemaps))
    else:
        lines.append("  robots_sitemaps: false")
    if found.feeds:
        lines.append("  feeds: [" + ", ".join(f'"{f}"' for f in found.feeds) + "]")
    lines += [
        "article_urls:",
        f"  allow: ['{found.allow}']",
        "  deny: ['/tag/', '/author/', '/search']",
        "politeness:",
        "  concurrency_per_domain: 2",
        "  download_delay: 1.0",
        "  max_pages: 300",
        "language: en",
        'schedule: "0 */2 * * *"',
    ]
    return "\n".join(lines) + "\n"


def skeleton_test(name: str) -> str:
    module = name.replace("-", "_")
    return f'''"""Source {name}: its recorded pages replay to the recorded records.

Record them (once, and again when the site changes on purpose) with
    cleanwire preview {name} --limit 10 --save-fixture
"""

from cleanwire.testing import assert_source_replays


def test_{module}_replays_recorded_pages() -> None:
    assert_source_replays("{name}")
'''


def write_source(
    name: str, url: str, config_dir: Path, tests_dir: Path, allow_private: bool
) -> tuple[Path, Path, Probe]:
    found = probe(url, allow_private)
    config_path = config_dir / f"{name}.yaml"
    if config_path.exists():
        raise FileExistsError(f"{config_path} exists; remove it or choose another name")
    config_dir.mkdir(parents=True, exist_ok=True)
    config_path.write_text(source_yaml(name, found, allow_private), encoding="utf-8")
    test_path = tests_dir / f"test_source_{name.replace('-', '_')}.py"
    tests_dir.mkdir(parents=True, exist_ok=True)
    if not test_path.exists():
        test_path.write_text(skeleton_test(name), encoding="utf-8")
    return config_path, test_path, found
