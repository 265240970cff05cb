"""The HTML preview of 500 articles in a real browser: how long chromium takes to load it, and its size.

Data: GENERATED pages, the demo sites' articles (``cleanwire/demo``) extracted and cleaned as the
crawl does, repeated under distinct URLs to 500 (the plumbing and the page weight, not the quality
of any text). The figure is chromium's own navigation timing (``loadEventEnd``: parse, style,
layout, first paint), the median of three loads, against the issue's 2 s budget; the file's
size against its 5 MB budget. A figure, not a test: the machine is shared.
"""

from __future__ import annotations

import statistics
import tempfile
from itertools import cycle, islice
from pathlib import Path

from cleanwire.views.preview_html import PreviewPage, render_preview

BUDGET_MS = 2000
BUDGET_BYTES = 5 * 1024 * 1024


def demo_preview_pages(count: int, sites_dir: Path | None = None) -> list[PreviewPage]:
    """``count`` previewed pages: every demo article extracted (by ``Extractor``, as the crawl
    does), one page that fails, repeated under distinct URLs."""
    from cleanwire.demo.build_sites import build_sites, iter_pages
    from pipeline.extract.extractor import Extractor
    from pipeline.outcomes import NotAnArticle

    with tempfile.TemporaryDirectory() as tmp:
        built = build_sites(Path(sites_dir or tmp))
        extractor = Extractor()
        base: list[PreviewPage] = []
        for page in iter_pages():
            if page.kind not in ("article", "brief"):
                continue
            html = (built[page.site] / page.path.lstrip("/")).read_text(encoding="utf-8")
            url = f"http://{page.site}.example{page.path}"
            try:
                article = extractor.extract_html(html, url, source=page.site)
            except NotAnArticle as exc:
                base.append(PreviewPage(url, exc.outcome.value, exc.reason))
            else:
                base.append(PreviewPage(url, "extracted", None, article))
    base.append(PreviewPage("http://broken.example/empty.html", "empty", "no main text found"))
    pages = []
    for i, page in enumerate(islice(cycle(base), count)):
        url = f"{page.url}?copy={i}"
        article = page.article.model_copy(update={"url": url}) if page.article else None
        pages.append(PreviewPage(url, page.outcome, page.reason, article))
    return pages


def run(smoke: bool = False) -> dict:
    from benchmarks.browser import available, browser

    count = 50 if smoke else 500
    html = render_preview(demo_preview_pages(count), f"preview of {count} generated pages")
    size = len(html.encode("utf-8"))
    result: dict = {"pages": count, "bytes": size, "size_ratio_to_budget": round(size / BUDGET_BYTES, 3)}
    missing = available()
    if missing:
        return {**result, "skipped": missing}
    with tempfile.TemporaryDirectory() as tmp, browser() as b:
        path = Path(tmp) / "preview.html"
        path.write_text(html, encoding="utf-8")
        loads = [b.load(path) for _ in range(3)]
        sections = b.js("return document.querySelectorAll('section.page').length")
        # Jumping to the last page lays out what content-visibility skipped on the way.
        jump_ms = b.js(
            "const t = performance.now(); const s = document.querySelectorAll('section.page');"
            "s[s.length - 1].scrollIntoView(); document.body.getBoundingClientRect();"
            "return performance.now() - t;"
        )
        outside = sorted({u for loaded in loads for u in b.outside_requests(loaded)})
    load_ms = statistics.median(loaded.timing["load"] for loaded in loads)
    return {
        **result,
        "load_ms": round(load_ms, 1),
        "load_ratio_to_budget": round(load_ms / BUDGET_MS, 3),
        "jump_to_last_page_ms": round(jump_ms, 1),
        "sections": sections,
        "outside_requests": outside,
        "passed": {"load": load_ms < BUDGET_MS, "size": size < BUDGET_BYTES, "offline": not outside},
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
