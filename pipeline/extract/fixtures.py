"""Recorded pages and their expected records: a source's regression test, replayed offline.

``cleanwire preview NAME --save-fixture`` writes, per page, the HTML
(gzipped) and what cleanwire made of it. Replaying re-extracts the HTML with
the current code and compares: a cleaning change that alters a source's
output fails a test with a readable diff instead of drifting silently.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.extract.pool import PoolPasses
from pipeline.extract.source import Result, extract_source
from pipeline.outcomes import NotAnArticle, Outcome
from pipeline.record import Page
from pipeline.sources import SourceConfig


@dataclass(frozen=True)
class Expected:
    url: str
    outcome: str
    title: str | None = None
    text: str | None = None
    reason: str | None = None


def fixture_name(url: str) -> str:
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "index"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", last.rsplit(".", 1)[0])[:60].strip("-") or "page"
    return f"{slug}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def expected_of(page: Page, result: Result) -> Expected:
    """What cleanwire made of one page, in the form fixtures record."""
    if isinstance(result, NotAnArticle):
        return Expected(page.url, result.outcome.value, reason=result.reason)
    return Expected(page.url, Outcome.EXTRACTED.value, result.title, result.text)


def save(directory: Path, page: Page, expected: Expected) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    name = fixture_name(page.url)
    (directory / f"{name}.html.gz").write_bytes(gzip.compress(page.body, mtime=0))
    record = {k: v for k, v in expected.__dict__.items() if v is not None}
    record["content_type"] = page.header("content-type") or "text/html"
    (directory / f"{name}.json").write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    return directory / f"{name}.json"


def _recorded(path: Path, source: SourceConfig) -> tuple[Page, Expected]:
    recorded = json.loads(path.read_text())
    content_type = recorded.pop("content_type", "text/html")
    expected = Expected(**recorded)
    body = gzip.decompress(path.with_name(path.name.removesuffix(".json") + ".html.gz").read_bytes())
    page = Page(
        url=expected.url,
        body=body,
        source=source.name,
        headers={"Content-Type": content_type},
        article_candidate=source.is_article_url(expected.url),
    )
    return page, expected


def replay(directory: Path, source: SourceConfig) -> list[str]:
    """Re-extract every recorded page as a run would (``extract_source``: site learning over all
    the recorded pages, from nothing learned before); a readable diff per page that changed."""
    recorded = [_recorded(path, source) for path in sorted(directory.glob("*.json"))]
    pages = [page for page, _ in recorded]
    results = extract_source(
        source.name, pages, source.extraction_settings(), SiteBoilerplate(source.name), PoolPasses(1)
    )
    problems = []
    for (page, expected), (_, result) in zip(recorded, results, strict=True):
        got = expected_of(page, result)
        if got != expected:
            problems.append(_diff(page.url, expected, got))
    return problems


def _diff(url: str, expected: Expected, got: Expected) -> str:
    name = fixture_name(url) + ".json"
    lines = [f"{name}: {expected.url}"]
    if got.outcome != expected.outcome:
        lines.append(f"  outcome {expected.outcome!r} -> {got.outcome!r} ({got.reason or ''})")
    if got.title != expected.title:
        lines.append(f"  title {expected.title!r} -> {got.title!r}")
    if got.text != expected.text:
        diff = difflib.unified_diff(
            (expected.text or "").split("\n\n"),
            (got.text or "").split("\n\n"),
            "recorded",
            "now",
            lineterm="",
            n=0,
        )
        lines.extend("  " + line for line in diff)
    return "\n".join(lines)
