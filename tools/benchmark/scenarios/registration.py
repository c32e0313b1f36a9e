# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenario 5: sip_register_status, once and waiting for phones to register."""

from __future__ import annotations

import json
import math

from ..harness import Runner, log
from ..measurements import median
from ..parameters import BATCH, WAIT_PENDING, WAIT_ROUNDS
from ..playbooks import baseline_register_status, floor_playbook, ours_register_status, write_yaml
from ..simulator import Simulator


def run(bench, n):
    options = bench.options
    reps = options.reps_large
    with Simulator(bench.work, n) as sim:
        runner = Runner(bench.work, options.collections_path, sim.env())
        numbers = [record["extnumber"] for record in sim.pbx("GET", "extensions")]
        vars_file = bench.work / ("numbers-%d.json" % n)
        vars_file.write_text(json.dumps({"pbx_numbers": numbers}))
        arguments = ["-e", "@" + str(vars_file)]
        pending = numbers[::max(1, n // WAIT_PENDING)][:WAIT_PENDING]
        floor = write_yaml(bench.work / "floor.yml", floor_playbook())

        def registered_but_pending(wait):
            # replace drops what earlier runs scheduled; the same numbers do not count as added
            body = {"replace": [{"extnumber": number, "registered": number not in pending or not wait}
                                for number in numbers]}
            if wait:
                body["schedule"] = [{"extnumber": number, "on_query": WAIT_ROUNDS, "registered": True} for number in pending]
            sim.outbound("POST", "registrations", body)

        for wait in (False, True):
            title = "5 sip_register_status, wait %d rounds" % WAIT_ROUNDS if wait else "5 sip_register_status"
            rounds = WAIT_ROUNDS if wait else 1
            expected = {"App.Sip_Auth.Login": 1, "App.Sip_Auth.Logout": 1, "App.Sip_Status.GetSipRegisterStatus":
                        math.ceil(n / BATCH) + (rounds - 1) * math.ceil(len(pending) / BATCH)}
            log("  scenario %s, N=%d (%d repetitions)" % (title, n, reps))
            ours_pb = write_yaml(bench.work / ("s5-ours-%s.yml" % wait), ours_register_status(wait))
            base_pb = write_yaml(bench.work / ("s5-base-%s.yml" % wait), baseline_register_status(sim, wait))
            runs = {"floor": [], "ours": [], "baseline": []}
            for rep in range(reps):
                order = ["floor", "ours", "baseline"] if rep % 2 == 0 else ["baseline", "ours", "floor"]
                for kind in order:
                    if kind == "floor" and options.smoke:
                        continue
                    registered_but_pending(wait)
                    playbook = {"floor": floor, "ours": ours_pb, "baseline": base_pb}[kind]
                    run = bench.measured(sim, runner, kind, playbook, arguments)
                    runs[kind].append(run)
                    if kind == "ours":
                        bench.check(run.calls == expected, "scenario %s N=%d: calls %s, the minimum for %d round(s) is %s" % (
                            title, n, json.dumps(run.calls, sort_keys=True), rounds, json.dumps(expected, sort_keys=True)))
            row = {"scenario": title, "n": n, "floor": median([run.wall for run in runs["floor"]]),
                   "ours": median([run.wall for run in runs["ours"]]),
                   "baseline": median([run.wall for run in runs["baseline"]]),
                   "ours_cpu": median([run.cpu for run in runs["ours"]]),
                   "ours_pbx_seconds": median([run.pbx_seconds for run in runs["ours"]]),
                   "floor_cpu": median([run.cpu for run in runs["floor"]]),
                   "ours_runs": [round(run.wall, 2) for run in runs["ours"]],
                   "floor_runs": [round(run.wall, 2) for run in runs["floor"]],
                   "baseline_runs": [round(run.wall, 2) for run in runs["baseline"]],
                   "ours_calls": runs["ours"][-1].calls, "expected_calls": expected,
                   "baseline_calls": runs["baseline"][-1].calls,
                   "baseline_note": "one uri call with every number" + (", until registered (delay 1 s)" if wait else ""),
                   "rounds": rounds}
            row["speedup"] = row["baseline"] / row["ours"]
            row["vs_floor"] = row["ours"] / row["floor"] if row["floor"] else None
            bench.rows.append(row)
