"""Fixtures of the hostile-input suite (``tests/hostile/site.py``)."""

from tests.hostile.site import hostile_site

__all__ = ["hostile_site"]
