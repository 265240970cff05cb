"""Deployments from source configs: one per source, or one per ``group`` of sources.

The cron schedule lives in the source YAML. A deployment never runs twice at
once (concurrency limit 1, a new run is cancelled while one is running), and
crawls share global and per-domain concurrency limits so that many
deployments starting on the same minute do not hammer one site.

Three ways to run them: ``runner_deployments`` (``cleanwire serve``, one
process), ``apply_to_work_pool`` (``cleanwire deploy --apply``: registered on a
work pool that any number of workers poll) and ``prefect_yaml`` (the same for
``prefect deploy --all``). On a work pool the code is not shipped anywhere: each
worker machine has the repository checked out at ``$CLEANWIRE_HOME`` and the
flow run starts there (docs/work-pools.md).
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from flows.ingest import ingest
from flows.limits import GLOBAL_CRAWL_LIMIT, domain_limit_name
from pipeline.project import find_project
from pipeline.settings import current as current_settings
from pipeline.sources import SourceConfig

# Where a worker machine has the repository checked out; read by the flow run, on the worker.
CHECKOUT_ENV = "CLEANWIRE_HOME"
ENTRYPOINT = "flows/ingest.py:ingest"
PULL_STEP = {"prefect.deployments.steps.set_working_directory": {"directory": "{{ $" + CHECKOUT_ENV + " }}"}}


@dataclass(frozen=True)
class DeploymentPlan:
    name: str
    cron: str
    sources: tuple[str, ...]
    domains: tuple[str, ...]

    def parameters(self, store: str, config_dir: Path) -> dict[str, Any]:
        return {"sources": list(self.sources), "store": store, "config_dir": str(config_dir)}


def plan_deployments(sources: list[SourceConfig]) -> tuple[list[DeploymentPlan], list[str]]:
    """Group scheduled sources; report sources whose group disagrees on the schedule."""
    groups: dict[str, list[SourceConfig]] = {}
    for source in sources:
        if source.enabled and source.schedule:
            groups.setdefault(source.group or source.name, []).append(source)
    plans, problems = [], []
    for name, members in sorted(groups.items()):
        crons = sorted({m.schedule for m in members if m.schedule})
        if len(crons) > 1:
            problems.append(f"group {name!r} has several schedules {crons}: give its sources one")
            continue
        domains = sorted({d for m in members for d in m.allowed_domains})
        plans.append(
            DeploymentPlan(f"ingest-{name}", crons[0], tuple(m.name for m in members), tuple(domains))
        )
    return plans, problems


def runner_deployments(plans: list[DeploymentPlan], store: str, config_dir: Path) -> list[RunnerDeployment]:
    """Deployments with the schedule, the one-at-a-time limit and the tags of each plan."""
    return [
        ingest.to_deployment(
            name=plan.name,
            cron=plan.cron,
            parameters=plan.parameters(store, config_dir),
            concurrency_limit=ConcurrencyLimitConfig(
                limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
            ),
            tags=["cleanwire", *plan.sources],
            description=f"Ingest {', '.join(plan.sources)} on {plan.cron} (UTC).",
        )
        for plan in plans
    ]


async def ensure_concurrency_limits(plans: list[DeploymentPlan], global_limit: int, per_domain: int) -> None:
    """Create the crawl limits the flow takes slots from (a missing limit would not limit)."""
    wanted = {GLOBAL_CRAWL_LIMIT: global_limit}
    wanted.update({domain_limit_name(d): per_domain for p in plans for d in p.domains})
    async with get_client() as client:
        existing = {limit.name for limit in await client.read_global_concurrency_limits(limit=200)}
        for name, limit in wanted.items():
            if name not in existing:
                await client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=limit)
                )


class CheckoutOnWorker:
    """Flow code that is already on the worker: the repository checked out at ``$CLEANWIRE_HOME``.

    A Prefect ``RunnerStorage`` whose only job is its pull step. The placeholder
    is kept as text in the deployment and resolved by the flow run from the
    worker's environment, so machines may keep their checkout in different
    places; on a worker without the variable the run fails at its pull step.
    """

    def set_base_path(self, path: Path) -> None:
        """Nothing is pulled, so there is no local copy to place."""

    @property
    def pull_interval(self) -> int | None:
        return None

    @property
    def destination(self) -> Path:
        return current_settings().home or Path(".")

    async def pull_code(self) -> None:
        """The checkout is updated by whoever deploys the machine (git pull), not by Prefect."""

    def to_pull_step(self) -> dict[str, Any]:
        return copy.deepcopy(PULL_STEP)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CheckoutOnWorker)

    __hash__ = object.__hash__


def worker_config_dir(config_dir: Path) -> str:
    """The config directory as a worker sees it: relative to the project when it is inside it.

    The flow run starts in ``$CLEANWIRE_HOME``, the worker's copy of the project
    (a checkout, or a directory made by ``cleanwire init``), which need not be
    where this machine keeps it; a directory elsewhere must exist at the same
    path on every worker.
    """
    project = find_project(required=False)
    try:
        if project is None:
            raise ValueError("no project here")
        return str(config_dir.resolve().relative_to(project.root))
    except ValueError:
        return str(config_dir.resolve())


def work_pool_deployments(
    plans: list[DeploymentPlan], store: str, config_dir: Path, work_pool: str
) -> list[RunnerDeployment]:
    """``runner_deployments`` placed on a work pool, with code from the worker's checkout."""
    deployments = runner_deployments(plans, store, Path(worker_config_dir(config_dir)))
    for deployment in deployments:
        deployment.storage = CheckoutOnWorker()
        deployment.entrypoint = ENTRYPOINT
        deployment.work_pool_name = work_pool
    return deployments


