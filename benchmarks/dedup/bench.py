"""Near-duplicate benchmark: cleanwire's ``dedup_stream`` against plain MinHash LSH.

Quality is measured on two labelled sets: ``corpus.build_labelled_set`` (generated, one change
per copy) and ``syndication.build_syndication_set`` (real bodies from ``--data`` when given, the
demo's articles, generated text for volume; copies with 1-5 changes at once; its ``report``
split, ``--split tune`` for the other). Speed and memory on the ``corpus.synthetic_docs``
stream, each method in its own process (``_measure.py``).
``python -m benchmarks.dedup.bench [--smoke] [--data ../shared/realpages] [--out FILE]`` prints
tables and the JSON that ``run()`` returns.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.dedup import _measure, syndication
from benchmarks.dedup.baselines import NUM_PERM, SHINGLE_WORDS, minhash_lsh_stream
from benchmarks.dedup.corpus import APART_KINDS, COPY_KINDS, KINDS, LabelledDoc, build_labelled_set
from benchmarks.dedup.syndication import build_syndication_set

Stream = Callable[[Iterable[tuple[str, str]]], Iterator[tuple[str, str, str | None]]]

LABELLED_DOCS, LABELLED_SEED = 2400, 7
SMOKE_LABELLED_DOCS = 300
STREAM_DOCS, SMOKE_STREAM_DOCS = 100_000, 2_000
STREAM_WORDS, STREAM_SEED = 600, 11
EXTRAPOLATE_TO = 10_000_000
LSH_THRESHOLDS = (0.5, 0.8)
THROUGHPUT_BASELINE = "minhash_lsh_0.5"

TARGETS: dict[str, float] = {
    "precision_min": 0.995,
    "recall_min": 0.97,
    "same_story_false_merges_max": 0,
    "brief_false_merges_max": 0,
    "truncated_recall_min": 0.95,
    "throughput_ratio_min": 5.0,
}
# On the syndication set: every change class, and no false merge of any must-not-merge kind.
SYNDICATION_TARGETS: dict[str, float] = {
    "precision_min": 0.995,
    "recall_min": 0.97,
    "change_recall_min": 0.93,
    "apart_false_merges_max": 0,
}


# ---------------------------------------------------------------------------------------------
# methods


def _load_cleanwire() -> tuple[Stream | None, str | None]:
    """cleanwire's ``dedup_stream``, or why it cannot be had."""
    try:
        from pipeline.dedup.stream import dedup_stream
    except Exception as exc:  # the module is written concurrently: any import failure is "unavailable"
        return None, f"{type(exc).__name__}: {exc}"
    return dedup_stream, None


def _datasketch_missing() -> str | None:
    try:
        import datasketch  # noqa: F401
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _lsh(threshold: float) -> Stream:
    def stream(docs: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str | None]]:
        return minhash_lsh_stream(docs, threshold=threshold, num_perm=NUM_PERM)

    return stream


def predict(stream: Stream, docs: list[LabelledDoc]) -> tuple[dict[str, str], float]:
    """Each document's predicted cluster (its representative's id), and the seconds it took.

    Checks the contract: one answer per input document, in input order.
    """
    start = time.perf_counter()
    out = list(stream((d.id, d.text) for d in docs))
    seconds = time.perf_counter() - start
    if len(out) != len(docs):
        raise ValueError(f"dedup_stream yielded {len(out)} results for {len(docs)} documents")
    predicted: dict[str, str] = {}
    for doc, row in zip(docs, out, strict=True):
        if len(row) != 3 or row[0] != doc.id:
            raise ValueError(f"dedup_stream yielded {row[:1]!r} where {doc.id!r} was expected (input order)")
        predicted[doc.id] = row[1]
    return predicted, seconds


# ---------------------------------------------------------------------------------------------
# metrics


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def groups_of(docs: list[LabelledDoc]) -> dict[str, list[LabelledDoc]]:
    groups: dict[str, list[LabelledDoc]] = defaultdict(list)
    for doc in docs:
        if doc.group is not None:
            groups[doc.group].append(doc)
    return dict(groups)


