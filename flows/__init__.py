"""Prefect flows: compose ``spiders`` (crawling) and ``pipeline`` (everything after)."""
