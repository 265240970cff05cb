"""The demo sites, served for exploring."""

from __future__ import annotations

import argparse

from cleanwire.commands import common
from pipeline.sources import load_sources


def cmd_serve_demo(args: argparse.Namespace) -> int:
    import time

    from cleanwire.demo.run import demo_ports, demo_sites

    sources, _ = load_sources(common.config_dir(args, demo=True))
    with demo_sites(demo_ports(sources)) as bases:
        for name, base in bases.items():
            common.out.print(f"{name}: {base}/")
        common.out.print("Ctrl-C to stop", style="dim")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve-demo", help="serve the demo sites until Ctrl-C")
    p.add_argument("--config")
    p.set_defaults(func=cmd_serve_demo)
