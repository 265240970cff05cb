"""``cleanwire new-source``: probe a site and write a first config and a test skeleton.

The probe reads robots.txt for sitemaps, the home page for feed links and
article-looking URLs, and derives an article URL pattern from what it saw.
It makes a handful of requests, as cleanwire's user agent, and refuses
private addresses unless told otherwise (SSRF: a config must not turn the
crawler against the network it runs in): each host is resolved once and
connected to at the address that was checked, redirects included; link-local
and metadata addresses are refused even with ``--allow-private``.

What the site says (links, feed URLs) only reaches the written file through
``SourceConfig`` and a YAML serializer, and the file is loaded back before
success is reported.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import yaml

from pipeline import addresses
from pipeline.extract.decode import decode_body
from pipeline.record import Page
from pipeline.sources import (
    ArticleUrls,
    Discovery,
    Politeness,
    SourceConfig,
    check_source_name,
    parse_source,
)
from pipeline.urls import InvalidUrl, checked_url, display_url
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
    """An http(s) URL whose host resolves only to allowed addresses (``pipeline.addresses``)."""
    parts = _parts(url)
    _resolve(parts, allow_private)


def _resolve(parts: SplitResult, allow_private: bool) -> str:
    """The one checked address to connect to for this URL."""
    try:
        found = addresses.resolve_checked(
            parts.hostname or "", parts.port or _PORTS[parts.scheme], allow_private
        )
    except addresses.AddressRefused as exc:
        hint = (
            "" if allow_private else "; pass --allow-private for a test or intranet site (loopback, RFC 1918)"
        )
        raise addresses.AddressRefused(f"{exc}{hint}") from None
    return found[0][1]


_PORTS = {"http": 80, "https": 443}
_REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
MAX_BODY = 5_000_000


def _parts(url: str) -> SplitResult:
    """An http(s) URL by ``pipeline.urls.checked_url``; credentials in it are refused."""
    try:
        checked, stripped = checked_url(url)
    except InvalidUrl as exc:
        raise ValueError(f"{display_url(url)}: {exc}") from exc
    if stripped:
        raise ValueError(f"{display_url(url)}: credentials in the URL are refused")
    return urlsplit(checked)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to one checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    """The same over TLS: the certificate is checked against the host name (SNI kept)."""

    default_port = 443

    def connect(self) -> None:
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def _get(url: str, allow_private: bool = False) -> tuple[int, str]:
    """GET ``url``, following redirects itself: every hop's host is resolved once, checked, and
    connected to at the checked address (a second lookup could answer otherwise)."""
    for _ in range(MAX_REDIRECTS + 1):
        parts = _parts(url)
        port = parts.port or _PORTS[parts.scheme]
        address = _resolve(parts, allow_private)
        kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = kind(parts.hostname or "", port, address, timeout=15)
        try:
            path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
            connection.request("GET", path, headers={"User-Agent": USER_AGENT})
            response = connection.getresponse()
            location = response.getheader("Location")
            if response.status in _REDIRECTS and location:
                url = urljoin(url, location)
                continue
            body = response.read(MAX_BODY) if response.status == 200 else b""
        finally:
            connection.close()
        page = Page(url=url, body=body, source="new-source", headers=dict(response.getheaders()))
        return response.status, decode_body(page)
    raise ValueError(f"{url}: more than {MAX_REDIRECTS} redirects")


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


def _site_urls(found: list[str], base: str) -> list[str]:
    """The URLs a hostile page offered that are fit for a config: absolute http(s), within the
    length limit, credentials refused (``pipeline.urls.checked_url``); the rest are left out."""
    kept = []
    for raw in found:
        try:
            url, stripped = checked_url(raw, base)
        except InvalidUrl:
            continue
        if not stripped:
            kept.append(url)
    return sorted(set(kept))


def probe(url: str, allow_private: bool = False) -> Probe:
    check_host(url, allow_private)
    parts = urlsplit(url)
    root = f"{parts.scheme}://{parts.netloc}"
    result = Probe(url=url, host=parts.hostname or "")
    status, robots = _get(root + "/robots.txt", allow_private)
    if status == 200:
        declared = [
            line.split(":", 1)[1] for line in robots.splitlines() if line.lower().startswith("sitemap:")
        ]
        result.sitemaps = _site_urls(declared, root)
    status, home = _get(url, allow_private)
    links = _Links()
    links.feed(home)
    result.feeds = _site_urls([f for f in links.feeds if f], url)
    same_site = {u.split("#")[0] for u in _site_urls(links.links, url)}
    same_site = {u for u in same_site if urlsplit(u).netloc == parts.netloc}
    result.article_urls = sorted(
        u for u in same_site if _DATE_PATH.search(u) or _SLUG.search(urlsplit(u).path)
    )
    result.allow = article_pattern(result.article_urls)
    return result


_HEADER = """\
# Written by `cleanwire new-source {name}`; check it, then run
#   cleanwire preview {name} --limit 10
# docs/adding-a-source.md explains every field.{private}
"""


def source_config(name: str, found: Probe, allow_private: bool) -> SourceConfig:
    """The first config for a probed site: a ``SourceConfig``, so every value is validated."""
    options = {"allow_private": True} if allow_private else {}
    return SourceConfig(
        name=name,
        site_name=name,
        allowed_domains=[found.host],
        **options,
        discovery=Discovery(
            start_urls=[found.url],
            robots_sitemaps=bool(found.sitemaps),
            **({"feeds": found.feeds} if found.feeds else {}),
        ),
        article_urls=ArticleUrls(allow=[found.allow], deny=["/tag/", "/author/", "/search"]),
        politeness=Politeness(concurrency_per_domain=2, download_delay=1.0, max_pages=300),
        language="en",
        schedule="0 */2 * * *",
    )


def source_yaml(name: str, found: Probe, allow_private: bool) -> str:
    """The config as YAML written by a serializer (never by string formatting: a quote or a
    newline in a URL the site chose stays a value). Only the fields set here are written."""
    config = source_config(name, found, allow_private)
    private = "\n# allow_private: the site is on a private or loopback address." if allow_private else ""
    fields = config.model_dump(mode="json", exclude_unset=True)
    body = yaml.safe_dump(fields, sort_keys=False, allow_unicode=False, width=1000)
    return _HEADER.format(name=name, private=private) + body


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
    check_source_name(name)  # before anything is fetched or written: a name is a file name
    config_path = config_dir / f"{name}.yaml"
    if config_path.exists():
        raise FileExistsError(f"{config_path} exists; remove it or choose another name")
    found = probe(url, allow_private)
    config_dir.mkdir(parents=True, exist_ok=True)
    config_path.write_text(source_yaml(name, found, allow_private), encoding="utf-8")
    try:  # success means the file loads as it will be loaded: read it back
        parse_source(config_path)
    except ValueError:
        config_path.unlink()
        raise
    test_path = tests_dir / f"test_source_{name.replace('-', '_')}.py"
    tests_dir.mkdir(parents=True, exist_ok=True)
    if not test_path.exists():
        test_path.write_text(skeleton_test(name), encoding="utf-8")
    return config_path, test_path, found
