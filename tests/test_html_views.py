"""``cleanwire preview/extract --html`` and ``cleanwire report --html``, loaded in a real browser.

Debian's chromium (``.ci/ensure-chromium``) loads each page from its file: no request may leave
it, every chart must be drawn, the removed blocks must be there with their rule names, and a
screenshot is saved under the test's temp dir.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import browser as browser_mod
from benchmarks.html_views import BUDGET_BYTES, demo_preview_pages
from cleanwire.cli import main as cli
from cleanwire.preview import preview_source
from cleanwire.views.preview_html import place_blocks, render_preview
from pipeline.bucket.reader import BucketReader
from pipeline.cleaning import Cleaner
from pipeline.sources import load_sources
from tests.demo_pages import SEED_PAGES, page

CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
SEEDS = Path(__file__).parent / "fixtures" / "seeds" / "expected"

# The DOM's view of a page: charts (paths drawn, size on screen), blocks in order, metadata.
DOM = """
const charts = [...document.querySelectorAll('svg.chart')].map(s => {
  const box = s.getBoundingClientRect();
  return {paths: [...s.querySelectorAll('path')].filter(p => (p.getAttribute('d') || '').length > 0).length,
          width: box.width, height: box.height, label: s.getAttribute('aria-label')};
});
const pages = [...document.querySelectorAll('section.page')].map(sec => ({
  url: sec.querySelector('dl.meta dd code').textContent,
  outcome: sec.querySelector('.outcome').textContent,
  title: sec.querySelector('h2').textContent,
  reason: (sec.querySelector('.reason') || {}).textContent || null,
  blocks: [...sec.querySelectorAll('.text > p')].map(p => p.classList.contains('removed')
      ? {rule: p.querySelector('.rule').textContent, text: p.querySelector('del').textContent}
      : {rule: null, text: p.textContent}),
}));
return {charts, pages, text: document.body.innerText,
        active: document.querySelectorAll('script, img, iframe, object, embed, link').length};
"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[browser_mod.Browser]:
    missing = browser_mod.available()
    if missing:
        pytest.fail(missing)  # make test installs it: missing is a broken setup, not a skip
    with browser_mod.browser() as b:
        yield b


def open_page(chromium: browser_mod.Browser, path: Path, shot: Path) -> dict:
    loaded = chromium.load(path)
    assert chromium.outside_requests(loaded) == [], "a request left the page"
    dom = chromium.js(DOM)
    for chart in dom["charts"]:
        assert chart["paths"] > 5 and chart["width"] > 100 and chart["height"] > 50, chart
    chromium.screenshot(shot)
    assert shot.stat().st_size > 10_000
    return dom


def cleanwire(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLEANWIRE, *args], capture_output=True, text=True, timeout=300)


# -- the browser check itself can fail ------------------------------------------------------


def test_the_browser_sees_a_request_that_leaves_the_page(chromium, tmp_path) -> None:
    """The control: a page that loads an image elsewhere is caught (so 'no request' means none)."""
    control = tmp_path / "control.html"
    control.write_text('<p>x</p><img src="http://203.0.113.9/pixel.png"><img src="pixel.png">')
    outside = chromium.outside_requests(chromium.load(control))
    assert "http://203.0.113.9/pixel.png" in outside
    assert (tmp_path / "pixel.png").as_uri() in outside


# -- the preview ----------------------------------------------------------------------------


def test_removed_blocks_are_put_back_in_place() -> None:
    paras = [
        "Sign up for our newsletter",
        "The council voted on Tuesday to close the old bridge to lorries after engineers found cracks.",
        "Photo: Jane Doe/Reuters",
        "Repairs will take two years and cost about 4 million pounds, the council said in a statement.",
        "© 2025 Example News. All rights reserved.",
    ]
    cleaned = Cleaner().clean_paragraphs(paras)
    assert {r.rule for r in cleaned.removed} >= {"image-credit", "copyright-line"}
    blocks, unplaced = place_blocks(cleaned.text, cleaned.removed)
    assert [b.text for b in blocks] == paras and not unplaced
    assert [b.rule is None for b in blocks] == [p in cleaned.paragraphs for p in paras]


def test_a_record_without_places_lists_its_removals_after_the_text() -> None:
    body = "The council voted on Tuesday to close the old bridge to lorries after engineers found cracks."
    cleaned = Cleaner().clean_paragraphs([body, "Photo: Jane Doe/Reuters"])
    assert cleaned.removed
    for removal in cleaned.removed:
        removal.at = None  # as in a schema version 2 record
    blocks, unplaced = place_blocks(cleaned.text, cleaned.removed)
    assert [b.text for b in blocks] == [body]
    assert [(b.rule, b.text) for b in unplaced] == [(r.rule, r.text) for r in cleaned.removed]


