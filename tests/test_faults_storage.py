"""Storage faults: the store fails, hangs, lies about conditional writes, or the run is killed.

Each case states its pass criterion: nothing lost, nothing stored twice, nothing half-visible,
no secret logged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest

from flows.ingest import ingest
from pipeline.bucket.reader import BucketReader
from pipeline.storage import ConditionalWritesUnsupported, open_store
from pipeline.storage.layout import PENDING_PREFIX
from tests.bucket_files import stored_record_ids
from tests.conftest import write_demo_config
from tests.demo_pages import unique_articles
from tests.s3_proxy import S3Proxy

pytestmark = pytest.mark.usefixtures("prefect_server")
CLEANWIRE = str(Path(sys.executable).with_name("cleanwire"))
SOURCE = "weekly-view"
EXPECTED = len([p for p in unique_articles() if p.site == SOURCE]) + 1  # + the flattened digest, new alone


@pytest.fixture
def proxy(moto_endpoint, monkeypatch, tmp_path):
    """boto3 talks to the proxy; the proxy talks to moto. Short timeouts and few attempts."""
    s3 = S3Proxy(moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.url)
    monkeypatch.setenv("CLEANWIRE_S3_READ_TIMEOUT", "1")
    monkeypatch.setenv("CLEANWIRE_S3_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("CLEANWIRE_S3_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("CLEANWIRE_SPOOL", str(tmp_path / "spool"))
    yield s3
    s3.close()


@pytest.fixture
def bucket_url(moto_endpoint) -> str:
    name = f"faults-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=name)
    return f"s3://{name}/news"


@pytest.fixture
def config(site_urls, tmp_path) -> Path:
    return write_demo_config(tmp_path / "sources", site_urls, names=[SOURCE])


def committed_ids(store_url: str) -> list[str]:
    return [a.id for a in BucketReader(store_url).records()]


def test_backend_ignoring_if_none_match_is_refused(proxy, bucket_url, config) -> None:
    """Pass: the run stops before writing anything, with a message that names the problem."""
    proxy.mode = "ignore-if-none-match"
    with pytest.raises(ConditionalWritesUnsupported, match="If-None-Match"):
        ingest(config_dir=str(config), store=bucket_url, store_retries=0)
    assert stored_record_ids(bucket_url) == []


def test_store_down_mid_run_spools_and_next_run_drains(proxy, bucket_url, config) -> None:
    """Pass: run 1 loses nothing (spooled), readers see nothing half-written; run 2 stores all once."""
    proxy.mode = "fail-writes"
    first = ingest(config_dir=str(config), store=bucket_url, store_retries=0)
    assert first["stored"] == 0 and first["spooled"] == EXPECTED
    assert committed_ids(bucket_url) == []  # no manifest names anything

    proxy.mode = "pass"
    second = ingest(config_dir=str(config), store=bucket_url, store_retries=0)
    assert second["drained"] == EXPECTED
    ids = committed_ids(bucket_url)
    assert len(ids) == len(set(ids)) == EXPECTED
    assert len(stored_record_ids(bucket_url)) == EXPECTED
    assert not list(Path(os.environ["CLEANWIRE_SPOOL"]).rglob("commit.json"))  # the spool is empty


def test_store_hung_read_timeout_fires(proxy, bucket_url, config) -> None:
    """Pass: botocore's read timeout (not Prefect) ends the hang; the run finishes and spools."""
    proxy.mode = "hang-writes"
    started = time.monotonic()
    result = ingest(config_dir=str(config), store=bucket_url, store_retries=0)
    assert time.monotonic() - started < 60
    assert result["spooled"] == EXPECTED and result["stored"] == 0
    proxy.mode = "pass"
    ingest(config_dir=str(config), store=bucket_url, store_retries=0)
    assert len(set(committed_ids(bucket_url))) == EXPECTED


