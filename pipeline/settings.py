"""Every setting cleanwire reads from the environment or ``config/settings.yaml``, in one place.

Each field is one ``CLEANWIRE_*`` variable (``REDIS_URL`` keeps its
conventional name) and the ``config/settings.yaml`` key of the same name
without the prefix, lower case. The environment wins over the file, the file
over the default; a command-line option wins over both. Relative paths are
relative to the project directory (``pipeline.project``), never to the
installed package. The README's settings table is ``settings_table()``
(``tests/test_settings.py`` keeps them equal).

Library code asks ``current()`` for a value when it needs it, so a test's or a
worker's environment applies without restarting anything. Names like
``CLEANWIRE_MAX_ARTICLES`` in ``spiders/settings.py`` are Scrapy settings made
from each source's YAML, not environment variables, and are not listed here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from pipeline.project import Project, ProjectError, data_root, find_project

ENV_PREFIX = "CLEANWIRE_"


class Settings(BaseSettings):
    """Field descriptions are the README table's "why" column: say what breaks without the setting."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", validate_default=True)

    home: Path | None = Field(
        None,
        description="The project directory (`config/`, `tests/`, `var/`), instead of the current "
        "directory's nearest one with `config/`; a work-pool worker sets it to where its flow runs start.",
    )
    store: str = Field(
        "file://var/bucket",
        description="Where records go: `file://PATH` (relative to the project) or `s3://BUCKET/PREFIX`.",
    )
    spool: Path = Field(
        Path("var/spool"),
        description="Commits spooled while the store was down, stored by the next run on this machine.",
    )
    sources: str | None = Field(
        None,
        description="Source config directories for `scrapy crawl`/`scrapy list` (os.pathsep-separated), "
        "instead of the project's `config/sources`.",
    )
    lock_ttl: float = Field(
        120, gt=0, description="Seconds a dead run's store lease blocks the next run (renewed while alive)."
    )
    near_dup_days: int = Field(14, ge=1, description="Days a story is remembered for near-duplicate checks.")
    url_retention_days: int = Field(
        90,
        ge=1,
        description="Shared mode: days seen URLs and URL-to-record mappings stay in Redis (an unchanged page "
        "fetched after that is still recognised by its content hash, kept for good).",
    )
    shared_records_per_day: int = Field(
        100_000,
        ge=1,
        description="Shared mode: new records a day expected, which sizes the Redis near-duplicate "
        "buckets (too low costs Redis CPU per claim, too high costs memory; docs/scaling.md).",
    )
    s3_connect_timeout: float = Field(
        5, gt=0, description="botocore connect timeout (s): Prefect cannot interrupt a blocked socket."
    )
    s3_read_timeout: float = Field(30, gt=0, description="botocore read timeout (s), same reason.")
    s3_max_attempts: int = Field(5, ge=1, description="botocore standard-mode attempts per S3 call.")
    s3_multipart_threshold: int = Field(
        64 * 2**20, ge=5 * 2**20, description="Bytes above which a raw WARC is uploaded in parts."
    )
    extract_workers: int | None = Field(
        None,
        ge=1,
        description="Extraction processes (default: one per core); also sizes a Dask LocalCluster.",
    )
    extract_queue_pages: int = Field(
        256,
        ge=32,
        description="Crawled pages that may wait for extraction before the crawl pauses (each holds its "
        "body in memory; news pages weigh about 190 KB): bounds the pages in memory whatever the source's "
        "size (the articles a run commits are still held, docs/scaling.md).",
    )
    dask_address: str | None = Field(None, description="Dask scheduler for `run --dask` (docs/dask.md).")
    dask_chunk_pages: int | None = Field(
        None, ge=1, description="Pages per Dask task, instead of a size derived from the cluster."
    )
    redis_url: str | None = Field(
        None,
        validation_alias=AliasChoices("REDIS_URL", "redis_url"),
        description="Shared dedup index, seen URLs and crawl frontier for runs on several machines.",
    )
    failpoint: str | None = Field(
        None, description="Tests only: kill the process at this named point (pipeline/failpoints.py)."
    )
    test_redis_url: str | None = Field(
        None, description="Tests only: a running redis-server to use instead of starting one."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """The environment over the keyword arguments, which are the settings file's values."""
        return env_settings, init_settings

    def store_url(self, project: Project | None) -> str:
        """``store`` with a relative ``file://`` path made absolute against the project."""
        return resolve_store(self.store, data_root(project))

    def spool_dir(self, project: Project | None) -> Path:
        return self.spool if self.spool.is_absolute() else data_root(project) / self.spool


def resolve_store(url: str, base: Path) -> str:
    """A relative local store (``file://var/bucket``, ``var/bucket``) anchored at ``base``."""
    if url.startswith("file://"):
        path = Path(url.removeprefix("file://")).expanduser()
    elif "://" not in url:
        path = Path(url).expanduser()
    else:
        return url
    return f"file://{path if path.is_absolute() else base / path}"


def read_settings_file(path: Path) -> dict[str, Any]:
    """``config/settings.yaml`` as a mapping; a broken file is a ``ProjectError`` naming it."""
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProjectError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected a mapping of setting: value")
    if "home" in data:
        raise ProjectError(f"{path}: `home` cannot be set in the project's own settings file")
    return data


def load(project: Project | None) -> Settings:
    """The settings of ``project`` (its file, if any) under the current environment."""
    data = read_settings_file(project.settings_file) if project else {}
    try:
        return Settings(**data)
    except ValidationError as exc:
        where = project.settings_file if project and data else "environment"
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '?'}: {e['msg']}" for e in exc.errors()
        )
        raise ProjectError(f"settings ({where}, {ENV_PREFIX}*): {problems}") from exc


_cache: dict[tuple, Settings] = {}


def _environment_key() -> tuple[tuple[str, str], ...]:
    """What ``Settings`` reads from the environment, as a cache key."""
    names = (k for k in os.environ if k.startswith(ENV_PREFIX) or k == "REDIS_URL")
    return tuple(sorted((k, os.environ[k]) for k in names))


def environment() -> Settings:
    """The environment's settings alone: what finds the project, before its file can be read."""
    key = ("env", _environment_key())
    if key not in _cache:
        _cache[key] = load(None)
    return _cache[key]


def current() -> Settings:
    """The settings in force here: the project ``pipeline.project`` finds, this environment.

    Cached per environment and working directory, so code on hot paths may call
    it freely and still sees a changed variable.
    """
    key = ("project", _environment_key(), os.getcwd())
    if key not in _cache:
        if len(_cache) > 64:  # a test suite changes the environment thousands of times
            _cache.clear()
        _cache[key] = load(find_project(required=False))
    return _cache[key]


def env_name(field: str) -> str:
    info = Settings.model_fields[field]
    if isinstance(info.validation_alias, AliasChoices):
        return str(info.validation_alias.choices[0])
    return ENV_PREFIX + field.upper()


def settings_table() -> str:
    """The README's table: variable, settings.yaml key, default, why."""
    rows = ["| variable | settings.yaml | default | why |", "|---|---|---|---|"]
    for name, info in Settings.model_fields.items():
        default = info.default
        shown = "—" if default is None else f"`{default}`"
        key = "—" if name == "home" else f"`{name}`"
        rows.append(f"| `{env_name(name)}` | {key} | {shown} | {info.description} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(settings_table(), end="")
