"""Ingesting: crawl, clean, dedup and store; re-extract a stored run."""

from __future__ import annotations

import argparse
import contextlib

from rich.table import Table

from cleanwire.commands import common
from pipeline.sources import load_sources, select_sources


def cmd_run(args: argparse.Namespace) -> int:
    from flows.fanout import DaskUnavailable, dask_task_runner, prefect_api_for_workers, resolve_address
    from flows.ingest import ingest

    common.console_without_tracebacks(args)
    config_dir = common.config_dir(args, demo=args.demo)
    store = common.store_url(args)
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
            common.console.print(str(exc), style="red")
            return 2
        ingest = ingest.with_options(task_runner=runner)
    dask = {"executor": executor, "dask_address": address}
    with prefect_api_for_workers() if executor == "dask" else contextlib.nullcontext():
        if args.demo:
            from cleanwire.demo.run import demo_ports, demo_sites

            sources, _errors = load_sources(config_dir)
            with demo_sites(demo_ports(sources)) as bases:
                common.console.print(f"demo sites: {', '.join(bases.values())}", style="dim")
                result = ingest(sources=args.source or None, store=store, config_dir=str(config_dir), **dask)
        else:
            result = ingest(sources=args.source or None, store=store, config_dir=str(config_dir), **dask)
    _print_run(result)
    if result["drift"] and args.fail_on_drift:
        common.console.print("drift detected; failing as asked (--fail-on-drift)", style="red")
        return 3
    return 0


def _print_run(result: dict) -> None:
    table = Table(title=f"run {result['run_id']} → {result['store']}")
    outcomes = sorted({o for counts in result["counts"].values() for o in counts})
    for column in ["source", *outcomes]:
        table.add_column(column, justify="left" if column == "source" else "right")
    for source, counts in result["counts"].items():
        table.add_row(source, *(str(counts.get(o, 0)) for o in outcomes))
    common.out.print(table)
    common.out.print(
        f"stored {result['stored']} new records, {result['links']} new also_at links; "
        f"manifest {result['manifest']}"
    )
    for error in result["config_errors"]:
        common.console.print(f"config error: {error}", style="red")
    for source, warnings in result["drift"].items():
        for warning in warnings:
            common.console.print(f"drift in {source}: {warning}", style="yellow")
    for source, notes in result.get("notes", {}).items():
        for note in notes:
            common.console.print(f"{source}: {note}", style="yellow")


def cmd_reprocess(args: argparse.Namespace) -> int:
    from flows.ingest import reprocess
    from pipeline.bucket.manifest import list_manifests
    from pipeline.storage import open_store

    common.console_without_tracebacks(args)
    config_dir = common.config_dir(args)
    store = common.store_url(args)
    # An unknown run is one line here, not a traceback in the flow run's log.
    if not any(m.run_id == args.run_id and m.raw for m in list_manifests(open_store(store))):
        raise common.CliError(f"no run {args.run_id!r} with raw pages in {store}")
    result = reprocess(run_id=args.run_id, store=store, to=args.to, config_dir=str(config_dir))
    _print_run(result)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = common.with_store(sub.add_parser("run", help="crawl, clean, dedup and store"))
    p.add_argument(
        "--source", action="append", type=common.source_name, help="a source name (repeatable; default: all)"
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

    p = common.with_store(
        sub.add_parser("reprocess", help="re-extract a run's stored raw pages (no crawling)")
    )
    p.add_argument("run_id", help="the run id (the part of a manifest id after the time)")
    p.add_argument("--to", help="write into this store instead of the one read from")
    p.add_argument("--config", help="directory of source YAML files (their extraction settings)")
    p.set_defaults(func=cmd_reprocess)