def group_category(members: list[LabelledDoc]) -> str:
    """same_story, half or brief: the kind of the group's members that are not originals."""
    kinds = {d.kind for d in members} - {"original"}
    if len(kinds) != 1 or not kinds <= set(APART_KINDS):
        raise ValueError(f"group with kinds {sorted(kinds)}")
    return kinds.pop()


def apart_pairs(docs: list[LabelledDoc]) -> dict[str, int]:
    """How many must-stay-apart pairs each category has (pairs inside a group, gold clusters differing)."""
    counts = dict.fromkeys(APART_KINDS, 0)
    for members in groups_of(docs).values():
        counts[group_category(members)] += sum(
            a.cluster != b.cluster for i, a in enumerate(members) for b in members[i + 1 :]
        )
    return counts


def score(docs: list[LabelledDoc], predicted: dict[str, str]) -> dict[str, Any]:
    """Pairwise precision/recall/F1, false merges by category, recall of each copy kind."""
    cells = Counter((predicted[d.id], d.cluster) for d in docs)
    true_pairs = sum(_pairs(n) for n in cells.values())
    predicted_pairs = sum(_pairs(n) for n in Counter(predicted[d.id] for d in docs).values())
    gold_pairs = sum(_pairs(n) for n in Counter(d.cluster for d in docs).values())
    precision = true_pairs / predicted_pairs if predicted_pairs else 1.0
    recall = true_pairs / gold_pairs if gold_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    false_merges = dict.fromkeys(APART_KINDS, 0)
    for members in groups_of(docs).values():
        category = group_category(members)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a.cluster != b.cluster and predicted[a.id] == predicted[b.id]:
                    false_merges[category] += 1
    wrong_pairs = predicted_pairs - true_pairs
    false_merges["other_pairs"] = wrong_pairs - sum(false_merges[k] for k in APART_KINDS)

    def joined(copies: list[LabelledDoc]) -> float | None:
        hits = sum(predicted[d.id] == predicted[d.cluster] for d in copies)
        return round(hits / len(copies), 4) if copies else None

    copies = [d for d in docs if d.cluster != d.id]
    kinds = sorted({d.kind for d in copies}, key=lambda k: KINDS.index(k) if k in KINDS else len(KINDS))
    recall_by_kind = {kind: joined([d for d in copies if d.kind == kind]) for kind in kinds or COPY_KINDS}
    changed = [d for d in copies if d.changes]
    by_change = {
        c: joined([d for d in changed if c in d.changes])
        for c in sorted({c for d in changed for c in d.changes})
    }
    by_count = {
        str(n): joined([d for d in changed if len(d.changes) == n])
        for n in sorted({len(d.changes) for d in changed})
    }

    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "pairs": {"true": true_pairs, "predicted": predicted_pairs, "gold": gold_pairs},
        "false_merges": false_merges,
        "recall_by_kind": recall_by_kind,
        **({"recall_by_change": by_change, "recall_by_changes_count": by_count} if changed else {}),
        "clusters": len(set(predicted.values())),
    }