def _run_child(config: Path, store: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value(), **env)
    return subprocess.run(
        [CLEANWIRE, "run", "--config", str(config), "--store", store],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("point", ["after-records", "before-index", "before-manifest"])
def test_killed_mid_commit_then_rerun_loses_nothing_and_stores_nothing_twice(point, config, tmp_path) -> None:
    """Pass: a run killed at the failpoint leaves no manifest naming a missing object; the re-run
    recovers what was written (a recovery manifest) and the bucket holds every article once."""
    store = f"file://{tmp_path / 'bucket'}"
    killed = _run_child(config, store, {"CLEANWIRE_FAILPOINT": point})
    assert killed.returncode == 86, killed.stderr[-2000:]
    bucket = open_store(store)
    assert list(bucket.list(PENDING_PREFIX))  # the journal survived the crash
    assert committed_ids(store) == []  # no manifest was written

    rerun = ingest(config_dir=str(config), store=store)
    ids = committed_ids(store)
    assert len(ids) == len(set(ids)) == EXPECTED
    assert len(stored_record_ids(store)) == EXPECTED
    assert not list(bucket.list(PENDING_PREFIX))
    manifests = BucketReader(store).manifests()
    assert manifests[0].recovered and len(manifests[0].records) == EXPECTED
    assert rerun["stored"] == 0


def test_two_runs_at_once_store_each_article_once(config, tmp_path) -> None:
    """Pass: both runs succeed (the second waits for the store lease); every article stored once."""
    from prefect.settings import PREFECT_API_URL

    store = f"file://{tmp_path / 'bucket'}"
    env = dict(os.environ, PREFECT_API_URL=PREFECT_API_URL.value())
    runs = [
        subprocess.Popen(
            [CLEANWIRE, "run", "--config", str(config), "--store", store],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs[0][1][-1500:] + outputs[1][1][-1500:]
    ids = committed_ids(store)
    assert len(ids) == len(set(ids)) == EXPECTED
    assert len(stored_record_ids(store)) == EXPECTED


def test_credentials_never_logged_even_at_debug(proxy, bucket_url, config, tmp_path) -> None:
    """Pass: with botocore at DEBUG and made-up credentials, neither key appears in any output."""
    from prefect.settings import PREFECT_API_URL

    secret = "SeCrEt" + uuid.uuid4().hex
    key_id = "AKIA" + uuid.uuid4().hex[:16].upper()
    env = dict(
        os.environ,
        PREFECT_API_URL=PREFECT_API_URL.value(),
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_ACCESS_KEY_ID=key_id,
        PREFECT_LOGGING_LEVEL="DEBUG",
    )
    result = subprocess.run(
        [CLEANWIRE, "--log-level", "DEBUG", "run", "--config", str(config), "--store", bucket_url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-2000:]
    assert "Authorization" in output or "botocore" in output  # DEBUG really was on
    assert secret not in output and key_id not in output
    bucket = open_store(bucket_url)
    for key in bucket.list(""):
        data = bucket.get(key)
        assert secret.encode() not in data and key_id.encode() not in data, key
    assert json.dumps(BucketReader(bucket_url).manifests()[0].model_dump(mode="json")).find(key_id) == -1


def test_killed_mid_multipart_leaves_nothing_visible_and_is_cleaned_up(s3_url, tmp_path) -> None:
    """Pass: a raw-page upload killed between parts is invisible; the next run's start aborts the
    orphaned upload, and the upload done again is visible once."""
    big = tmp_path / "run.warc.gz"
    big.write_bytes(os.urandom(11 * 2**20))
    key = "raw/v1/source=x/date=2026-01-01/run.warc.gz"
    code = (
        "import sys; from pathlib import Path; from pipeline.storage import open_store;"
        f"open_store({s3_url!r}).put_file({key!r}, Path({str(big)!r}))"
    )
    env = dict(
        os.environ, CLEANWIRE_FAILPOINT="mid-multipart", CLEANWIRE_S3_MULTIPART_THRESHOLD=str(5 * 2**20)
    )
    killed = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 86, killed.stderr[-1500:]
    store = open_store(s3_url)
    assert not store.exists(key) and list(store.list("raw/")) == []
    assert store.abort_orphan_uploads() == 1
    assert store.abort_orphan_uploads() == 0
    os.environ["CLEANWIRE_S3_MULTIPART_THRESHOLD"] = str(5 * 2**20)
    try:
        assert store.put_file(key, big) is True
        assert store.put_file(key, big) is False  # write-once, multipart too
    finally:
        del os.environ["CLEANWIRE_S3_MULTIPART_THRESHOLD"]
    assert store.get(key) == big.read_bytes()
