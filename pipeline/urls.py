"""Canonical URLs: the key for "have we seen this page" across runs and sources.

courlan does the normalisation (scheme/host case, default ports, fragments,
tracking parameters); we only add the choice of when a page's own
rel=canonical may be trusted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from courlan import normalize_url

_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref_src", "_ga", "igshid")


def canonicalize(url: str) -> str:
    """Normalise a URL and drop tracking parameters (utm_*, fbclid, ...), keeping real ones."""
    try:
        normalized = normalize_url(url, strict=False, trailing_slash=True)
    except ValueError:
        return url
    parts = urlsplit(normalized)._replace(fragment="")
    kept = [
        pair
        for pair in sorted(parts.query.split("&"))
        if pair and not pair.split("=", 1)[0].lower().startswith(_TRACKING_PREFIXES)
    ]
    return parts._replace(query="&".join(kept)).geturl()


def same_site(url_a: str, url_b: str) -> bool:
    a, b = urlsplit(url_a), urlsplit(url_b)
    return (a.hostname, a.port) == (b.hostname, b.port)


def choose_canonical(page_url: str, declared: str | None) -> str:
    """Trust a page's rel=canonical only when it stays on the same site.

    A cross-site canonical is how a hostile or syndicating page would claim
    another site's identity; dedup by content still links true copies.
    """
    if declared and same_site(page_url, declared):
        return canonicalize(declared)
    return canonicalize(page_url)
