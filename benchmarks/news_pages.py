"""Article pages as heavy as real news pages, for the end-to-end benchmark.

A news site's article page is mostly not the article: inline CSS and JavaScript, a JSON-LD
block, a mega menu, share buttons drawn as inline SVG, related-story grids, a newsletter form,
a consent banner, a footer of link columns and a hydration blob. Real pages weigh 100-400 KB of
HTML around 3-6 KB of text, and trafilatura extracts about 55 of them per second on one core here
(issue 8). A page of a few kilobytes (``pipeline_bench.PAGE``) extracts twenty times faster, which
makes the crawl look like the whole cost of ingestion; this page is weighed like a real one
(about 190 KB and 2,000 elements; ``python -m benchmarks.news_pages`` prints its size and
trafilatura's rate).

The structure is what crawlers meet, not any one site's markup: every block named here is one the
extraction corpus (``benchmarks/extraction``) already covers for boilerplate.
"""

from __future__ import annotations

import json
import random
from html import escape

from benchmarks.dedup.corpus import synthetic_docs
from pipeline.record import Page

SECTIONS = (
    "News",
    "UK",
    "World",
    "Politics",
    "Business",
    "Money",
    "Science",
    "Health",
    "Education",
    "Sport",
    "Culture",
    "Travel",
    "Opinion",
    "Weather",
)
TOPICS = (
    "Elections",
    "Housing",
    "Transport",
    "Energy",
    "Courts",
    "Schools",
    "Hospitals",
    "Climate",
    "Markets",
    "Jobs",
    "Football",
    "Cricket",
    "Tennis",
    "Film",
    "Music",
    "Books",
    "Food",
    "Tech",
)
AUTHORS = ("Maria Lopez", "James Okafor", "Hannah Reid", "Tom Becker", "Priya Shah", "Ed Carver")

# One icon as news sites inline them (share buttons, menus): several of these per page.
ICON = (
    '<svg class="icon icon-{name}" viewBox="0 0 32 32" width="24" height="24" aria-hidden="true">'
    '<path d="M16 0C7.163 0 0 7.163 0 16c0 7.062 4.578 13.06 10.93 15.17.8.147 1.09-.347 1.09-.77 '
    "0-.38-.013-1.387-.02-2.72-4.45.967-5.39-2.145-5.39-2.145-.727-1.847-1.775-2.34-1.775-2.34-1.45"
    "-.99.11-.97.11-.97 1.605.113 2.45 1.648 2.45 1.648 1.427 2.445 3.745 1.74 4.655 1.33.145-1.033"
    ".56-1.74 1.017-2.14-3.553-.404-7.29-1.777-7.29-7.907 0-1.747.623-3.174 1.647-4.292-.165-.405"
    "-.714-2.03.157-4.234 0 0 1.343-.43 4.4 1.64 1.276-.355 2.645-.532 4.005-.54 1.36.008 2.727.185"
    " 4.005.54 3.055-2.07 4.395-1.64 4.395-1.64.874 2.205.325 3.83.16 4.234 1.026 1.118 1.645 2.545"
    " 1.645 4.292 0 6.146-3.743 7.498-7.306 7.895.574.494 1.087 1.47 1.087 2.963 0 2.14-.02 3.863"
    '-.02 4.39 0 .426.288.925 1.1.768C27.426 29.055 32 23.06 32 16 32 7.163 24.837 0 16 0z"/></svg>'
)


def _css(rng: random.Random) -> str:
    rules = []
    for n in range(420):
        selector = f".c-{rng.choice(SECTIONS).lower()}-{n} .card__{rng.choice(('title', 'media', 'meta'))}"
        rules.append(
            f"{selector}{{margin:{n % 7}px {n % 5}px;padding:0 {n % 9}px;color:#{rng.randrange(16**6):06x};"
            f"font:{12 + n % 6}px/1.{n % 9} Georgia,serif}}"
        )
    return "".join(rules)


def _script(rng: random.Random) -> str:
    config = {
        "ads": {f"slot-{n}": {"sizes": [[300, 250], [728, 90]], "targeting": {"pos": n}} for n in range(40)},
        "experiments": {f"exp{n}": rng.choice(("control", "variant")) for n in range(120)},
        "sections": list(SECTIONS),
    }
    return (
        "window.__CONFIG__="
        + json.dumps(config)
        + ";"
        + "".join(
            f"(function(w,d){{var s{n}=d.createElement('script');s{n}.async=true;"
            f"s{n}.src='https://cdn.example.net/v{n}/tag.js';d.head.appendChild(s{n});}})(window,document);"
            for n in range(60)
        )
    )


