"""Canonical URLs: the key for "have we seen this page" across runs and sources.

courlan does the normalisation (scheme/host case, default ports, fragments,
tracking parameters); we only add the choice of when a page's own
rel=canonical may be trusted.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

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
    if declared:
        try:  # a canonical longer than a URL may be, malformed, or with credentials: not trusted
            claimed, stripped = checked_url(declared, page_url)
        except InvalidUrl:
            claimed, stripped = "", True
        if claimed and not stripped and same_site(page_url, claimed):
            return canonicalize(claimed)
    return canonicalize(page_url)


# -- hygiene: one place decides whether a URL from a site or a file may be fetched and stored -------

MAX_URL_LENGTH = 2048  # the sitemap protocol's limit for <loc>
_NETLOC_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/?#@]*@")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


class InvalidUrl(ValueError):
    """A URL a crawl skips, with the reason (``str``) counted in the run's outcomes."""


def redact_userinfo(url: str) -> str:
    """The URL without ``user:password@``: for anything printed, logged or stored. Never raises."""
    return _NETLOC_USERINFO.sub(lambda m: f"{m.group(1) or ''}//", url, count=1)


def display_url(url: str, limit: int = 200) -> str:
    """A URL fit for a message: credentials removed, control characters escaped, cut short."""
    shown = redact_userinfo(url).encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def checked_url(url: str, base: str | None = None) -> tuple[str, bool]:
    """``url`` (joined to ``base``) as an absolute http(s) URL to fetch and store, and whether
    credentials (``user:password@``) were stripped from it; ``InvalidUrl`` with the reason if
    the crawl must skip it: another scheme (``mailto:``, ``javascript:``), no host, a malformed
    host or port (``http://[::1``), spaces or control characters in the host, or longer than
    ``MAX_URL_LENGTH`` characters."""
    raw = url.strip()
    try:
        joined = urljoin(base, raw) if base else raw
        parts = urlsplit(joined)
        parts.port  # noqa: B018 - raises on a port out of range or not a number
    except ValueError as exc:
        raise InvalidUrl(f"malformed URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidUrl(f"scheme {parts.scheme!r} is not http(s)" if parts.scheme else "not absolute")
    if not parts.hostname:
        raise InvalidUrl("no host")
    if _CONTROL_OR_SPACE.search(parts.netloc):
        raise InvalidUrl("space or control character in the host")
    stripped = parts.username is not None or parts.password is not None
    if stripped:
        host = parts.netloc.rpartition("@")[2]
        joined = parts._replace(netloc=host).geturl()
    if len(joined) > MAX_URL_LENGTH:
        raise InvalidUrl(f"longer than {MAX_URL_LENGTH} characters ({len(joined)})")
    return joined, stripped
