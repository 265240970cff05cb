"""The installed ``cleanwire`` console script on single documents."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.demo_pages import SEED_PAGES, page

CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLEANWIRE, *args], capture_output=True, text=True, input=stdin, timeout=120)


def test_extract_prints_the_cleaned_record(built_sites) -> None:
    site, slug = SEED_PAGES["002"]
    html = built_sites[site] / page(site, slug).path.lstrip("/")
    result = run("extract", str(html), "--url", "http://127.0.0.1:8703" + page(site, slug).path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    expected = next((SEEDS / "expected").glob("002_*.txt")).read_text()
    assert record["text"].split() == expected.split()
    assert record["title"].startswith("Putin and Trump seem to agree")
    assert {r["rule"] for r in record["removed"]} >= {"promo-box", "author-bio"}


def test_extract_says_why_a_page_is_not_an_article(built_sites) -> None:
    html = built_sites["capitol-ledger"] / "about.html"
    result = run("extract", str(html), "--url", "http://127.0.0.1:8701/about.html")
    assert result.returncode == 0, result.stderr  # the user asked for this page: its text comes back
    record = json.loads(result.stdout)
    assert record["text"] and record["page_kind"]["kind"] == "not-an-article"
    assert "not-an-article" in result.stderr and "og:type" in result.stderr


def test_clean_text_on_seed_files(seeds) -> None:
    for seed in ("001", "002"):
        path = next(SEEDS.glob(f"{seed}_*.txt"))
        title = path.read_text().splitlines()[0]
        result = run("clean-text", str(path), "--title", title)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == seeds[seed][1].split()


def test_clean_text_reads_stdin_and_shows_audit() -> None:
    result = run(
        "clean-text", "-", "--audit", stdin="A real paragraph of the story here.\nShare this article\n"
    )
    assert result.stdout.strip() == "A real paragraph of the story here."
    assert "share-prompt" in result.stderr


def test_schema_command_prints_the_committed_schema() -> None:
    result = run("schema")
    schema = json.loads(result.stdout)
    assert "text" in schema["properties"] and "also_at" in schema["properties"]


def test_dedup_command_streams_clusters(tmp_path, seeds) -> None:
    lines = [{"id": seed, "text": expected} for seed, (_, expected) in seeds.items()]
    words = seeds["001"][1].split()
    lines.append({"id": "teaser", "text": " ".join(words[: int(len(words) * 0.7)])})
    lines.append({"id": "flat", "text": seeds["002"][1].lower().replace(",", "").replace(".", "")})
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n")
    result = run("dedup", str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [o["id"] for o in out] == ["000", "001", "002", "teaser", "flat"]
    by_id = {o["id"]: o for o in out}
    assert by_id["teaser"] == {"id": "teaser", "cluster": "001", "duplicate_of": "001"}
    assert by_id["flat"]["duplicate_of"] == "002"
    assert by_id["000"]["duplicate_of"] is None and by_id["000"]["cluster"] == "000"
    assert "1 bad lines" in result.stderr


def test_parallel_extraction_matches_one_process(built_sites) -> None:
    """Across cores, every page gets the same result, in order, as in one process (non-articles too)."""
    from pipeline.extract.extractor import Extractor
    from pipeline.extract.pool import MIN_PAGES_FOR_POOL, extract_pages
    from pipeline.record import Page

    files = sorted(built_sites["northwind-post"].rglob("*.html"))
    pages = [
        Page(
            url=f"http://127.0.0.1:8702/{f.relative_to(built_sites['northwind-post'])}?n={n}",
            body=f.read_bytes(),
            source="northwind-post",
            headers={"Content-Type": "text/html"},
            # as the crawl marks them: home, about and tag pages are not at article URLs
            article_candidate=f.parent.name.isdigit(),
        )
        for n in range(3)
        for f in files
    ]
    assert len(pages) >= MIN_PAGES_FOR_POOL
    one = [
        (p.url, getattr(r, "text", None), getattr(r, "reason", None))
        for p, r in extract_pages(pages, Extractor(), workers=1)
    ]
    two = [
        (p.url, getattr(r, "text", None), getattr(r, "reason", None))
        for p, r in extract_pages(pages, Extractor(), workers=2)
    ]
    assert one == two and any(reason for _, _, reason in two) and any(text for _, text, _ in two)
