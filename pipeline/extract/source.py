"""The one way a source's pages become records: site learning over every page, then extraction.

The flow (``flows.ingest``, on the local pool, on the stream that overlaps the crawl, or on Dask
through ``flows.fanout``), ``cleanwire preview`` and the fixture replay all call
``extract_source``; what differs between them is only where the two passes run (``Passes``).
So the text a preview shows and a fixture records is the text the bucket stores for the same
pages. ``source_extractor`` is the extractor with a site's learned blocks, for the one caller
that sees pages one at a time (Scrapy's item pipeline, which can only use what earlier runs
learned).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from pipeline.cleaning import Cleaner
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.extract.extractor import ExtractionSettings, Extractor
from pipeline.outcomes import NotAnArticle
from pipeline.record import Article, Page

Result = Article | NotAnArticle
# Every page's small text blocks in (read once, possibly from disk), the site's learned boilerplate
# out (``SiteBoilerplate.learn``).
Learn = Callable[[Iterable[set[str]]], frozenset[str]]


class Passes(Protocol):
    """Where the two passes run: each page's blocks for site learning, then extraction with what
    was learned. Implementations: ``pool.PoolPasses`` (this machine's cores),
    ``pool.ExtractionStream`` (drafted while the crawl runs), ``flows.fanout.DaskPasses``."""

    def run(
        self, source: str, pages: list[Page], settings: ExtractionSettings, learn: Learn
    ) -> list[tuple[Page, Result]]: ...


def source_extractor(settings: ExtractionSettings | None, source: str, learned: frozenset[str]) -> Extractor:
    """The extractor whose cleaner removes what was learned about ``source``."""
    return Extractor(settings, Cleaner(learned={source: learned}))


def extract_source(
    source: str,
    pages: list[Page],
    settings: ExtractionSettings,
    boilerplate: SiteBoilerplate,
    passes: Passes | None = None,
) -> list[tuple[Page, Result]]:
    """Every page (in order) with its article or why it has none.

    ``boilerplate`` is what earlier runs learned about the site (``SiteBoilerplate.load``), or a
    fresh ``SiteBoilerplate(source)``; it observes every page here, before any is cleaned, and is
    saved with the run's commit.
    """
    if passes is None:
        from pipeline.extract.pool import PoolPasses  # pool imports this module

        passes = PoolPasses()
    return passes.run(source, pages, settings, boilerplate.learn)
