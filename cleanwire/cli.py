"""``cleanwire``: run ingests, inspect the bucket, clean text, preview sources."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import yaml
from rich.console import Console
from rich.table import Table

from pipeline import settings
from pipeline.project import HOME_ENV, Project, ProjectError, find_project
from pipeline.sources import check_source_name, load_sources, select_sources

# Prefect must not phone home, and its temporary server needs time on 2 cores.
for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "cleanwire,pipeline,spiders",
}.items():
    os.environ.setdefault(_key, _value)

# Markup, emoji codes and highlighting off: titles, URLs, file names and reasons come from sites
# and files, and "[/bogus]" or ":x:" in them must print as written. Colour goes in ``style=``.
console = Console(stderr=True, markup=False, emoji=False, highlight=False, soft_wrap=True)
out = Console(markup=False, emoji=False, highlight=False)


def _project(args: argparse.Namespace, required: bool = True) -> Project | None:
    """The one project directory (``pipeline.project``); never where cleanwire is installed."""
    return find_project(getattr(args, "project", None), required=required)


def _required_project(args: argparse.Namespace) -> Project:
    project = _project(args)
    assert project is not None  # required: find_project raises ProjectError instead
    return project


def _store_url(args: argparse.Namespace) -> str:
    """``--store`` as typed (relative to the shell's directory), else the project's setting."""
    if getattr(args, "store", None):
        return settings.resolve_store(args.store, Path.cwd())
    project = _project(args, required=False)
    return settings.load(project).store_url(project)


def _config_dir(args: argparse.Namespace, demo: bool = False) -> Path:
    """``--config``, else the demo's configs (in the package), else the project's ``config/sources``."""
    if getattr(args, "config", None):
        return Path(args.config).resolve()
    if demo:
        from cleanwire.demo.run import DEMO_SOURCES

        return DEMO_SOURCES
    directory = _required_project(args).sources_dir
    if not directory.is_dir():
        raise ProjectError(f"{directory} does not exist: the project has no source configs")
    return directory


# -- errors: one line each -----------------------------------------------------------------


class CliError(Exception):
    """A user error the command has put in words (naming the file, line or URL)."""


# Errors bad input causes: files (OSError), bytes (UnicodeError), source files (YAML, validation:
# ValueError), names (KeyError: a missing source or record). Anything else is a bug, still one line.
KNOWN_ERRORS = (CliError, OSError, UnicodeError, ValueError, KeyError, yaml.YAMLError)


def _one_line(exc: BaseException) -> str:
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


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors in the one-line form of every other error."""

    def error(self, message: str) -> NoReturn:
        console.print(f"{self.prog}: error: {' '.join(message.split())}", style="red")
        raise SystemExit(2)


def source_name(value: str) -> str:
    """An argparse type: the one rule for source names (``pipeline.sources.check_source_name``)."""
    try:
        return check_source_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text (byte {exc.start + 1})") from None


# -- run ------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from flows.fanout import DaskUnavailable, dask_task_runner, prefect_api_for_workers, resolve_address
    from flows.ingest import ingest

    config_dir = _config_dir(args, demo=args.demo)
    store = _store_url(args)
    # A missing or broken source is one line here, not a traceback in the flow run's log.
    loaded, errors = load_sources(config_dir)
    select_sources(loaded, args.source or None, errors)
    executor, address = "local", None
    if args.dask or args.dask_address:
        # The runner is set up front, so the run is one flow run (the flow parameter alone nests one).
        executor, address = "dask", resolve_address(args.dask_address)
        try:
            runner = dask_task_runner(address)
        except DaskUnavailable as exc:
            console.print(str(exc), style="red")
            return 2
        ingest = ingest.with_options(task_runner=runner)
    dask = {"executor": executor, "dask_address": address}
    with prefect_api_for_workers() if executor == "dask" else contextlib.nullcontext():
        if args.demo:
            from cleanwire.demo.run import demo_ports, demo_sites

            sources, _errors = load_sources(config_dir)
            with demo_sites(demo_ports(sources)) as bases:
                console.print(f"demo sites: {', '.join(bases.values())}", style="dim")
                result = ingest(sources=args.source or None, store=store, config_dir=str(config_dir), **dask)
        else:
            result = ingest(sources=args.source or None, store=store, config_dir=str(config_dir), **dask)
    _print_run(result)
    if result["drift"] and args.fail_on_drift:
        console.print("drift detected; failing as asked (--fail-on-drift)", style="red")
        return 3
    return 0


def _print_run(result: dict) -> None:
    table = Table(title=f"run {result['run_id']} → {result['store']}")
    outcomes = sorted({o for counts in result["counts"].values() for o in counts})
    for column in ["source", *outcomes]:
        table.add_column(column, justify="left" if column == "source" else "right")
    for source, counts in result["counts"].items():
        table.add_row(source, *(str(counts.get(o, 0)) for o in outcomes))
    out.print(table)
    out.print(
        f"stored {result['stored']} new records, {result['links']} new also_at links; "
        f"manifest {result['manifest']}"
    )
    for error in result["config_errors"]:
        console.print(f"config error: {error}", style="red")
    for source, warnings in result["drift"].items():
        for warning in warnings:
            console.print(f"drift in {source}: {warning}", style="yellow")
    for source, notes in result.get("notes", {}).items():
        for note in notes:
            console.print(f"{source}: {note}", style="yellow")


# -- single documents -----------------------------------------------------------------------


def cmd_extract(args: argparse.Namespace) -> int:
    """A saved page through what the crawl does with a response: the same decoder
    (``pipeline.decode``: BOM, charset labels, cp1252 bytes labelled UTF-8) and triage."""
    from pipeline.decode import binary_offset
    from pipeline.extract import Extractor
    from pipeline.outcomes import NotAnArticle
    from pipeline.record import Page
    from pipeline.urls import InvalidUrl, checked_url, display_url

    path = Path(args.page)
    body = path.read_bytes()
    at = binary_offset(body)
    if at is not None:
        raise CliError(f"{path}: not a text file (binary data at byte {at + 1})")
    try:
        url, stripped = checked_url(args.url)
    except InvalidUrl as exc:
        raise CliError(f"--url {display_url(args.url)}: {exc}") from None
    if stripped:
        raise CliError(f"--url {display_url(args.url)}: credentials in the URL are refused")
    try:
        # The crawl's decoder and triage, but not its refusals: the page is the user's choice.
        article = Extractor().extract_page(Page(url=url, body=body, source=args.source), explicit=True)
    except NotAnArticle as exc:
        console.print(f"{exc.outcome}: {exc.reason}", style="yellow")
        return 2
    kind = article.page_kind
    if kind is not None and kind.kind != "article":
        # The page is the user's choice: its text is returned, with what a crawl would decide.
        console.print(
            f"note: a crawl would not store this page ({kind.kind}): " + "; ".join(kind.evidence),
            markup=False,
            highlight=False,
        )
    print(article.model_dump_json(indent=2))
    return 0


def cmd_clean_text(args: argparse.Namespace) -> int:
    from pipeline.cleaning import Cleaner

    text = sys.stdin.read() if args.file == "-" else _read_text(Path(args.file))
    learned = {}
    if args.source:
        from pipeline.cleaning.site_learning import load_learned
        from pipeline.storage import open_store

        learned = load_learned(open_store(_store_url(args)), [args.source])
    result = Cleaner(learned=learned).clean_text(
        text, language=args.language, title=args.title, source=args.source
    )
    if args.audit:
        for removal in result.removed:
            console.print(f"- {removal.rule}: {removal.text}", style="dim")
    print(result.text)
    return 0


# -- the bucket -----------------------------------------------------------------------------


def _reader(args: argparse.Namespace):
    from pipeline.reader import BucketReader

    return BucketReader(_store_url(args))


def cmd_ls(args: argparse.Namespace) -> int:
    reader = _reader(args)
    records = reader.records(since=args.since, source=args.source)
    if args.json:
        for article in records:
            print(json.dumps(article.summary(), ensure_ascii=False))
        return 0
    table = Table(title=reader.store.url)
    for column in ("id", "source", "published", "chars", "also", "title"):
        table.add_column(column)
    for article in records:
        table.add_row(
            article.id,
            article.source,
            article.published or "",
            str(article.chars),
            str(len(article.also_at)),
            (article.title or "")[:60],
        )
    out.print(table)
    return 0


def cmd_cat(args: argparse.Namespace) -> int:
    article = _reader(args).get(args.id)  # a KeyError naming the id and store: one line
    print(article.model_dump_json(indent=2))
    return 0


def cmd_manifests(args: argparse.Namespace) -> int:
    manifests = _reader(args).manifests()
    if args.json:
        for manifest in manifests:
            print(json.dumps(manifest.summary()))
        return 0
    table = Table(title="manifests")
    for column in ("id", "created", "records", "links", "counts"):
        table.add_column(column)
    for manifest in manifests:
        s = manifest.summary()
        table.add_row(
            str(s["id"]), str(s["created"]), str(s["records"]), str(s["links"]), json.dumps(s["counts"])
        )
    out.print(table)
    return 0


def cmd_compact_links(args: argparse.Namespace) -> int:
    from pipeline.link_index import compact_links

    key = compact_links(_reader(args).store)
    print(key or "no manifest since the last link index")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from pipeline.export import export_records

    if not Path(args.out).parent.is_dir():  # before the progress bar: an error is one line
        raise CliError(f"{args.out}: no such directory {Path(args.out).parent}")
    reader = _reader(args)
    refs = list(reader.refs(since=args.since, source=args.source))
    with Progress(
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"export {args.format}", total=len(refs))
        links = reader.links()
        count = export_records(
            (reader.load(ref, links) for ref in refs),
            Path(args.out),
            args.format,
            on_record=lambda: progress.advance(task),
        )
    console.print(f"exported {count} records to {args.out}")
    return 0


def cmd_boilerplate(args: argparse.Namespace) -> int:
    from pipeline.cleaning.site_learning import SiteBoilerplate
    from pipeline.storage import open_store

    site = SiteBoilerplate.load(open_store(_store_url(args)), args.source)
    learned = site.learned()
    if args.json:
        print(json.dumps({"source": args.source, "pages": site.pages, "learned": sorted(learned)}))
        return 0
    table = Table(title=f"{args.source}: learned from {site.pages} pages")
    table.add_column("pages", justify="right")
    table.add_column("block (folded)")
    for text in sorted(learned, key=lambda t: -site.counts[t]):
        table.add_row(str(site.counts[text]), text)
    out.print(table)
    return 0


def cmd_dedup(args: argparse.Namespace) -> int:
    """Streams JSON lines in and out: texts are never all in memory at once."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from pipeline.near_dup import dedup_stream

    name = "<stdin>" if args.input == "-" else args.input
    # Bytes in, each line decoded on its own: a line that is not UTF-8 is one bad line.
    source = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")  # noqa: SIM115
    target = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    counts = {"docs": 0, "duplicates": 0, "bad_lines": 0}

    def docs():
        for number, raw in enumerate(source, 1):
            if not raw.strip():
                continue
            try:
                doc = json.loads(raw.decode("utf-8"))
                yield str(doc["id"]), str(doc["text"])
            except UnicodeDecodeError as exc:
                counts["bad_lines"] += 1
                console.print(f"{name}:{number}: skipped: not UTF-8 (byte {exc.start + 1})", style="yellow")
            except (ValueError, KeyError, TypeError) as exc:
                counts["bad_lines"] += 1
                why = f"no field {exc}" if isinstance(exc, KeyError) else _one_line(exc)
                console.print(f"{name}:{number}: skipped: {why}", style="yellow")

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("dedup", total=None)
        try:
            for doc_id, cluster, duplicate_of in dedup_stream(docs()):
                target.write(
                    json.dumps({"id": doc_id, "cluster": cluster, "duplicate_of": duplicate_of}) + "\n"
                )
                counts["docs"] += 1
                counts["duplicates"] += duplicate_of is not None
                if counts["docs"] % 1000 == 0:
                    progress.update(task, description=f"dedup: {counts['docs']:,} docs")
        finally:
            if target is not sys.stdout:
                target.close()
            if source is not sys.stdin:
                source.close()
    console.print(
        f"{counts['docs']} documents, {counts['duplicates']} duplicates, {counts['bad_lines']} bad lines"
    )
    return 0


def _plans(args: argparse.Namespace):
    from flows.deployments import plan_deployments

    config_dir = _config_dir(args).resolve()
    sources, errors = load_sources(config_dir)
    for error in errors:
        console.print(f"config error: {error}", style="red")
    plans, problems = plan_deployments(sources)
    for problem in problems:
        console.print(str(problem), style="red")
    return config_dir, plans


def cmd_deploy(args: argparse.Namespace) -> int:
    """Keep prefect.yaml, or with ``--apply`` the server itself, in step with the source configs."""
    from flows.deployments import prefect_yaml

    config_dir, plans = _plans(args)
    if args.apply:
        return _apply_deployments(args, config_dir, plans)
    target = Path(args.output) if args.output else _required_project(args).root / "prefect.yaml"
    target.write_text(prefect_yaml(plans, _store_url(args), config_dir, args.work_pool), encoding="utf-8")
    table = Table(title=f"{len(plans)} deployments → {target}")
    for column in ("deployment", "cron (UTC)", "sources"):
        table.add_column(column)
    for plan in plans:
        table.add_row(plan.name, plan.cron, ", ".join(plan.sources))
    out.print(table)
    out.print(f"register them with: prefect deploy --all --prefect-file {target}")
    return 0


def _apply_deployments(args: argparse.Namespace, config_dir: Path, plans: list) -> int:
    """Register on the server at PREFECT_API_URL without prompts, so a CI job or a cron can run it."""
    from flows.deployments import CHECKOUT_ENV, apply_to_work_pool, worker_config_dir

    if not plans:
        console.print("no source has a schedule", style="red")
        return 1
    store = _store_url(args)
    ids = apply_to_work_pool(
        plans, store, config_dir, args.work_pool, args.global_limit, args.per_domain_limit
    )
    table = Table(title=f"{len(ids)} deployments on work pool {args.work_pool!r}")
    for column in ("deployment", "cron (UTC)", "sources", "id"):
        table.add_column(column)
    for plan, deployment_id in zip(plans, ids, strict=True):
        table.add_row(plan.name, plan.cron, ", ".join(plan.sources), str(deployment_id))
    out.print(table)
    out.print(
        f"store {store}, config {worker_config_dir(config_dir)} (relative to ${CHECKOUT_ENV} on workers)\n"
        f"start workers with: {CHECKOUT_ENV}=/path/to/checkout prefect worker start --pool {args.work_pool}"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve every scheduled deployment from this process (``flow.serve`` for many flows)."""
    import asyncio

    from prefect import serve

    from flows.deployments import ensure_concurrency_limits, runner_deployments

    config_dir, plans = _plans(args)
    if not plans:
        console.print("no source has a schedule", style="red")
        return 1
    asyncio.run(ensure_concurrency_limits(plans, args.global_limit, args.per_domain_limit))
    serve(*runner_deployments(plans, _store_url(args), config_dir), limit=args.limit)
    return 0


def _find_source(args: argparse.Namespace):
    from pipeline.sources import parse_source

    directory = _config_dir(args, demo=getattr(args, "demo", False))
    path = directory / f"{args.name}.yaml"
    if not path.exists():
        raise ProjectError(f"no source config {path}; `cleanwire new-source {args.name} URL` writes one")
    return parse_source(path)


def cmd_preview(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from cleanwire.preview import preview_source

    source = _find_source(args)
    fixture_dir = None
    if args.save_fixture:
        fixtures = Path(args.fixtures) if args.fixtures else _required_project(args).fixtures_dir
        fixture_dir = fixtures / source.name
    if args.demo:
        from cleanwire.demo.run import demo_ports, demo_sites

        sites = demo_sites(demo_ports([source]))
    else:
        sites = nullcontext()
    with sites:
        rows = preview_source(source, args.limit, fixture_dir)
    if args.json:
        for row in rows:
            print(json.dumps(row.json(), ensure_ascii=False))
    else:
        table = Table(title=f"preview {source.name}: {len(rows)} article pages")
        for column in ("outcome", "url", "title", "chars", "start of clean text / reason"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                row.outcome, row.url, row.title or "", str(row.chars), row.start or row.reason or ""
            )
        out.print(table)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        out.print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if fixture_dir is not None:
        console.print(f"recorded {len(rows)} pages under {fixture_dir}")
    return 0


def cmd_new_source(args: argparse.Namespace) -> int:
    from cleanwire.new_source import write_source

    project = None if args.config and args.tests else _required_project(args)
    config_dir = Path(args.config) if args.config else project.sources_dir
    tests_dir = Path(args.tests) if args.tests else project.tests_dir
    try:
        config_path, test_path, found = write_source(
            args.name, args.url, config_dir, tests_dir, args.allow_private
        )
    except (ValueError, FileExistsError, OSError) as exc:
        raise CliError(f"new-source {args.name}: {_one_line(exc)}") from exc
    out.print(f"sitemaps: {', '.join(found.sitemaps) or 'none'}")
    out.print(f"feeds: {', '.join(found.feeds) or 'none'}")
    out.print(f"article-looking URLs on the page: {len(found.article_urls)}; pattern {found.allow}")
    out.print(f"wrote {config_path} and {test_path}")
    out.print(f"next: cleanwire preview {args.name} --limit 10 --save-fixture")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from cleanwire.scaffold import init_project

    # `cleanwire --project DIR init` means DIR, as every other command reads --project.
    directory = args.project if args.directory is None and args.project else args.directory or "."
    project, written = init_project(Path(directory))
    for path in written:
        out.print(f"wrote {path}")
    out.print(f"new project in {project.root}; next, there: cleanwire new-source NAME URL")
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    from flows.ingest import reprocess
    from pipeline.manifest import list_manifests
    from pipeline.storage import open_store

    config_dir = _config_dir(args)
    store = _store_url(args)
    # An unknown run is one line here, not a traceback in the flow run's log.
    if not any(m.run_id == args.run_id and m.raw for m in list_manifests(open_store(store))):
        raise CliError(f"no run {args.run_id!r} with raw pages in {store}")
    result = reprocess(run_id=args.run_id, store=store, to=args.to, config_dir=str(config_dir))
    _print_run(result)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from pipeline.schema import record_schema

    print(json.dumps(record_schema(), indent=2))
    return 0


def cmd_serve_demo(args: argparse.Namespace) -> int:
    import time

    from cleanwire.demo.run import demo_ports, demo_sites

    sources, _ = load_sources(_config_dir(args, demo=True))
    with demo_sites(demo_ports(sources)) as bases:
        for name, base in bases.items():
            out.print(f"{name}: {base}/")
        out.print("Ctrl-C to stop", style="dim")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
    return 0


# -- wiring ---------------------------------------------------------------------------------


PROJECT_HELP = (
    "the project directory (default: $CLEANWIRE_HOME, else the current directory or its nearest "
    "parent with config/)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cleanwire", description=__doc__)
    parser.add_argument("--log-level", help="DEBUG, INFO, WARNING: log to stderr (credentials are redacted)")
    parser.add_argument("--project", help=PROJECT_HELP)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="write a new project: config/, tests/sources/, a README")
    p.add_argument("directory", nargs="?", help="where (default: --project, else the current directory)")
    p.set_defaults(func=cmd_init)

    def with_store(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--store", help="file://PATH or s3://BUCKET/PREFIX (default: config/settings.yaml)")
        return p

    p = with_store(sub.add_parser("run", help="crawl, clean, dedup and store"))
    p.add_argument(
        "--source", action="append", type=source_name, help="a source name (repeatable; default: all)"
    )
    p.add_argument("--demo", action="store_true", help="serve the bundled demo sites and ingest them")
    p.add_argument("--config", help="directory of source YAML files")
    p.add_argument("--fail-on-drift", action="store_true", help="exit 3 when a source drifted")
    p.add_argument(
        "--dask",
        action="store_true",
        help="extract on Dask: the scheduler at $CLEANWIRE_DASK_ADDRESS, else a LocalCluster (docs/dask.md)",
    )
    p.add_argument("--dask-address", help="extract on the Dask scheduler at this address (implies --dask)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("extract", help="one HTML page to a cleaned record (JSON)")
    p.add_argument("page")
    p.add_argument("--url", required=True)
    p.add_argument("--source", default="adhoc", type=source_name)
    p.set_defaults(func=cmd_extract)

    p = with_store(sub.add_parser("clean-text", help="clean already-scraped plain text"))
    p.add_argument("file", help="a text file, or - for standard input")
    p.add_argument(
        "--source", type=source_name, help="also remove what was learned as this source's boilerplate"
    )
    p.add_argument("--language", default="en")
    p.add_argument("--title", help="the article's title, removed if the text repeats it")
    p.add_argument("--audit", action="store_true", help="show what was removed and why (stderr)")
    p.set_defaults(func=cmd_clean_text)

    p = with_store(sub.add_parser("ls", help="list stored records"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--since", help="only records added after this manifest id")
    p.add_argument("--source", type=source_name)
    p.set_defaults(func=cmd_ls)

    p = with_store(sub.add_parser("cat", help="print one stored record"))
    p.add_argument("id")
    p.set_defaults(func=cmd_cat)

    p = with_store(sub.add_parser("manifests", help="list run manifests"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_manifests)

    p = with_store(sub.add_parser("compact-links", help="write the readers' link index now"))
    p.set_defaults(func=cmd_compact_links)

    p = with_store(sub.add_parser("export", help="export records as Parquet or JSON lines"))
    p.add_argument("out")
    p.add_argument("--format", choices=["parquet", "jsonl"], default="parquet")
    p.add_argument("--since", help="only records added after this manifest id")
    p.add_argument("--source", type=source_name)
    p.set_defaults(func=cmd_export)

    p = with_store(sub.add_parser("boilerplate", help="show a source's learned boilerplate"))
    p.add_argument("source", type=source_name)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_boilerplate)

    p = sub.add_parser("dedup", help="near-duplicate clusters for a JSONL corpus (id, text)")
    p.add_argument("input", help="JSON lines with id and text, or - for standard input")
    p.add_argument("-o", "--output", help="output JSON lines (default: standard output)")
    p.set_defaults(func=cmd_dedup)

    p = with_store(sub.add_parser("deploy", help="write prefect.yaml with a deployment per source or group"))
    p.add_argument("--config", help="directory of source YAML files")
    p.add_argument("--work-pool", default="cleanwire", help="work pool the deployments run on")
    p.add_argument("--output", help="where to write (default: prefect.yaml in the project)")
    p.add_argument(
        "--apply",
        action="store_true",
        help="register on the Prefect server instead of writing prefect.yaml: the work pool (process, "
        "if missing), the crawl limits and every deployment",
    )
    p.add_argument("--global-limit", type=int, default=4, help="with --apply: crawls at once, all sources")
    p.add_argument("--per-domain-limit", type=int, default=1, help="with --apply: crawls at once per domain")
    p.set_defaults(func=cmd_deploy)

    p = with_store(sub.add_parser("serve", help="run all scheduled deployments from this process"))
    p.add_argument("--config", help="directory of source YAML files")
    p.add_argument("--global-limit", type=int, default=4, help="crawls at once, all sources")
    p.add_argument("--per-domain-limit", type=int, default=1, help="crawls at once per domain")
    p.add_argument("--limit", type=int, default=None, help="flow runs at once in this process")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("preview", help="crawl a few article pages of a source and show the outcome")
    p.add_argument("name", type=source_name)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help="one JSON line per page")
    p.add_argument("--save-fixture", action="store_true", help="record pages and results as test fixtures")
    p.add_argument("--fixtures", help="where to record (default: the project's tests/fixtures/sources)")
    p.add_argument("--config", help="directory of source YAML files")
    p.add_argument("--demo", action="store_true", help="a demo source, with the demo sites served")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("new-source", help="probe a site and write config/sources/NAME.yaml and a test")
    p.add_argument("name", type=source_name)
    p.add_argument("url")
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="the site is on a loopback or RFC 1918 address (link-local and metadata stay refused)",
    )
    p.add_argument("--config", help="where to write the YAML (default: the project's config/sources)")
    p.add_argument("--tests", help="directory to write the test into (default: the project's tests/sources)")
    p.set_defaults(func=cmd_new_source)

    p = with_store(sub.add_parser("reprocess", help="re-extract a run's stored raw pages (no crawling)"))
    p.add_argument("run_id", help="the run id (the part of a manifest id after the time)")
    p.add_argument("--to", help="write into this store instead of the one read from")
    p.add_argument("--config", help="directory of source YAML files (their extraction settings)")
    p.set_defaults(func=cmd_reprocess)

    p = sub.add_parser("schema", help="print the record JSON Schema")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("serve-demo", help="serve the demo sites until Ctrl-C")
    p.add_argument("--config")
    p.set_defaults(func=cmd_serve_demo)
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
            os.environ[HOME_ENV] = str(_required_project(args).root)
        return int(args.func(args) or 0)
    except ProjectError as exc:
        if args.debug:
            raise
        console.print(f"cleanwire: error: {_one_line(exc)}", style="red")
        return 2
    except KeyboardInterrupt:
        console.print("cleanwire: interrupted")
        return 130
    except Exception as exc:
        if args.debug:
            raise
        known = isinstance(exc, KNOWN_ERRORS)
        line = _one_line(exc) if known else f"unexpected {type(exc).__name__}: {_one_line(exc)}"
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
