# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenario 6: creating and deleting extensions through API v2.0.0."""

from __future__ import annotations

import json

from ..harness import HarnessError, Runner, log
from ..measurements import median
from ..parameters import LIFECYCLE_TITLE
from ..playbooks import floor_playbook, ours_lifecycle, write_yaml
from ..simulator import Simulator
from ..states import chunked, lifecycle_calls, lifecycle_items


def run(bench, n, creates, deletes, batch):
    """On API v2.0.0, one bulk task that deletes `deletes` of the n extensions and creates `creates` new ones,
    then the same task again; before each repetition the PBX is put back as it started. Calls checked
    exactly (lifecycle_calls); timings are information."""
    options = bench.options
    reps = options.reps_small
    with Simulator(bench.work, n) as sim:
        runner = Runner(bench.work, options.collections_path, sim.env())
        limit = sim.pbx("GET", "settings").get("max_extensions")
        if limit and n + creates > limit:
            raise HarnessError("scenario 6: %d existing + %d created extensions exceed the simulator's max_extensions %d"
                               % (n, creates, limit))
        records = sim.pbx("GET", "extensions")
        if not 0 < deletes <= len(records):
            raise HarnessError("scenario 6: cannot delete %d of %d extensions" % (deletes, len(records)))
        items = lifecycle_items(records, creates, deletes)
        removed = records[:deletes]
        created = [item["extension"] for item in items[deletes:]]
        before = {record["extnumber"] for record in records}
        after = (before - {record["extnumber"] for record in removed}) | set(created)
        expected = {"first": lifecycle_calls(items, before, batch), "second": lifecycle_calls(items, after, batch)}
        vars_file = bench.work / ("lifecycle-%d.json" % n)
        vars_file.write_text(json.dumps({"pbx_lifecycle": items}))
        arguments = ["-e", "@" + str(vars_file)]
        ours_pb = write_yaml(bench.work / "s6-ours.yml", ours_lifecycle(batch))
        floor = write_yaml(bench.work / "floor.yml", floor_playbook())
        log("  scenario %s, N=%d: create %d, delete %d, batch_size %d (%d repetitions); minimum calls: first run %s,"
            " second run %s" % (LIFECYCLE_TITLE, n, creates, deletes, batch, reps,
                                json.dumps(expected["first"], sort_keys=True), json.dumps(expected["second"], sort_keys=True)))
        runs = {"floor": [], "first": [], "second": []}
        for rep in range(reps):
            if rep:   # back to the start: the created extensions gone, the deleted ones there again
                chunked(sim, "delete", created)
                chunked(sim, "add", removed)
            order = ["floor", "first", "second"] if rep % 2 == 0 else ["first", "second", "floor"]
            for kind in order:
                if kind == "floor":
                    if not options.smoke:
                        runs[kind].append(bench.measured(sim, runner, kind, floor, arguments))
                    continue
                run = bench.measured(sim, runner, {"first": "ours 1st", "second": "ours 2nd"}[kind], ours_pb, arguments)
                runs[kind].append(run)
                bench.check(run.calls == expected[kind], "scenario %s N=%d: %s run made PBX calls %s, the minimum is %s" % (
                    LIFECYCLE_TITLE, n, kind, json.dumps(run.calls, sort_keys=True), json.dumps(expected[kind], sort_keys=True)))
                held = {record["extnumber"] for record in sim.pbx("GET", "extensions")}
                bench.check(held == after, "scenario %s N=%d: after the %s run the PBX holds %d extensions, %d missing and %d"
                            " unexpected" % (LIFECYCLE_TITLE, n, kind, len(held), len(after - held), len(held - after)))
        row = {"scenario": LIFECYCLE_TITLE, "n": n, "creates": creates, "deletes": deletes, "batch": batch,
               "floor": median([run.wall for run in runs["floor"]]),
               "floor_cpu": median([run.cpu for run in runs["floor"]]),
               "floor_runs": [round(run.wall, 2) for run in runs["floor"]]}
        for kind in ("first", "second"):
            row.update({kind: median([run.wall for run in runs[kind]]), kind + "_cpu": median([run.cpu for run in runs[kind]]),
                        kind + "_runs": [round(run.wall, 2) for run in runs[kind]], kind + "_calls": runs[kind][-1].calls,
                        kind + "_expected": expected[kind],
                        kind + "_at_minimum": all(run.calls == expected[kind] for run in runs[kind])})
        row["vs_floor"] = row["first"] / row["floor"] if row["floor"] else None
        for kind in ("first", "second"):   # seconds per PBX call above the floor: information
            calls = sum(expected[kind].values())
            row[kind + "_per_call"] = (row[kind] - row["floor"]) / calls if row["floor"] is not None and calls else None
        bench.lifecycle_rows.append(row)
