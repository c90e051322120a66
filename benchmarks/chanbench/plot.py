"""The figure the docs show: throughput ratios to queue.Queue, one row per scenario, one marker per
contender with its range across rounds, and the production implementation's targets.

matplotlib is imported only here, and only when a plot is asked for: the suite runs without it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_STYLES = {  # contender key: (colour, marker)
    "chanspec": ("#d62728", "D"),
    "reference": ("#ff9896", "d"),
    "simplequeue": ("#1f77b4", "o"),
    "janus": ("#9467bd", "v"),
    "culsans": ("#8c564b", "^"),
    "aiologic": ("#e377c2", "<"),
    "pygo": ("#bcbd22", ">"),
    "ferryboat": ("#17becf", "s"),
    "trio": ("#7f7f7f", "P"),
    "lock_floor": ("#2ca02c", "X"),
}


def available() -> bool:
    """Whether matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def draw(document: dict[str, Any], path: Path) -> None:
    """Save the figure for a results document (as written by ``report.to_json``) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [scenario for scenario in document["scenarios"] if scenario["kind"] == "rate"]
    labels: dict[str, str] = document["contenders"]
    keys = [key for key in labels if key != document["baseline"]]
    figure, axes = plt.subplots(figsize=(11, 0.42 * len(rows) + 1.6))
    step = 0.7 / max(1, len(keys))
    seen: set[str] = set()
    for row, scenario in enumerate(reversed(rows)):
        for slot, key in enumerate(keys):
            result = scenario["results"].get(key)
            if result is None or result["ratio"] is None:
                continue
            colour, marker = _STYLES.get(key, ("#000000", "x"))
            y = row + 0.35 - slot * step
            low, high = result["ratio_low"], result["ratio_high"]
            axes.errorbar(
                [result["ratio"]],
                [y],
                xerr=[[result["ratio"] - low], [high - result["ratio"]]],
                fmt=marker,
                color=colour,
                markersize=7 if key == "chanspec" else 5,
                markerfacecolor=colour if not result["stand_in"] else "white",
                elinewidth=1,
                capsize=2,
                label=labels[key] if key not in seen else None,
            )
            seen.add(key)
        if scenario["target"]:
            axes.plot(
                [scenario["target"]],
                [row],
                "|",
                color="black",
                markersize=14,
                mew=2,
                label="target (chanspec)" if "target" not in seen else None,
            )
            seen.add("target")
    axes.axvline(1.0, color="#444444", linewidth=1, linestyle="--")
    axes.set_xscale("log")
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([scenario["title"] for scenario in reversed(rows)])
    axes.set_xlabel("throughput / queue.Queue's in the same round (log scale; bars: range over rounds)")
    meta = document["meta"]
    axes.set_title(
        f"chanspec and peers vs queue.Queue - Python {meta['python']}, {meta['cpus']} CPUs; "
        "hollow marker = stand-in shape",
        fontsize=9,
    )
    axes.grid(axis="x", which="both", alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
