# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenarios 1-3 on one PBX: read every extension, enforce a policy (nothing differs, 10% differ)."""

from __future__ import annotations

import json
import math

from ..harness import HarnessError, Runner, log
from ..measurements import median, minimum_calls
from ..parameters import (
    DIFFERING_EVERY,
    LARGEST_PBX,
    TARGET_ANSIBLE_FLOOR_RATIO,
    TARGET_FLOOR_RATIO,
    TARGET_SPEEDUP,
)
from ..playbooks import (
    ECHO_MODULES,
    RECORD_ENV,
    baseline_enforce,
    baseline_read_all,
    floor_playbook,
    ours_enforce,
    ours_read_all,
    recorded_result,
    recording,
    write_yaml,
)
from ..simulator import Simulator
from ..states import chunked, scenario_states


def run(bench, n):
    options = bench.options
    reps = options.reps_small if n <= 500 else options.reps_large
    with Simulator(bench.work, n) as sim:
        runner = Runner(bench.work, options.collections_path, sim.env())
        states, wanted, records = scenario_states(sim)
        updates = len(wanted[::DIFFERING_EVERY])
        subset = options.baseline_subset or n
        measure_baseline = n in options.baseline_sizes
        base_wanted = wanted[:subset]
        vars_file = bench.work / ("extensions-%d.json" % n)
        vars_file.write_text(json.dumps({"pbx_extensions": wanted}))
        base_vars_file = bench.work / ("extensions-%d-baseline.json" % n)
        base_vars_file.write_text(json.dumps({"pbx_extensions": base_wanted}))
        floor = write_yaml(bench.work / "floor.yml", floor_playbook())
        library = bench.work / "echo-library"
        library.mkdir(exist_ok=True)
        for name, source in ECHO_MODULES.items():
            (library / (name + ".py")).write_text(source)
        echo_pbs = {"1": write_yaml(bench.work / "s1-echo.yml", ours_read_all("voiceops_bench_echo_extension_info", "ansible floor")),
                    "2": write_yaml(bench.work / "s2-echo.yml", ours_enforce("voiceops_bench_echo_extension", "ansible floor"))}
        echo_pbs["3"] = echo_pbs["2"]
        recorders = {"1": write_yaml(bench.work / "s1-record.yml", recording(ours_read_all(), "pbx_info")),
                     "2": write_yaml(bench.work / "s2-record.yml", recording(ours_enforce(), "pbx_applied"))}
        recorders["3"] = recorders["2"]
        scenarios = [
            ("1 read every extension's full settings", write_yaml(bench.work / "s1-ours.yml", ours_read_all()),
             write_yaml(bench.work / "s1-base.yml", baseline_read_all(sim)), [], states["compliant"],
             {"login": 1, "extension/query": 1, "logout": 1},
             lambda k: {"login": 1, "extensionlist/query": 1, "extension/query": k, "logout": 1}),
            ("2 enforce settings, nothing differs", write_yaml(bench.work / "s2-ours.yml", ours_enforce()),
             write_yaml(bench.work / "s2-base.yml", baseline_enforce(sim)), ["-e", "@" + str(vars_file)],
             states["compliant"], minimum_calls(n),
             lambda k: {"login": 1, "extension/query": k, "logout": 1}),
            ("3 enforce settings, 10% differ", bench.work / "s2-ours.yml", bench.work / "s2-base.yml",
             ["-e", "@" + str(vars_file)], states["differing"], minimum_calls(n, updates=updates),
             lambda k: dict({"login": 1, "extension/query": k, "logout": 1},
                            **{"extension/update": math.ceil(k / DIFFERING_EVERY)})),
        ]
        for title, ours_pb, base_pb, arguments, state, expected, base_expected in scenarios:
            reused = bench.saved_baselines.get((title, n))
            measure_baseline = n in options.baseline_sizes and not reused
            log("  scenario %s, N=%d (%d repetitions, baseline %s)" % (
                title, n, reps, ("%d items x %d" % (subset, options.baseline_reps)) if measure_baseline
                else "from %s" % options.baseline_from if reused else "extrapolated"))
            record, echo_env = record_result(bench, sim, runner, title, recorders[title[0]], arguments, state)
            base_arguments = [arg.replace(str(vars_file), str(base_vars_file)) for arg in arguments]
            trim = subset < n and title.startswith("1")   # the uri loop reads every extension of the PBX
            # smoke: the recording run, whose first task is ours', is the run of ours whose calls are checked
            runs = {"floor": [], "echo": [], "ours": [record] if options.smoke else [], "baseline": []}
            for rep in range(reps):
                order = ["floor", "echo", "ours", "baseline"] if rep % 2 == 0 else ["baseline", "ours", "echo", "floor"]
                for kind in order:
                    if kind == "floor":
                        if not options.smoke:
                            runs[kind].append(bench.measured(sim, runner, kind, floor, arguments))
                    elif kind == "echo":
                        runs[kind].append(bench.measured(sim, runner, "ans.floor", echo_pbs[title[0]], arguments, env=echo_env))
                    elif kind == "ours":
                        if not options.smoke:
                            runs[kind].append(bench.measured(sim, runner, kind, ours_pb, arguments, state))
                    elif measure_baseline and rep < options.baseline_reps:
                        base_state = state
                        if trim:
                            chunked(sim, "delete", [record["extnumber"] for record in records[subset:]])
                            base_state = {record["extnumber"]: state[record["extnumber"]] for record in records[:subset]}
                        try:
                            runs[kind].append(bench.measured(sim, runner, kind, base_pb, base_arguments, base_state))
                        finally:
                            if trim:
                                chunked(sim, "add", records[subset:])
            bench.check_calls(runs["ours"], expected, "scenario %s N=%d: ours (the minimum)" % (title, n))
            bench.check_calls(runs["echo"], {}, "scenario %s N=%d: the Ansible floor (echo module)" % (title, n))
            bench.check_calls(runs["baseline"], base_expected(subset), "scenario %s N=%d: the baseline" % (title, n))
            bench.rows.append(row(bench, title, n, runs, subset, measure_baseline, expected, base_expected(n), reused))