def test_preview_html_shows_the_seed_page_as_stored_with_removals_in_place(
    chromium, demo_config, site_urls, built_sites, tmp_path
) -> None:
    site, slug = SEED_PAGES["002"]
    out = tmp_path / "preview.html"
    result = cleanwire("preview", site, "--config", str(demo_config), "--limit", "30", "--html", str(out))
    assert result.returncode == 0, result.stderr
    dom = open_page(chromium, out, tmp_path / "preview.png")
    assert len(dom["charts"]) == 2  # pages by outcome, words removed by rule
    url = site_urls[site] + page(site, slug).path
    (seen,) = [p for p in dom["pages"] if p["url"] == url]
    # The record the bucket would store: the preview's own, through the flow's extraction path
    # (site learning over every page of the crawl; tests/test_one_extraction_path.py checks that
    # the flow stores this same text).
    (source,) = [s for s in load_sources(demo_config)[0] if s.name == site]
    (row,) = [r for r in preview_source(source, 30) if r.url == url]
    article = row.article
    assert article is not None
    kept = [b["text"] for b in seen["blocks"] if b["rule"] is None]
    assert "\n\n".join(kept) == article.text
    assert article.text.split() == next(SEEDS.glob("002_*.txt")).read_text().split()
    removed = [(b["rule"], b["text"]) for b in seen["blocks"] if b["rule"]]
    assert "author-bio" in {rule for rule, _ in removed}
    assert sorted(removed) == sorted((r.rule, r.text) for r in article.removed)
    # In place: each removed block at its place among the paragraphs trafilatura gave.
    assert len(seen["blocks"]) == len(kept) + len(article.removed)
    for removal in article.removed:
        assert removal.at is not None
        assert (seen["blocks"][removal.at]["rule"], seen["blocks"][removal.at]["text"]) == (
            removal.rule,
            removal.text,
        )
    assert seen["outcome"] == "extracted" and seen["title"].endswith(article.title)
    assert "words removed" in dom["text"] and "author-bio" in dom["text"]


def test_extract_html_of_a_page_that_fails_shows_outcome_and_reason(chromium, tmp_path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><head><title>Nothing</title></head><body><div></div></body></html>")
    out = tmp_path / "extract.html"
    result = cleanwire("extract", str(empty), "--url", "http://news.example/empty.html", "--html", str(out))
    assert result.returncode == 2 and "empty" in result.stderr and result.stdout == ""
    dom = open_page(chromium, out, tmp_path / "extract.png")
    (seen,) = dom["pages"]
    assert seen["outcome"] == "empty" and seen["reason"] == "no main text found"
    assert seen["url"] == "http://news.example/empty.html" and seen["blocks"] == []


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def test_hostile_title_url_and_text_render_as_text(chromium, tmp_path) -> None:
    from html import escape

    paragraph = (
        "The mayor said the plan would go ahead despite the protests outside the town hall, where "
        "hundreds gathered on Saturday morning to oppose the new road. "
    )
    body = "".join(f"<p>{paragraph}{escape(HOSTILE)} {i}</p>" for i in range(4))
    html = (
        f"<html><head><title>{escape(HOSTILE)}</title></head><body><article>"
        f"<h1>{escape(HOSTILE)}</h1>{body}<p>Photo: {escape(HOSTILE)}</p></article></body></html>"
    )
    source = tmp_path / "hostile.html"
    source.write_text(html)
    url = "http://news.example/a?q=%22%3E%3Cimg%20src%3Dy%3E"
    out = tmp_path / "hostile-view.html"
    result = cleanwire("extract", str(source), "--url", url, "--html", str(out))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert HOSTILE in record["text"]  # the text really carries the markup-looking string
    dom = open_page(chromium, out, tmp_path / "hostile.png")
    assert dom["active"] == 0  # no script, image, frame or stylesheet link made it into the DOM
    (seen,) = dom["pages"]
    assert HOSTILE in seen["title"] and seen["url"] == record["url"]
    assert "\n\n".join(b["text"] for b in seen["blocks"] if b["rule"] is None) == record["text"]


def test_500_previewed_pages_stay_under_5_mb(chromium, tmp_path) -> None:
    """Generated pages (the demo's articles repeated): the file's weight, and that all 500 render."""
    pages = demo_preview_pages(500, tmp_path / "sites")
    html = render_preview(pages, "preview of 500 generated pages")
    assert len(html.encode("utf-8")) < BUDGET_BYTES
    path = tmp_path / "preview-500.html"
    path.write_text(html, encoding="utf-8")
    dom = open_page(chromium, path, tmp_path / "preview-500.png")
    assert len(dom["pages"]) == 500
    assert sum(p["outcome"] == "empty" for p in dom["pages"]) >= 1


# -- the report -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_bucket(tmp_path_factory, site_urls, prefect_server) -> tuple[str, list[dict]]:
    """Two runs over the demo sites into one local bucket, under Prefect."""
    from flows.ingest import ingest
    from tests.conftest import write_demo_config

    base = tmp_path_factory.mktemp("report")
    config = write_demo_config(base / "sources", site_urls)
    store = f"file://{base / 'bucket'}"
    return store, [ingest(config_dir=str(config), store=store) for _ in range(2)]


def test_report_html_draws_every_chart_offline(chromium, demo_bucket, tmp_path) -> None:
    store, runs = demo_bucket
    out = tmp_path / "report.html"
    assert cli(["report", "--store", store, "--html", str(out)]) == 0
    dom = open_page(chromium, out, tmp_path / "report.png")
    sources = sorted(runs[0]["counts"])
    labels = [c["label"] for c in dom["charts"]]
    for name in sources:
        assert f"{name}: pages by outcome, per run" in labels
        assert f"{name}: duplicates among articles, new also_at links per duplicate" in labels
    assert "Last run: seconds by stage" in labels and "All sources: text removed by rule" in labels
    text = dom["text"]
    stored = {name: 0 for name in sources}
    for article in BucketReader(store).records():
        stored[article.source] += 1
    assert sum(stored.values()) == runs[0]["stored"] + runs[1]["stored"]
    assert f"records stored\t{sum(stored.values())}" in text
    assert "learned-site-boilerplate" in text  # blocks the site prints on many pages, learned
    for run in runs:
        assert run["manifest"] in text


def test_each_run_has_its_part_of_the_report_as_a_prefect_artifact(demo_bucket) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _store, runs = demo_bucket
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-report"]))
        )
    by_run = {a.description.split()[2].rstrip(":"): a for a in artifacts if a.description}
    for run in runs:
        rows = by_run[run["run_id"]].data
        rows = json.loads(rows) if isinstance(rows, str) else rows
        assert {row["source"]: row["extracted"] for row in rows} == {
            name: counts.get("extracted", 0) for name, counts in run["counts"].items()
        }
        assert sum(row["stored"] for row in rows) == run["stored"]
        assert f"run-{run['run_id']}" in run["markdown"]