def _mega_menu() -> str:
    columns = "".join(
        f'<li class="menu__section"><a href="/{s.lower()}">{s}</a><ul class="menu__sub">'
        + "".join(f'<li><a href="/{s.lower()}/{t.lower()}">{t}</a></li>' for t in TOPICS[:12])
        + "</ul></li>"
        for s in SECTIONS
    )
    return (
        '<header class="site-header"><a class="logo" href="/">The Harbour Courier</a>'
        '<form class="search" action="/search"><input name="q" placeholder="Search"></form>'
        '<a class="btn" href="/subscribe">Subscribe</a><a href="/signin">Sign in</a>'
        f'<nav class="menu" aria-label="Sections"><ul>{columns}</ul></nav></header>'
    )


def _teaser(rng: random.Random, n: int) -> str:
    """A story card as component frameworks render it: wrappers around a picture and a headline."""
    words = " ".join(rng.choice(TOPICS).lower() for _ in range(7)).capitalize()
    href = f"/{rng.choice(SECTIONS).lower()}/story-{rng.randrange(10**6)}"
    return (
        f'<li class="card"><div class="card__inner"><div class="card__media"><a href="{href}" tabindex="-1">'
        f'<picture><source type="image/avif" srcset="https://img.example.net/{n}-320.avif 320w, '
        f'https://img.example.net/{n}-640.avif 640w"><source type="image/webp" '
        f'srcset="https://img.example.net/{n}-320.webp 320w"><img src="https://img.example.net/{n}.jpg" '
        f'alt="" loading="lazy" width="320" height="180"></picture></a></div><div class="card__body">'
        f'<div class="card__meta"><span class="kicker"><a href="/topic/{rng.choice(TOPICS).lower()}">'
        f'{rng.choice(TOPICS)}</a></span><span class="card__time"><time datetime="2025-{1 + n % 12:02d}-'
        f'{1 + n % 28:02d}T{n % 24:02d}:00:00Z">{n % 23 + 1}h ago</time></span>'
        f'</div><h3 class="card__title"><a href="{href}"><span>{words}</span></a></h3>'
        f'<div class="card__actions"><button aria-label="Save">{ICON.format(name="save")}</button>'
        "</div></div></div></li>"
    )


def _ad_slot(n: int) -> str:
    return (
        f'<div class="ad ad--slot-{n}"><div class="ad__label">Advertisement</div>'
        f'<div class="ad__container"><div id="gpt-ad-{n}" data-slot="slot-{n}"></div></div></div>'
    )


def _footer() -> str:
    columns = "".join(
        f'<div class="footer__col"><h4>{s}</h4><ul>'
        + "".join(f'<li><a href="/{s.lower()}/{t.lower()}">{t}</a></li>' for t in TOPICS[:10])
        + "</ul></div>"
        for s in SECTIONS[:8]
    )
    icons = "".join(
        f'<a href="https://social.example/{n}">{ICON.format(name=n)}</a>' for n in ("fb", "x", "ig")
    )
    return (
        f'<footer class="site-footer">{columns}<div class="social">{icons}</div>'
        "<p>© 2026 Harbour Courier Media Group. All rights reserved.</p>"
        '<p><a href="/terms">Terms</a> <a href="/privacy">Privacy</a> '
        '<a href="/cookies">Cookies</a></p></footer>'
    )


MENU = _mega_menu()
FOOTER = _footer()
SHARE = (
    '<div class="share">'
    + "".join(
        f'<button aria-label="Share on {n}">{ICON.format(name=n)}</button>'
        for n in ("fb", "x", "li", "wa", "mail")
    )
    + "</div>"
)


