"""Two fixture news sites that syndicate the same stories, for the scale-out tests.

East Gazette publishes the originals (found through its sitemap, named in robots.txt);
West Wire runs the same stories (found through its RSS feed) in its own chrome, some word
for word, some with a paragraph cut and the rest re-wrapped (paragraphs run together), some as
teasers cut anywhere from 50 to 90% of the way through and laid out in other paragraphs, plus
a few stories of its own. Both pages carry navigation, related links, a newsletter box and a
copyright footer, so the copies only match once boilerplate is gone.
"""

from __future__ import annotations

import html
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.dedup.corpus import _synthetic_text
from benchmarks.dedup.syndication import regroup
from pipeline.bucket.reader import BucketReader
from tests.bucket_files import stored_record_ids

SHARED, EAST_ONLY, WEST_ONLY = 24, 4, 4


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    east: str | None  # body as East Gazette prints it
    west: str | None  # body as West Wire prints it


def stories(seed: int = 5) -> list[Story]:
    rng = random.Random(seed)
    out = []
    for i in range(SHARED + EAST_ONLY + WEST_ONLY):
        body = _synthetic_text(rng, rng.randint(420, 650))
        title = " ".join(body.split()[:7]).rstrip(".,").capitalize()
        paras = body.split("\n\n")
        if i < SHARED:
            how = i % 3
            if how == 0:
                west = body
            elif how == 1:
                kept = paras[:2] + paras[3:] if len(paras) > 3 else paras
                west = "\n\n".join(" ".join(kept[j : j + 2]) for j in range(0, len(kept), 2))
            else:
                west = _teaser(body, rng.uniform(0.5, 0.9), rng)
            out.append(Story(f"story-{i:02d}", title, body, west))
        elif i < SHARED + EAST_ONLY:
            out.append(Story(f"east-{i:02d}", title, body, None))
        else:
            out.append(Story(f"west-{i:02d}", title, None, body))
    return out


def _teaser(body: str, share: float, rng: random.Random) -> str:
    """The first ``share`` of the words, cut at a sentence end, re-wrapped into paragraphs of two
    to four sentences (no paywall line: triage would rightly call such a page paywalled)."""
    sentences = [s for para in body.split("\n\n") for s in para.split(". ") if s]
    keep, words, out = round(share * len(body.split())), 0, []
    for sentence in sentences:
        if words + len(sentence.split()) > keep:
            break
        out.append(sentence.rstrip(".") + ".")
        words += len(sentence.split())
    return "\n\n".join(regroup(out, rng, 2, 4))


def _page(site: str, title: str, body: str, related: list[tuple[str, str]]) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n"))
    links = "".join(f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in related)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title>
