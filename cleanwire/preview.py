"""``cleanwire preview``: what a source yields, before it goes live."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.dedup import DedupIndex, Deduplicator, duplicate_drop
from pipeline.extract import Extractor
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Article, Page
from pipeline.source_fixtures import Expected, save
from pipeline.sources import SourceConfig
from spiders.runner import crawl


@dataclass
class PreviewRow:
    url: str
    outcome: str
    title: str | None
    chars: int
    start: str
    reason: str | None = None
    # The record as the bucket would store it (--html shows it, with what cleaning removed).
    article: Article | None = field(default=None, repr=False)

    def json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "outcome": self.outcome,
            "title": self.title,
            "chars": self.chars,
            "reason": self.reason,
        }


def preview_source(source: SourceConfig, limit: int, fixture_dir: Path | None = None) -> list[PreviewRow]:
    """Crawl up to ``limit`` article pages (no stored state), extract, judge duplicates among them."""
    overrides = {"CLEANWIRE_MAX_ARTICLES": limit, "LOG_LEVEL": "ERROR"}
    (result,) = crawl([source], overrides=overrides)
    extractor = Extractor(source.extraction_settings())
    dedup = Deduplicator(DedupIndex())
    rows: list[PreviewRow] = []
    pages: list[Page] = [p for p in result.pages if p.article_candidate]
    for page in pages:
        try:
            article = extractor.extract_page(page)
        except NotAnArticle as exc:
            rows.append(PreviewRow(page.url, exc.outcome.value, None, 0, "", exc.reason))
            expected = Expected(page.url, exc.outcome.value, reason=exc.reason)
        else:
            verdict = dedup.judge(article)
            outcome = Outcome.EXTRACTED if verdict.is_new else Outcome.DUPLICATE
            reason = None if verdict.is_new else duplicate_drop(verdict).reason
            rows.append(
                PreviewRow(
                    page.url,
                    outcome.value,
                    article.title,
                    article.chars,
                    article.text[:160].replace("\n", " "),
                    reason,
                    article,
                )
            )
            expected = Expected(page.url, Outcome.EXTRACTED.value, article.title, article.text)
        if fixture_dir is not None:
            save(fixture_dir, page, expected)
    for failure in result.failures:
        rows.append(PreviewRow(failure.url, failure.outcome.value, None, 0, "", failure.reason))
    return rows
