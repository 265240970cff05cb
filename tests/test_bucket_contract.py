"""The bucket contract for downstream readers: since-manifest reads, exports, schema."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cleanwire.cli import main as cli
from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader
from pipeline.record import SCHEMA_VERSION
from pipeline.schema import validate_record
from tests.bucket_files import stored_sightings
from tests.conftest import write_demo_config

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, site_urls):
    """Run 1 ingests two sources, run 2 adds the third: run 2's additions are known exactly."""
    base = tmp_path_factory.mktemp("contract")
    store = f"file://{base / 'bucket'}"
    config = write_demo_config(base / "sources", site_urls)
    first = ingest(config_dir=str(config), store=store, sources=["capitol-ledger", "northwind-post"])
    second = ingest(config_dir=str(config), store=store)
    return store, first, second


def test_reader_since_first_manifest_gets_exactly_second_runs_additions(two_runs) -> None:
    store, first, second = two_runs
    reader = BucketReader(store)
    all_ids = [a.id for a in reader.records()]
    new_ids = [a.id for a in reader.records(since=first["manifest"])]
    assert len(new_ids) == second["stored"] > 0
    manifest2 = next(m for m in reader.manifests() if m.id == second["manifest"])
    assert set(new_ids) == {r.id for r in manifest2.records}
    assert set(new_ids).isdisjoint({r.id for r in reader.manifests()[0].records})
    assert len(all_ids) == first["stored"] + second["stored"]
    assert list(reader.records(since=second["manifest"])) == []


def test_each_record_url_pair_is_named_once_in_the_bucket(two_runs) -> None:
    """docs/bucket.md: a (record id, URL) pair appears once, counting the record's own also_at
    and every link pack, so a tool reading link packs directly counts each sighting once."""
    store, _, _ = two_runs
    pairs = Counter(stored_sightings(store))
    assert pairs and [p for p, n in pairs.items() if n > 1] == []
    merged = Counter((a.id, s.url) for a in BucketReader(store).records() for s in a.also_at)
    assert merged == pairs


def test_cli_ls_since_and_manifests(two_runs, capsys) -> None:
    store, first, second = two_runs
    capsys.readouterr()
    cli(["ls", "--store", store, "--json", "--since", first["manifest"]])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == second["stored"]
    cli(["manifests", "--store", store, "--json"])
    manifests = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [m["id"] for m in manifests] == [first["manifest"], second["manifest"]]
    assert manifests[0]["records"] == first["stored"]
    assert manifests[0]["counts"]["extracted"] == first["stored"]


def test_parquet_export_reads_back_in_duckdb_with_ls_row_count(two_runs, tmp_path, capsys) -> None:
    store, _, _ = two_runs
    capsys.readouterr()
    cli(["ls", "--store", store, "--json"])
    listed = len(capsys.readouterr().out.splitlines())
    out = tmp_path / "records.parquet"
    assert cli(["export", str(out), "--format", "parquet", "--store", store]) == 0
    con = duckdb.connect()
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
    assert rows == listed > 0
    sources = con.execute(f"SELECT DISTINCT source FROM read_parquet('{out}') ORDER BY 1").fetchall()
    assert [s[0] for s in sources] == ["capitol-ledger", "northwind-post", "weekly-view"]
    also = con.execute(f"SELECT sum(len(also_at)) FROM read_parquet('{out}')").fetchone()[0]
    assert also >= 3


def test_jsonl_export_since_reads_in_pandas(two_runs, tmp_path) -> None:
    store, first, second = two_runs
    out = tmp_path / "new.jsonl"
    assert cli(["export", str(out), "--format", "jsonl", "--since", first["manifest"], "--store", store]) == 0
    frame = pd.read_json(out, lines=True)
    assert len(frame) == second["stored"]
    assert set(frame["source"]) == {"weekly-view"}
    for record in frame.to_dict(orient="records"):
        record = json.loads(json.dumps(record, default=str))
        assert record["schema_version"] == SCHEMA_VERSION


def test_every_stored_object_validates_against_the_schema(two_runs) -> None:
    store, _, _ = two_runs
    root = store.removeprefix("file://")
    count = 0
    for path in Path(root, "clean", "v2").rglob("source=*/date=*/*.jsonl"):
        for line in path.read_text().splitlines():
            validate_record(json.loads(line))
            count += 1
    assert count == len(list(BucketReader(store).records()))


def test_committed_schema_matches_the_model() -> None:
    from pipeline.schema import SCHEMA_PATH, generate_schema

    assert json.loads(SCHEMA_PATH.read_text()) == generate_schema(), "regenerate: python -m pipeline.schema"
