"""The local spool: commits that could not reach the store wait here for the next run.

When the store stays down through every retry, the run's commit (new records,
links, raw pages, state, manifest) is written to a directory on local disk,
atomically (a temporary directory renamed into place), and the next run
applies it before doing anything else. Nothing is lost, and nothing is
visible in the bucket until it is complete there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from pipeline.bucket.commit import Commit
from pipeline.bucket.manifest import Manifest
from pipeline.bucket.seen import SeenUrl
from pipeline.cleaning.site_learning import SiteBoilerplate
from pipeline.dedup.judge import Verdict
from pipeline.dedup.minhash import Fingerprinter
from pipeline.project import find_project
from pipeline.record import Article
from pipeline.settings import current as current_settings


class Spool:
    def __init__(self, store_url: str, root: Path | None = None) -> None:
        root = root or current_settings().spool_dir(find_project(required=False))
        self.dir = root / hashlib.sha256(store_url.encode()).hexdigest()[:16]

    def save(self, commit: Commit) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.dir))
        payload = {
            "manifest": json.loads(commit.manifest.model_dump_json()),
            "verdicts": [
                {
                    "article": json.loads(v.article.model_dump_json()),
                    "duplicate_of": v.duplicate_of,
                    "how": v.how,
                }
                for v in commit.verdicts
            ],
            "raw": [],
            "seen": [[url, state.__dict__] for url, state in commit.seen],
        }
        for number, (path, key) in enumerate(commit.raw):
            local = f"raw-{number}.warc.gz"
            shutil.copyfile(path, staging / local)
            payload["raw"].append([local, key])
        for site in commit.boilerplate:
            (staging / f"boilerplate-{site.source}.json.gz").write_bytes(site.dumps())
        (staging / "commit.json").write_text(json.dumps(payload))
        target = self.dir / commit.manifest.id
        os.replace(staging, target)
        return target

    def pending(self) -> list[Commit]:
        """Spooled commits, oldest first."""
        if not self.dir.is_dir():
            return []
        return [self._load(path) for path in sorted(self.dir.iterdir()) if not path.name.startswith(".tmp-")]

    def _load(self, path: Path) -> Commit:
        payload = json.loads((path / "commit.json").read_text())
        fingerprint = Fingerprinter()
        verdicts = []
        for item in payload["verdicts"]:
            article = Article.model_validate(item["article"])
            fp = fingerprint(article.text) if item["duplicate_of"] is None else None
            verdicts.append(Verdict(article, item["duplicate_of"], item["how"], fp))
        boilerplate = [
            SiteBoilerplate.loads(
                file.name.removeprefix("boilerplate-").removesuffix(".json.gz"), file.read_bytes()
            )
            for file in sorted(path.glob("boilerplate-*.json.gz"))
        ]
        return Commit(
            manifest=Manifest.model_validate(payload["manifest"]),
            verdicts=verdicts,
            raw=[(path / local, key) for local, key in payload["raw"]],
            seen=[(url, SeenUrl(**state)) for url, state in payload["seen"]],
            boilerplate=boilerplate,
        )

    def done(self, commit: Commit) -> None:
        shutil.rmtree(self.dir / commit.manifest.id, ignore_errors=True)
