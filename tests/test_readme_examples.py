"""The README's bucket-reading examples, run against a real ingested bucket."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flows.ingest import ingest
from tests.conftest import write_demo_config

README = Path(__file__).resolve().parent.parent / "README.md"


def example(name: str) -> str:
    match = re.search(rf"<!-- example: {name} -->\n```python\n(.*?)```", README.read_text(), re.S)
    assert match, f"README example {name!r} missing"
    return match.group(1)


@pytest.fixture(scope="module")
def bucket(tmp_path_factory, site_urls, prefect_server) -> Path:
    base = tmp_path_factory.mktemp("readme")
    config = write_demo_config(base / "sources", site_urls, names=["northwind-post"])
    ingest(config_dir=str(config), store=f"file://{base / 'bucket'}")
    return base / "bucket"


def test_duckdb_example(bucket: Path) -> None:
    scope = {"BUCKET": str(bucket)}
    exec(example("duckdb"), scope)
    ((source, articles, chars),) = scope["per_source"]
    assert source == "northwind-post" and articles == 12 and chars > 10_000


def test_pandas_example(bucket: Path) -> None:
    scope = {"BUCKET": str(bucket)}
    exec(example("pandas"), scope)
    frame = scope["frame"]
    assert len(frame) == 12 and frame["copies"].sum() == 1  # the utm copy; alone, the syndicated copy is new
    assert scope["latest"]
