"""Charts as inline SVG, drawn by matplotlib, that render offline.

Text is written as paths (``svg.fonttype: path``): the page needs no font, from the network or
the reader's machine, and a label cannot carry markup (it is outlines, not text). Math-text
parsing is off, so a ``$`` in a label is a dollar sign. No pyplot: a ``Figure`` per chart keeps
no global state between renders.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

# The outcomes' colours, the same in every chart; the good outcomes at the bottom of a stack.
OUTCOME_COLOURS = {
    "extracted": "#2e7d32",
    "duplicate": "#81c784",
    "not-an-article": "#90a4ae",
    "too-short": "#ffb74d",
    "too-large": "#8d6e63",
    "blocked": "#e53935",
    "paywalled": "#8e24aa",
    "empty": "#bdbdbd",
    "error": "#b71c1c",
}
PALETTE = ("#1565c0", "#ef6c00", "#2e7d32", "#c62828", "#6a1b9a", "#00838f", "#5d4037", "#ad1457")

_RC = {
    "svg.fonttype": "path",
    # The same input gives the same bytes: ids are hashed with a fixed salt, no date is written.
    "svg.hashsalt": "cleanwire",
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_PROLOG = re.compile(r"\A.*?(?=<svg\b)", re.DOTALL)


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _svg(fig, label: str) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = _PROLOG.sub("", buffer.getvalue(), count=1)
    # An accessible name for the chart (escaped: it may name a source), and a class the page styles.
    from html import escape

    return svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{escape(label)}" ', 1)


def stacked_bars(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float]],
    title: str,
    ylabel: str,
    colours: Mapping[str, str] | None = None,
) -> str:
    """One bar per category (a run), stacked by series (outcomes), with a legend."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 2.6)
        ax = fig.add_subplot()
        positions = list(range(len(categories)))
        bottom = [0.0] * len(categories)
        for i, (name, values) in enumerate(series.items()):
            colour = (colours or {}).get(name, PALETTE[i % len(PALETTE)])
            ax.bar(positions, values, bottom=bottom, label=name, color=colour, width=0.7)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_xticks(positions, list(categories), rotation=30, ha="right", fontsize=7)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        if series:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return _svg(fig, title)


def lines(
    categories: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    title: str,
    ylabel: str,
    percent: bool = True,
) -> str:
    """One line per series over the categories (runs); a missing value is a gap."""
    import matplotlib
    from matplotlib.ticker import PercentFormatter

    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 2.2)
        ax = fig.add_subplot()
        positions = list(range(len(categories)))
        for i, (name, values) in enumerate(series.items()):
            ys = [float("nan") if v is None else v for v in values]
            ax.plot(positions, ys, marker="o", markersize=3, label=name, color=PALETTE[i % len(PALETTE)])
        ax.set_xticks(positions, list(categories), rotation=30, ha="right", fontsize=7)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.set_ylim(0, 1.05)
        ax.set_ylabel(ylabel)
        ax.set_title(title, loc="left")
        if series:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return _svg(fig, title)


def hbars(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str) -> str:
    """Horizontal bars, largest at the top (rules by text removed, stages by seconds)."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig = _figure(6.4, 0.5 + 0.24 * max(len(labels), 1))
        ax = fig.add_subplot()
        positions = list(range(len(labels)))
        ax.barh(positions, list(values), color=PALETTE[0], height=0.6)
        ax.set_yticks(positions, list(labels), fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left")
        return _svg(fig, title)
