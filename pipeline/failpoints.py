"""Named crash points for the fault-injection suite: ``CLEANWIRE_FAILPOINT=name`` kills the process there.

They exist so a test can kill a run at an exact place (after the records are
written, before the index is saved) and prove that a re-run ends in the same
state; unset, a failpoint costs a look at the cached settings (``pipeline.settings``).
"""

from __future__ import annotations

import os

from pipeline.settings import current as current_settings


def failpoint(name: str) -> None:
    if current_settings().failpoint == name:
        os._exit(86)
