"""Judging a response before extraction: blocked, paywalled, not HTML.

A challenge page or a bot wall parses as a short "article" if nobody looks;
peers count those as empty articles and their sources break silently.
"""

from __future__ import annotations

import re

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


def triage(page: Page, html: str) -> None:
    """Raise ``NotAnArticle`` with the right outcome when the page cannot be an article."""
    if page.status in BLOCKED_STATUSES:
        raise NotAnArticle(Outcome.BLOCKED, f"HTTP {page.status}")
    if page.status >= 400:
        raise NotAnArticle(Outcome.ERROR, f"HTTP {page.status}")
    content_type = page.header("content-type").split(";")[0].strip().lower()
    if content_type and content_type not in ("text/html", "application/xhtml+xml"):
        raise NotAnArticle(Outcome.NOT_AN_ARTICLE, f"content type {content_type}")
    if not html.strip():
        raise NotAnArticle(Outcome.EMPTY, "empty body")
    head = html[:20000]
    if _CHALLENGE.search(head) and len(html) < 60000:
        raise NotAnArticle(Outcome.BLOCKED, "challenge page")
    if _PAYWALL.search(html):
        raise NotAnArticle(Outcome.PAYWALLED, "paywall marker")
