"""``make bench``: every benchmark, one results file, one table.

Each figure is a ratio against a baseline measured in the same run, with the
absolute rates for the record; ``--smoke`` runs the tiny versions (what
``make test`` checks).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import crawl_memory, overlap_bench, pipeline_bench, shared_bench
from benchmarks import html_views as html_views_bench
from benchmarks.dedup import bench as dedup_bench
from benchmarks.extraction import bench as extraction_bench
from benchmarks.realpages import bench as realpages_bench

RESULTS = Path(__file__).with_name("results.json")


def _realpages_rows(real: dict) -> list[tuple[str, str, str, str]]:
    if "skipped" in real:
        return [("real pages (--data)", "skipped", real["skipped"], "-")]
    cw, raw = real["cleanwire"], real["trafilatura"]
    ref = "set=readability" if "set=readability" in cw["prf"] else "all"
    return [
        (
            "REAL pages: articles without a record",
            f"{cw.get('no_record', 0)} of {cw['articles']}",
            "0",
            str(real["passed"]["no_article_lost"]),
        ),
        (
            "REAL pages: word F1 vs Readability's reference",
            f"{cw['prf'][ref]['f1']:.4f} (trafilatura {raw['prf'][ref]['f1']:.4f})",
            "+1 pt over trafilatura",
            str(real["passed"]["f1_over_trafilatura"]),
        ),
        (
            "REAL pages: Postlight body start found",
            f"{cw.get('start', 0)}/{cw.get('start_n', 0)} (trafilatura {raw.get('start', 0)})",
            ">= 110",
            str(real["passed"]["start"]),
        ),
        (
            "REAL pages: extract+clean vs raw trafilatura",
            f"{real['speed_ratio']:.2f}x",
            ">= 0.8x",
            str(real["passed"]["speed"]),
        ),
    ]


def _targets(results: dict) -> list[tuple[str, str, str, str]]:
    ext, ded, pipe = results["extraction"], results["dedup"], results["pipeline"]
    rows = [*_realpages_rows(results["realpages"]),
        (
            "generated pages: extract+clean vs raw trafilatura",
            f"{ext['speed_ratio']:.2f}x",
            ">= 0.8x",
            str(ext["passed"]["speed"]),
        ),
        (
            "generated pages (61, 12 templates): F1 (P, R)",
            f"{ext['systems']['cleanwire']['f1']:.3f} ({ext['systems']['cleanwire']['precision']:.3f}, "
            f"{ext['systems']['cleanwire']['recall']:.3f})",
            "recall -0.5pt max",
            str(ext["passed"]["recall"] and ext["passed"]["precision_up"]),
        ),
        (
            "parallel extraction vs one process",
            f"{pipe['parallel_extraction']['speedup']:.2f}x",
            ">= 1.8x",
            str(pipe["parallel_extraction"]["passed"]),
        ),
        (
            "S3 store: packed, concurrent vs one PUT per record",
            f"{pipe['store']['s3']['speedup']:.2f}x",
            ">= 4x",
            str(pipe["store"]["s3"]["passed"]),
        ),
        (
            "... with a 20 ms round trip (as to an S3 region)",
            f"{pipe['store']['s3_20ms_rtt']['speedup']:.2f}x",
            ">= 4x",
            str(pipe["store"]["s3_20ms_rtt"]["passed"]),
        ),
        (
            "end to end vs extract+clean alone, news-weight pages",
            f"{pipe['end_to_end']['end_to_end_over_extract']:.2f}x "
            f"(CPU floor {pipe['end_to_end']['cpu_floor_over_extract']:.2f}x)",
            "<= 1.3x",
            str(pipe["end_to_end"]["passed"]),
        ),
    ]
    thin = pipe.get("end_to_end_thin_pages")
    if thin:
        rows.append(
            (
                "... on 8 KB pages (the crawl's own cost shows)",
                f"{thin['end_to_end_over_extract']:.2f}x (CPU floor {thin['cpu_floor_over_extract']:.2f}x)",
                "(for the record)",
                str(thin["passed"]),
            )
        )
    cw = ded.get("methods", {}).get("cleanwire", {})
    if "precision" in cw:
        rows.append(
            (
                "dedup precision / recall",
                f"{cw['precision']:.4f} / {cw['recall']:.4f}",
                ">= 0.995 / 0.97",
                str(ded["passed"].get("precision") and ded["passed"].get("recall")),
            )
        )
    synd = ded.get("syndication_set", {}).get("methods", {}).get("cleanwire", {})
    if "precision" in synd:
        lowest = min(synd["recall_by_change"].values())
        rows.append(
            (
                "dedup, syndication set: precision / recall / lowest change",
                f"{synd['precision']:.4f} / {synd['recall']:.4f} / {lowest:.3f}",
                ">= 0.995 / 0.97 / 0.93",
                str(all(ded["syndication_set"]["passed"].values())),
            )
        )
    overlap = results.get("overlap")
    if overlap:
        rows.append(
            (
                "3 runs of different sources at once vs the longest alone (generated pages, local servers)",
                f"{overlap['ratio_to_longest_alone']:.2f}x ({overlap['together_seconds']} s vs "
                f"{max(overlap['alone_seconds'].values())} s; each story once: {overlap['each_story_once']}, "
                f"also_at complete: {overlap['also_at_complete']})",
                "<= 1.3x",
                str(overlap["passed"]),
            )
        )
    views = results.get("html_views", {})
    if "load_ms" in views:
        rows.append(
            (
                f"HTML preview of {views['pages']} generated pages: chromium load, file size",
                f"{views['load_ms']:.0f} ms ({views['load_ratio_to_budget']:.2f} of 2 s), "
                f"{views['bytes'] / 1e6:.1f} MB",
                "< 2 s, < 5 MB",
                str(all(views["passed"].values())),
            )
        )
    throughput = ded.get("throughput", {})
    if throughput.get("ratio") is not None:
        rows.append(
            (
                "dedup docs/s vs datasketch",
                f"{throughput['ratio']:.2f}x",
                ">= 5x",
                str(ded["passed"].get("throughput_ratio")),
            )
        )
    if "crawl_memory" in results:
        mem = results["crawl_memory"]
        sizes = sorted(mem["by_pages"], key=int)
        rows.append(
            (
                f"crawl peak RSS, {sizes[-1]} vs {sizes[0]} generated news-weight pages",
                f"{mem['peak_ratio_largest_vs_smallest']:.2f}x",
                "<= 1.2x",
                str(mem["passed"]),
            )
        )
    if "shared_index" in results:
        sh = results["shared_index"]
        met = sh["redis_bytes_per_record_windowed"] <= 500 and sh["redis_bytes_per_record_kept"] <= 250
        rows.append(
            (
                "Redis bytes per record: window, kept (same verdicts)",
                f"{sh['redis_bytes_per_record_windowed']:.0f}, {sh['redis_bytes_per_record_kept']:.0f}"
                f" ({sh['same_verdicts']})",
                "<= 500, <= 250",
                str(met and sh["same_verdicts"]),
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="real pages (shared/realpages layout): the real-pages benchmark, the dedup set's bodies",
    )
    args = parser.parse_args(argv)
    console = Console()
    started = time.time()
    results = {"machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()}}
    console.print("[bold]realpages[/bold] ...")
    results["realpages"] = (
        realpages_bench.run(smoke=True) if args.smoke else realpages_bench.run(args.data)
    )
    for name, module in (
        ("extraction", extraction_bench),
        ("dedup", dedup_bench),
        ("pipeline", pipeline_bench),
        ("overlap", overlap_bench),
    ):
        console.print(f"[bold]{name}[/bold] ...")
        results[name] = (
            module.run(smoke=args.smoke, data=args.data)
            if module is dedup_bench
            else module.run(smoke=args.smoke)
        )
    for name, module in (("shared_index", shared_bench), ("crawl_memory", crawl_memory)):
        console.print(f"[bold]{name}[/bold] ...")
        results[name] = module.run(smoke=args.smoke)
    console.print("[bold]html views[/bold] ...")
    results["html_views"] = html_views_bench.run(smoke=args.smoke)
    results["seconds"] = round(time.time() - started, 1)
    Path(args.out).write_text(json.dumps(results, indent=1, default=str) + "\n")
    table = Table(title=f"cleanwire benchmarks ({'smoke' if args.smoke else 'full'}; {results['seconds']} s)")
    for column in ("figure", "measured", "target", "met"):
        table.add_column(column)
    for row in _targets(results):
        table.add_row(*row)
    console.print(table)
    console.print(f"all figures in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