def news_page(rng: random.Random, number: int, text: str) -> str:
    """One article page around ``text`` (paragraphs separated by blank lines)."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    title = " ".join(paragraphs[0].split()[:9]).rstrip(".,")
    author = rng.choice(AUTHORS)
    date = f"2026-{1 + number % 10:02d}-{1 + number % 28:02d}"  # all before today (2026-11)
    middle = len(paragraphs) // 2
    body = "".join(
        f"<p>{escape(p)}</p>"
        + (
            '<aside class="inline-related"><h4>Read more</h4><ul>'
            + "".join(_teaser(rng, number * 100 + k) for k in range(3))
            + "</ul></aside>"
            if i == middle
            else ""
        )
        for i, p in enumerate(paragraphs)
    )
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": date,
            "author": {"@type": "Person", "name": author},
            "publisher": {"@type": "Organization", "name": "The Harbour Courier"},
            "description": paragraphs[0][:160],
        }
    )
    state = json.dumps(
        {"page": {"id": number, "related": [rng.randrange(10**6) for _ in range(200)], "comments": []}}
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} | The Harbour Courier</title>"
        f'<meta name="description" content="{escape(paragraphs[0][:160])}">'
        f'<meta property="og:title" content="{escape(title)}"><meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{date}"><meta name="author" content="{author}">'
        + "".join(
            f'<link rel="preload" href="https://cdn.example.net/f{n}.woff2" as="font">' for n in range(8)
        )
        + f'<script type="application/ld+json">{ld}</script>'
        f"<style>{CSS}</style><script>{SCRIPT}</script></head><body>"
        '<div class="consent" role="dialog"><p>We use cookies to personalise content and ads, and to '
        "analyse our traffic. You can change your choices at any time.</p><button>Accept all</button>"
        "<button>Manage options</button></div>"
        + MENU
        + _ad_slot(0)
        + '<main><nav class="breadcrumb"><a href="/">Home</a> › <a href="/news">News</a></nav>'
        f'<article><h1>{escape(title)}</h1><p class="byline">By <a href="/authors/{number % 6}">{author}</a> '
        f'<time datetime="{date}">{date}</time></p>'
        f'<figure><img src="https://img.example.net/lead-{number}.jpg" alt="">'
        "<figcaption>The scene on Tuesday. Photograph: Harbour Courier staff</figcaption></figure>"
        + SHARE
        + body
        + '<div class="newsletter"><h3>Morning briefing</h3><p>Sign up for our newsletter and get the '
        'day\'s top stories in your inbox.</p><form action="/newsletter"><input type="email" '
        'placeholder="Your email"><button>Sign up</button></form></div>'
        f'<ul class="tags">{"".join(f"<li><a href=/topic/{t.lower()}>{t}</a></li>" for t in TOPICS[:6])}</ul>'
        "</article>"
        '<aside class="most-read"><h3>Most read</h3><ol>'
        + "".join(_teaser(rng, number * 100 + 10 + k) for k in range(10))
        + "</ol></aside>"
        + _ad_slot(1)
        + '<section class="related"><h3>More from News</h3><ul>'
        + "".join(_teaser(rng, number * 100 + 30 + k) for k in range(24))
        + "</ul></section>"
        + _ad_slot(2)
        + '<section class="related"><h3>Recommended</h3><ul>'
        + "".join(_teaser(rng, number * 100 + 60 + k) for k in range(24))
        + '</ul></section><section class="comments"><h3>Comments</h3><p>Comments are closed for this '
        "article.</p></section></main>"
        + FOOTER
        + f'<script id="__STATE__" type="application/json">{state}</script></body></html>'
    )


CSS = _css(random.Random(3))
SCRIPT = _script(random.Random(4))


def news_site_pages(n: int, seed: int = 17) -> list[Page]:
    """``n`` article pages (about 10% copies of earlier stories, as ``synthetic_docs`` makes them)."""
    rng = random.Random(seed)
    return [
        Page(
            url=f"https://courier.example/{doc_id}",
            body=news_page(rng, number, text).encode(),
            source="bench",
        )
        for number, (doc_id, text) in enumerate(synthetic_docs(n, words=600))
    ]


if __name__ == "__main__":
    import time

    import trafilatura

    sample = news_site_pages(200)
    started = time.perf_counter()
    for page in sample:
        trafilatura.extract(page.body.decode())
    seconds = time.perf_counter() - started
    size = sum(len(p.body) for p in sample) / len(sample)
    print(
        f"{size / 1024:.0f} KB per page; trafilatura.extract: {len(sample) / seconds:.0f} pages/s on one core"
    )