<meta property="og:type" content="article"><meta property="og:site_name" content="{site}">
<meta property="article:published_time" content="2026-11-20T08:00:00Z"></head>
<body>
<header><a href="/">{site}</a><nav><a href="/">Home</a> <a href="/politics/">Politics</a>
<a href="/business/">Business</a> <a href="/sport/">Sport</a>
<a href="/subscribe">Subscribe</a></nav></header>
<main><article><h1>{html.escape(title)}</h1><p class="byline">By Staff Reporter</p>
{paragraphs}
<aside class="newsletter"><h3>The Morning Brief</h3><p>Get the day's top stories in your inbox.
Sign up for our free newsletter.</p><form><input type="email"><button>Sign up</button></form></aside>
</article>
<section class="related"><h2>Related</h2><ul>{links}</ul></section></main>
<footer><p>Copyright 2026 {site}. All rights reserved.</p><a href="/privacy">Privacy</a>
<a href="/terms">Terms</a></footer>
</body></html>
"""


def build(root: Path) -> dict[str, Path]:
    """Write both sites under ``root``; {{base}} is the server's base URL, filled in when served."""
    east, west = root / "east-gazette", root / "west-wire"
    (east / "news").mkdir(parents=True)
    (west / "wire" / "2026").mkdir(parents=True)
    all_stories = stories()
    east_stories = [s for s in all_stories if s.east]
    west_stories = [s for s in all_stories if s.west]
    for s in east_stories:
        related = [(f"/news/{o.slug}.html", o.title) for o in east_stories[:3] if o is not s]
        (east / "news" / f"{s.slug}.html").write_text(_page("East Gazette", s.title, s.east or "", related))
    for s in west_stories:
        related = [(f"/wire/2026/{o.slug}.html", o.title) for o in west_stories[:3] if o is not s]
        (west / "wire" / "2026" / f"{s.slug}.html").write_text(
            _page("West Wire", s.title, s.west or "", related)
        )
    urls = "".join(f"<url><loc>{{{{base}}}}/news/{s.slug}.html</loc></url>" for s in east_stories)
    (east / "sitemap.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    (east / "robots.txt").write_text("User-agent: *\nDisallow: /subscribe\nSitemap: {{base}}/sitemap.xml\n")
    items = "".join(
        f"<item><title>{html.escape(s.title)}</title><link>{{{{base}}}}/wire/2026/{s.slug}.html</link></item>"
        for s in west_stories
    )
    (west / "feed.xml").write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>West Wire</title>{items}</channel></rss>'
    )
    (west / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    for site, items_ in ((east, east_stories), (west, west_stories)):
        prefix = "/news/" if site is east else "/wire/2026/"
        links = "".join(
            f'<li><a href="{prefix}{s.slug}.html">{html.escape(s.title)}</a></li>' for s in items_
        )
        (site / "index.html").write_text(f"<html><body><nav>Home</nav><ul>{links}</ul></body></html>")
    return {"east-gazette": east, "west-wire": west}


def write_configs(target: Path, bases: dict[str, str], download_delay: float = 0) -> Path:
    """One YAML per site: East Gazette found through its sitemap, West Wire through its feed."""
    target.mkdir(parents=True, exist_ok=True)
    east, west = bases["east-gazette"], bases["west-wire"]
    sites = {
        "east-gazette": (
            "East Gazette",
            {"sitemaps": [f"{east}/sitemap.xml"], "start_urls": [f"{east}/"]},
            "/news/",
        ),
        "west-wire": ("West Wire", {"feeds": [f"{west}/feed.xml"], "robots_sitemaps": False}, "/wire/2026/"),
    }
    for name, (site_name, discovery, prefix) in sites.items():
        config = {
            "site_name": site_name,
            "allowed_domains": ["127.0.0.1"],
            "allow_private": True,
            "discovery": discovery,
            "article_urls": {"allow": [prefix + r"[\w-]+\.html"]},
            "politeness": {
                "autothrottle": False,
                "download_delay": download_delay,
                "concurrency_per_domain": 8,
            },
            "language": "en",
        }
        (target / f"{name}.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def assert_each_story_once_with_copies(store: str) -> None:
    """Every story is one record, in one manifest, with every other site's copy in its also_at."""
    reader = BucketReader(store)
    records = list(reader.records())
    assert len(records) == len(stories()), sorted(r.url for r in records)
    stored = stored_record_ids(store)
    assert len(stored) == len(set(stored)) == len(stories())  # no stray or second copy in any pack
    listed = Counter(entry.id for m in reader.manifests() for entry in m.records)
    assert set(listed.values()) == {1}, [i for i, n in listed.items() if n > 1]  # in one manifest each
    by_slug: dict[str, list] = {}
    for record in records:
        urls = [record.url, *(a.url for a in record.also_at)]
        for slug in {u.rsplit("/", 1)[-1].removesuffix(".html") for u in urls}:
            by_slug.setdefault(slug, []).append(urls)
    for story in stories():
        (urls,) = by_slug[story.slug]  # exactly one record knows this story
        sites = sorted({u.split("/")[3] for u in urls})
        expected = [site for site, body in (("news", story.east), ("wire", story.west)) if body]
        assert sites == expected, (story.slug, urls)
