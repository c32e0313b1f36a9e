# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line of the benchmark: options, the run, the report and the summary."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shutil
import signal
import sys
import time

from . import __doc__ as DESCRIPTION
from .harness import HarnessError, log
from .measurements import Benchmark
from .parameters import BATCH, FLEET, FLEET_SMOKE, LIFECYCLE, LIFECYCLE_SMOKE, LIFECYCLE_SMOKE_BATCH, REPO_ROOT
from .report import calls_text, fmt, report
from .scenarios import fleet, inventory, lifecycle, registration, single


def run(bench):
    options = bench.options
    started = time.monotonic()
    try:
        for n in options.sizes:
            log("== scenarios 1-3, N=%d" % n)
            single.run(bench, n)
        single.extrapolate_earlier_sizes(bench)
        if options.register_size:
            log("== scenario 5, N=%d" % options.register_size)
            registration.run(bench, options.register_size)
        if options.lifecycle:
            log("== scenario 6, N=%d" % options.lifecycle[0])
            lifecycle.run(bench, *options.lifecycle, options.lifecycle_batch)
        if options.inventory_size:
            log("== scenario 4 and memory, N=%d" % options.inventory_size)
            inventory.run(bench, options.inventory_size)
        if options.fleet:
            log("== scenarios 7 and 8, %d PBXes x %d extensions" % options.fleet)
            fleet.run(bench, *options.fleet)
    finally:
        if not options.keep:
            shutil.rmtree(bench.work, ignore_errors=True)
    bench.elapsed = time.monotonic() - started


