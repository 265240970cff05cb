"""Item pipelines for ``scrapy crawl``: pages become cleaned records; non-articles dropped with a reason."""

from __future__ import annotations

import json
from typing import Any

from scrapy.exceptions import DropItem

from pipeline.extract.extractor import Extractor
from pipeline.outcomes import Dropped, NotAnArticle
from pipeline.record import Page


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
            extractor = self._extractors[item.source] = Extractor(settings)
        try:
            article = extractor.extract_page(item)
        except NotAnArticle as exc:
            raise DropItem(f"{exc.outcome}: {exc.reason} ({item.url})") from None
        return json.loads(article.model_dump_json())
