"""Where a record is judged a duplicate: same canonical URL, same folded text, or near-duplicate.

Exact and URL matches come from hash maps; near-duplicates (syndicated copies
in other chrome, light edits, truncated teasers) from ``pipeline.dedup.near``,
on the cleaned text. The index is persistent (kept in the store, so a re-run
or another machine sees it), loaded once per run, and only ever updated with
records whose write succeeded. Within a run, ``Deduplicator`` also remembers
what it has just accepted so that copies fetched in the same run become one
record.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from pipeline.bucket.packs import read_location
from pipeline.dedup.minhash import Fingerprint, Fingerprinter
from pipeline.dedup.near import NearDuplicateIndex
from pipeline.outcomes import Dropped, Outcome
from pipeline.record import AlsoAt, Article
from pipeline.storage import ObjectStore
from pipeline.storage.layout import DEDUP_INDEX_KEY, NEAR_DUP_INDEX_KEY
from pipeline.urls import canonicalize

INDEX_FORMAT = 1
log = logging.getLogger(__name__)


class Index(Protocol):
    """What judging and committing ask of an index: ``DedupIndex`` (one run at a time, kept in the
    bucket) and ``pipeline.shared.index.SharedDedupIndex`` (many runs at once, in Redis)."""

    near: NearDuplicateIndex  # its settings, and band keys

    def claim(self, article: Article, fingerprint: Fingerprint | None = None) -> tuple[str, str] | None:
        """(record id, how) if the article is known; else, when the index is shared, the article
        is entered as this run's in the same step (no other run can then claim it)."""
        ...

    def same_page(self, article: Article, record_id: str) -> bool: ...

    def add_record(self, article: Article, key: str, fingerprint: Fingerprint | None = None) -> None: ...

    def add_url(self, canonical_url: str, record_id: str) -> None: ...

    def add_member(self, record_id: str, fingerprint: Fingerprint | None) -> None: ...

    def stash_sketches(self, records: list[tuple[Article, Fingerprint | None]]) -> None:
        """Before a commit's records are added: the shared index writes their sketches to the
        bucket (Redis keeps only where they are); the bucket's own index keeps them in itself."""
        ...

    def save(self, store: ObjectStore) -> None: ...


@dataclass
class DedupIndex:
    by_hash: dict[str, str] = field(default_factory=dict)
    by_url: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    near: NearDuplicateIndex = field(default_factory=NearDuplicateIndex)

    def match(self, article: Article, fingerprint: Fingerprint | None = None) -> tuple[str, str] | None:
        """(record id, how) if the article is already known."""
        if article.content_hash in self.by_hash:
            return self.by_hash[article.content_hash], "content"
        if article.canonical_url in self.by_url:
            return self.by_url[article.canonical_url], "url"
        if fingerprint is not None:
            return self.near.match(fingerprint)
        return None

    def claim(self, article: Article, fingerprint: Fingerprint | None = None) -> tuple[str, str] | None:
        """``match``: the run holds the store's lease, so no other run can enter the same article
        meanwhile (``pipeline.shared.index`` is the index whose claim must be atomic)."""
        return self.match(article, fingerprint)

    def same_page(self, article: Article, record_id: str) -> bool:
        """The article is the stored record fetched again (after a crash, or with a changed ETag)."""
        return self.by_url.get(article.canonical_url) == record_id

    def add_record(self, article: Article, key: str, fingerprint: Fingerprint | None = None) -> None:
        self.by_hash[article.content_hash] = article.id
        self.by_url.setdefault(article.canonical_url, article.id)
        self.keys[article.id] = key
        if fingerprint is not None:
            self.near.add(article.id, fingerprint)

    def add_url(self, canonical_url: str, record_id: str) -> None:
        self.by_url.setdefault(canonical_url, record_id)

    def add_member(self, record_id: str, fingerprint: Fingerprint | None) -> None:
        """A copy of record ``record_id`` was seen: later copies are judged against what the
        record's cluster has seen (``NearDuplicateIndex.add_member``), not the record alone."""
        if fingerprint is not None:
            self.near.add_member(record_id, fingerprint)

    def dumps(self) -> bytes:
        payload = {
            "format": INDEX_FORMAT,
            "by_hash": self.by_hash,
            "by_url": self.by_url,
            "keys": self.keys,
        }
        return gzip.compress(json.dumps(payload, separators=(",", ":")).encode("utf-8"))

    @classmethod
    def load(cls, store: ObjectStore) -> DedupIndex:
        try:
            payload = json.loads(gzip.decompress(store.get(DEDUP_INDEX_KEY)))
        except KeyError:
            return cls()
        if payload.get("format") != INDEX_FORMAT:
            raise ValueError(f"dedup index format {payload.get('format')} is not supported")
        keys = payload["keys"]
        try:
            near = NearDuplicateIndex.loads(store.get(NEAR_DUP_INDEX_KEY))
        except KeyError:
            near = NearDuplicateIndex()
        except ValueError as exc:  # built with other settings: rebuild from the stored records
            log.warning("rebuilding the near-duplicate index from %d records: %s", len(keys), exc)
            near = NearDuplicateIndex()
            fingerprint = Fingerprinter(near.settings)
            for record_id, key in keys.items():
                near.add(record_id, fingerprint(Article.model_validate_json(read_location(store, key)).text))
        return cls(payload["by_hash"], payload["by_url"], keys, near)

    def stash_sketches(self, records: list[tuple[Article, Fingerprint | None]]) -> None:
        """Nothing to do: this index keeps the sketches in itself (``Index.stash_sketches``)."""

    def save(self, store: ObjectStore) -> None:
        # The near-duplicate index first: a crash between the two leaves the exact index
        # older, and a record the exact index does not know is re-judged, not lost.
        store.put(NEAR_DUP_INDEX_KEY, self.near.dumps(), "application/octet-stream")
        store.put(DEDUP_INDEX_KEY, self.dumps(), "application/gzip")


