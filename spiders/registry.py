"""Spider registry: config files name a spider; custom spiders register under a name.

A site that needs code gets a short subclass of ``NewsSpider`` decorated with
``@register("name")`` and keeps the same item contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spiders.news import NewsSpider

_REGISTRY: dict[str, type[NewsSpider]] = {}


def register(name: str):
    def decorate(cls: type[NewsSpider]) -> type[NewsSpider]:
        _REGISTRY[name] = cls
        return cls

    return decorate


def _import_spiders() -> None:
    """Import the generic spider and every module in spiders/sites, so they register."""
    import importlib
    import pkgutil

    import spiders.news
    import spiders.sites

    for module in pkgutil.iter_modules(spiders.sites.__path__):
        importlib.import_module(f"spiders.sites.{module.name}")


def spider_class(name: str) -> type[NewsSpider]:
    _import_spiders()

    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no spider registered as {name!r}; known: {sorted(_REGISTRY)}") from None
