"""The crawl against a hostile site on 127.0.0.1: bad entries, credentials, rebinding DNS.

Pass: an invalid URL in a sitemap, feed or page (``mailto:``, ``javascript:``, a relative
``<loc>``, a malformed IPv6 host, longer than 2,048 characters) is skipped with its reason and
the other entries are fetched; ``user:password@`` is stripped before the fetch (nothing sent,
nothing in the pages or the WARC but the mark that it was stripped); with a DNS server that
answers a public address then loopback, no connection reaches loopback.
"""

from __future__ import annotations

import socket
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from pipeline.bucket.warc import USERINFO_STRIPPED_HEADER
from pipeline.sources import SourceConfig
from spiders.runner import crawl
from tests.fault_site import article_html, stories
from tests.hostile.site import HostileSite, RebindingDns, network_jail

FAST = {"download_delay": 0, "autothrottle": False, "obey_robots": False, "retry_times": 0}
BAD = ["mailto:desk@news.test", "javascript:alert(1)", "/2025/01/relative.html", "http://[::1/2025/01/x.html"]


def source(site: HostileSite, **discovery: list[str]) -> SourceConfig:
    return SourceConfig.model_validate(
        {
            "name": "hostile",
            "allowed_domains": ["127.0.0.1"],
            "allow_private": True,
            "discovery": {"robots_sitemaps": False, **discovery},
            "article_urls": {"allow": [r"/2025/"]},
            "politeness": FAST,
        }
    )


def serve_stories(site: HostileSite, *slugs: str) -> list[str]:
    urls = []
    for slug, story in zip(slugs, stories(), strict=False):
        urls.append(
            site.serve(f"/2025/01/{slug}.html", article_html(story, site.base + f"/2025/01/{slug}.html"))
        )
    return urls


def test_bad_sitemap_feed_and_page_entries_are_skipped_and_counted(hostile_site: HostileSite, tmp_path: Path):
    site = hostile_site
    good = serve_stories(site, "from-sitemap", "from-feed", "from-page", "with-credentials")
    too_long = site.base + "/2025/01/" + "a" * 2100 + ".html"
    secret = good[3].replace("http://", "http://editor:hunter2@")
    locs = [*BAD, too_long, secret, good[0]]  # the bad ones first: the good ones come after
    site.serve(
        "/sitemap.xml",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{loc.replace('&', '&amp;')}</loc></url>" for loc in locs)
        + "</urlset>",
        kind="application/xml",
    )
    items = "".join(f"<item><title>x</title><link>{link}</link></item>" for link in [*BAD, good[1]])
    site.serve(
        "/feed.xml", f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>', kind="application/rss+xml"
    )
    links = "".join(f'<a href="{href}">x</a>' for href in ["http://[::1", "mailto:a@b.test", good[2]])
    site.serve("/", f"<html><head><title>Home</title></head><body>{links}</body></html>")
    config = source(
        site,
        sitemaps=[site.base + "/sitemap.xml"],
        feeds=[site.base + "/feed.xml"],
        start_urls=[site.base + "/"],
    )

    (result,) = crawl([config], warc_dir=tmp_path)

    fetched = {p.url for p in result.pages}
    assert set(good) <= fetched
    reasons = {f.url: f.reason for f in result.failures}
    for bad in ["mailto:desk@news.test", "javascript:alert(1)", "/2025/01/relative.html"]:
        assert any(url.startswith(bad) for url in reasons), (bad, reasons)
    assert any("2048" in reason for reason in reasons.values())
    assert any("[::1" in url and "malformed" in reason for url, reason in reasons.items())
    assert all("invalid URL in" in reason for reason in reasons.values())
    # credentials: stripped before the fetch, so never sent, kept or archived
    assert all("authorization" not in h.headers for h in site.hits)
    assert not any("hunter2" in p.url or "hunter2" in (p.final_url or "") for p in result.pages)
    with result.warc_path.open("rb") as stream:  # the sitemap's own body holds it: raw is raw
        headers = [r.rec_headers for r in ArchiveIterator(stream) if r.rec_type == "response"]
    assert not any("hunter2" in value for h in headers for _, value in h.headers)
    stripped = [h.get_header("WARC-Target-URI") for h in headers if h.get_header(USERINFO_STRIPPED_HEADER)]
    assert stripped == [good[3]]
    assert result.stats.get("cleanwire/userinfo_stripped", 0) >= 1


def test_dns_rebinding_never_reaches_loopback(hostile_site: HostileSite, tmp_path: Path, monkeypatch) -> None:
    """The guard's lookup gets the public answer; the connection's lookup gets 127.0.0.1 and is
    refused, so the hostile site on loopback sees no request."""
    site = hostile_site
    serve_stories(site, "rebound")
    site.serve("/", '<html><body><a href="/2025/01/rebound.html">x</a></body></html>')
    dns = RebindingDns("rebind.test")
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    config = SourceConfig.model_validate(
        {
            "name": "rebind",
            "allowed_domains": ["rebind.test"],
            "discovery": {"start_urls": [f"http://rebind.test:{site.port}/"]},
            "article_urls": {"allow": [r"/2025/"]},
            "politeness": FAST,
        }
    )
    with network_jail() as tried:
        (result,) = crawl([config])
    assert site.hits == [] and result.pages == []
    assert dns.answers[0] == RebindingDns.PUBLIC and "127.0.0.1" in dns.answers
    assert {address[0] for address in tried} <= {RebindingDns.PUBLIC}


def test_allow_private_never_opens_link_local_even_at_a_discovery_origin(tmp_path: Path, monkeypatch) -> None:
    """A source file naming the metadata service as its own start URL, with allow_private: refused
    before any connection."""
    config = SourceConfig.model_validate(
        {
            "name": "metadata",
            "allowed_domains": ["169.254.169.254"],
            "allow_private": True,
            "discovery": {
                "start_urls": ["http://169.254.169.254/latest/meta-data/"],
                "robots_sitemaps": False,
            },
            "politeness": FAST,
        }
    )
    with network_jail() as tried:
        (result,) = crawl([config])
    assert tried == [] and result.pages == []
    assert result.stats.get("cleanwire/refused/private", 0) >= 1
