"""Scrapy spiders for news sources; runnable without Prefect (``scrapy crawl NAME`` too).

A spider yields ``pipeline.record.Page`` items for pages and
``pipeline.outcomes.Dropped`` items for requests that failed; nothing else.
"""

from spiders.registry import register, spider_class

__all__ = ["register", "spider_class"]
