"""The charts' palette and matplotlib style, and their SVG post-processing.

Every chart is one self-contained ``<svg>`` element (no XML prolog, no external references;
element ids prefixed so that several charts can live in one HTML page). Scatter points are
rasterised into a PNG embedded in the SVG (a data: URI), which keeps a 20k-point chart small.
"""

from __future__ import annotations

import io
import itertools
import math
import re

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

# Colour-blind-safe palette (Okabe-Ito)
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
RED = "#D55E00"
PURPLE = "#CC79A7"
SKY = "#56B4E9"
GREY = "#8C8C8C"
LIGHT = "#D9D9D9"

STYLE = {
    "svg.fonttype": "none",  # text stays text: small, selectable, printable
    "svg.hashsalt": "music-performance-intelligence",  # deterministic ids
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # ships with matplotlib: the same metrics everywhere
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "savefig.dpi": 110,
}
_counter = itertools.count(1)
_PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_SIZE = re.compile(r'<svg([^>]*?)\swidth="[^"]*"\s+height="[^"]*"')


def plain(text: object) -> str:
    """Text for a matplotlib label: '$' would start mathtext."""
    return str(text).replace("$", r"\$")


def to_svg(figure: Figure, title: str) -> str:
    """The figure as an inline <svg> element: no prolog or metadata, ids unique in the page,
    width scaling with its container, an accessible title."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    svg = _METADATA.sub("", _PROLOG.sub("", buffer.getvalue(), count=1))
    prefix = f"c{next(_counter)}-"
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda match: f'id="{prefix}{match.group(1)}"', svg)
    for old in sorted(ids, key=len, reverse=True):
        svg = svg.replace(f'href="#{old}"', f'href="#{prefix}{old}"')
        svg = svg.replace(f"url(#{old})", f"url(#{prefix}{old})")
    label = (
        title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    svg = _SIZE.sub(
        lambda match: f'<svg{match.group(1)} class="chart" role="img" aria-label="{label}"',
        svg,
        count=1,
    )
    return svg.replace(">", f"><title>{label}</title>", 1).strip()


def styled(function):
    """Run a chart function inside the report's matplotlib style."""

    def wrapper(*args, **kwargs):
        with plt.rc_context(STYLE):
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def big(value: float, _position: object = None) -> str:
    """1.2B / 345M / 12k axis labels."""
    if value is None or not math.isfinite(value):
        return ""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:g}"


def finite(value: object) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(float(value))
