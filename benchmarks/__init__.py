"""Benchmarks (``make bench``, or ``python -m benchmarks.NAME``).

Run directly, a benchmark that starts a Prefect server must not phone home either: the same
defaults as the CLI and the tests (``flows.environment``), set before anything imports Prefect.
"""

from flows.environment import apply_defaults

apply_defaults()
