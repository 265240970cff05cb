"""Prefect's settings for every process that runs a flow or a Prefect server here: the CLI, the
tests and the benchmarks call ``apply_defaults`` before anything imports Prefect (it reads its
settings at import). Imports nothing of Prefect itself."""

from __future__ import annotations

import os

DEFAULTS = {
    # Prefect must not phone home (its server's telemetry, the client's analytics).
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    # The temporary server needs time to start on 2 busy cores.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # cleanwire's loggers also log outside flow runs (recovery, locks, compaction): the terminal
    # shows the line; Prefect's UserWarning that it could not send it to a run is noise.
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def apply_defaults(extra: dict[str, str] | None = None) -> None:
    """Set each default the environment does not already set."""
    for key, value in {**DEFAULTS, **(extra or {})}.items():
        os.environ.setdefault(key, value)
