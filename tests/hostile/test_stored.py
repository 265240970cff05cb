"""What a hostile site can make the bucket hold, through a whole run (``ingest``).

Pass: credentials found in a URL are in no record, pack, manifest or WARC header, and not in
``ls``/``cat``; three different articles claiming one same-site canonical are three records
(no text lost), the claim reported; a crawl cut at ``max_pages`` says so in the run's output
and in the manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cleanwire.cli import main
from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader
from tests.fault_site import article_html, stories
from tests.hostile.site import HostileSite

pytestmark = pytest.mark.usefixtures("prefect_server")
FAST = {"download_delay": 0, "autothrottle": False, "obey_robots": False, "retry_times": 0}


def sitemap(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    )


def write_source(directory: Path, name: str, site: HostileSite, sitemap_path: str, **politeness: int) -> None:
    config = {
        "allowed_domains": ["127.0.0.1"],
        "allow_private": True,
        "discovery": {"sitemaps": [site.base + sitemap_path], "robots_sitemaps": False},
        "article_urls": {"allow": [rf"/{name}/"]},
        "politeness": {**FAST, **politeness},
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.yaml").write_text(yaml.safe_dump(config))


def test_a_hostile_site_through_a_run(hostile_site: HostileSite, tmp_path: Path, capsys) -> None:
    site, texts = hostile_site, iter(stories())
    claimed = site.base + "/claims/the-one-true-story.html"
    claims = [
        site.serve(f"/claims/story-{i}.html", article_html(next(texts), claimed)) for i in range(3)
    ]  # each page: rel=canonical -> claimed, a URL no page of the same text is at
    original = site.base + "/claims/original.html"  # in no sitemap: fetched to check the claim
    story = next(texts)
    site.serve("/claims/original.html", article_html(story, original))
    amp = site.serve("/claims/amp-copy.html", article_html(story, original))
    claims_and_amp = [*claims, amp]
    secret_url = site.base.replace("http://", "http://editor:hunter2@") + "/claims/with-credentials.html"
    site.serve(
        "/claims/with-credentials.html",
        article_html(next(texts), site.base + "/claims/with-credentials.html"),
    )
    site.serve("/claims.xml", sitemap([*claims_and_amp, secret_url]), kind="application/xml")
    capped = [site.serve(f"/capped/story-{i}.html", article_html(next(texts), "")) for i in range(6)]
    site.serve("/capped.xml", sitemap(capped), kind="application/xml")
    config = tmp_path / "sources"
    write_source(config, "claims", site, "/claims.xml")
    write_source(config, "capped", site, "/capped.xml", max_pages=3, concurrency_per_domain=1)
    store_url = f"file://{tmp_path / 'bucket'}"

    result = ingest(config_dir=str(config), store=store_url)

    records = {a.url: a for a in BucketReader(store_url).records(source="claims")}
    assert set(claims) <= set(records)  # three texts, three records
    assert all(records[u].canonical_url == u for u in claims)
    assert "3 pages named another URL as rel=canonical" in " ".join(result["notes"]["claims"])
    assert site.paths().count("/claims/the-one-true-story.html") == 1  # fetched once, to check
    # a claim the claimed page's text bears out: one record, the other URL in its also_at
    (kept,) = [a for a in records.values() if a.url in (amp, original)]
    assert {kept.url, *(s.url for s in kept.also_at)} == {amp, original}
    # credentials: nowhere in what the run stored
    assert site.base + "/claims/with-credentials.html" in records
    bucket = tmp_path / "bucket"
    for path in bucket.rglob("*"):
        if path.is_file() and "/raw/" not in str(path):
            assert b"hunter2" not in path.read_bytes(), path
    assert main(["ls", "--json", "--store", store_url]) == 0
    record_id = json.loads(capsys.readouterr().out.splitlines()[0])["id"]
    assert main(["cat", record_id, "--store", store_url]) == 0
    assert "hunter2" not in capsys.readouterr().out
    # max_pages: said in the run's output and in the manifest
    note = " ".join(result["notes"]["capped"])
    assert "max_pages" in note
    (manifest,) = BucketReader(store_url).manifests()
    assert "max_pages" in " ".join(manifest.notes["capped"])
