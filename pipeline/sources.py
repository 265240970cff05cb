"""Source configs: one YAML file per news source, validated before anything runs.

A bad file gets a message naming the file, the field and what was expected,
and does not stop the other sources from loading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.extract.extractor import DEFAULT_MIN_WORDS, ExtractionSettings


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


def _regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from exc
    return value


# One rule for source names, everywhere a name becomes a file name, a store key, a Prefect
# deployment or a log line: new-source, the loader (the file's stem) and every CLI argument.
SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
SOURCE_NAME_RULE = "1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit"


def check_source_name(name: str) -> str:
    """The name if it is a slug; else ``ValueError`` (``../x``, ``{x}``, escapes, a leading dot)."""
    if not isinstance(name, str) or not SOURCE_NAME.fullmatch(name):
        raise ValueError(f"source name {name!r} refused: expected {SOURCE_NAME_RULE}")
    return name


HttpUrl = Annotated[str, AfterValidator(_http_url)]
SourceName = Annotated[str, AfterValidator(check_source_name)]
Regex = Annotated[str, AfterValidator(_regex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Discovery(_Strict):
    """Where article URLs come from. Sitemaps listed in robots.txt are read too."""

    sitemaps: list[HttpUrl] = Field(default_factory=list)
    feeds: list[HttpUrl] = Field(default_factory=list, description="RSS or Atom feeds.")
    start_urls: list[HttpUrl] = Field(default_factory=list, description="Pages whose links are followed.")
    follow: list[Regex] = Field(
        default_factory=list,
        description="Regexes for non-article pages (sections, tags) whose links are followed.",
    )
    robots_sitemaps: bool = True


class ArticleUrls(_Strict):
    allow: list[Regex] = Field(default_factory=list, description="An article URL matches one.")
    deny: list[Regex] = Field(default_factory=list, description="... and none of these.")


class Politeness(_Strict):
    """How hard a source may be crawled, and the limits no page may exceed (``spiders/settings.py``).

    Every limit maps to one Scrapy setting or one cleanwire middleware; none is left to a
    library default. ``docs/reliability.md`` lists what each one defends against.
    """

    obey_robots: bool = True
    autothrottle: bool = True
    concurrency_per_domain: int = Field(default=2, ge=1, le=64)
    download_delay: float = Field(default=0.5, ge=0)
    max_pages: int = Field(default=500, ge=1, description="CLOSESPIDER_PAGECOUNT.")
    max_seconds: int = Field(
        default=3600, ge=1, description="CLOSESPIDER_TIMEOUT: the crawl stops after this."
    )
    depth_limit: int = Field(default=3, ge=0)
    download_timeout: int = Field(default=30, ge=1)
    max_size_mb: int = Field(default=10, ge=1, description="DOWNLOAD_MAXSIZE (decompressed).")
    retry_times: int = Field(default=2, ge=0)
    max_retry_after: int = Field(
        default=30,
        ge=0,
        description="Longest Retry-After (seconds) waited for on 429/503; a longer one gives up.",
    )
    max_redirects: int = Field(default=5, ge=0, le=20, description="REDIRECT_MAX_TIMES.")
    max_url_length: int = Field(default=2000, ge=100, description="URLLENGTH_LIMIT.")
    memory_limit_mb: int = Field(default=2048, ge=64, description="MEMUSAGE_LIMIT_MB (whole process).")
    max_segment_repeats: int = Field(
        default=2, ge=1, description="A URL path with one segment more often than this is a crawler trap."
    )
    max_listing_pages_per_pattern: int = Field(
        default=50,
        ge=1,
        description="Followed (non-article) pages per URL pattern (digits and query values ignored): "
        "bounds calendars, pagination and session-id traps.",
    )


class ExtractionOverrides(_Strict):
    """Per-source departures from the measured defaults (``pipeline.extract.ExtractionSettings``)."""

    drop_xpaths: list[str] = Field(default_factory=list, description="Elements removed first.")
    min_words: int = Field(default=DEFAULT_MIN_WORDS, ge=1)
    favor_precision: bool | None = None
    fallback: Literal["short", "always", "never"] | None = None


class SourceConfig(_Strict):
    name: SourceName
    site_name: str | None = None
    spider: str = Field(default="news", description="A registered spider name.")
    allowed_domains: list[str] = Field(min_length=1)
    discovery: Discovery
    article_urls: ArticleUrls = Field(default_factory=ArticleUrls)
    politeness: Politeness = Field(default_factory=Politeness)
    extraction: ExtractionOverrides = Field(default_factory=ExtractionOverrides)
    language: str = "en"
    schedule: str | None = Field(default=None, description="Cron expression (UTC).")
    group: str | None = Field(default=None, description="Sources with one group share a deployment.")
    allow_private: bool = Field(
        default=False,
        description="Allow private/loopback addresses, but only for the origins (scheme, host, port) of "
        "this source's own discovery URLs (sitemaps, feeds, start_urls); a redirect or link to any "
        "other private, loopback, link-local or metadata address is still refused. For test and "
        "demo sites only.",
    )
    enabled: bool = True
    crawl_processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Scrapy processes crawling this source at once, sharing one frontier in Redis "
        "(spiders/frontier/crawl.py), when the run has a Redis URL; otherwise one in-process crawl. "
        "politeness.max_pages is shared among them; concurrency_per_domain and download_delay apply "
        "per process, so the site sees up to this many times the load.",
    )

    @field_validator("allowed_domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        for domain in value:
            if "/" in domain or " " in domain:
                raise ValueError(f"expected a host name like 'example.com', got {domain!r}")
        return [d.lower() for d in value]

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) != 5:
            raise ValueError(f"expected a 5-field cron expression, got {value!r}")
        return value

    @model_validator(mode="after")
    def _has_discovery(self) -> SourceConfig:
        d = self.discovery
        if not (d.sitemaps or d.feeds or d.start_urls):
            raise ValueError("discovery needs at least one of sitemaps, feeds, start_urls")
        return self

    def is_article_url(self, url: str) -> bool:
        allow = self.article_urls.allow
        if allow and not any(re.search(p, url) for p in allow):
            return False
        return not any(re.search(p, url) for p in self.article_urls.deny)

    def is_follow_url(self, url: str) -> bool:
        return any(re.search(p, url) for p in self.discovery.follow)

    def extraction_settings(self) -> ExtractionSettings:
        overrides = {
            key: value
            for key, value in (
                ("favor_precision", self.extraction.favor_precision),
                ("fallback", self.extraction.fallback),
            )
            if value is not None
        }
        return ExtractionSettings(
            min_words=self.extraction.min_words,
            language=self.language,
            drop_xpaths=tuple(self.extraction.drop_xpaths),
            **overrides,
        )


@dataclass(frozen=True)
class SourceError:
    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "(file)"
        expected = error["msg"]
        if error["type"] == "extra_forbidden":
            expected = "unknown field (check the spelling; see docs/adding-a-source.md)"
        lines.append(f"field '{field}': {expected}")
    return "; ".join(lines)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: where (line, column) and what, from PyYAML's multi-line message."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    what = getattr(exc, "problem", None) or str(exc)
    return where + "not valid YAML: " + " ".join(str(what).split())


def parse_source(path: Path) -> SourceConfig:
    """Load one file; raise ``ValueError`` with file, field and expectation on any problem.

    Only plain YAML is read (``safe_load``: a ``!!python/...`` tag is an error, never code).
    """
    try:
        check_source_name(path.stem)
        raw = path.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8"))
    except ValueError as exc:  # the name, or UnicodeDecodeError
        if isinstance(exc, UnicodeDecodeError):
            raise ValueError(f"{path}: not UTF-8 text (byte {exc.start + 1})") from exc
        raise ValueError(f"{path}: {exc}") from exc
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: {yaml_problem(exc)}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of fields, got {type(data).__name__}")
    data.setdefault("name", path.stem)
    if data["name"] != path.stem:
        raise ValueError(f"{path}: field 'name': must match the file name ({path.stem!r})")
    try:
        return SourceConfig.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"{path}: {_describe(exc)}") from exc


def load_sources(directory: Path) -> tuple[list[SourceConfig], list[SourceError]]:
    """Every ``*.yaml`` in ``directory``; the bad ones are reported, not fatal."""
    sources: list[SourceConfig] = []
    errors: list[SourceError] = []
    for path in sorted(directory.glob("*.y*ml")):
        try:
            sources.append(parse_source(path))
        except ValueError as exc:
            errors.append(SourceError(path, str(exc).removeprefix(f"{path}: ")))
    return sources, errors


def select_sources(
    sources: list[SourceConfig], names: list[str] | None, errors: list[SourceError] | None = None
) -> list[SourceConfig]:
    """The named sources (all enabled ones if none); a missing one is a ``KeyError`` naming the
    config error that kept it from loading, if there was one."""
    if not names:
        return [s for s in sources if s.enabled]
    by_name = {s.name: s for s in sources}
    broken = {e.path.stem: e for e in errors or []}
    missing = [n for n in names if n not in by_name]
    for name in missing:
        if name in broken:
            raise KeyError(f"source {name} did not load: {broken[name]}")
    if missing:
        raise KeyError(f"unknown source(s): {', '.join(missing)}; known: {', '.join(by_name) or 'none'}")
    return [by_name[n] for n in names]


def default_sources_dir() -> Path:
    """The project's ``config/sources`` (``pipeline.project``: ``$CLEANWIRE_HOME`` or the cwd's)."""
    from pipeline.project import find_project

    project = find_project()
    assert project is not None  # required: find_project raises ProjectError instead
    return project.sources_dir
