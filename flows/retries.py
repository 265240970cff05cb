"""Retry policy of the steps that touch the store: idempotent, so retried with backoff."""

from __future__ import annotations

from typing import Any

from prefect.tasks import exponential_backoff

from pipeline.storage import ConditionalWritesUnsupported


def _retry_unless_refused(task: Any, task_run: Any, state: Any) -> bool:
    """Network and storage errors are worth retrying; a backend refused for ignoring
    conditional writes will still ignore them in a minute."""
    try:
        state.result()
    except ConditionalWritesUnsupported:
        return False
    except Exception:
        return True
    return True


# Storage steps: idempotent, so retried with exponential backoff and jitter (2, 4, 8 s, +-50%).
STORAGE_RETRIES: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": _retry_unless_refused,
}
