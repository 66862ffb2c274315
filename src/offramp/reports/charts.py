"""Charts for the Local Profile: SVG pictures drawn with matplotlib from each table's chart spec.

Every chart comes with alt text and is shown beside its table, which holds the same figures:
the table is the accessible version. Suppressed cells ("[c]") are left out of the picture.
Drawn on `Figure` objects directly (no pyplot state), so pages can draw them concurrently.
"""

import base64
import io
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display; must be chosen before anything imports pyplot

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offramp.analysis.disclosure import TOTAL_LABEL
from offramp.analysis.profile import Table

# Colours that stay distinct for the common colour-vision deficiencies, dark enough on white.
PALETTE = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#505a5f")
KIND_WORDS = {"bar": "Bar chart", "line": "Line chart", "step": "Survival curve"}
MAX_BARS = 30  # beyond this a bar chart is unreadable; the table carries the rest
LABEL_WIDTH = 30  # characters a line of a bar's label, wrapped onto up to LABEL_LINES lines
LABEL_LINES = 3


@dataclass(frozen=True)
class ChartPicture:
    svg: bytes
    alt: str

    @property
    def data_uri(self) -> str:
        """For an <img>: the page's Content Security Policy allows data: images, not inline
        SVG with style attributes."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce")


def _describe(kind: str, title: str, frame: pd.DataFrame, x: str, ys: list[str]) -> str:
    """Alt text: what the chart is, where its highest point is, and where the figures are."""
    words = [f"{KIND_WORDS[kind]}: {title}."]
    if kind == "bar" and len(ys) == 1:
        values = _numbers(frame, ys[0])
        if values.notna().any():
            top = values.idxmax()
            words.append(f"Highest: {frame.at[top, x]} ({values[top]:g}).")
    else:
        words.append(f"Shows {', '.join(ys)} by {x}.")
    words.append("Suppressed figures are not drawn; the table beside it gives every figure.")
    return " ".join(words)


def _plotted_rows(frame: pd.DataFrame, x: str) -> pd.DataFrame:
    """The rows to draw: not the table's "Total" row, which would dwarf the others."""
    labels = frame[x].astype(str)
    return frame[labels != TOTAL_LABEL].reset_index(drop=True)


def draw_chart(table: Table) -> ChartPicture | None:
    """The table's chart as SVG, or None when it has none or nothing left to draw."""
    chart = table.chart
    if chart.kind not in KIND_WORDS:
        return None
    x, ys = chart.x, [y for y in chart.y if y in table.frame.columns]
    if x is None or x not in table.frame.columns or not ys:
        return None
    frame = _plotted_rows(table.frame, x)
    if chart.kind == "bar":
        frame = frame.head(MAX_BARS)
    values = {y: _numbers(frame, y) for y in ys}
    if not any(series.notna().any() for series in values.values()):
        return None
    # Text stays text (not glyph outlines): half the size, and WeasyPrint draws it twice as fast.
    # The salt makes the SVG's ids, so the files, the same for the same figures.
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "offramp",
            "font.family": "DejaVu Sans",
            "font.size": 9,
        }
    ):
        figure = Figure(figsize=(6.4, _height(chart.kind, frame[x])))
        axes = figure.subplots()
        _plot(axes, chart.kind, frame[x], values)
        axes.spines[["top", "right"]].set_visible(False)
        if len(ys) > 1:
            axes.legend(frameon=False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return ChartPicture(svg=buffer.getvalue(), alt=_describe(chart.kind, chart.title, frame, x, ys))


def _wrapped(label: str) -> str:
    """Long labels (ethnic groups, factor combinations) wrapped, not cut: the ends differ."""
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH, max_lines=LABEL_LINES) or [""])


def _height(kind: str, x: pd.Series) -> float:
    """Inches: a bar chart grows with its bars and their labels' lines."""
    if kind != "bar":
        return 3.6
    lines = sum(_wrapped(str(label)).count("\n") + 1 for label in x)
    return 1.0 + 0.2 * lines + 0.08 * len(x)


def _plot(axes: Axes, kind: str, x: pd.Series, values: dict[str, pd.Series]) -> None:
    if kind == "bar":
        labels = [_wrapped(label) for label in x.astype(str)]
        positions = pd.RangeIndex(len(labels))
        height = 0.8 / len(values)
        for offset, (name, series) in enumerate(values.items()):
            axes.barh(
                [p + offset * height for p in positions],
                series.fillna(0),
                height=height,
                label=name,
                color=PALETTE[offset % len(PALETTE)],
            )
        axes.set_yticks([p + (len(values) - 1) * height / 2 for p in positions], labels)
        axes.invert_yaxis()
        return
    numeric_x = pd.to_numeric(x, errors="coerce")
    along = numeric_x if numeric_x.notna().all() else x.astype(str)
    for offset, (name, series) in enumerate(values.items()):
        colour = PALETTE[offset % len(PALETTE)]
        if kind == "step":
            axes.step(along, series, where="post", label=name, color=colour)
        else:
            axes.plot(along, series, marker="o", label=name, color=colour)
    if not numeric_x.notna().all():
        axes.tick_params(axis="x", labelrotation=45)
