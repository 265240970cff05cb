"""Judging a response before extraction: blocked, paywalled, not HTML, not a page at all.

A challenge page or a bot wall parses as a short "article" if nobody looks;
peers count those as empty articles and their sources break silently.
``non_html_reason`` needs only the status line, headers and first bytes, so the
crawler uses it too: a PDF or an image is never parsed as HTML.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Page

_CHALLENGE = re.compile(
    r"(just a moment\.\.\.|checking your browser|cf-browser-verification|cf-challenge|"
    r"challenge-platform|attention required!? \| cloudflare|please enable (javascript|cookies) "
    r"(and|to) (continue|proceed)|verify (that )?you are (a )?human|are you a robot|"
    r"captcha-delivery|g-recaptcha|h-captcha|px-captcha|access denied)",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"(class=\"[^\"]*\b(paywall|piano-offer|tp-modal|subscriber-only|premium-wall)\b|"
    r"subscribe (now )?to (continue|keep) reading|this (article|story|content) is (only )?"
    r"(available|reserved) (to|for) (subscribers|members)|"
    r"\"isAccessibleForFree\"\s*:\s*(false|\"false\"))",
    re.IGNORECASE,
)
BLOCKED_STATUSES = {401, 403, 407, 429, 451, 503}
HTML_TYPES = ("text/html", "application/xhtml+xml")

# First bytes of formats that turn up at article URLs; they win over a Content-Type that lies.
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"OggS", "application/ogg"),
    (b"ID3", "audio/mpeg"),
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# A "not found" page served with 200: judged on the title and the first heading only.
_SOFT_404 = re.compile(
    r"^\W*(error\W*)?(404\b|page not found|(the )?page (you requested )?(was |could )?not (be )?found|"
    r"(article|story|page|content) (is )?(not found|unavailable|no longer available)|not found\b)"
    r"|\b404\b[^<]{0,30}\b(not found|error)\b|\berror 404\b|\bpage not found\b",
    re.IGNORECASE,
)
# Bounded lookaheads and no nested quantifiers: every pattern here is linear in hostile HTML.
_TITLE = re.compile(r"<title[^>]{0,200}>(.{0,500}?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]{0,500}>(.{0,500}?)</h1>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^<>]*>")
_HIDING = re.compile(r"<!--|-->|<(/?)(script|style|noscript|template|svg)\b[^<>]*>", re.IGNORECASE)
# libxml2 (lxml, trafilatura) stops parsing at this depth and drops the rest of the document,
# so a page nested deeper would be extracted empty or, worse, silently truncated.
PARSER_MAX_DEPTH = 255
SOFT_404_MAX_TEXT = 3000  # characters of visible text; a real article is longer
JS_ONLY_MAX_TEXT = 200


def sniff_type(body: bytes) -> str | None:
    """The type the first bytes give away, if they are not text."""
    head = body[:16]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    if not head.startswith(_UTF16_BOMS) and b"\x00" in body[:1024]:
        return "application/octet-stream"
    return None


def non_html_reason(page: Page) -> str | None:
    """``content type X`` when the page is not HTML by its header or by its first bytes."""
    declared = page.header("content-type").split(";")[0].strip().lower()
    sniffed = sniff_type(page.body)
    if sniffed is not None:
        if declared and declared != sniffed:
            return f"content type {sniffed} (sent as {declared})"
        return f"content type {sniffed}"
    if declared and declared not in HTML_TYPES:
        return f"content type {declared}"
    return None


def visible_text(html: str) -> str:
    """Rough text outside scripts, styles, comments and tags: enough to tell an app shell from a page.

    One pass over the markers, so unclosed ``<script`` or ``<!--`` cost nothing extra.
    """
    parts: list[str] = []
    hidden: str | None = None
    pos = 0
    for mark in _HIDING.finditer(html):
        token, closing, name = mark.group(0), mark.group(1), (mark.group(2) or "").lower()
        if hidden is None:
            parts.append(html[pos : mark.start()])
            pos = mark.end()
            if token == "<!--":
                hidden = "--"
            elif name and not closing:
                hidden = name
        elif (hidden == "--" and token == "-->") or (closing and name == hidden):
            hidden = None
            pos = mark.end()
    if hidden is None:
        parts.append(html[pos:])
    return " ".join(_TAGS.sub(" ", "".join(parts)).split())


def parsed_depth(html: str) -> int:
    """How deep the parser's tree goes: at ``PARSER_MAX_DEPTH`` + 1, libxml2 has stopped parsing."""
    try:
        root = lxml_html.fromstring(html)
    except (ValueError, etree.ParserError):
        return 0
    depth = deepest = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _soft_404(html: str, text: str) -> bool:
    if len(text) > SOFT_404_MAX_TEXT:
        return False
    for pattern in (_TITLE, _H1):
        match = pattern.search(html)
        if match and _SOFT_404.search(" ".join(_TAGS.sub(" ", match.group(1)).split())):
            return True
    return False


def triage(page: Page, html: str) -> None:
    """Raise ``NotAnArticle`` with the right outcome when the page cannot be an article."""
    if page.status in BLOCKED_STATUSES:
        raise NotAnArticle(Outcome.BLOCKED, f"HTTP {page.status}")
    if page.status >= 400:
        raise NotAnArticle(Outcome.ERROR, f"HTTP {page.status}")
    if 300 <= page.status < 400:  # no Location, or one to a scheme a crawler must not follow
        raise NotAnArticle(Outcome.ERROR, f"HTTP {page.status} redirect not followed")
    not_html = non_html_reason(page)
    if not_html:
        raise NotAnArticle(Outcome.NOT_AN_ARTICLE, not_html)
    if not html.strip():
        raise NotAnArticle(Outcome.EMPTY, "empty body")
    head = html[:20000]
    if _CHALLENGE.search(head) and len(html) < 60000:
        raise NotAnArticle(Outcome.BLOCKED, "challenge page")
    if _PAYWALL.search(html):
        raise NotAnArticle(Outcome.PAYWALLED, "paywall marker")
    if parsed_depth(html) > PARSER_MAX_DEPTH:
        raise NotAnArticle(
            Outcome.ERROR,
            f"HTML nested deeper than {PARSER_MAX_DEPTH} elements: the parser would drop what follows",
        )
    text = visible_text(html[:2_000_000])
    if _soft_404(html[:200_000], text):
        raise NotAnArticle(Outcome.NOT_AN_ARTICLE, "soft 404 (a 'not found' page served with HTTP 200)")
    if len(text) < JS_ONLY_MAX_TEXT and re.search(r"<script\b", html, re.IGNORECASE):
        raise NotAnArticle(Outcome.EMPTY, "JavaScript-only page: no text without running scripts")
