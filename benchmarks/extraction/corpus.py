"""The extraction benchmark's corpus: article pages rendered from gold text and site templates.

Each ``corpus/articles/*.md`` file is one article: YAML front matter (title, author, date,
section, the templates it is rendered with, an optional image caption and credit) and a body
of blocks separated by blank lines:

* a plain block is a paragraph;
* a block whose lines all start with ``- `` is a bulleted list that belongs to the article;
* a block whose lines all start with ``|`` is a table that belongs to the article (first row
  is the header);
* a line ``@ 09:14`` (live blogs only) opens a timestamped update; the time is not gold.

The gold body is exactly those paragraphs, list items and table rows (cells joined by
spaces), one per line, blank line between blocks; never the title, byline, captions,
credits or anything a template adds. Templates (``corpus/templates/<name>.html``) add the
site chrome and boilerplate: cookie banners, share bars, newsletter and subscription boxes
(as classed ``div``s or as plain ``<p>`` inside the body), related/read-more lines, comment
sections, trending strips, most-read lists, author bios, copyright footers.

Everything is deterministic: boilerplate choices (which other headlines a trending strip
shows, which reader comments appear) are made with hashes of the slug, never ``random``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
ARTICLES_DIR = CORPUS_DIR / "articles"
TEMPLATES_DIR = CORPUS_DIR / "templates"

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.DOTALL)
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_UPDATE = re.compile(r"^@ (\d{1,2}:\d{2})$")


@dataclass(frozen=True)
class CorpusPage:
    """One rendered page and the text a perfect extractor would return for it."""

    path: Path
    url: str
    title: str
    gold: str
    template: str
    slug: str


@dataclass(frozen=True)
class Block:
    kind: str  # "p", "ul", "table" or "time"
    text: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @property
    def gold_lines(self) -> list[str]:
        if self.kind == "p":
            return [self.text]
        if self.kind == "ul":
            return list(self.items)
        if self.kind == "table":
            return [" ".join(row) for row in self.rows]
        return []


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    author: str
    date: dt.date
    section: str
    templates: tuple[str, ...]
    blocks: tuple[Block, ...]
    image: dict[str, str] | None

    @property
    def gold(self) -> str:
        return "\n\n".join("\n".join(b.gold_lines) for b in self.blocks if b.gold_lines)

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "p"]

    @property
    def updates(self) -> list[dict[str, Any]]:
        """Live-blog view: the blocks grouped under their ``@ HH:MM`` markers."""
        groups: list[dict[str, Any]] = []
        for block in self.blocks:
            if block.kind == "time":
                groups.append({"time": block.text, "blocks": []})
            elif groups:
                groups[-1]["blocks"].append(block)
            else:
                groups.append({"time": "", "blocks": [block]})
        return groups


def _parse_block(raw: str, where: str) -> Block:
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) == 1 and (match := _UPDATE.match(lines[0])):
        return Block("time", text=match.group(1))
    if all(line.startswith("- ") for line in lines):
        return Block("ul", items=tuple(line[2:].strip() for line in lines))
    if all(line.startswith("|") for line in lines):
        rows = tuple(tuple(cell.strip() for cell in line.strip("|").split("|")) for line in lines)
        if len({len(row) for row in rows}) != 1:
            raise ValueError(f"{where}: table rows differ in length")
        return Block("table", rows=rows)
    if any(line.startswith(("- ", "|", "@ ")) for line in lines):
        raise ValueError(f"{where}: block mixes list/table/update lines with text")
    return Block("p", text=" ".join(lines))


def load_article(path: Path) -> Article:
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{path}: no front matter")
    meta = yaml.safe_load(match.group(1))
    blocks = tuple(_parse_block(raw, str(path)) for raw in _BLOCK_BREAK.split(match.group(2)) if raw.strip())
    templates = tuple(meta["templates"])
    for name in templates:
        if not (TEMPLATES_DIR / f"{name}.html").is_file():
            raise ValueError(f"{path}: unknown template {name!r}")
    date = meta["date"]
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    return Article(
        slug=path.stem,
        title=str(meta["title"]),
        author=str(meta["author"]),
        date=date,
        section=str(meta["section"]),
        templates=templates,
        blocks=blocks,
        image=meta.get("image"),
    )


def load_articles(articles_dir: Path = ARTICLES_DIR) -> list[Article]:
    return [load_article(path) for path in sorted(articles_dir.glob("*.md"))]


def _rank(key: str, item: str) -> str:
    return hashlib.sha1(f"{key}\x00{item}".encode()).hexdigest()


def pick(items: Sequence[Any], key: str, n: int, *, label: str = "") -> list[Any]:
    """``n`` items chosen by hash of ``key`` (and ``label``): stable, arbitrary-looking."""
    order = sorted(range(len(items)), key=lambda i: _rank(f"{key}/{label}", str(i)))
    return [items[i] for i in order[:n]]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = lambda d: f"{d:%B} {d.day}, {d.year}"
    env.filters["slugify"] = lambda s: re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return env


def build_corpus(out_dir: Path) -> list[CorpusPage]:
    """Render every (article, template) pair into ``out_dir/<template>/<slug>.html``."""
    out_dir = Path(out_dir)
    articles = load_articles()
    sites: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS_DIR / "sites.yaml").read_text("utf-8"))
    authors: dict[str, str] = yaml.safe_load((CORPUS_DIR / "authors.yaml").read_text("utf-8"))
    comments: list[dict[str, str]] = yaml.safe_load((CORPUS_DIR / "comments.yaml").read_text("utf-8"))
    env = _environment()
    pages: list[CorpusPage] = []
    for template in sorted({t for a in articles for t in a.templates}):
        target_dir = out_dir / template
        if target_dir.exists():
            shutil.rmtree(target_dir)
        target_dir.mkdir(parents=True)
        site = sites[template]
        for article in (a for a in articles if template in a.templates):
            if article.author not in authors:
                raise ValueError(f"{article.slug}: author {article.author!r} has no bio in authors.yaml")
            others = [a for a in articles if a.slug != article.slug]
            url = f"https://{site['domain']}/{article.date:%Y/%m}/{article.slug}.html"

            def headlines(n: int, label: str, key: str = article.slug, pool: list[Article] = others):
                return [
                    {"title": a.title, "url": f"/{a.date:%Y/%m}/{a.slug}.html", "section": a.section}
                    for a in pick(pool, key, n, label=label)
                ]

            html = env.get_template(f"{template}.html").render(
                page=article,
                url=url,
                site=site,
                bio=authors[article.author].strip(),
                headlines=headlines,
                comments=pick(comments, article.slug, 4, label="comments"),
                comment_count=7 + int(_rank(article.slug, "count")[:2], 16) % 60,
            )
            path = target_dir / f"{article.slug}.html"
            path.write_text(html, encoding="utf-8")
            pages.append(
                CorpusPage(
                    path=path,
                    url=url,
                    title=article.title,
                    gold=article.gold,
                    template=template,
                    slug=article.slug,
                )
            )
    return pages


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchmarks.extraction.corpus OUT_DIR")
    built = build_corpus(Path(sys.argv[1]))
    print(f"{len(built)} pages, {len({p.template for p in built})} templates -> {sys.argv[1]}")
