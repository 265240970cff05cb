"""A custom spider is a short subclass registered by name, chosen by the source config."""

from __future__ import annotations

from spiders.news import NewsSpider
from spiders.registry import register, spider_class


def test_custom_spider_registers_and_is_found() -> None:
    @register("test-custom")
    class CustomSpider(NewsSpider):
        pass

    assert spider_class("test-custom") is CustomSpider
    assert spider_class("news") is NewsSpider


def test_unknown_spider_names_the_known_ones() -> None:
    try:
        spider_class("nope")
    except KeyError as exc:
        assert "news" in str(exc)
    else:
        raise AssertionError("expected KeyError")
