"""Where a page becomes a record: triage, trafilatura, cleaning, identity.

``extract_article`` is the one-call API (HTML and URL in, cleaned ``Article``
out); ``Extractor`` is the same with settings and learned site boilerplate,
built once per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from pipeline.cleaning import Cleaner
from pipeline.cleaning.site_learning import tree_blocks
from pipeline.decode import decode_body
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Article, Page, utcnow
from pipeline.textnorm import content_hash, paragraphs, record_id
from pipeline.triage import triage
from pipeline.urls import canonicalize, choose_canonical

DEFAULT_MIN_WORDS = 100


@dataclass(frozen=True)
class ExtractionSettings:
    """trafilatura options and our thresholds, chosen on benchmarks/extraction.

    Measured there (61 pages, 12 templates): favor_precision and skipping the
    readability/jusText fallback give the same words as the defaults at 1.4x
    the speed, so the fallback runs only when the fast pass finds too little.
    """

    favor_precision: bool = True
    favor_recall: bool = False
    # "short": retry with trafilatura's fallback extractors when the fast pass is too short.
    fallback: str = "short"
    include_tables: bool = True
    min_words: int = DEFAULT_MIN_WORDS
    language: str | None = None
    drop_xpaths: tuple[str, ...] = ()
    non_article_types: frozenset[str] = field(
        default_factory=lambda: frozenset({"website", "profile", "video.other", "product"})
    )


_OG_TYPE = re.compile(r"<meta[^>]+property=[\"']og:type[\"'][^>]+content=[\"']([^\"']+)", re.IGNORECASE)
_HTML_LANG = re.compile(r"<html[^>]*\blang=[\"']?([A-Za-z-]+)", re.IGNORECASE)


def _authors(raw: str | None) -> list[str]:
    if not raw:
        return []
    return [name.strip() for name in re.split(r";|\band\b|,", raw) if name.strip()]


def _words(doc: Document | None) -> int:
    return len(doc.text.split()) if doc is not None and doc.text else 0


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


class Extractor:
    def __init__(self, settings: ExtractionSettings | None = None, cleaner: Cleaner | None = None) -> None:
        self.settings = settings or ExtractionSettings()
        self.cleaner = cleaner or Cleaner()

    def extract_page(self, page: Page) -> Article:
        """Turn a fetched page into a clean article, or raise ``NotAnArticle``."""
        return self.finish(self.draft_page(page))

    def draft_page(self, page: Page, blocks: set[str] | None = None) -> Draft:
        """The expensive half (triage, trafilatura), which needs nothing learned from other pages.

        The page is parsed once. ``blocks``, when given, receives its small text blocks for site
        learning from that parse, also when the page then turns out not to be an article.
        """
        html = decode_body(page)
        root = triage(page, html)
        if blocks is not None and root is not None:
            blocks.update(tree_blocks(root))
        if not page.article_candidate:
            raise NotAnArticle(Outcome.NOT_AN_ARTICLE, "URL does not match article patterns")
        return self._draft(html, root, page.effective_url, source=page.source, fetched=page.fetched)

    def _trafilatura(self, html: str | lxml_html.HtmlElement, url: str, *, fast: bool) -> Document | None:
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
                prune_xpath=list(settings.drop_xpaths) or None,
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
        return self._draft(html, None, url, source=source, fetched=fetched)

    def _draft(
        self,
        html: str,
        root: lxml_html.HtmlElement | None,
        url: str,
        *,
        source: str,
        fetched: datetime | None,
    ) -> Draft:
        settings = self.settings
        og_type = _OG_TYPE.search(html[:20000])
        if og_type and og_type.group(1).strip().lower() in settings.non_article_types:
            raise NotAnArticle(Outcome.NOT_AN_ARTICLE, f"og:type {og_type.group(1)}")
        parsed = html if root is None else root
        doc = self._trafilatura(parsed, url, fast=settings.fallback != "always")
        if settings.fallback == "short" and _words(doc) < settings.min_words:
            retry = self._trafilatura(parsed, url, fast=False)
            if _words(retry) > _words(doc):
                doc = retry
        if doc is None or not (doc.text or "").strip():
            raise NotAnArticle(Outcome.EMPTY, "no main text found")
        return Draft(
            url=url,
            source=source,
            fetched=fetched or utcnow(),
            paragraphs=paragraphs(doc.text),
            language=_page_language(html, doc.language or settings.language),
            title=doc.title,
            doc_url=doc.url,
            site_name=doc.sitename,
            author=doc.author,
            published=doc.date,
        )

    def finish(self, draft: Draft) -> Article:
        """The cheap half: cleaning (with what was learned about the site) and the record's identity."""
        cleaned = self.cleaner.clean_paragraphs(
            draft.paragraphs, language=draft.language, title=draft.title, source=draft.source
        )
        text = cleaned.text
        if not text:
            raise NotAnArticle(Outcome.EMPTY, "nothing left after cleaning")
        words = len(text.split())
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
            removed=cleaned.removed,
        )


_DEFAULT_EXTRACTOR: Extractor | None = None


def extract_article(html: str, url: str, *, source: str = "adhoc") -> Article:
    """HTML and its URL in, a cleaned ``Article`` out (``.text`` is the body without title).

    Raises ``NotAnArticle`` (with ``.outcome`` and ``.reason``) when the page has none.
    """
    global _DEFAULT_EXTRACTOR
    if _DEFAULT_EXTRACTOR is None:
        _DEFAULT_EXTRACTOR = Extractor()
    return _DEFAULT_EXTRACTOR.extract_html(html, url, source=source)
