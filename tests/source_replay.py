"""Replaying this repository's recorded sources, its real ones and the demo's.

The repository is a project like any other (``cleanwire.testing`` serves the
tests ``new-source`` writes); it also holds the demo sources, which ship in the
package.
"""

from __future__ import annotations

from pathlib import Path

from cleanwire.demo.run import DEMO_SOURCES
from cleanwire.testing import assert_replays
from cleanwire.testing import source_config_path as _config_in

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sources"


def source_config_path(name: str) -> Path:
    return _config_in(name, [REPO / "config" / "sources", DEMO_SOURCES])


def assert_source_replays(name: str, fixtures: Path = FIXTURES) -> None:
    assert_replays(name, fixtures / name, source_config_path(name))
