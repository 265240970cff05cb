"""Everything one run writes, applied in the order that keeps the bucket consistent.

A ``Commit`` is built once the run knows what it will store. Applying it is
idempotent (every object is write-once), so a retry after a storage error
finishes the job, and a commit that could not be applied at all can be spooled
to local disk (``pipeline.spool``) and applied by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.dedup import DedupIndex, Verdict
from pipeline.failpoints import failpoint
from pipeline.manifest import Manifest, Sequencer, manifest_id_for
from pipeline.record import utcnow
from pipeline.seen import SeenUrl, SeenUrls
from pipeline.storage import ObjectStore
from pipeline.storage.layout import MANIFEST_PREFIX, manifest_key
from pipeline.writer import RecordWriter, WriteReport


@dataclass
class Commit:
    manifest: Manifest
    verdicts: list[Verdict]
    raw: list[tuple[Path, str]] = field(default_factory=list)  # local WARC file -> key
    seen: list[tuple[str, SeenUrl]] = field(default_factory=list)  # canonical URL -> state
    boilerplate: list[SiteBoilerplate] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.manifest.run_id

    @property
    def new_records(self) -> int:
        return sum(1 for v in self.verdicts if v.is_new)


def apply_commit(
    store: ObjectStore,
    index: DedupIndex,
    seen: SeenUrls,
    commit: Commit,
    sequencer: Sequencer | None = None,
) -> WriteReport:
    """Journal, records and links, raw pages, state, manifest (last), journal removed.

    ``sequencer`` (shared mode) gives the manifest its id when it is written, so that ids
    sort in the order manifests become visible to readers even with many runs at once.
    """
    manifest = commit.manifest
    writer = RecordWriter(store, index, manifest.run_id, manifest.id)
    report = writer.write(commit.verdicts)
    for path, key in commit.raw:
        store.put_file(key, path, "application/warc")
        if key not in manifest.raw:
            manifest.raw.append(key)
    for url, state in commit.seen:
        seen.record(url, state)
    if sync := getattr(store, "sync", None):  # objects durable before anything names them
        sync()
    failpoint("before-index")
    index.save(store)
    seen.save(store)
    for site in commit.boilerplate:
        site.save(store)
    manifest.records = report.records
    manifest.links = report.links
    failpoint("before-manifest")
    if sequencer is None:
        _in_visibility_order(store, manifest, writer)
        manifest.write(store)
    else:
        with sequencer(manifest.run_id) as (manifest_id, created):
            manifest.id, manifest.created = manifest_id, created
            writer.restamp(manifest_id)
            manifest.write(store)
    writer.finish()
    return report


def _in_visibility_order(store: ObjectStore, manifest: Manifest, writer: RecordWriter) -> None:
    """Manifest ids must sort in the order manifests become visible, or a reader reading "since" the
    newest id misses one. A commit applied late (from the spool, by a later run) has an older id:
    it takes a new one. If the next run's crash recovery already committed part of it under its
    id (the store went down after some of its packs), the new manifest names only the rest."""
    try:  # recovery writes its manifests where this one goes: one GET, no HEAD before it
        recovered = Manifest.model_validate_json(store.get(manifest_key(manifest.id)))
    except KeyError:
        recovered = None
    if recovered is not None:
        listed = {e.id for e in recovered.records}
        linked = {(e.record_id, e.url) for e in recovered.links}
        manifest.records = [e for e in manifest.records if e.id not in listed]
        manifest.links = [e for e in manifest.links if (e.record_id, e.url) not in linked]
    elif next(iter(store.list(MANIFEST_PREFIX, start_after=manifest_key(manifest.id))), None) is None:
        return  # nothing newer: the id stands
    manifest.created = utcnow()  # runs hold the store lease one at a time: later than any
    manifest.id = manifest_id_for(manifest.created, manifest.run_id)
    writer.restamp(manifest.id)
