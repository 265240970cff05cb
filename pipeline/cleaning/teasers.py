"""Teaser cards: the site's own headline links with a summary, set around an article.

News templates end (and sometimes open) an article with a stream of cards for other stories:
a heading that is nothing but a link to another page of the same publisher, and the story's
summary paragraph under it. trafilatura keeps the summaries (they are well-formed prose), so on
real pages they were the largest precision loss left (Yahoo's "stream": half of the text of
``benchmarks/realpages`` yahoo-2 and yahoo-3 was other stories). They cannot be found after
extraction, where a summary is one more paragraph; they are found in the tree, before it.

What is a card, and why each condition:

* a heading (h2-h4) whose whole text is one link (or that a link wraps), to another URL;
* the link stays on the publisher's site (registered domain of the page's URL, its
  rel=canonical or og:url): a newsletter or a link roundup is made of headline links to OTHER
  sites with a comment under each, and there the cards are the article (postlight ma.ttias.be);
* one paragraph right after the heading (the summary), and no second one: a live blog's entry
  or a listicle's item under a linked heading runs on for paragraphs, a card stops;
* at least ``MIN_CARDS`` of them: one linked subheading is an article's own structure.

A listing page is all cards: cut, nothing would be left. So the cut is a proposal the extractor
takes back when the text without the cards is too short (``pipeline/extract.py``), and the page
is then judged as the listing it is (``pipeline/page_kind.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from courlan import extract_domain
from lxml import html as lxml_html

from pipeline.cleaning.cleaner import audit_text
from pipeline.record import Removal

MIN_CARDS = 3
RULE = "teaser-card"
TEASER_ATTRIBUTE = "data-cleanwire-teaser"
# What trafilatura is told to leave out (its prune_xpath); the attribute is set by ``mark``.
TEASER_XPATH = f"//*[@{TEASER_ATTRIBUTE}]"
_HEADINGS = ("h2", "h3", "h4")


@dataclass(frozen=True)
class Card:
    headline: lxml_html.HtmlElement  # the heading, or the link that wraps it
    summary: lxml_html.HtmlElement

    def text(self) -> str:
        return f"{_text(self.headline)} | {_text(self.summary)}"


def _text(element: lxml_html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _site(url: str) -> str | None:
    try:
        return extract_domain(url) or urlsplit(url).hostname
    except ValueError:
        return None


def page_sites(root: lxml_html.HtmlElement, url: str) -> set[str]:
    """The publisher's domains: the page's URL and what it declares as its own address."""
    declared = root.xpath(
        "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
    )
    sites = {_site(urljoin(url, str(address).strip())) for address in [url, *declared[:4]]}
    return {site for site in sites if site}


def _headline_link(heading: lxml_html.HtmlElement) -> tuple[lxml_html.HtmlElement, str] | None:
    """The element that stands for the headline and the link's target, if the heading is a link."""
    parent = heading.getparent()
    if parent is not None and parent.tag == "a":
        return parent, parent.get("href") or ""
    links = heading.findall(".//a")
    if len(links) == 1 and _text(links[0]) == _text(heading) and _text(heading):
        return heading, links[0].get("href") or ""
    return None


def find_cards(root: lxml_html.HtmlElement, url: str) -> list[Card]:
    """The page's own teaser cards, or none when fewer than ``MIN_CARDS`` (see the module's why)."""
    sites = page_sites(root, url)
    here = url.split("#", 1)[0]
    cards = list(_cards(root, url, here, sites))
    return cards if len(cards) >= MIN_CARDS else []


def _cards(root: lxml_html.HtmlElement, url: str, here: str, sites: set[str]) -> Iterator[Card]:
    for heading in root.iter(*_HEADINGS):
        found = _headline_link(heading)
        if found is None:
            continue
        headline, href = found
        target = urljoin(url, href.strip()).split("#", 1)[0]
        if not target or target == here or _site(target) not in sites:
            continue
        summary = headline.getnext()
        if summary is None or summary.tag != "p" or not _text(summary):
            continue
        after = summary.getnext()
        if after is None or after.tag != "p":  # an entry whose text runs on is the article's own
            yield Card(headline, summary)


def removals(cards: list[Card]) -> tuple[Removal, ...]:
    """The audit trail's lines for the cards left out, in page order."""
    return tuple(Removal(rule=RULE, text=audit_text(card.text())) for card in cards)


def mark(cards: list[Card]) -> None:
    for card in cards:
        card.headline.set(TEASER_ATTRIBUTE, "")
        card.summary.set(TEASER_ATTRIBUTE, "")


def unmark(cards: list[Card]) -> None:
    """Leave the tree as it came: triage, site learning and the judgement read it too."""
    for card in cards:
        for element in (card.headline, card.summary):
            element.attrib.pop(TEASER_ATTRIBUTE, None)