@dataclass
class Verdict:
    """What dedup decided for one article."""

    article: Article
    duplicate_of: str | None = None
    how: str | None = None
    fingerprint: Fingerprint | None = None
    # The duplicate is the kept record's own page fetched again: not another place it appeared.
    refetch: bool = False
    # The page's rel=canonical named another URL of its site, and no stored text matched: the
    # page is kept under its own URL and the claim reported (``Deduplicator.judge``).
    unverified_canonical: str | None = None

    @property
    def is_new(self) -> bool:
        return self.duplicate_of is None


class Deduplicator:
    """A streaming step: articles in, verdicts out, in the order given."""

    def __init__(self, index: Index, fingerprinter: Fingerprinter | None = None) -> None:
        self.index = index
        self.fingerprint = fingerprinter or Fingerprinter(index.near.settings)
        self._run = DedupIndex(near=NearDuplicateIndex(index.near.settings))
        self._accepted: dict[str, Article] = {}

    def judge(self, article: Article, fingerprint: Fingerprint | None = None) -> Verdict:
        """``fingerprint``: one made already (by the extraction workers), with this index's settings.

        A same-site rel=canonical naming another URL is a claim, not an identity: the article is
        judged under its own URL, so it joins the claimed page's record only if the texts match
        (same content hash or a near-duplicate). Otherwise three pages claiming one canonical
        would fold into one record and two texts be lost; they are kept, the claim reported.
        """
        fp = fingerprint if fingerprint is not None else self.fingerprint(article.text)
        claimed = None
        own = canonicalize(article.url)
        if article.canonical_url != own:
            claimed, article.canonical_url = article.canonical_url, own
        # This run's own records first (no round trip), then the index, which enters a new
        # article as this run's in the same step when it is shared by several workers.
        found = self._run.match(article, fp)
        refetch = False
        if found is None:
            found = self.index.claim(article, fp)
            refetch = found is not None and self.index.same_page(article, found[0])
        if found is not None:
            record_id, how = found
            sighting = AlsoAt(url=article.url, source=article.source, fetched=article.fetched)
            kept = self._accepted.get(record_id)
            known = {kept.url, *(a.url for a in kept.also_at)} if kept is not None else set()
            if kept is not None and sighting.url not in known:
                kept.also_at.append(sighting)
            self._run.add_url(article.canonical_url, record_id)
            self._run.add_member(record_id, fp)
            self.index.add_member(record_id, fp)
            return Verdict(article, duplicate_of=record_id, how=how, fingerprint=fp, refetch=refetch)
        self._run.add_record(article, key="", fingerprint=fp)
        self._accepted[article.id] = article
        if claimed is not None:
            log.info(
                "%s claims canonical %s, whose text is not the same: kept under its own URL",
                article.url,
                claimed,
            )
        return Verdict(article, fingerprint=fp, unverified_canonical=claimed)

    def __call__(self, articles: Iterable[Article]) -> Iterator[Verdict]:
        for article in articles:
            yield self.judge(article)


def duplicate_drop(verdict: Verdict) -> Dropped:
    return Dropped(
        url=verdict.article.url,
        source=verdict.article.source,
        outcome=Outcome.DUPLICATE,
        reason=f"same {verdict.how} as {verdict.duplicate_of}",
    )