def pair(parser, option, text):
    """P,N of a fleet option as two numbers of 1 or more; None for 0 or nothing."""
    if text.strip() in ("", "0"):
        return None
    try:
        numbers = tuple(int(item) for item in text.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != 2 or min(numbers) < 1:
        parser.error("%s takes P,N: two numbers of 1 or more, such as %s" % (option, FLEET))
    return numbers


def parse_args(argv):
    parser = argparse.ArgumentParser(description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true",
                        help="N=50, one repetition, no floor runs, baseline on 3 items, inventory at N=50, scenario 6 at %s with"
                             " batch_size %d; checks call counts only (scenarios 1-3: ours' on the run that records its result"
                             " for the Ansible floor)" % (LIFECYCLE_SMOKE, LIFECYCLE_SMOKE_BATCH))
    parser.add_argument("--sizes", default="500,2000", help="sizes for scenarios 1-3 (default 500,2000)")
    parser.add_argument("--reps-small", type=int, default=5, help="repetitions at N <= 500 (default 5)")
    parser.add_argument("--reps-large", type=int, default=3, help="repetitions at N > 500 and for scenario 5 (default 3)")
    parser.add_argument("--reps-inventory", type=int, default=5, help="repetitions of scenario 4 (default 5)")
    parser.add_argument("--baseline-reps", type=int, default=3, help="baseline repetitions per scenario (default 3)")
    parser.add_argument("--baseline-sizes", default="500",
                        help="sizes where the baseline is measured; elsewhere it is extrapolated (default 500)")
    parser.add_argument("--baseline-from", metavar="JSON",
                        help="take the uri baseline of scenarios 1-3 from the raw results (--json) of an earlier run"
                             " instead of measuring it again (it takes most of the run's time)")
    parser.add_argument("--baseline-subset", type=int, default=0,
                        help="measure the baseline on this many items only and extrapolate (default: all)")
    parser.add_argument("--inventory-size", type=int, default=500, help="N of scenario 4 and of the memory check (default 500, the largest PBX; 0: skip)")
    parser.add_argument("--register-size", type=int, default=2000, help="N of scenario 5 (0: skip)")
    parser.add_argument("--lifecycle", default=LIFECYCLE, metavar="N,C,M",
                        help="scenario 6: N existing extensions, C created, M deleted (default %s, smoke %s; 0: skip)"
                             % (LIFECYCLE, LIFECYCLE_SMOKE))
    parser.add_argument("--lifecycle-batch", type=int, metavar="B",
                        help="batch_size of scenario 6 (default %d, smoke %d)" % (BATCH, LIFECYCLE_SMOKE_BATCH))
    parser.add_argument("--fleet", default=FLEET, metavar="P,N",
                        help="scenarios 7 and 8: a fleet of P PBXes of N extensions each (default %s, smoke %s; 0: skip)"
                             % (FLEET, FLEET_SMOKE))
    parser.add_argument("--fleet-forks", type=int, default=10, help="--forks of the fleet playbook (default 10)")
    parser.add_argument("--fleet-workers", type=int, default=10, help="max_workers of the fleet inventory (default 10)")
    parser.add_argument("--fleet-latency", type=float, default=0.05, metavar="SECONDS",
                        help="scenario 8, parallel against one after another: each PBX answers each call after SECONDS, a"
                             " round trip across a WAN (default 0.05)")
    parser.add_argument("--reps-fleet", type=int, default=3, help="repetitions of scenarios 7 and 8 (default 3)")
    parser.add_argument("--output", default=str(REPO_ROOT / "docs" / "performance.md"),
                        help="where to write the report (default docs/performance.md; '-' for none)")
    parser.add_argument("--json", help="also write the raw results here")
    parser.add_argument("--report-from", metavar="JSON",
                        help="write the report from the raw results of an earlier run (--json), without measuring")
    parser.add_argument("--collections-path", default=os.environ.get("ANSIBLE_COLLECTIONS_PATH"),
                        help="directory holding ansible_collections/voiceops/pbx (default: $ANSIBLE_COLLECTIONS_PATH)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (playbooks, logs)")
    options = parser.parse_args(argv)
    if options.smoke:
        options.sizes = "50"
        options.reps_small = options.reps_large = options.reps_inventory = options.baseline_reps = 1
        options.baseline_sizes = "50"
        options.baseline_subset = options.baseline_subset or 3
        options.inventory_size = 50 if options.inventory_size else 0
        options.register_size = 50 if options.register_size else 0
        if options.lifecycle == LIFECYCLE:
            options.lifecycle = LIFECYCLE_SMOKE
        if options.lifecycle_batch is None:
            options.lifecycle_batch = LIFECYCLE_SMOKE_BATCH
        if options.fleet == FLEET:
            options.fleet = FLEET_SMOKE
        options.reps_fleet = 1
        if options.output == str(REPO_ROOT / "docs" / "performance.md"):
            options.output = "-"
    options.sizes = [int(item) for item in options.sizes.split(",") if item.strip()]
    options.baseline_sizes = {int(item) for item in options.baseline_sizes.split(",") if item.strip()}
    if options.lifecycle.strip() in ("", "0"):
        options.lifecycle = None
    else:
        try:
            options.lifecycle = tuple(int(item) for item in options.lifecycle.split(","))
        except ValueError:
            options.lifecycle = ()
        if len(options.lifecycle) != 3 or min(options.lifecycle) < 1:
            parser.error("--lifecycle takes N,C,M: three numbers of 1 or more, such as %s" % LIFECYCLE)
    if options.lifecycle_batch is None:
        options.lifecycle_batch = BATCH
    elif options.lifecycle_batch < 1:
        parser.error("--lifecycle-batch must be 1 or more")
    options.fleet = pair(parser, "--fleet", options.fleet)
    if options.report_from:
        return options
    if not options.collections_path:
        parser.error("set ANSIBLE_COLLECTIONS_PATH or --collections-path (tools/benchmark.sh does)")
    if not (pathlib.Path(options.collections_path) / "ansible_collections" / "voiceops" / "pbx").is_dir():
        parser.error("%s holds no ansible_collections/voiceops/pbx" % options.collections_path)
    return options


def main(argv=None):
    # TERM and INT end the run through the finally blocks, which stop the simulator
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    options = parse_args(sys.argv[1:] if argv is None else argv)
    command = "tools/benchmark " + " ".join(sys.argv[1:] if argv is None else argv)
    if options.report_from:
        saved = json.loads(pathlib.Path(options.report_from).read_text())
        bench = Benchmark.__new__(Benchmark)
        bench.options = options
        bench.rows, bench.inventory_rows, bench.failures = saved["rows"], saved["inventory"], saved["failures"]
        bench.lifecycle_rows = saved.get("lifecycle", [])
        bench.fleet_rows, bench.fleet_inventory_rows = saved.get("fleet", []), saved.get("fleet_inventory", [])
        bench.memory_rows = [tuple(row) + (True,) * (4 - len(row)) for row in saved["memory"]]
        bench.elapsed = saved.get("elapsed", 0)
        bench.load = saved.get("load")
        bench.load_start = saved.get("load_start")
        bench.notes = saved.get("notes", [])
        command = saved.get("command", command)
        single.extrapolate_earlier_sizes(bench)
    else:
        bench = Benchmark(options)
        bench.load_start = " ".join("%.1f" % value for value in os.getloadavg())
        try:
            run(bench)
        except HarnessError as err:
            print("benchmark: error: %s" % err, file=sys.stderr)
            return 2
        bench.load = " ".join("%.1f" % value for value in os.getloadavg())
    text = report(bench, command.strip())
    if options.output != "-":
        pathlib.Path(options.output).write_text(text)
        log("report written to %s" % options.output)
    if options.json:
        pathlib.Path(options.json).write_text(json.dumps(
            {"rows": bench.rows, "inventory": bench.inventory_rows, "lifecycle": bench.lifecycle_rows, "memory": bench.memory_rows,
             "fleet": bench.fleet_rows, "fleet_inventory": bench.fleet_inventory_rows,
             "failures": bench.failures, "elapsed": bench.elapsed, "load": bench.load,
             "load_start": bench.load_start, "command": command.strip(),
             "date": datetime.date.today().isoformat()},
            indent=1, default=str))
    log("")
    for row in bench.rows:
        log("%-42s N=%-5d ours %6.2fs  floor %s  baseline %s  ours/floor %s  baseline/ours %s%s" % (
            row["scenario"], row["n"], row["ours"], fmt(row["floor"], 2, "s"), fmt(row["baseline"], 1, "s"), fmt(row["vs_floor"], 2, "x"),
            fmt(row.get("speedup"), 0, "x"), "  Ansible floor %s  ours/Ansible floor %s" % (
                fmt(row.get("ansible_floor"), 2, "s"), fmt(row.get("vs_ansible_floor"), 2, "x")) if "ansible_floor" in row else ""))
    for row in bench.inventory_rows:
        log("4 inventory %-30s N=%-5d static %.2fs cold %.2fs (%.2fx) cached %.2fs (%.2fx)" % (
            row["label"], row["n"], row["static"], row["cold"], row["cold_ratio"], row["cached"], row["cached_ratio"]))
    for row in bench.lifecycle_rows:
        log("%-42s N=%-5d create %d, delete %d, batch_size %d: first run %.2fs, second run %.2fs, floor %s; calls first run %s;"
            " second run %s" % (row["scenario"], row["n"], row["creates"], row["deletes"], row["batch"], row["first"], row["second"],
                                fmt(row["floor"], 2, "s"), calls_text(row["first_calls"]), calls_text(row["second_calls"])))
    for label, n, peak, _checked in bench.memory_rows:
        log("memory %-72s N=%-5d %.0f MB" % (label, n, peak))
    if options.smoke:
        log("smoke size: PBX call counts checked exactly; timing and memory targets NOT checked (too noisy at N=50)")
    if bench.failures:
        log("benchmark: %d target(s) not met:" % len(bench.failures))
        for failure in bench.failures:
            log("  - " + failure)
        return 1
    log("benchmark: every checked target met (%.0f s)" % bench.elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