async def ensure_work_pool(name: str, pool_type: str = "process") -> str:
    """Create the pool if missing (with the worker type's default job template); return its type.

    An existing pool is used as it is, whatever its type: a docker or kubernetes
    pool is made by the operator with its own job template (image, resources).
    """
    from prefect.workers.base import BaseWorker

    async with get_client() as client:
        try:
            return (await client.read_work_pool(name)).type
        except ObjectNotFound:
            pass
        worker_class = BaseWorker.get_worker_class_from_type(pool_type)
        template = worker_class.get_default_base_job_template() if worker_class else {}
        try:
            pool = await client.create_work_pool(
                WorkPoolCreate(name=name, type=pool_type, base_job_template=template)
            )
        except ObjectAlreadyExists:  # another deploy made it meanwhile
            pool = await client.read_work_pool(name)
        return pool.type


def apply_to_work_pool(
    plans: list[DeploymentPlan],
    store: str,
    config_dir: Path,
    work_pool: str,
    global_limit: int,
    per_domain: int,
) -> list[UUID]:
    """Register every planned deployment on ``work_pool``: the pool, the crawl limits, then each one.

    Idempotent: a deployment that exists is updated (schedule, parameters), so
    running it again after editing the source YAML keeps the server in step.
    Synchronous, for the command line: inside a running event loop Prefect's
    ``to_deployment`` returns a coroutine, so the deployments are built first.
    """
    deployments = work_pool_deployments(plans, store, config_dir, work_pool)

    async def register() -> list[UUID]:
        await ensure_work_pool(work_pool)
        await ensure_concurrency_limits(plans, global_limit, per_domain)
        return [await deployment.aapply() for deployment in deployments]

    return asyncio.run(register())


def prefect_yaml(plans: list[DeploymentPlan], store: str, config_dir: Path, work_pool: str) -> str:
    """The same deployments for ``prefect deploy --all`` with a work pool and workers."""
    document = {
        "name": "cleanwire",
        "prefect-version": "3.8",
        "pull": [copy.deepcopy(PULL_STEP)],
        "deployments": [
            {
                "name": plan.name,
                "entrypoint": ENTRYPOINT,
                "parameters": plan.parameters(store, config_dir),
                "schedules": [{"cron": plan.cron, "timezone": "UTC"}],
                "concurrency_limit": {"limit": 1, "collision_strategy": "CANCEL_NEW"},
                "tags": ["cleanwire", *plan.sources],
                "work_pool": {"name": work_pool},
            }
            for plan in plans
        ],
    }
    header = (
        "# Generated by `cleanwire deploy` from config/sources/*.yaml; edit the sources, not this file.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False)
