"""``cleanwire preview``: what a source yields, before it goes live."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.dedup.judge import DedupIndex, Deduplicator, duplicate_drop
from pipeline.extract.fixtures import Expected, save
from pipeline.extract.pool import PoolPasses
from pipeline.extract.source import extract_source
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Article
from pipeline.runs.run import representative_order
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
    text: str | None = None  # the whole text, as the bucket would store it (``--json``)
    # The record as the bucket would store it (--html shows it, with what cleaning removed).
    article: Article | None = field(default=None, repr=False)

    def json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "outcome": self.outcome,
            "title": self.title,
            "chars": self.chars,
            "reason": self.reason,
            "text": self.text,
        }


def preview_source(source: SourceConfig, limit: int, fixture_dir: Path | None = None) -> list[PreviewRow]:
    """Crawl up to ``limit`` article pages (no stored state), extract, judge duplicates among them.

    Extraction is the flow's (``extract_source``, site learning over every page crawled, from
    nothing learned before), so a row's text is what a first run into an empty bucket stores.
    With ``fixture_dir`` every page is recorded, those site learning saw but no row shows too:
    the replay learns from the same pages.
    """
    overrides = {"CLEANWIRE_MAX_ARTICLES": limit, "LOG_LEVEL": "ERROR"}
    (result,) = crawl([source], overrides=overrides)
    results = extract_source(
        source.name, result.pages, source.extraction_settings(), SiteBoilerplate(source.name), PoolPasses(1)
    )
    # judged in the flow's order (plain URLs first), so the page shown as kept is the one stored
    dedup = Deduplicator(DedupIndex())
    articles = sorted((a for _, a in results if not isinstance(a, NotAnArticle)), key=representative_order)
    verdicts = {id(a): dedup.judge(a) for a in articles}
    rows: list[PreviewRow] = []
    for page, article in results:
        if isinstance(article, NotAnArticle):
            expected = Expected(page.url, article.outcome.value, reason=article.reason)
            if page.article_candidate:
                rows.append(PreviewRow(page.url, article.outcome.value, None, 0, "", article.reason))
        else:
            verdict = verdicts[id(article)]
            outcome = Outcome.EXTRACTED if verdict.is_new else Outcome.DUPLICATE
            reason = None if verdict.is_new else duplicate_drop(verdict).reason
            start = article.text[:160].replace("\n", " ")
            rows.append(
                PreviewRow(
                    page.url, outcome.value, article.title, article.chars, start, reason, article.text,
                    article,
                )
            )
            expected = Expected(page.url, Outcome.EXTRACTED.value, article.title, article.text)
        if fixture_dir is not None:
            save(fixture_dir, page, expected)
    for failure in result.failures:
        rows.append(PreviewRow(failure.url, failure.outcome.value, None, 0, "", failure.reason))
    return rows
