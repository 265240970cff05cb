"""Challenge and paywall markers, whatever their case, and only where they are markers."""

from __future__ import annotations

import pytest

from pipeline.extract.extractor import Extractor
from pipeline.extract.triage import triage
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Page

BODY = "<p>" + "The council met on Tuesday to vote on the budget for next year. " * 30 + "</p>"


def _judge(head: str, body: str = BODY) -> Outcome | None:
    html = f"<html><head><title>Budget vote</title>{head}</head><body><article>{body}</article></body></html>"
    try:
        triage(Page(url="https://news.example/a/1", body=html.encode(), source="t"), html)
    except NotAnArticle as verdict:
        return verdict.outcome
    return None


@pytest.mark.parametrize(
    "marker",
    [
        "Just a moment...",
        "CHECKING YOUR BROWSER before accessing",
        '<div id="cf-Challenge-running">',
        '<script src="/cdn-cgi/Challenge-Platform/x.js"></script>',
        "Attention Required! | Cloudflare",
        "Please enable JavaScript and continue",
        "Please verify you are a human",
        "Are you a robot?",
        '<div class="G-Recaptcha">',
        "Access Denied",
    ],
)
def test_challenge_markers_in_any_case(marker: str) -> None:
    assert _judge("", f"<h1>{marker}</h1>") is Outcome.BLOCKED


@pytest.mark.parametrize(
    "marker",
    [
        '<div class="article Paywall">locked</div>',
        '<div class="tp-modal open"></div>',
        "<p>Subscribe now to continue reading.</p>",
        "<p>This story is only available to Subscribers.</p>",
        '<script type="application/ld+json">{"isAccessibleForFree" : "False"}</script>',
    ],
)
def test_paywall_markers_in_any_case(marker: str) -> None:
    """A marker over a teaser is a paywall; over the whole text (a metered site) it is an article."""
    teaser = (
        "<p>The port authority spent two years negotiating the lease that will reshape the waterfront,"
        " and the council will vote on it next month"
        " after a public hearing at the town hall, where residents have asked to speak.</p>"
    )
    assert _extract(teaser + marker) is Outcome.PAYWALLED
    assert _extract(BODY + marker) is Outcome.EXTRACTED


def _extract(body: str) -> Outcome:
    html = f"<html><head><title>Budget vote</title></head><body><article>{body}</article></body></html>"
    page = Page(url="https://news.example/a/1", body=html.encode(), source="t")
    try:
        Extractor().extract_page(page)
    except NotAnArticle as verdict:
        return verdict.outcome
    return Outcome.EXTRACTED


def test_articles_mentioning_the_words_are_articles() -> None:
    words = (
        "<p>Members voted to subscribe to the plan; the paywall debate and a moment of browser checks.</p>"
    )
    assert _judge("", BODY + words) is None
    assert _judge('<div class="paywalled-teaser-free">') is None  # a class that only contains the word


def test_a_million_paragraphs_are_refused_before_parsing() -> None:
    from pipeline.extract.extractor import extract_article

    html = "<html><head><title>x</title></head><body>" + "<p>x</p>" * 1_000_000 + "</body></html>"
    with pytest.raises(NotAnArticle) as refused:
        extract_article(html, "https://news.example/a/1")
    assert refused.value.outcome is Outcome.TOO_LARGE and "not parsed" in refused.value.reason
    assert _extract("<p>x</p>" * 1_000_000) is Outcome.TOO_LARGE
