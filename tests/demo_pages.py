"""Facts about the demo sites the tests check against, read from the sites' own content."""

from __future__ import annotations

from cleanwire.demo.build_sites import iter_pages

SEED_PAGES = {
    "000": ("capitol-ledger", "putin-says-he-convinced-trump-russia-did-not-meddle"),
    "001": ("northwind-post", "putin-tells-trump-russia-did-not-interfere"),
    "002": ("weekly-view", "putin-and-trump-seem-to-agree-no-russian-interference"),
}


def pages():
    return list(iter_pages())


def page(site: str, slug: str):
    return next(p for p in iter_pages() if p.site == site and p.slug == slug)


def unique_articles() -> list:
    """Article pages (briefs included) that are not copies of another page: what the bucket
    should hold."""
    return [p for p in iter_pages() if p.kind in ("article", "brief") and not p.syndicated_from]
