"""Real parts for tests: fixture sites on 127.0.0.1, moto's S3 server over HTTP, a Prefect server,
a redis-server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.environment import apply_defaults

apply_defaults()  # as the CLI: before anything imports Prefect
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_CONFIG = REPO / "cleanwire" / "demo" / "sources"
DEMO_PORTS = {"capitol-ledger": 8701, "northwind-post": 8702, "weekly-view": 8703}


@pytest.fixture(scope="session")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from cleanwire.demo.build_sites import build_sites

    return build_sites(tmp_path_factory.mktemp("sites"))


@pytest.fixture(scope="session")
def site_urls(built_sites: dict[str, Path]) -> Iterator[dict[str, str]]:
    """The demo sites served on free loopback ports for the whole session."""
    from cleanwire.demo.server import serve_sites

    with serve_sites(built_sites) as bases:
        yield bases


def write_demo_config(target: Path, site_urls: dict[str, str], names: list[str] | None = None) -> Path:
    """Copy the demo source configs, pointing them at the session's fixture ports."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(DEMO_CONFIG.glob("*.yaml")):
        if names and path.stem not in names:
            continue
        text = path.read_text()
        for name, port in DEMO_PORTS.items():
            text = text.replace(f"http://127.0.0.1:{port}", site_urls[name])
        (target / path.name).write_text(text)
    return target


@pytest.fixture
def demo_config(tmp_path: Path, site_urls: dict[str, str]) -> Path:
    return write_demo_config(tmp_path / "sources", site_urls)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1, spoken to over HTTP exactly like AWS S3 or MinIO."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_url(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket; AWS_ENDPOINT_URL points boto3 at the moto server, as for MinIO."""
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    bucket = f"test-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/news"


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server (SQLite) for the session: flows run as Prefect runs them."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def seeds() -> dict[str, tuple[str, str]]:
    """Seed id -> (scraped text, expected body)."""
    seeds_dir = FIXTURES / "seeds"
    return {
        path.stem.split("_")[0]: (path.read_text(), (seeds_dir / "expected" / path.name).read_text())
        for path in sorted(seeds_dir.glob("*.txt"))
    }


@pytest.fixture
def local_store_url(tmp_path: Path) -> str:
    return f"file://{tmp_path / 'bucket'}"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1: the one `.ci/run` started, or one started here."""
    if url := os.environ.get("CLEANWIRE_TEST_REDIS_URL"):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: `apt-get install redis-server` (.ci/run does)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test's own empty database on the shared server."""
    import redis

    redis.Redis.from_url(redis_server).flushdb()
    return redis_server
