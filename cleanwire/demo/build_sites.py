"""Render the bundled demo news sites into static files.

The pipeline needs realistic pages to crawl, extract and clean without touching
the network, and tests need to know the right answer for each page. Both come
from the same content files: the pages are rendered from them, and the gold
body is read back from them, so the two can never drift apart.

Absolute URLs are written with the literal marker ``{{base}}`` because the port
of the demo HTTP server is only known when it starts; the server substitutes
it while serving.

Usage: ``python -m cleanwire.demo.build_sites OUT_DIR``
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

DEMO_DIR = Path(__file__).resolve().parent
CONTENT_DIR = DEMO_DIR / "content"
TEMPLATE_DIR = DEMO_DIR / "templates"
COMMON_TEMPLATE_DIR = TEMPLATE_DIR / "_common"

BASE_MARKER = "{{base}}"
BOILER_PREFIX = "!boiler "
KINDS = frozenset({"article", "brief", "flattened"})
FEED_SIZE = 10
MOST_READ_SIZE = 5
RELATED_SIZE = 4
TEASER_WORDS = 32

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph; ``boiler`` ones are rendered but are not gold."""

    text: str
    boiler: bool


@dataclass(frozen=True)
class Page:
    """A content page, with what tests and templates need to know about it."""

    site: str
    slug: str
    path: str
    kind: str
    title: str
    date: dt.date
    author: str
    section: str
    tags: tuple[str, ...]
    content_file: Path
    paragraphs: tuple[Paragraph, ...]
    image: dict[str, str] | None = None
    pull_quote: str | None = None
    syndicated_from: str | None = None
    extra_urls: tuple[str, ...] = ()

    @property
    def gold(self) -> str:
        return "\n\n".join(p.text for p in self.paragraphs if not p.boiler)

    @property
    def teaser(self) -> str:
        words = self.gold.split()
        if len(words) <= TEASER_WORDS:
            return " ".join(words)
        return " ".join(words[:TEASER_WORDS]) + "\u2026"

    @property
    def tracked_paths(self) -> tuple[str, ...]:
        """The same page under tracking query strings, as newsletters link it."""
        return tuple(f"{self.path}?{query}" for query in self.extra_urls)


def _read_content(content_file: Path) -> tuple[dict[str, Any], tuple[Paragraph, ...]]:
    match = _FRONT_MATTER.match(content_file.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{content_file}: no '---' front matter block")
    meta = yaml.safe_load(match.group(1)) or {}
    blocks = (block.strip() for block in _PARAGRAPH_BREAK.split(match.group(2)))
    paragraphs = tuple(
        Paragraph(block.removeprefix(BOILER_PREFIX), True)
        if block.startswith(BOILER_PREFIX)
        else Paragraph(block, False)
        for block in blocks
        if block
    )
    return meta, paragraphs


def gold_body(content_file: Path) -> str:
    """Return the body a perfect extractor plus cleaner should produce."""
    _, paragraphs = _read_content(Path(content_file))
    return "\n\n".join(p.text for p in paragraphs if not p.boiler)


def load_page(site: str, content_file: Path) -> Page:
    """Parse one content file, failing loudly on anything a template would hide."""
    meta, paragraphs = _read_content(content_file)
    slug = content_file.stem
    where = str(content_file)
    if not _SLUG.match(slug):
        raise ValueError(f"{where}: slug {slug!r} is not url-safe")
    kind = meta.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {sorted(KINDS)}")
    date = meta.get("date")
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    if not isinstance(date, dt.date):
        raise ValueError(f"{where}: date must be an ISO date")
    tags = tuple(str(tag) for tag in meta.get("tags") or ())
    for tag in tags:
        if not _SLUG.match(tag):
            raise ValueError(f"{where}: tag {tag!r} is not url-safe")
    if not any(not p.boiler for p in paragraphs):
        raise ValueError(f"{where}: no gold paragraphs")
    return Page(
        site=site,
        slug=slug,
        path=f"/{date:%Y}/{date:%m}/{slug}.html",
        kind=kind,
        title=str(meta["title"]),
        date=date,
        author=str(meta.get("author") or ""),
        section=str(meta.get("section") or ""),
        tags=tags,
        content_file=content_file,
        paragraphs=paragraphs,
        image=meta.get("image"),
        pull_quote=meta.get("pull_quote"),
        syndicated_from=meta.get("syndicated_from"),
        extra_urls=tuple(meta.get("extra_urls") or ()),
    )


def iter_pages(content_dir: Path = CONTENT_DIR) -> Iterator[Page]:
    """Yield every content page, sorted by site then slug."""
    for site_dir in sorted(p for p in content_dir.iterdir() if p.is_dir()):
        for content_file in sorted(site_dir.glob("*.md")):
            yield load_page(site_dir.name, content_file)


def _newest_first(pages: Iterable[Page]) -> list[Page]:
    return sorted(pages, key=lambda p: (p.date, p.slug), reverse=True)


def _most_read(pages: list[Page]) -> list[Page]:
    """A stable but arbitrary-looking pick, like a real popularity widget."""

    def rank(page: Page) -> str:
        return hashlib.sha1(page.slug.encode()).hexdigest()

    return sorted(pages, key=rank)[:MOST_READ_SIZE]


def _related(page: Page, pages: list[Page]) -> list[Page]:
    shared = [p for p in pages if p is not page and set(p.tags) & set(page.tags)]
    return _newest_first(shared)[:RELATED_SIZE]


def _long_date(date: dt.date) -> str:
    return f"{date:%B} {date.day}, {date.year}"


def _rfc822(date: dt.date) -> str:
    return email.utils.format_datetime(dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC))