def record_result(bench, sim, runner, title, playbook, arguments, state):
    """Runs ours once more with a task that shows its registered result; returns that run and the
    environment of the Ansible floor runs, which names the file that holds the result for the echo module."""
    run = bench.measured(sim, runner, "record", playbook, arguments, state, env=RECORD_ENV)
    result = recorded_result(run.output)
    if ("extensions" if title.startswith("1") else "results") not in result:
        raise HarnessError("the recorded result of scenario %s holds no result list: %s" % (title, sorted(result)))
    echo_file = bench.work / ("echo-s%s.json" % title[0])
    echo_file.write_text(json.dumps(result))
    return run, {"ANSIBLE_LIBRARY": str(bench.work / "echo-library"), "VOICEOPS_BENCH_RESULT": str(echo_file)}


def row(bench, title, n, runs, subset, measured, expected, base_expected, reused=None):
    floor = median([run.wall for run in runs["floor"]])
    ours = median([run.wall for run in runs["ours"]])
    row = {"scenario": title, "n": n, "floor": floor, "ours": ours,
           "ours_cpu": median([run.cpu for run in runs["ours"]]),
           "ours_pbx_seconds": median([run.pbx_seconds for run in runs["ours"]]),
           "floor_cpu": median([run.cpu for run in runs["floor"]]),
           "ours_runs": [round(run.wall, 2) for run in runs["ours"]],
           "floor_runs": [round(run.wall, 2) for run in runs["floor"]],
           "ours_calls": runs["ours"][-1].calls, "expected_calls": expected,
           "baseline_calls": base_expected, "baseline_note": ""}
    ansible_floor = median([run.wall for run in runs["echo"]])
    row.update(ansible_floor=ansible_floor, ansible_floor_cpu=median([run.cpu for run in runs["echo"]]),
               ansible_floor_runs=[round(run.wall, 2) for run in runs["echo"]],
               ansible_floor_calls=runs["echo"][-1].calls if runs["echo"] else None,
               vs_ansible_floor=ours / ansible_floor if ansible_floor else None)
    if reused:
        row["baseline"] = reused["baseline"]
        row["baseline_runs"] = reused["baseline_runs"]
        row["baseline_note"] = "measured in an earlier run: --baseline-from"
    elif measured and runs["baseline"]:
        base = median([run.wall for run in runs["baseline"]])
        row["baseline_runs"] = [round(run.wall, 2) for run in runs["baseline"]]
        if floor is None:
            row["baseline"] = None
            row["baseline_note"] = "%.1f s for %d items, not extrapolated without a floor" % (base, subset)
        elif subset < n:
            per_item = (base - floor) / subset
            row["baseline"] = floor + per_item * n
            row["baseline_note"] = "extrapolated from %d items" % subset
        else:
            row["baseline"] = base
    else:
        per_item = baseline_per_item(bench, title)
        row["baseline"] = (floor or 0) + per_item * n if per_item is not None else None
        row["baseline_note"] = "extrapolated" if per_item is not None else "not measured"
    row["speedup"] = row["baseline"] / ours if row["baseline"] else None
    row["vs_floor"] = ours / floor if floor else None
    smoke = bench.options.smoke
    if not smoke and n <= LARGEST_PBX:
        bench.check(row["vs_floor"] <= TARGET_FLOOR_RATIO, "scenario %s N=%d: ours %.2fs is %.2fx the floor %.2fs (target <= %.1fx)"
                    % (title, n, ours, row["vs_floor"], floor, TARGET_FLOOR_RATIO))
        if row["speedup"] is not None:
            bench.check(row["speedup"] >= TARGET_SPEEDUP, "scenario %s N=%d: %.0fx faster than the uri baseline (target >= %dx)"
                        % (title, n, row["speedup"], TARGET_SPEEDUP))
    elif not smoke and row["vs_ansible_floor"] is not None:
        bench.check(row["vs_ansible_floor"] <= TARGET_ANSIBLE_FLOOR_RATIO, "scenario %s N=%d: ours %.2fs is %.2fx the Ansible floor"
                    " %.2fs (target <= %.2fx)" % (title, n, ours, row["vs_ansible_floor"], ansible_floor, TARGET_ANSIBLE_FLOOR_RATIO))
    return row


def baseline_per_item(bench, title):
    """Seconds per extension of the baseline, from the largest size where it was measured."""
    measured = [row for row in bench.rows if row["scenario"] == title and row.get("baseline_runs")]
    if not measured:
        return None
    row = max(measured, key=lambda item: item["n"])
    return (row["baseline"] - (row["floor"] or 0)) / row["n"]


def extrapolate_earlier_sizes(bench):
    """Baselines of sizes measured before any size where the uri loop ran (such as N=100 before N=500),
    extrapolated once the run is over, as the later sizes are."""
    for row in bench.rows:
        if row["scenario"][0] in "123" and row.get("baseline") is None and row.get("baseline_note") == "not measured":
            per_item = baseline_per_item(bench, row["scenario"])
            if per_item is not None:
                row["baseline"] = (row["floor"] or 0) + per_item * row["n"]
                row["baseline_note"] = "extrapolated"
                row["speedup"] = row["baseline"] / row["ours"]