def composition(docs: list[LabelledDoc], kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    by_kind = Counter(d.kind for d in docs)
    changes = Counter(c for d in docs for c in d.changes)
    return {
        "docs": len(docs),
        "gold_clusters": len({d.cluster for d in docs}),
        "by_kind": {k: by_kind.get(k, 0) for k in kinds},
        **({"copies_by_change": dict(sorted(changes.items()))} if changes else {}),
        "apart_pairs": apart_pairs(docs),
        "words_per_doc_median": sorted(len(d.text.split()) for d in docs)[len(docs) // 2],
    }


def evaluate(stream: Stream, docs: list[LabelledDoc]) -> dict[str, Any]:
    try:
        predicted, seconds = predict(stream, docs)
    except Exception as exc:
        return {"available": True, "error": f"{type(exc).__name__}: {exc}"}
    result: dict[str, Any] = {"available": True, **score(docs, predicted)}
    result["seconds"] = round(seconds, 3)
    result["docs_per_s"] = round(len(docs) / seconds, 1) if seconds else None
    return result


# ---------------------------------------------------------------------------------------------
# throughput and memory


def _throughput(method: str, n: int) -> dict[str, Any]:
    """docs/s at ``n`` documents; peak RSS at n/10 and n, extrapolated linearly to 10M documents."""
    small = max(1, n // 10)
    full = _launch(method, n)
    if "error" in full:
        return {"available": True, **full}
    part = _launch(method, small)
    out: dict[str, Any] = {"available": True, **full}
    out["peak_rss_mib_at"] = {str(small): part.get("peak_rss_mib"), str(n): full["peak_rss_mib"]}
    if "peak_rss_mib" in part:
        per_doc = max(0.0, (full["peak_rss_mib"] - part["peak_rss_mib"]) * 2**20 / (n - small))
        out["rss_bytes_per_doc"] = round(per_doc, 1)
        out["rss_10m_docs_gib_extrapolated"] = round(
            (full["peak_rss_mib"] * 2**20 + per_doc * (EXTRAPOLATE_TO - n)) / 2**30, 2
        )
    return out


def _launch(method: str, n: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.dedup._measure",
        "launch",
        method,
        str(n),
        str(STREAM_WORDS),
        str(STREAM_SEED),
    ]
    paths = [str(_measure.REPO), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in paths if p))
    proc = subprocess.run(cmd, cwd=_measure.REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"error": " | ".join(tail) or f"launcher exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# the run


def _syndication(
    cleanwire: Stream | None, why: str | None, smoke: bool, data: Path | None, split: str
) -> dict[str, Any]:
    """cleanwire and the baselines on the syndication set, with its own targets."""
    docs, notes = build_syndication_set(
        split, data, generated=60 if smoke else 320, copies_per_real=3 if smoke else 7
    )
    methods: dict[str, dict[str, Any]] = {}
    methods["cleanwire"] = evaluate(cleanwire, docs) if cleanwire else {"available": False, "error": why}
    missing = _datasketch_missing()
    for threshold in LSH_THRESHOLDS:
        name = f"minhash_lsh_{threshold}"
        methods[name] = {"available": False, "error": missing} if missing else evaluate(_lsh(threshold), docs)
    cw = methods["cleanwire"]
    measured = bool(cw.get("available")) and "error" not in cw
    t = SYNDICATION_TARGETS
    passed: dict[str, bool | None] = {
        "precision": cw["precision"] >= t["precision_min"] if measured else None,
        "recall": cw["recall"] >= t["recall_min"] if measured else None,
        "every_change": (min(cw["recall_by_change"].values()) >= t["change_recall_min"])
        if measured
        else None,
        "no_apart_false_merges": (
            all(cw["false_merges"][k] <= t["apart_false_merges_max"] for k in APART_KINDS)
            if measured
            else None
        ),
    }
    return {
        **notes,
        **composition(docs, syndication.KINDS),
        "by_origin": dict(Counter(d.origin for d in docs if d.kind == "copy")),
        "methods": methods,
        "targets": t,
        "passed": passed,
    }


def run(smoke: bool = False, data: Path | None = None, split: str = "report") -> dict[str, Any]:
    n_docs = SMOKE_LABELLED_DOCS if smoke else LABELLED_DOCS
    n_stream = SMOKE_STREAM_DOCS if smoke else STREAM_DOCS
    docs = build_labelled_set(n_docs, seed=LABELLED_SEED)

    methods: dict[str, dict[str, Any]] = {}
    cleanwire, why = _load_cleanwire()
    if cleanwire is None:
        methods["cleanwire"] = {"available": False, "error": why}
    else:
        methods["cleanwire"] = evaluate(cleanwire, docs)
    missing = _datasketch_missing()
    for threshold in LSH_THRESHOLDS:
        name = f"minhash_lsh_{threshold}"
        if missing:
            methods[name] = {"available": False, "error": missing}
        else:
            methods[name] = evaluate(_lsh(threshold), docs)
            methods[name]["params"] = {
                "threshold": threshold,
                "num_perm": NUM_PERM,
                "shingles": f"word {SHINGLE_WORDS}-grams of lower-cased text (runs of letters/digits)",
                "clustering": "query before insert; join the earliest-inserted LSH candidate's cluster",
            }

    throughput: dict[str, Any] = {
        "docs": n_stream,
        "words_per_doc": STREAM_WORDS,
        "memory_note": (
            f"peak RSS of a fresh process per run (ru_maxrss of its launcher's RUSAGE_CHILDREN), less the "
            "pre-generated documents' own memory; "
            f"the {EXTRAPOLATE_TO:,}-doc figure is a linear extrapolation from {n_stream:,} docs, "
            f"with the per-doc slope taken between {max(1, n_stream // 10):,} and {n_stream:,} docs, "
            "not a measurement"
        ),
    }
    throughput["cleanwire"] = (
        _throughput("cleanwire", n_stream) if cleanwire is not None else {"available": False, "error": why}
    )
    throughput[THROUGHPUT_BASELINE] = (
        _throughput("minhash_lsh", n_stream) if not missing else {"available": False, "error": missing}
    )
    cw_rate = throughput["cleanwire"].get("docs_per_s")
    base_rate = throughput[THROUGHPUT_BASELINE].get("docs_per_s")
    throughput["ratio"] = round(cw_rate / base_rate, 2) if cw_rate and base_rate else None

    cw = methods["cleanwire"]
    measured = cw.get("available") and "error" not in cw
    passed: dict[str, bool | None] = {
        "precision": cw["precision"] >= TARGETS["precision_min"] if measured else None,
        "recall": cw["recall"] >= TARGETS["recall_min"] if measured else None,
        "same_story_false_merges": (
            cw["false_merges"]["same_story"] <= TARGETS["same_story_false_merges_max"] if measured else None
        ),
        "brief_false_merges": (
            cw["false_merges"]["brief"] <= TARGETS["brief_false_merges_max"] if measured else None
        ),
        "truncated_recall": (
            cw["recall_by_kind"]["truncated"] >= TARGETS["truncated_recall_min"] if measured else None
        ),
        "throughput_ratio": (
            None if throughput["ratio"] is None else throughput["ratio"] >= TARGETS["throughput_ratio_min"]
        ),
    }
    return {
        "name": "dedup",
        "smoke": smoke,
        "cleanwire_available": cleanwire is not None,
        "labelled_set": {"seed": LABELLED_SEED, **composition(docs)},
        "syndication_set": _syndication(cleanwire, why, smoke, data, split),
        "methods": methods,
        "throughput": throughput,
        "targets": TARGETS,
        "passed": passed,
    }


# ---------------------------------------------------------------------------------------------
# printing


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4f}" if value <= 1 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def print_report(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    labelled = result["labelled_set"]
    title = f"Labelled set: {labelled['docs']:,} docs, {labelled['gold_clusters']:,} gold clusters"
    table = Table(title=title)
    table.add_column("kind")
    table.add_column("docs", justify="right")
    table.add_column("must-stay-apart pairs", justify="right")
    for kind, n in labelled["by_kind"].items():
        table.add_row(kind, _fmt(n), _fmt(labelled["apart_pairs"].get(kind)))
    console.print(table)

    table = Table(title="Quality on the labelled set (pairwise; false merges are pairs)")
    names = list(result["methods"])
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    rows: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("precision", lambda m: m["precision"]),
        ("recall", lambda m: m["recall"]),
        ("F1", lambda m: m["f1"]),
        *[(f"false merges: {k}", lambda m, k=k: m["false_merges"][k]) for k in (*APART_KINDS, "other_pairs")],
        *[(f"recall: {k}", lambda m, k=k: m["recall_by_kind"][k]) for k in COPY_KINDS],
        ("docs/s (in process)", lambda m: m["docs_per_s"]),
    ]
    for label, get in rows:
        cells = []
        for name in names:
            method = result["methods"][name]
            if not method.get("available"):
                cells.append("unavailable")
            elif "error" in method:
                cells.append("error")
            else:
                cells.append(_fmt(get(method)))
        table.add_row(label, *cells)
    console.print(table)
    for name in names:
        if "error" in result["methods"][name]:
            console.print(f"[yellow]{name}[/]: {result['methods'][name]['error']}")

    _print_syndication(console, result["syndication_set"])

    through = result["throughput"]
    title = f"Throughput on synthetic_docs({through['docs']:,}), ~{through['words_per_doc']} words each"
    table = Table(title=title)
    table.add_column("method")
    for col in ("docs/s", "peak RSS MiB", "bytes/doc", "10M docs GiB (extrapolated)"):
        table.add_column(col, justify="right")
    for name in ("cleanwire", THROUGHPUT_BASELINE):
        m = through[name]
        if not m.get("available") or "error" in m:
            table.add_row(name, "unavailable" if not m.get("available") else "error", "", "", "")
            continue
        table.add_row(
            name,
            _fmt(m.get("docs_per_s")),
            _fmt(m.get("peak_rss_mib")),
            _fmt(m.get("rss_bytes_per_doc")),
            _fmt(m.get("rss_10m_docs_gib_extrapolated")),
        )
    console.print(table)
    console.print(f"throughput ratio cleanwire / {THROUGHPUT_BASELINE}: {_fmt(through['ratio'])}")
    console.print(through["memory_note"])

    table = Table(title="Targets (cleanwire)")
    table.add_column("target")
    table.add_column("threshold", justify="right")
    table.add_column("passed")
    for (key, threshold), (name, ok) in zip(result["targets"].items(), result["passed"].items(), strict=True):
        mark = "not measured" if ok is None else ("[green]pass[/]" if ok else "[red]fail[/]")
        table.add_row(name, f"{'≥' if key.endswith('_min') else '≤'} {threshold}", mark)
    console.print(table)


def _print_syndication(console: Any, synd: dict[str, Any]) -> None:
    from rich.table import Table

    console.print(
        f"Syndication set ({synd['split']} split): {synd['docs']:,} docs, {synd['gold_clusters']:,} gold "
        f"clusters; real pages: {synd['real_pages']}; copies by origin: {synd['by_origin']}"
    )
    names = list(synd["methods"])
    table = Table(title="Quality on the syndication set (copies with 1-5 changes)")
    table.add_column("metric")
    for name in names:
        table.add_column(name, justify="right")
    cw = synd["methods"]["cleanwire"]
    labels: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
        ("precision", lambda m: m["precision"]),
        ("recall", lambda m: m["recall"]),
        *[(f"false merges: {k}", lambda m, k=k: m["false_merges"][k]) for k in (*APART_KINDS, "other_pairs")],
    ]
    if "recall_by_change" in cw:
        labels += [(f"recall: {c}", lambda m, c=c: m["recall_by_change"][c]) for c in cw["recall_by_change"]]
        labels += [
            (f"recall: {n} change(s)", lambda m, n=n: m["recall_by_changes_count"][n])
            for n in cw["recall_by_changes_count"]
        ]
    for label, get in labels:
        cells = []
        for name in names:
            method = synd["methods"][name]
            ok = method.get("available") and "error" not in method
            cells.append(_fmt(get(method)) if ok else "unavailable")
        table.add_row(label, *cells)
    console.print(table)
    console.print(f"syndication-set targets: {synd['passed']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dedup.bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="300 labelled docs, 2,000 stream docs")
    parser.add_argument("--out", help="also write the JSON to this file")
    parser.add_argument(
        "--data", type=Path, help="shared/realpages, for real article bodies in the syndication set"
    )
    parser.add_argument("--split", choices=sorted(syndication.SPLITS), default="report")
    args = parser.parse_args(argv)
    result = run(smoke=args.smoke, data=args.data, split=args.split)
    print_report(result)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
