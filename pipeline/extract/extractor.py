"""Where a page becomes a record: triage, trafilatura, cleaning, identity.

``extract_article`` is the one-call API (HTML and URL in, cleaned ``Article``
out); ``Extractor`` is the same with settings and learned site boilerplate,
built once per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from pipeline.cleaning import Cleaner, teasers
from pipeline.cleaning.site_learning import tree_blocks
from pipeline.extract.decode import decode_body
from pipeline.extract.page_kind import MIN_ARTICLE_WORDS, SHORT_WORDS, Verdict, judge, weigh_body
from pipeline.extract.triage import check_budget, parse_html, triage
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Article, Page, PageKind, Removal, utcnow
from pipeline.textnorm import content_hash, paragraphs, record_id, word_count
from pipeline.urls import canonicalize, choose_canonical

DEFAULT_MIN_WORDS = MIN_ARTICLE_WORDS

# What a reader never sees: elements marked hidden, styled out of sight, templates and noscript
# fallbacks. trafilatura keeps their text (a hidden "mobile" copy of the body, a template of
# the comment form, "please enable JavaScript"); on real pages that was the largest precision
# loss after the listing pages (benchmarks/realpages --details).
# One expression: trafilatura compiles and walks each prune expression on every page.
UNRENDERED_XPATHS: tuple[str, ...] = (
    "//template | //noscript | //*[@hidden]"
    " | //*[@style][contains(translate(@style, ' ', ''), 'display:none')"
    " or contains(translate(@style, ' ', ''), 'visibility:hidden')]",
)


@dataclass(frozen=True)
class ExtractionSettings:
    """trafilatura options and our thresholds, chosen on real pages (benchmarks/realpages).

    trafilatura's own default pass (fallback extractors compared, recall over precision) gives
    the most of each real article; cleanwire's cleaning rules then remove the chrome that pass
    keeps, which is where the precision comes from. ``favor_precision`` and the fast pass alone
    lost the first paragraphs of 1 in 20 real pages and a point of recall.
    """

    favor_precision: bool = False
    favor_recall: bool = False
    # "always": trafilatura compares its result with readability and jusText on every page (its
    # default); "short": only when the fast pass finds fewer than ``min_words``; "never".
    fallback: str = "always"
    include_tables: bool = True
    # The floor below which the crawl does not keep a page as an article (page_kind.py says why).
    min_words: int = DEFAULT_MIN_WORDS
    language: str | None = None
    drop_xpaths: tuple[str, ...] = ()


_HTML_LANG = re.compile(r"<html[^>]*\blang=[\"']?([A-Za-z-]+)", re.IGNORECASE)


def _authors(raw: str | None) -> list[str]:
    if not raw:
        return []
    return [name.strip() for name in re.split(r";|\band\b|,", raw) if name.strip()]


def _words(doc: Document | None) -> int:
    return word_count(doc.text) if doc is not None and doc.text else 0


def _page_language(html: str, fallback: str | None) -> str | None:
    match = _HTML_LANG.search(html[:5000])
    return match.group(1).lower() if match else fallback


@dataclass
class Draft:
    """A page after trafilatura, before cleaning: what a worker can make before the crawl ends."""

    url: str
    source: str
    fetched: datetime
    paragraphs: list[str]
    language: str | None
    title: str | None
    doc_url: str | None
    site_name: str | None
    author: str | None
    published: str | None
    # The page-kind evidence found in the page (page_kind.judge), weighed again with the body's
    # length once it is cleaned.
    verdict: Verdict
    # The crawl refuses what the verdict and the floor refuse; a page handed in directly is the
    # user's judgement and always gives its text.
    enforce: bool = False
    # A paywall marker triage found: a refusal only if the text is a teaser.
    paywall: str | None = None
    # What was left out of the tree before trafilatura (the site's teaser cards), for the audit.
    pruned: tuple[Removal, ...] = ()


class Extractor:
    def __init__(self, settings: ExtractionSettings | None = None, cleaner: Cleaner | None = None) -> None:
        self.settings = settings or ExtractionSettings()
        self.cleaner = cleaner or Cleaner()

    def extract_page(self, page: Page, *, explicit: bool = False) -> Article:
        """Turn a fetched page into a clean article, or raise ``NotAnArticle``.

        ``explicit``: a page a user handed in (``cleanwire extract``). It goes through the crawl's
        decoder and triage, but the page-kind judgement and the floor only label the record.
        """
        return self.finish(self.draft_page(page, explicit=explicit))

    def draft_page(self, page: Page, blocks: set[str] | None = None, *, explicit: bool = False) -> Draft:
        """The expensive half (triage, trafilatura), which needs nothing learned from other pages.

        The page is parsed once. ``blocks``, when given, receives its small text blocks for site
        learning from that parse, also when the page then turns out not to be an article.
        """
        html = decode_body(page)
        triaged = triage(page, html)
        root = triaged.root
        if blocks is not None and root is not None:
            blocks.update(tree_blocks(root))
        if not page.article_candidate and not explicit:
            raise NotAnArticle(Outcome.NOT_AN_ARTICLE, "URL does not match article patterns")
        return self._draft(
            html,
            root,
            page.effective_url,
            source=page.source,
            fetched=page.fetched,
            enforce=not explicit,
            paywall=triaged.paywall,
        )

    def _trafilatura(
        self, html: str | lxml_html.HtmlElement, url: str, *, fast: bool, prune: tuple[str, ...] = ()
    ) -> Document | None:
        settings = self.settings
        try:
            return trafilatura.bare_extraction(
                html,
                url=url,
                fast=fast,
                with_metadata=True,
                include_comments=False,
                include_tables=settings.include_tables,
                favor_precision=settings.favor_precision,
                favor_recall=settings.favor_recall,
                prune_xpath=[*UNRENDERED_XPATHS, *settings.drop_xpaths, *prune],
                deduplicate=False,
            )
        except (ValueError, TypeError, lxml_html.etree.ParserError) as exc:
            raise NotAnArticle(Outcome.ERROR, f"extraction failed: {exc}") from exc

    def extract_html(
        self, html: str, url: str, *, source: str = "adhoc", fetched: datetime | None = None
    ) -> Article:
        return self.finish(self.draft_html(html, url, source=source, fetched=fetched))

    def draft_html(
        self, html: str, url: str, *, source: str = "adhoc", fetched: datetime | None = None
    ) -> Draft:
        check_budget(html)
        return self._draft(html, parse_html(html), url, source=source, fetched=fetched, enforce=False)

    def _draft(
        self,
        html: str,
        root: lxml_html.HtmlElement | None,
        url: str,
        *,
        source: str,
        fetched: datetime | None,
        enforce: bool,
        paywall: str | None = None,
    ) -> Draft:
        doc, cards = self._main_text(html, root, url)
        if doc is None or not (doc.text or "").strip():
            raise NotAnArticle(Outcome.EMPTY, "no main text found")
        blocks = paragraphs(doc.text)
        return Draft(
            url=url,
            source=source,
            fetched=fetched or utcnow(),
            paragraphs=blocks,
            language=_page_language(html, doc.language or self.settings.language),
            title=doc.title,
            doc_url=doc.url,
            site_name=doc.sitename,
            author=doc.author,
            published=doc.date,
            verdict=judge(
                root,
                url,
                paragraphs=blocks,
                title=doc.title,
                date=doc.date,
                author=doc.author,
                url_matches_pattern=True if enforce else None,
            ),
            enforce=enforce,
            paywall=paywall,
            pruned=teasers.removals(cards),
        )

    def _main_text(
        self, html: str, root: lxml_html.HtmlElement | None, url: str
    ) -> tuple[Document | None, list[teasers.Card]]:
        """trafilatura's pass, without the site's teaser cards when the article stands without them.

        With fewer than ``SHORT_WORDS`` words left the cards were the page (a listing, or a brief
        among teasers): the page is read whole again and judged as it is.
        """
        cards = teasers.find_cards(root, url) if root is not None else []
        if not cards:
            return self._pass(html if root is None else root, url), []
        teasers.mark(cards)
        try:
            doc = self._pass(root, url, prune=(teasers.TEASER_XPATH,))
        finally:
            teasers.unmark(cards)
        if _words(doc) >= SHORT_WORDS:
            return doc, cards
        return self._pass(root, url), []

    def _pass(
        self, parsed: str | lxml_html.HtmlElement, url: str, prune: tuple[str, ...] = ()
    ) -> Document | None:
        settings = self.settings
        doc = self._trafilatura(parsed, url, fast=settings.fallback != "always", prune=prune)
        if settings.fallback == "short" and _words(doc) < settings.min_words:
            retry = self._trafilatura(parsed, url, fast=False, prune=prune)
            if _words(retry) > _words(doc):
                doc = retry
        return doc

    def finish(self, draft: Draft) -> Article:
        """The cheap half: cleaning (with what was learned about the site) and the record's identity."""
        cleaned = self.cleaner.clean_paragraphs(
            draft.paragraphs, language=draft.language, title=draft.title, source=draft.source
        )
        text = cleaned.text
        if not text:
            raise NotAnArticle(Outcome.EMPTY, "nothing left after cleaning")
        words = word_count(text)
        verdict = draft.verdict
        weigh_body(verdict, words)
        if draft.paywall:
            if words < SHORT_WORDS and draft.enforce:
                raise NotAnArticle(
                    Outcome.PAYWALLED, f"paywall marker {draft.paywall!r} and only {words} words of text"
                )
            verdict.add("paywall marker, but the text is there", 0)
        if draft.enforce:
            # The evidence first: a listing with little text is a listing, not a short article.
            if not verdict.is_article:
                raise NotAnArticle(Outcome.NOT_AN_ARTICLE, verdict.summary())
            if words < self.settings.min_words:
                raise NotAnArticle(Outcome.TOO_SHORT, f"{words} words < {self.settings.min_words}")
        digest = content_hash(text)
        url = draft.url
        return Article(
            id=record_id(digest),
            url=url,
            canonical_url=choose_canonical(url, draft.doc_url) if draft.doc_url else canonicalize(url),
            source=draft.source,
            site_name=draft.site_name,
            title=draft.title,
            authors=_authors(draft.author),
            published=draft.published,
            fetched=draft.fetched,
            language=draft.language,
            text=text,
            content_hash=digest,
            removed=[*draft.pruned, *cleaned.removed],
            page_kind=PageKind(
                kind=_kind(verdict, words, self.settings.min_words),
                short=words < SHORT_WORDS,
                words=words,
                evidence=verdict.lines(),
            ),
        )


def _kind(verdict: Verdict, words: int, floor: int) -> Literal["article", "not-an-article"]:
    return "article" if verdict.is_article and words >= floor else "not-an-article"


_DEFAULT_EXTRACTOR: Extractor | None = None


def extract_article(html: str, url: str, *, source: str = "adhoc") -> Article:
    """HTML and its URL in, a cleaned ``Article`` out (``.text`` is the body without title).

    Raises ``NotAnArticle`` (with ``.outcome`` and ``.reason``) when the page has none.
    """
    global _DEFAULT_EXTRACTOR
    if _DEFAULT_EXTRACTOR is None:
        _DEFAULT_EXTRACTOR = Extractor()
    return _DEFAULT_EXTRACTOR.extract_html(html, url, source=source)
