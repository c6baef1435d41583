"""Charts as inline PNG images with real alt text (self-contained, no external files)."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from .html import Html, esc  # noqa: E402
from .numbers_da import number_da  # noqa: E402

PALETTE = ["#1f4e79", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#2c3e50", "#16a085", "#7f8c8d"]


def danish_axis(ax, decimals: int = 1, suffix: str = "") -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: number_da(v, decimals) + suffix))


def figure_html(fig, alt: str, caption: str) -> Html:
    """The figure as a <figure> with an inline PNG, ``alt`` text and a caption; closes it."""
    buffer = io.BytesIO()
    # Fixed margins instead of bbox_inches="tight", which draws the figure twice (measured 1.7x slower).
    fig.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.14)
    fig.savefig(buffer, format="png", dpi=80, metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Html(f'<figure class="bd-figure"><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
                f"<figcaption>{esc(caption)}</figcaption></figure>")


def line_chart(series: dict, *, title: str, ylabel: str, threshold=None, threshold_label: str = "",
               decimals: int = 1, alt_prefix: str = "Linjediagram") -> Html:
    """Lines (name -> list of (period label, value)) with an optional horizontal threshold."""
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    periods = sorted({p for points in series.values() for p, _ in points})
    position = {p: i for i, p in enumerate(periods)}
    described = []
    for i, (name, points) in enumerate(series.items()):
        points = [(p, v) for p, v in points if v is not None]
        if not points:
            continue
        ax.plot([position[p] for p, _ in points], [v for _, v in points], marker="o", linewidth=1.8,
                color=PALETTE[i % len(PALETTE)], label=name)
        first, last = points[0], points[-1]
        described.append(f"{name} fra {number_da(first[1], decimals)} ({first[0]}) til "
                         f"{number_da(last[1], decimals)} ({last[0]})")
    if threshold is not None:
        ax.axhline(float(threshold), color="#444444", linestyle="--", linewidth=1.2,
                   label=threshold_label or f"Tærskel {number_da(threshold, decimals)}")
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels(periods, rotation=0, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    danish_axis(ax, decimals)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=7, loc="best", frameon=False)
    alt = f"{alt_prefix}: {title}. " + "; ".join(described)
    if threshold is not None:
        alt += f". Tærsklen er {number_da(threshold, decimals)}."
    return figure_html(fig, alt, title)
