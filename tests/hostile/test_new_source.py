"""``cleanwire new-source`` against a hostile site: what the site says never writes the file,
and no connection goes where the check did not look.

Pass: bad names are refused before anything is fetched or written; the YAML is a serializer's
(a quote in a feed URL is a value, not syntax) and loads; ``--allow-private`` never opens
link-local or metadata addresses, redirects included; with a DNS server that answers a public
address then loopback, nothing reaches loopback.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from cleanwire.cli import main
from pipeline.sources import parse_source
from tests.hostile.site import HostileSite, RebindingDns, network_jail

HOME = """<html><head><title>Hostile</title>
<link rel="alternate" type="application/rss+xml" href='/feed.xml", "http://169.254.169.254/latest/meta-data/'>
</head><body><a href="/2025/01/first-story.html">one</a><a href="mailto:x@y.test">mail</a>
<a href="http://[::1">broken</a></body></html>"""


def new_source(tmp_path: Path, name: str, url: str, *extra: str) -> int:
    return main(["new-source", name, url, "--config", str(tmp_path / "a" / "b" / "sources"),
                 "--tests", str(tmp_path / "tests"), *extra])  # fmt: skip


def test_a_name_that_climbs_out_is_refused_before_anything_is_written(
    hostile_site: HostileSite, tmp_path: Path, capsys
) -> None:
    hostile_site.serve("/", HOME)
    with pytest.raises(SystemExit) as exit:  # argparse's exit, after one line
        new_source(tmp_path, "../../x", hostile_site.base + "/", "--allow-private")
    assert exit.value.code == 2 and "source name" in capsys.readouterr().err
    assert list(tmp_path.rglob("*.yaml")) == [] and hostile_site.hits == []


def test_a_quote_in_a_feed_url_cannot_add_an_entry(hostile_site: HostileSite, tmp_path: Path) -> None:
    hostile_site.serve("/", HOME)
    assert new_source(tmp_path, "hostile", hostile_site.base + "/", "--allow-private") == 0
    config = parse_source(tmp_path / "a" / "b" / "sources" / "hostile.yaml")
    assert len(config.discovery.feeds) == 1
    assert config.discovery.feeds[0].startswith(hostile_site.base + "/feed.xml")
    assert not any(
        "169.254" in url.split("/")[2] for url in config.discovery.feeds + config.discovery.sitemaps
    )
    assert config.allow_private and config.allowed_domains == ["127.0.0.1"]


def _resolving(monkeypatch, name: str, address: str) -> None:
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host == name:
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_allow_private_never_opens_the_metadata_address(tmp_path: Path, monkeypatch, capsys) -> None:
    _resolving(monkeypatch, "metadata.test", "169.254.169.254")
    with network_jail() as tried:
        assert new_source(tmp_path, "meta", "http://metadata.test/latest/", "--allow-private") != 0
    assert tried == []  # refused before any connection
    err = capsys.readouterr().err
    assert "169.254.169.254" in err and "link-local" in err and len(err.strip().splitlines()) == 1


def test_a_redirect_to_the_metadata_address_is_checked_again(
    hostile_site: HostileSite, tmp_path: Path, capsys
) -> None:
    hostile_site.serve("/robots.txt", "", kind="text/plain")
    hostile_site.redirect("/", "http://169.254.169.254/latest/meta-data/")
    with network_jail() as tried:
        assert new_source(tmp_path, "redirected", hostile_site.base + "/", "--allow-private") != 0
    assert tried == [] and "169.254.169.254" in capsys.readouterr().err
    assert list(tmp_path.rglob("*.yaml")) == []


def test_dns_rebinding_cannot_reach_loopback(hostile_site: HostileSite, tmp_path: Path, monkeypatch) -> None:
    """The name answers a public address (checked, allowed), then 127.0.0.1: the probe connects
    to the address it checked (refused by the jail, as the test never leaves the host), never to
    the second answer."""
    hostile_site.serve("/", HOME)
    dns = RebindingDns("rebind.test")
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    with network_jail() as tried:
        assert new_source(tmp_path, "rebound", f"http://rebind.test:{hostile_site.port}/") != 0
    assert hostile_site.hits == []
    assert {address[0] for address in tried} <= {RebindingDns.PUBLIC}
    assert dns.answers[:1] == [RebindingDns.PUBLIC]


@pytest.mark.parametrize("url", ["http://user:secret@127.0.0.1:9/", "http://127.0.0.1:9/" + "a" * 3000])
def test_credentials_or_an_overlong_url_are_refused(url: str, tmp_path: Path, capsys) -> None:
    assert new_source(tmp_path, "bad-url", url, "--allow-private") != 0
    err = capsys.readouterr().err
    assert "secret" not in err and len(err) < 500 and len(err.strip().splitlines()) == 1
