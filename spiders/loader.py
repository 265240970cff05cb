"""A Scrapy spider loader that makes one spider per source config (``scrapy list``, ``scrapy crawl``)."""

from __future__ import annotations

import os
from pathlib import Path

from scrapy import Request, Spider
from scrapy.settings import BaseSettings

from pipeline.project import find_project
from pipeline.settings import current as current_settings
from pipeline.sources import SourceConfig, load_sources
from spiders.registry import spider_class
from spiders.settings import settings_for

# Process-wide choices belong to the project settings, not to one spider.
_PROCESS_SETTINGS = {"TWISTED_REACTOR_ENABLED", "CLEANWIRE_WARC_PATH"}


def source_dirs(settings: BaseSettings) -> list[Path]:
    """``-s CLEANWIRE_SOURCES=...`` or ``$CLEANWIRE_SOURCES``, else the project's ``config/sources``.

    The same project every ``cleanwire`` command uses (``pipeline.project``), so
    ``scrapy crawl NAME`` crawls the source ``cleanwire new-source NAME`` wrote.
    """
    configured = settings.get("CLEANWIRE_SOURCES") or current_settings().sources
    if configured:
        return [Path(p) for p in str(configured).split(os.pathsep)]
    project = find_project()
    assert project is not None  # required: find_project raises ProjectError instead
    return [project.sources_dir]


def bound_spider(source: SourceConfig) -> type[Spider]:
    base = spider_class(source.spider)
    settings = {k: v for k, v in settings_for(source).items() if k not in _PROCESS_SETTINGS}
    return type(
        f"{base.__name__}_{source.name.replace('-', '_')}",
        (base,),
        {"name": source.name, "source_config": source, "custom_settings": settings},
    )


class SourceSpiderLoader:
    def __init__(self, settings: BaseSettings) -> None:
        self._spiders: dict[str, type[Spider]] = {}
        for directory in source_dirs(settings):
            sources, _errors = load_sources(directory)
            for source in sources:
                self._spiders.setdefault(source.name, bound_spider(source))

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SourceSpiderLoader:
        return cls(settings)

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return self._spiders[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> list[str]:
        return sorted(self._spiders)

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name, cls in self._spiders.items() if cls.handles_request(request)]
