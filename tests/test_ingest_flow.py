"""The backbone end to end: demo sites on loopback -> Prefect flow -> bucket, read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleanwire.cli import main as cli
from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader
from pipeline.bucket.warc import read_pages
from pipeline.schema import validate_record
from pipeline.storage import open_store
from pipeline.storage.layout import RAW_PREFIX
from tests.demo_pages import SEED_PAGES, page, unique_articles

pytestmark = pytest.mark.usefixtures("prefect_server")
SEEDS = Path(__file__).parent / "fixtures" / "seeds" / "expected"


def by_path(records, site_urls):
    """Record by (site, path) of its URL."""
    out = {}
    for article in records:
        for site, base in site_urls.items():
            if article.url.startswith(base):
                out[(site, article.url[len(base) :])] = article
    return out


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory, site_urls):
    """Two runs over the demo sites into one local bucket (module-scoped: they are the slow part)."""
    from tests.conftest import write_demo_config

    base = tmp_path_factory.mktemp("demo")
    config = write_demo_config(base / "sources", site_urls)
    store = f"file://{base / 'bucket'}"
    first = ingest(config_dir=str(config), store=store)
    second = ingest(config_dir=str(config), store=store)
    return store, first, second


def test_seed_articles_are_three_records_equal_to_expected(demo_runs, site_urls) -> None:
    store, _, _ = demo_runs
    records = by_path(BucketReader(store).records(), site_urls)
    ids = set()
    for seed, (site, slug) in SEED_PAGES.items():
        article = records[(site, page(site, slug).path)]
        expected = next(SEEDS.glob(f"{seed}_*.txt")).read_text()
        assert article.text.split() == expected.split(), seed
        ids.add(article.id)
    assert len(ids) == 3


def test_copies_add_no_records_and_are_linked(demo_runs, site_urls) -> None:
    store, first, _ = demo_runs
    records = list(BucketReader(store).records())
    assert len(records) == len(unique_articles()) == first["stored"]
    found = by_path(records, site_urls)

    utm = page("northwind-post", "council-caps-rent-increases")
    kept = found[("northwind-post", utm.path)]
    assert site_urls["northwind-post"] + utm.tracked_paths[0] in [a.url for a in kept.also_at]

    original = found[
        ("capitol-ledger", page("capitol-ledger", "state-supreme-court-strikes-down-legislative-map").path)
    ]
    syndicated = page("northwind-post", "state-supreme-court-strikes-down-legislative-map-capitol-ledger")
    assert site_urls["northwind-post"] + syndicated.path in [a.url for a in original.also_at]

    glacier = found[("northwind-post", page("northwind-post", "tamarack-glacier-study").path)]
    flattened = page("weekly-view", "archive-digest-tamarack-glacier")
    assert site_urls["weekly-view"] + flattened.path in [a.url for a in glacier.also_at]
    assert not any("utm_" in r.url for r in records)


def test_pages_end_in_counted_outcomes(demo_runs) -> None:
    _, first, _ = demo_runs
    counts = first["counts"]
    assert set(counts) == {"capitol-ledger", "northwind-post", "weekly-view"}
    for source, outcomes in counts.items():
        assert "too-short" not in outcomes, source  # each site's two briefs are articles
    assert sum(c.get("duplicate", 0) for c in counts.values()) == 3  # utm, syndicated, flattened
    assert counts["capitol-ledger"]["not-an-article"] >= 1  # home and tag pages


def test_second_run_stores_nothing_and_fetches_little(demo_runs) -> None:
    _, first, second = demo_runs
    assert second["stored"] == 0 and second["links"] == 0
    assert "extracted" not in second["totals"] and "duplicate" not in second["totals"]
    article_pages = len(unique_articles())
    assert second["totals"]["fetched"] < first["totals"]["fetched"] - article_pages


def test_records_validate_and_raw_pages_are_kept(demo_runs) -> None:
    store, first, _ = demo_runs
    bucket = open_store(store)
    for article in BucketReader(bucket).records():
        validate_record(json.loads(article.model_dump_json()))
        assert article.removed is not None
    raw = [k for k in bucket.list(RAW_PREFIX) if first["run_id"] in k]
    assert len(raw) == 3  # one WARC per source per run
    import io

    pages = list(read_pages(io.BytesIO(bucket.get(raw[0]))))
    assert any(p.url.endswith("robots.txt") or p.url.endswith(".xml") for p in pages)
    assert any(p.article_candidate and p.status == 200 for p in pages)


def test_flow_writes_to_s3_and_cli_reads_back(s3_url, site_urls, tmp_path, capsys) -> None:
    from tests.conftest import write_demo_config

    config = write_demo_config(tmp_path / "sources", site_urls, names=["weekly-view"])
    result = ingest(config_dir=str(config), store=s3_url)
    assert result["store"].startswith("s3://")
    capsys.readouterr()
    assert cli(["ls", "--store", s3_url, "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == result["stored"] > 0
    assert {"id", "url", "source", "title", "published", "chars", "also_at"} <= set(lines[0])
    assert cli(["cat", lines[0]["id"], "--store", s3_url]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["id"] == lines[0]["id"] and len(record["text"]) == lines[0]["chars"]


def test_text_mode_uses_what_the_site_taught(demo_runs, seeds) -> None:
    """Seed 000 through clean-text --source: the trending strip goes once the site was learned."""
    store, _, _ = demo_runs
    _raw, expected = seeds["000"]
    path = Path(__file__).parent / "fixtures" / "seeds" / "000_bb47742abdb7dbf0.txt"
    import subprocess
    import sys

    cleanwire = str(Path(sys.executable).with_name("cleanwire"))
    plain = subprocess.run([cleanwire, "clean-text", str(path)], capture_output=True, text=True, check=True)
    learned = subprocess.run(
        [cleanwire, "clean-text", str(path), "--source", "capitol-ledger", "--store", store],
        capture_output=True,
        text=True,
        check=True,
    )
    trending = "joe biden gets racist media immediately forgive forget the wuhan virus mask war"
    assert trending in plain.stdout and trending not in learned.stdout
    assert learned.stdout.split()[:4] == expected.split()[:4]
    body = learned.stdout.split()
    kept = iter(body)
    assert all(word in kept for word in expected.split())  # every body word, in order
    assert len(body) - len(expected.split()) <= 20  # only the inline "see also" link is left


def test_reprocess_a_run_from_its_warcs_into_a_fresh_store(demo_runs, tmp_path) -> None:
    """Raw pages kept as WARC re-extract to the same records, with no crawling."""
    from flows.ingest import reprocess

    store, first, _ = demo_runs
    fresh = f"file://{tmp_path / 'again'}"
    result = reprocess(run_id=first["run_id"], store=store, to=fresh)
    again = {a.id for a in BucketReader(fresh).records()}
    assert again == {a.id for a in BucketReader(store).records()}
    assert result["stored"] == len(again) and result["totals"]["fetched"] == 0
