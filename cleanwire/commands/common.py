"""What every command family shares: the consoles, the project and store a command works on,
the user errors it puts in words, and the arguments several families take."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import yaml
from rich.console import Console

from pipeline import settings
from pipeline.project import Project, ProjectError, find_project
from pipeline.sources import check_source_name

# Markup, emoji codes and highlighting off: titles, URLs, file names and reasons come from sites
# and files, and "[/bogus]" or ":x:" in them must print as written. Colour goes in ``style=``.
console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)
out = Console(markup=False, emoji=False, highlight=False)


def project(args: argparse.Namespace, required: bool = True) -> Project | None:
    """The one project directory (``pipeline.project``); never where cleanwire is installed."""
    return find_project(getattr(args, "project", None), required=required)


def required_project(args: argparse.Namespace) -> Project:
    project = find_project(getattr(args, "project", None))
    assert project is not None  # required: find_project raises ProjectError instead
    return project


def store_url(args: argparse.Namespace) -> str:
    """``--store`` as typed (relative to the shell's directory), else the project's setting."""
    if getattr(args, "store", None):
        return settings.resolve_store(args.store, Path.cwd())
    project = find_project(getattr(args, "project", None), required=False)
    return settings.load(project).store_url(project)


def config_dir(args: argparse.Namespace, demo: bool = False) -> Path:
    """``--config``, else the demo's configs (in the package), else the project's ``config/sources``."""
    if getattr(args, "config", None):
        return Path(args.config).resolve()
    if demo:
        from cleanwire.demo.run import DEMO_SOURCES

        return DEMO_SOURCES
    directory = required_project(args).sources_dir
    if not directory.is_dir():
        raise ProjectError(f"{directory} does not exist: the project has no source configs")
    return directory


class CliError(Exception):
    """A user error the command has put in words (naming the file, line or URL)."""


def source_name(value: str) -> str:
    """An argparse type: the one rule for source names (``pipeline.sources.check_source_name``)."""
    try:
        return check_source_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def output_path(target: str) -> Path:
    """A file the command will write: its directory must exist (one line, before any work)."""
    path = Path(target)
    if not path.parent.is_dir():
        raise CliError(f"{target}: no such directory {path.parent}")
    return path


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text (byte {exc.start + 1})") from None


def with_store(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--store", help="file://PATH or s3://BUCKET/PREFIX (default: config/settings.yaml)")
    return p


def one_line(exc: BaseException) -> str:
    """The error in one line, naming the file when the exception knows it."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    elif isinstance(exc, KeyError) and len(exc.args) == 1:
        text = str(exc.args[0])
    elif isinstance(exc, UnicodeDecodeError):
        text = f"not {exc.encoding} text (byte {exc.start + 1})"
    elif isinstance(exc, yaml.YAMLError):
        from pipeline.sources import yaml_problem

        text = yaml_problem(exc)
    else:
        text = str(exc) or type(exc).__name__
    return " ".join(text.split())


class _NoTraceback(logging.Formatter):
    """A console formatter that leaves out a logged exception's traceback: Prefect logs one for
    every failed task and flow run, and the run's log in Prefect (formatted before it reaches the
    console) keeps it. ``--debug`` keeps the console's too."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def console_without_tracebacks(args: argparse.Namespace) -> None:
    """One line per failure on the terminal (the error ``main`` prints), not Prefect's tracebacks.

    Call after the flows are imported: importing Prefect sets up its console handlers."""
    if getattr(args, "debug", False):
        return
    loggers = [logging.getLogger(), *(v for v in logging.Logger.manager.loggerDict.values())]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if isinstance(handler, logging.StreamHandler) and not isinstance(handler.formatter, _NoTraceback):
                handler.setFormatter(_NoTraceback(handler.formatter or logging.Formatter()))