def test_report_of_a_store_without_manifests_says_so(chromium, tmp_path) -> None:
    out = tmp_path / "empty-report.html"
    result = cleanwire("report", "--store", f"file://{tmp_path / 'nothing'}", "--html", str(out))
    assert result.returncode == 0, result.stderr
    assert "no runs" in result.stderr
    dom = open_page(chromium, out, tmp_path / "empty-report.png")
    assert "has no manifests" in dom["text"] and dom["charts"] == []


def test_report_shows_drift_and_a_run_without_run_report(chromium, tmp_path) -> None:
    """Manifests as a run writes them, one with drift warnings, one recovered (no run report)."""
    from datetime import timedelta

    from pipeline.bucket.manifest import Manifest
    from pipeline.runs.history import load_history, run_of, run_report, save_run_report
    from pipeline.storage import open_store

    store = open_store(f"file://{tmp_path / 'bucket'}")
    first = Manifest.start("aaaaaaaaaaaa", ["wire"])
    first.counts = {"wire": {"extracted": 9, "duplicate": 1}}
    first.write(store)
    save_run_report(store, run_report(first, {"crawl": 2.0, "store": 0.5}, [], {}, {}))
    second = Manifest.start("bbbbbbbbbbbb", ["wire"])
    second.created = first.created + timedelta(hours=1)
    second.counts = {"wire": {"extracted": 1, "blocked": 9}}
    second.drift = {"wire": [f"articles extracted from 10% of article pages, usually 90%: {HOSTILE}"]}
    second.recovered = True
    second.write(store)
    history = load_history(store)
    assert [run.stages for run in history.runs] == [{"crawl": 2.0, "store": 0.5}, {}]
    assert run_of(second, None).sources["wire"].duplicate_rate == 0.0
    out = tmp_path / "report.html"
    assert cli(["report", "--store", store.url, "--html", str(out)]) == 0
    dom = open_page(chromium, out, tmp_path / "drift.png")
    assert dom["active"] == 0
    assert f"usually 90%: {HOSTILE}" in dom["text"]  # the warning, as text
    assert "no run report" in dom["text"]  # the last run was recovered: no stage timings
    assert "wire: pages by outcome, per run" in [c["label"] for c in dom["charts"]]


def test_extract_html_of_a_page_a_crawl_would_refuse_says_so(built_sites, tmp_path) -> None:
    out = tmp_path / "about.html"
    about = built_sites["capitol-ledger"] / "about.html"
    result = cleanwire("extract", str(about), "--url", "http://127.0.0.1:8701/about.html", "--html", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "a crawl would not store this page (not-an-article)" in html
    assert "page kind: <b>not-an-article</b>" in html