def _environment(site: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([TEMPLATE_DIR / site, COMMON_TEMPLATE_DIR]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = _long_date
    env.filters["rfc822"] = _rfc822
    env.filters["tag_label"] = lambda tag: tag.replace("-", " ")
    return env


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _render_site(site: str, pages: list[Page], out: Path) -> None:
    env = _environment(site)
    config = yaml.safe_load((TEMPLATE_DIR / site / "site.yaml").read_text("utf-8"))
    newest = _newest_first(pages)
    tags = sorted({tag for page in pages for tag in page.tags})
    env.globals.update(
        base=BASE_MARKER,
        site=config,
        site_id=site,
        tags=tags,
        most_read=_most_read(pages),
        latest=newest[:MOST_READ_SIZE],
    )

    def render(template: str, target: str, **context: Any) -> None:
        _write(out / target, env.get_template(template).render(**context))

    render("index.html", "index.html", pages=newest)
    render("about.html", "about.html")
    for tag in tags:
        tagged = [p for p in newest if tag in p.tags]
        render("tag.html", f"tag/{tag}.html", tag=tag, pages=tagged)
    for page in pages:
        related = _related(page, pages)
        render("article.html", page.path.lstrip("/"), page=page, related=related)
    render("robots.txt", "robots.txt")
    render("sitemap.xml", "sitemap.xml", pages=sorted(pages, key=lambda p: p.path))
    render("feed.xml", "feed.xml", pages=newest[:FEED_SIZE])
    static = TEMPLATE_DIR / site / "static"
    if static.is_dir():
        shutil.copytree(static, out / "static")


def build_sites(out_dir: Path) -> dict[str, Path]:
    """Render every site into ``out_dir/<site>/`` and return where each went.

    Each site directory is rebuilt from scratch so that stale pages from an
    earlier build cannot be crawled by mistake.
    """
    by_site: dict[str, list[Page]] = {}
    for page in iter_pages():
        by_site.setdefault(page.site, []).append(page)
    built: dict[str, Path] = {}
    for site, pages in sorted(by_site.items()):
        site_out = Path(out_dir) / site
        if site_out.exists():
            shutil.rmtree(site_out)
        _render_site(site, pages, site_out)
        built[site] = site_out
    return built


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m cleanwire.demo.build_sites OUT_DIR")
    for name, directory in build_sites(Path(sys.argv[1])).items():
        print(f"{name}: {directory}")
