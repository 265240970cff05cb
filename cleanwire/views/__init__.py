"""HTML views of what cleaning did: ``cleanwire preview/extract --html`` and ``cleanwire report --html``.

Each page is one self-contained file: its CSS inline, its charts inline SVG, no script, and a
Content-Security-Policy that forbids every network load. Every string that came from a site
(titles, URLs, text, evidence) goes through Jinja's autoescaping.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("cleanwire.views", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
    )


def render(template: str, **context: Any) -> str:
    from cleanwire import __version__

    css = (files("cleanwire.views") / "templates" / "style.css").read_text(encoding="utf-8")
    return (
        environment()
        .get_template(template)
        .render(css=css, version=__version__, generated=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", **context)
    )
