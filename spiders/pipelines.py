"""Item pipelines for ``scrapy crawl``: pages become cleaned records; non-articles dropped with a reason.

An item pipeline sees one page at a time and cannot wait for the crawl's last page, so site
learning here is what the project's store learned from earlier runs (the blocks a run would start
from); the extractor is the flow's (``pipeline.extract.source.source_extractor``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from scrapy.exceptions import DropItem

from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.extract.extractor import Extractor
from pipeline.extract.source import source_extractor
from pipeline.outcomes import Dropped, NotAnArticle
from pipeline.record import Page
from pipeline.settings import current as current_settings
from pipeline.storage import StoreError, open_store

log = logging.getLogger(__name__)


def _learned(source: str) -> frozenset[str]:
    """What the project's store learned about ``source``; nothing when it cannot be read."""
    try:
        return SiteBoilerplate.load(open_store(current_settings().store), source).learned()
    except (StoreError, ValueError, OSError) as exc:
        log.info("%s: no learned boilerplate from the store (%s)", source, exc)
        return frozenset()


class ExtractPipeline:
    def __init__(self) -> None:
        self._extractors: dict[str, Extractor] = {}

    def process_item(self, item: Any, spider: Any = None) -> dict[str, Any]:
        if isinstance(item, Dropped):
            raise DropItem(f"{item.outcome}: {item.reason} ({item.url})")
        if not isinstance(item, Page):
            return item
        source = getattr(spider, "source", None)
        extractor = self._extractors.get(item.source)
        if extractor is None:
            settings = source.extraction_settings() if source is not None else None
            extractor = source_extractor(settings, item.source, _learned(item.source))
            self._extractors[item.source] = extractor
        try:
            article = extractor.extract_page(item)
        except NotAnArticle as exc:
            raise DropItem(f"{exc.outcome}: {exc.reason} ({item.url})") from None
        return json.loads(article.model_dump_json())
