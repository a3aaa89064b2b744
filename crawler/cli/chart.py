"""Articles per day per site as a PNG (matplotlib, no display needed), for people who do not open Datasette."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any


def per_day_chart(rows: Sequence[dict[str, Any]], path: str | Path, title: str = "Articles per day per site") -> None:
    """rows: {day: YYYY-MM-DD, site, articles}, as storage.export.articles_per_day gives them."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display, no GUI toolkit
    # Site names may be Japanese: fall back to a CJK font when one is installed (fonts-ipafont-gothic).
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in ("IPAGothic", "IPAPGothic", "Noto Sans CJK JP") if name in installed]
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", *cjk]
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    series: dict[str, dict[date, int]] = {}
    for r in rows:
        try:
            day = date.fromisoformat(r["day"])
        except (TypeError, ValueError):
            continue  # a published_at that is not a date (never stored so, but not fatal here)
        series.setdefault(r["site"], {})[day] = int(r["articles"])
    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=100)
    try:
        for site in sorted(series):
            points = sorted(series[site].items())
            x = mdates.date2num([d for d, _ in points])
            ax.plot(x, [n for _, n in points], marker="o", markersize=3, label=site)
        ax.set_title(title)
        ax.set_ylabel("articles")
        ax.set_ylim(bottom=0)
        days = sorted({d for points in series.values() for d in points})
        # A short span gets a tick a day (matplotlib's automatic ticks would show hours).
        short = bool(days) and (days[-1] - days[0]).days <= 20
        locator = mdates.DayLocator() if short else mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(True, alpha=0.3)
        if series:
            ax.legend(loc="upper left", fontsize="small")
        fig.tight_layout()
        fig.savefig(str(path), format="png")
    finally:
        plt.close(fig)
