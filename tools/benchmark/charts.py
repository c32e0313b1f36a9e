# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The charts of docs/performance.md: PNG images drawn with matplotlib, written beside the page.

matplotlib is needed by `make benchmark` only (tests/requirements-benchmark.txt, installed by
tools/benchmark.sh): it is imported inside the functions that draw, so that the smoke run and
`--output -` never need it.
"""

from __future__ import annotations

import pathlib

from .harness import log
from .parameters import TARGET_FLEET_FLOOR_RATIO

SINGLE_PBX = "single-pbx.png"
FLEET = "fleet.png"
INVENTORY = "inventory.png"

# One colour per kind of run, the same in every chart.
COLOURS = {"ours": "#1f77b4", "baseline": "#d62728", "floor": "#7f7f7f", "ansible_floor": "#ff7f0e",
           "static": "#7f7f7f", "cold": "#1f77b4", "cached": "#2ca02c", "serial": "#9467bd"}
SCENARIO_PANELS = ("1", "2", "3")
SECONDS_TICKS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)


def chart_directory(report_path):
    """Where the images of the report at report_path go: performance/ beside it."""
    return pathlib.Path(report_path).resolve().parent / "performance"


def write_charts(bench, directory):
    """Draws every chart whose rows exist into directory; returns {file name: alt text} of those written.

    A chart whose rows are absent is skipped, and an image of it left by an earlier run is removed,
    so that the directory holds the charts of this report only.
    """
    try:
        pyplot = load_pyplot()
    except ImportError:
        log("charts: matplotlib is not installed (pip install -r tests/requirements-benchmark.txt): no charts")
        return {}
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    drawers = (
        (SINGLE_PBX, single_pbx_rows(bench.rows), draw_single_pbx,
         "Wall time against the number of extensions, scenarios 1-3: ours, the uri loop, the ping floor and the Ansible floor"),
        (FLEET, getattr(bench, "fleet_rows", None) or [], draw_fleet,
         "The fleet policy playbook against the ping floor on the same PBXes"),
        (INVENTORY, getattr(bench, "fleet_inventory_rows", None) or [], draw_inventory,
         "The fleet inventory: static, plugin cold and cached, and the PBXes read in parallel or one after another"),
    )
    written = {}
    for name, rows, draw, alt in drawers:
        path = directory / name
        if not rows:
            path.unlink(missing_ok=True)
            continue
        figure = draw(pyplot, rows)
        figure.savefig(path, dpi=100, metadata={"Software": None})
        pyplot.close(figure)
        log("chart written to %s" % path)
        written[name] = alt
    return written


def load_pyplot():
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot
    return pyplot


def single_pbx_rows(rows):
    return [row for row in rows if row["scenario"].startswith(SCENARIO_PANELS) and row.get("ours") is not None]


def is_extrapolated(row):
    return "extrapolated" in (row.get("baseline_note") or "")


def draw_single_pbx(pyplot, rows):
    scenarios = sorted({row["scenario"] for row in rows}, key=lambda name: name.split(" ", 1)[0])
    figure, axes = pyplot.subplots(1, len(scenarios), figsize=(5 * len(scenarios), 4.6), sharey=True, squeeze=False)
    for ax, scenario in zip(axes[0], scenarios):
        series = sorted((row for row in rows if row["scenario"] == scenario), key=lambda row: row["n"])
        plot_series(ax, series, "ours", "ours (voiceops.pbx)", "o-")
        plot_baseline(ax, series)
        plot_series(ax, series, "ansible_floor", "Ansible floor", "^:")
        plot_series(ax, series, "floor", "ping floor", "s--")
        label_points(ax, series, "ours", COLOURS["ours"], (0, 7))
        label_points(ax, series, "baseline", COLOURS["baseline"], (0, -16))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks([row["n"] for row in series])
        ax.set_xticklabels([str(row["n"]) for row in series])
        ax.set_xlim(min(row["n"] for row in series) / 1.5, max(row["n"] for row in series) * 1.5)
        ax.set_yticks(SECONDS_TICKS)
        ax.set_yticklabels([str(value) for value in SECONDS_TICKS])
        ax.minorticks_off()
        ax.set_title("scenario " + scenario, fontsize=10)
        ax.set_xlabel("extensions (N)")
        ax.grid(True, which="major", alpha=0.3)
    axes[0][0].set_ylabel("wall time, median (s, log scale)")
    axes[0][-1].legend(fontsize=8, loc="center right")
    figure.suptitle("One PBX: wall time against N")
    figure.tight_layout()
    return figure


def label_points(ax, series, key, colour, offset):
    for row in series:
        if row.get(key):
            ax.annotate(seconds_text(row[key]), (row["n"], row[key]), xytext=offset, textcoords="offset points",
                        ha="center", fontsize=7, color=colour)


def seconds_text(value):
    return "%.0f s" % value if value >= 100 else "%.2f s" % value


def plot_series(ax, series, key, label, style):
    points = [(row["n"], row[key]) for row in series if row.get(key)]
    if points:
        ax.plot(*zip(*points), style, color=COLOURS[key], label=label)


def plot_baseline(ax, series):
    """The uri loop: measured points filled, extrapolated points hollow on a dashed line."""
    points = [(row["n"], row["baseline"], is_extrapolated(row)) for row in series if row.get("baseline")]
    if not points:
        return
    ax.plot([point[0] for point in points], [point[1] for point in points], "-", color=COLOURS["baseline"], alpha=0.4)
    measured = [(n, value) for n, value, extrapolated in points if not extrapolated]
    extrapolated = [(n, value) for n, value, guessed in points if guessed]
    if measured:
        ax.plot(*zip(*measured), "D", color=COLOURS["baseline"], label="uri loop (baseline), measured")
    if extrapolated:
        ax.plot(*zip(*extrapolated), "D", markerfacecolor="white", color=COLOURS["baseline"],
                label="uri loop (baseline), extrapolated")


def fleet_label(row):
    return "%d PBXes x %d extensions\nforks %s, %s updated" % (
        row.get("pbxes", 0), row.get("n", 0), row.get("forks", "?"), row.get("updated", "?"))


def draw_fleet(pyplot, rows, target_ratio=TARGET_FLEET_FLOOR_RATIO):
    figure, ax = pyplot.subplots(figsize=(4 + 3 * len(rows), 4.6))
    width = 0.35
    positions = range(len(rows))
    for offset, key, label in ((-width / 2, "ours", "ours (fleet policy playbook)"), (width / 2, "floor", "ping floor")):
        values = [row.get(key) or 0 for row in rows]
        bars = ax.bar([x + offset for x in positions], values, width, color=COLOURS[key], label=label)
        ax.bar_label(bars, labels=["%.2f s" % value for value in values], label_type="center", color="white", fontsize=9)
    for x, row in zip(positions, rows):
        if row.get("vs_floor"):
            ax.annotate("ours / floor %.2fx" % row["vs_floor"], (x, 0), xytext=(0, -30), textcoords="offset points",
                        ha="center", va="top", fontsize=8, annotation_clip=False)
    for x, row in zip(positions, rows):
        if row.get("floor"):
            ax.hlines(row["floor"] * target_ratio, x - width, x + width, colors="black", linestyles="dashed",
                      label="target: %.1fx the ping floor" % target_ratio if x == 0 else None)
    ax.set_xticks(list(positions))
    ax.set_xticklabels([fleet_label(row) for row in rows], fontsize=8)
    ax.set_xlim(-0.8, len(rows) - 0.2)
    ax.set_ylabel("wall time, median (s)")
    ax.set_title("Fleet: one playbook on every PBX against the ping floor")
    ax.margins(y=0.35)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    figure.tight_layout()
    return figure


def inventory_label(row):
    options = "details: true" if row.get("label") == "details" else "defaults"
    return "%s\n%s hosts from %s PBXes" % (options, thousands(row.get("hosts")), row.get("pbxes", "?"))


def thousands(count):
    return "?" if count is None else "{:,}".format(count)


def draw_inventory(pyplot, rows):
    parallel = [row for row in rows if row.get("serial_cold")]
    figure, axes = pyplot.subplots(1, 2 if parallel else 1, figsize=(11 if parallel else 6, 4.6), squeeze=False)
    grouped_bars(axes[0][0], rows, (("static", "static inventory"), ("cold", "plugin, cold"), ("cached", "plugin, cached")))
    axes[0][0].set_title("ansible-inventory --list: static against the plugin", fontsize=10)
    if parallel:
        workers = sorted({row.get("max_workers") for row in parallel if row.get("max_workers")})
        grouped_bars(axes[0][1], parallel, (
            ("serial_cold", "one after another (max_workers: 1)", COLOURS["serial"]),
            ("parallel_cold" if parallel[0].get("parallel_cold") is not None else "cold",
             "in parallel (max_workers: %s)" % ", ".join(str(value) for value in workers), COLOURS["cold"])))
        latency = parallel[0].get("latency")
        axes[0][1].set_title("plugin, cold: the PBXes read in parallel or one after another%s" % (
            "\n(each PBX answers each call after %.0f ms)" % (latency * 1000) if latency else ""), fontsize=10)
        for x, row in enumerate(parallel):
            if row.get("parallel_speedup"):
                axes[0][1].annotate("%.2fx faster in parallel" % row["parallel_speedup"], (x, 0), xytext=(0, -42),
                                    textcoords="offset points", ha="center", va="top", fontsize=8, annotation_clip=False)
    figure.suptitle("Fleet inventory: one source naming every PBX")
    figure.tight_layout()
    return figure


def grouped_bars(ax, rows, kinds):
    width = 0.8 / len(kinds)
    for index, kind in enumerate(kinds):
        key, label = kind[0], kind[1]
        colour = kind[2] if len(kind) > 2 else COLOURS[key]
        values = [row.get(key) or 0 for row in rows]
        offset = (index - (len(kinds) - 1) / 2) * width
        bars = ax.bar([x + offset for x in range(len(rows))], values, width, color=colour, label=label)
        ax.bar_label(bars, labels=["%.1f s" % value for value in values], fontsize=8)
    ax.set_xticks(list(range(len(rows))))
    ax.set_xticklabels([inventory_label(row) for row in rows], fontsize=8)
    ax.set_ylabel("wall time, median (s)")
    ax.margins(y=0.15)
    ax.legend(fontsize=8, loc="upper left")
