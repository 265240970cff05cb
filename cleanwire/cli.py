"""``cleanwire``: run ingests, inspect the bucket, clean text, preview sources.

The commands live in ``cleanwire.commands``, one module per family, each adding its own
arguments; here are the parser they join, and the one-line form of every error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import yaml

from cleanwire.commands import FAMILIES
from cleanwire.commands.common import CliError, console, one_line, required_project
from flows.environment import apply_defaults
from pipeline.bucket.lock import LockHeld
from pipeline.project import HOME_ENV, ProjectError
from pipeline.storage.base import StoreError

# Prefect's defaults (no telemetry, a patient temporary server), and cleanwire's loggers in each
# flow run's log, before anything imports Prefect.
apply_defaults({"PREFECT_LOGGING_EXTRA_LOGGERS": "cleanwire,pipeline,spiders"})

# -- errors: one line each -----------------------------------------------------------------


# Errors bad input causes: files (OSError), bytes (UnicodeError), source files (YAML, validation:
# ValueError), names (KeyError: a missing source or record); and what the world does to a run: the
# store down or refusing (StoreError, after its retries), another run holding the lease (LockHeld).
# Anything else is a bug, still one line.
KNOWN_ERRORS = (CliError, OSError, UnicodeError, ValueError, KeyError, yaml.YAMLError, StoreError, LockHeld)


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the one-line form of every other error."""

    def error(self, message: str) -> NoReturn:
        console.print(f"{self.prog}: error: {' '.join(message.split())}", style="red")
        raise SystemExit(2)


PROJECT_HELP = (
    "the project directory (default: $CLEANWIRE_HOME, else the current directory or its nearest "
    "parent with config/)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cleanwire", description=__doc__.splitlines()[0])
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING: log to stderr (credentials are redacted)")
    parser.add_argument("--project", help=PROJECT_HELP)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    for family in FAMILIES:  # each family adds its commands and owns their arguments
        family.register(sub)
    for command in sub.choices.values():  # also after the command: `cleanwire run --project DIR`
        command.add_argument("--project", default=argparse.SUPPRESS, help=PROJECT_HELP)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Every error a user can cause ends here as one line, ``cleanwire: error: ...``, exit 1
    (2 for a bad command line); ``--debug`` shows the traceback instead."""
    import logging

    from pipeline import redact

    redact.install()
    args = build_parser().parse_args(argv)
    if args.log_level:
        logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    saved_home = os.environ.get(HOME_ENV)
    try:
        if args.project and args.command != "init":
            # Everything this command starts (flows, Scrapy processes) finds the same project.
            os.environ[HOME_ENV] = str(required_project(args).root)
        return int(args.func(args) or 0)
    except ProjectError as exc:
        if args.debug:
            raise
        console.print(f"cleanwire: error: {one_line(exc)}", style="red")
        return 2
    except KeyboardInterrupt:
        console.print("cleanwire: interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        known = isinstance(exc, KNOWN_ERRORS)
        line = one_line(exc) if known else f"unexpected {type(exc).__name__}: {one_line(exc)}"
        if isinstance(exc, StoreError):
            line = f"the store failed: {line}"
        hint = "" if known else " (run with --debug for the traceback)"
        console.print(f"cleanwire: error: {line}{hint}", style="red")
        return 1
    finally:
        if saved_home is None:
            os.environ.pop(HOME_ENV, None)
        else:
            os.environ[HOME_ENV] = saved_home


if __name__ == "__main__":
    sys.exit(main())
