"""Start the demo sites where the demo source configs expect them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from cleanwire.demo.build_sites import build_sites
from cleanwire.demo.server import serve_sites
from pipeline.sources import SourceConfig

# The demo's source configs ship inside the package (a wheel has no repository around it).
DEMO_SOURCES = Path(__file__).resolve().parent / "sources"


def demo_ports(sources: list[SourceConfig]) -> dict[str, int]:
    """Each demo source's first discovery URL names the port its site is served on."""
    ports = {}
    for source in sources:
        d = source.discovery
        first = (d.start_urls + d.feeds + d.sitemaps)[0]
        ports[source.name] = urlsplit(first).port or 80
    return ports


@contextmanager
def demo_sites(ports: dict[str, int] | None = None) -> Iterator[dict[str, str]]:
    """Build the sites into a temporary directory and serve them; yield {site: base URL}."""
    with tempfile.TemporaryDirectory(prefix="cleanwire-demo-") as tmp:
        sites = build_sites(Path(tmp))
        if ports is not None:
            sites = {name: path for name, path in sites.items() if name in ports}
        with serve_sites(sites, ports) as bases:
            yield bases
