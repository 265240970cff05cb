"""Scheduled runs: Prefect deployments from the source configs, or served from this process."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table

from cleanwire.commands import common
from pipeline.sources import load_sources


def _plans(args: argparse.Namespace):
    from flows.deployments import plan_deployments

    config_dir = common.config_dir(args).resolve()
    sources, errors = load_sources(config_dir)
    for error in errors:
        common.console.print(f"config error: {error}", style="red")
    plans, problems = plan_deployments(sources)
    for problem in problems:
        common.console.print(str(problem), style="red")
    return config_dir, plans


def cmd_deploy(args: argparse.Namespace) -> int:
    """Keep prefect.yaml, or with ``--apply`` the server itself, in step with the source configs."""
    from flows.deployments import prefect_yaml

    config_dir, plans = _plans(args)
    if args.apply:
        return _apply_deployments(args, config_dir, plans)
    target = Path(args.output) if args.output else common.required_project(args).root / "prefect.yaml"
    target.write_text(
        prefect_yaml(plans, common.store_url(args), config_dir, args.work_pool), encoding="utf-8"
    )
    table = Table(title=f"{len(plans)} deployments → {target}")
    for column in ("deployment", "cron (UTC)", "sources"):
        table.add_column(column)
    for plan in plans:
        table.add_row(plan.name, plan.cron, ", ".join(plan.sources))
    common.out.print(table)
    common.out.print(f"register them with: prefect deploy --all --prefect-file {target}")
    return 0


def _apply_deployments(args: argparse.Namespace, config_dir: Path, plans: list) -> int:
    """Register on the server at PREFECT_API_URL without prompts, so a CI job or a cron can run it."""
    from flows.deployments import CHECKOUT_ENV, apply_to_work_pool, worker_config_dir

    if not plans:
        common.console.print("no source has a schedule", style="red")
        return 1
    store = common.store_url(args)
    ids = apply_to_work_pool(
        plans, store, config_dir, args.work_pool, args.global_limit, args.per_domain_limit
    )
    table = Table(title=f"{len(ids)} deployments on work pool {args.work_pool!r}")
    for column in ("deployment", "cron (UTC)", "sources", "id"):
        table.add_column(column)
    for plan, deployment_id in zip(plans, ids, strict=True):
        table.add_row(plan.name, plan.cron, ", ".join(plan.sources), str(deployment_id))
    common.out.print(table)
    common.out.print(
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
        common.console.print("no source has a schedule", style="red")
        return 1
    asyncio.run(ensure_concurrency_limits(plans, args.global_limit, args.per_domain_limit))
    serve(*runner_deployments(plans, common.store_url(args), config_dir), limit=args.limit)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = common.with_store(
        sub.add_parser("deploy", help="write prefect.yaml with a deployment per source or group")
    )
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

    p = common.with_store(sub.add_parser("serve", help="run all scheduled deployments from this process"))
    p.add_argument("--config", help="directory of source YAML files")
    p.add_argument("--global-limit", type=int, default=4, help="crawls at once, all sources")
    p.add_argument("--per-domain-limit", type=int, default=1, help="crawls at once per domain")
    p.add_argument("--limit", type=int, default=None, help="flow runs at once in this process")
    p.set_defaults(func=cmd_serve)
