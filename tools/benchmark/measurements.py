# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmark's state: measured runs, checked targets, rows for the report."""

from __future__ import annotations

import json
import math
import pathlib
import statistics
import tempfile

from .harness import HarnessError, log
from .parameters import BATCH
from .states import apply_state


def median(values):
    return statistics.median(values) if values else None


def minimum_calls(n, batch=BATCH, updates=0):
    calls = {"login": 1, "extension/query": math.ceil(n / batch), "logout": 1}
    if updates:
        calls["extension/update"] = updates
    return calls


class Benchmark:
    def __init__(self, options):
        self.options = options
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="voiceops-pbx-benchmark-"))
        self.rows = []          # scenario 1-3 and 5 rows
        self.inventory_rows = []
        self.lifecycle_rows = []
        self.fleet_rows = []
        self.fleet_inventory_rows = []
        self.memory_rows = []
        self.failures = []
        self.notes = []
        self.saved_baselines = {}
        if options.baseline_from:
            saved = json.loads(pathlib.Path(options.baseline_from).read_text())
            self.saved_baselines = {(row["scenario"], row["n"]): row for row in saved["rows"]
                                    if row.get("baseline_runs") and row["scenario"][0] in "123"}

    # helpers ---------------------------------------------------------------

    def check(self, ok, what):
        if not ok:
            self.failures.append(what)
            log("  TARGET NOT MET: " + what)
        return ok

    def check_calls(self, runs, expected, what):
        """Every run made exactly the expected PBX calls ({} for none)."""
        for run in runs:
            self.check(run.calls == expected, "%s made PBX calls %s, expected %s" % (
                what, json.dumps(run.calls, sort_keys=True), json.dumps(expected, sort_keys=True) if expected else "none"))

    def measured(self, sim, runner, kind, playbook, arguments, state=None, env=None):
        if state is not None:
            apply_state(sim, state)
        sim.reset_counters()
        run = runner.playbook(playbook, *arguments, env=env)
        run.calls = sim.counters()
        run.pbx_seconds = sim.pbx_seconds()
        if run.returncode != 0:
            tail = "\n".join(run.transcript.splitlines()[-25:])
            raise HarnessError("%s run of %s failed (exit %s):\n%s" % (kind, playbook.name, run.returncode, tail))
        log("    %-9s %7.2fs wall %7.2fs cpu  calls %s" % (kind, run.wall, run.cpu, json.dumps(run.calls, sort_keys=True)))
        return run

    # scenarios 1-3 -----------------------------------------------------------
