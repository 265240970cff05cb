"""Projects and sources: a new project, a new source, a source previewed before it goes live."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.table import Table

from cleanwire.commands import common, views
from pipeline.project import ProjectError


def cmd_init(args: argparse.Namespace) -> int:
    from cleanwire.scaffold import init_project

    # `cleanwire --project DIR init` means DIR, as every other command reads --project.
    directory = args.project if args.directory is None and args.project else args.directory or "."
    project, written = init_project(Path(directory))
    for path in written:
        common.out.print(f"wrote {path}")
    common.out.print(f"new project in {project.root}; next, there: cleanwire new-source NAME URL")
    return 0


def _find_source(args: argparse.Namespace):
    from pipeline.sources import parse_source

    directory = common.config_dir(args, demo=getattr(args, "demo", False))
    path = directory / f"{args.name}.yaml"
    if not path.exists():
        raise ProjectError(f"no source config {path}; `cleanwire new-source {args.name} URL` writes one")
    return parse_source(path)


def cmd_new_source(args: argparse.Namespace) -> int:
    from cleanwire.new_source import write_source

    project = None if args.config and args.tests else common.required_project(args)
    config_dir = Path(args.config) if args.config else project.sources_dir
    tests_dir = Path(args.tests) if args.tests else project.tests_dir
    try:
        config_path, test_path, found = write_source(
            args.name, args.url, config_dir, tests_dir, args.allow_private
        )
    except (ValueError, FileExistsError, OSError) as exc:
        raise common.CliError(f"new-source {args.name}: {common.one_line(exc)}") from exc
    common.out.print(f"sitemaps: {', '.join(found.sitemaps) or 'none'}")
    common.out.print(f"feeds: {', '.join(found.feeds) or 'none'}")
    common.out.print(f"article-looking URLs on the page: {len(found.article_urls)}; pattern {found.allow}")
    common.out.print(f"wrote {config_path} and {test_path}")
    common.out.print(f"next: cleanwire preview {args.name} --limit 10 --save-fixture")
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from cleanwire.preview import preview_source

    source = _find_source(args)
    if args.html:
        common.output_path(args.html)  # before the crawl, not after it
    fixture_dir = None
    if args.save_fixture:
        fixtures = Path(args.fixtures) if args.fixtures else common.required_project(args).fixtures_dir
        fixture_dir = fixtures / source.name
    if args.demo:
        from cleanwire.demo.run import demo_ports, demo_sites

        sites = demo_sites(demo_ports([source]))
    else:
        sites = nullcontext()
    with sites:
        rows = preview_source(source, args.limit, fixture_dir)
    if args.html:
        views.write_preview_html(
            args.html, f"preview {source.name}", [(r.url, r.outcome, r.reason, r.article) for r in rows]
        )
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
        common.out.print(table)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        common.out.print("outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if fixture_dir is not None:
        common.console.print(f"recorded {len(rows)} pages under {fixture_dir}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="write a new project: config/, tests/sources/, a README")
    p.add_argument("directory", nargs="?", help="where (default: --project, else the current directory)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("new-source", help="probe a site and write config/sources/NAME.yaml and a test")
    p.add_argument("name", type=common.source_name)
    p.add_argument("url")
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="the site is on a loopback or RFC 1918 address (link-local and metadata stay refused)",
    )
    p.add_argument("--config", help="where to write the YAML (default: the project's config/sources)")
    p.add_argument("--tests", help="directory to write the test into (default: the project's tests/sources)")
    p.set_defaults(func=cmd_new_source)

    p = sub.add_parser("preview", help="crawl a few article pages of a source and show the outcome")
    p.add_argument("name", type=common.source_name)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help="one JSON line per page")
    p.add_argument("--save-fixture", action="store_true", help="record pages and results as test fixtures")
    p.add_argument("--fixtures", help="where to record (default: the project's tests/fixtures/sources)")
    p.add_argument("--config", help="directory of source YAML files")
    p.add_argument("--demo", action="store_true", help="a demo source, with the demo sites served")
    p.add_argument("--html", metavar="OUT.html", help="also write every page as HTML, with what was removed")
    p.set_defaults(func=cmd_preview)
