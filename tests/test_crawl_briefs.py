"""A crawl of a site whose articles include 40-90-word briefs and ``og:type website`` pages stores
every article, and still refuses the month listing that its article URL pattern also matches, and
a page of a million paragraphs (``too-large``, not parsed)."""

from __future__ import annotations

import html
import random
from pathlib import Path

import pytest

from benchmarks.dedup.corpus import _synthetic_text
from cleanwire.demo.server import SiteServer
from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader

BRIEFS = {
    "ferry-adds-sailing": (
        "Ferry adds a late sailing",
        "The harbour ferry will add a 11:40 p.m. sailing from Pier 3 on Fridays and Saturdays "
        "from next month, the transit authority said on Tuesday, after riders asked for a way "
        "home from late concerts. The fare is unchanged for adults.",
    ),
    "library-fines": (
        "Library forgives late fines",
        "The city library will forgive all overdue fines on children's cards from Monday, the "
        "library board decided in a 7-0 vote. Officials said fines kept about 1,200 families "
        "from borrowing books. Adult cards keep the fines for now, and the board will review "
        "that policy in the spring after a year of figures on returns.",
    ),
    "smoke-advisory": (
        "Smoke advisory extended",
        "The air quality advisory for the valley was extended through Thursday as smoke from "
        "wildfires to the north lingers, the regional air district said. Residents with asthma "
        "should stay indoors when possible, and outdoor school sports are moved to the gym. "
        "Cooling centres open at noon at the three branch libraries and the senior centre on "
        "Fifth Avenue.",
    ),
}


def _long(seed: int, words: int) -> str:
    """A full story: distinct generated prose (the dedup corpus's generator), one per seed."""
    return _synthetic_text(random.Random(seed), words).replace("\n\n", " ")


FULL = {
    "council-budget": ("Council approves budget", _long(1, 420), "website"),
    "transit-fares": ("Transit board weighs fares", _long(2, 380), "website"),
    "school-phones": ("School board bans phones", _long(3, 450), "article"),
}


def _article(title: str, body: str, og_type: str) -> str:
    paras = "".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split(". ") if p.strip())
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | The Harbour Times</title>
<meta property="og:type" content="{og_type}">
<meta property="article:published_time" content="2025-09-02T08:00:00Z"></head>
<body><header><a href="/">The Harbour Times</a><nav><a href="/news/">News</a>
<a href="/sport/">Sport</a></nav></header>
<main><h1>{html.escape(title)}</h1>{paras}</main>
<footer>© 2025 The Harbour Times. All rights reserved.</footer></body></html>"""


def _listing(slugs: list[tuple[str, str]]) -> str:
    cards = "".join(
        f'<div class="card"><h2><a href="/2025/09/{slug}.html">{html.escape(title)}: '
        "what the decision means for the city</a></h2></div>"
        for slug, title in slugs
    )
    return f"""<!DOCTYPE html><html lang="en"><head><title>September 2025 | The Harbour Times</title>
<meta property="og:type" content="website"></head><body><main><h1>September 2025</h1>{cards}
<a href="/2025/08/index.html">Older stories</a></main></body></html>"""


@pytest.fixture
def briefs_site(tmp_path: Path):
    root = tmp_path / "site"
    (root / "2025" / "09").mkdir(parents=True)
    titles = []
    for slug, (title, body) in BRIEFS.items():
        (root / "2025" / "09" / f"{slug}.html").write_text(_article(title, body, "website"))
        titles.append((slug, title))
    for slug, (title, body, og_type) in FULL.items():
        (root / "2025" / "09" / f"{slug}.html").write_text(_article(title, body, og_type))
        titles.append((slug, title))
    # a month listing, at a URL the source's article pattern matches: evidence must refuse it
    listing = titles * 2
    (root / "2025" / "09" / "index.html").write_text(_listing(listing))
    # a hostile page of a million short paragraphs (8 MB) among them: refused, the rest stored
    paragraphs = "<p>x</p>" * 1_000_000
    huge = _article("A million paragraphs", "", "article").replace("</main>", paragraphs + "</main>")
    (root / "2025" / "09" / "million-paragraphs.html").write_text(huge)
    server = SiteServer(root).start()
    urls = [f"{server.base_url}/2025/09/{slug}.html" for slug, _ in titles]
    urls.append(f"{server.base_url}/2025/09/index.html")
    urls.append(f"{server.base_url}/2025/09/million-paragraphs.html")
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{u}</loc></url>" for u in urls)
        + "</urlset>"
    )
    config = tmp_path / "config"
    config.mkdir()
    (config / "harbour-times.yaml").write_text(
        f"""site_name: The Harbour Times
allowed_domains: [127.0.0.1]
allow_private: true
discovery:
  sitemaps: ["{server.base_url}/sitemap.xml"]
  robots_sitemaps: false
article_urls:
  allow: ['/\\d{{4}}/\\d{{2}}/[\\w-]+\\.html']
politeness:
  autothrottle: false
  download_delay: 0
language: en
"""
    )
    yield config, f"file://{tmp_path / 'bucket'}"
    server.stop()


@pytest.mark.usefixtures("prefect_server")
def test_briefs_and_og_type_website_articles_are_all_stored(briefs_site) -> None:
    config, store = briefs_site
    run = ingest(config_dir=str(config), store=store)
    counts = run["counts"]["harbour-times"]
    assert counts.get("extracted") == len(BRIEFS) + len(FULL), counts
    assert counts.get("not-an-article") == 1 and not counts.get("too-short"), counts
    assert counts.get("too-large") == 1, counts
    records = {a.title: a for a in BucketReader(store).records()}
    for title, body in BRIEFS.values():
        stored = records[title]
        assert 40 <= len(body.split()) <= 90
        assert stored.page_kind is not None and stored.page_kind.short
        assert stored.text.replace("\n\n", " ").startswith(body.split(". ")[0])
    for title, _, _ in FULL.values():
        assert records[title].page_kind is not None and not records[title].page_kind.short
