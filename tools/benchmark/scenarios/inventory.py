# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenario 4: the inventory plugin against a static inventory of the same hosts; peak memory."""

from __future__ import annotations

import json
import math
import shutil
import sys

from ..harness import HarnessError, Runner, log
from ..measurements import median
from ..parameters import BATCH, MEMORY_LIMIT_MB, TARGET_INVENTORY_CACHED, TARGET_INVENTORY_COLD
from ..playbooks import ours_enforce, ours_read_all, write_yaml
from ..simulator import Simulator
from ..states import scenario_states


def prepare_cache(kind, cache_dir, runner, source):
    """Before a cold run the plugin's cache is emptied; before a cached run it is filled if it is not."""
    if kind == "cold":
        shutil.rmtree(cache_dir, ignore_errors=True)
    elif kind == "cached" and not cache_dir.exists():
        runner.inventory(source)


def run(bench, n):
    options = bench.options
    reps = options.reps_inventory
    with Simulator(bench.work, n) as sim:
        runner = Runner(bench.work, options.collections_path, sim.env())
        for details in (False, True):
            label = "details" if details else "summary"
            cache_dir = bench.work / ("inventory-cache-%s" % label)
            config = {"plugin": "voiceops.pbx.yeastar", "details": details, "cache": True,
                      "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir),
                      "cache_timeout": 3600}
            source = bench.work / ("%s.yeastar.yml" % label)
            write_yaml(source, config)
            shutil.rmtree(cache_dir, ignore_errors=True)
            first, rss = runner.inventory(source)
            if first.returncode != 0:
                raise HarnessError("ansible-inventory failed:\n" + first.transcript[-3000:])
            static = bench.work / ("static-%s.yml" % label)
            static_size = write_static_inventory(json.loads(first.output), static)
            expected_cold = {"login": 1, "extensionlist/query": 1, "logout": 1}
            if details:
                expected_cold["extension/query"] = math.ceil(n / BATCH)
            log("  scenario 4 ansible-inventory --list, %s, N=%d (%d repetitions; static inventory %d KB)"
                % (label, n, reps, static_size // 1024))
            runs = {"static": [], "cold": [], "cached": []}
            peak = static_peak = 0
            for rep in range(reps):
                order = ["static", "cold", "cached"] if rep % 2 == 0 else ["cached", "cold", "static"]
                for kind in order:
                    prepare_cache(kind, cache_dir, runner, source)
                    sim.reset_counters()
                    run, rss = runner.inventory(static if kind == "static" else source)
                    run.calls = sim.counters()
                    if run.returncode != 0:
                        raise HarnessError("ansible-inventory (%s) failed:\n%s" % (kind, run.transcript[-3000:]))
                    if kind == "cold":
                        peak = max(peak, rss)
                    elif kind == "static":
                        static_peak = max(static_peak, rss)
                    runs[kind].append(run)
                    log("    %-9s %7.2fs wall %7.2fs cpu  calls %s  peak RSS %d MB" % (
                        kind, run.wall, run.cpu, json.dumps(run.calls, sort_keys=True), rss // 1024))
            bench.check_calls(runs["cold"], expected_cold, "scenario 4 (%s) N=%d: a cold run" % (label, n))
            bench.check_calls(runs["cached"], {}, "scenario 4 (%s) N=%d: a cached run" % (label, n))
            row = {"label": label, "n": n, "calls": expected_cold}
            for kind, values in runs.items():
                row[kind] = median([run.wall for run in values])
                row[kind + "_runs"] = [round(run.wall, 2) for run in values]
            row["cold_ratio"] = row["cold"] / row["static"]
            row["cached_ratio"] = row["cached"] / row["static"]
            bench.inventory_rows.append(row)
            bench.memory_rows.append(("ansible-inventory --list, plugin %s, cold" % (
                "with details: true" if details else "with its defaults"), n, peak / 1024, not details))
            bench.memory_rows.append(("ansible-inventory --list, the static inventory of the same %s" % (
                "hosts and settings" if details else "hosts"), n, static_peak / 1024, False))
            if not options.smoke:
                bench.check(row["cold_ratio"] <= TARGET_INVENTORY_COLD, "scenario 4 (%s) N=%d: cold %.2fs is %.2fx the static %.2fs"
                            % (label, n, row["cold"], row["cold_ratio"], row["static"]))
                bench.check(row["cached_ratio"] <= TARGET_INVENTORY_CACHED, "scenario 4 (%s) N=%d: cached %.2fs is %.2fx the static %.2fs"
                            % (label, n, row["cached"], row["cached_ratio"], row["static"]))
                if not details:   # with details, see MEMORY_NOTE: Ansible's own structures dominate
                    bench.check(peak / 1024 < MEMORY_LIMIT_MB, "ansible-inventory (%s) N=%d: peak RSS %.0f MB (limit %d MB)"
                                % (label, n, peak / 1024, MEMORY_LIMIT_MB))
        if not options.smoke:
            module_memory(bench, sim, runner, n)


def module_memory(bench, sim, runner, n):
    """Peak RSS of the module processes, through an interpreter wrapper that waits for the real one."""
    rss_log = bench.work / "module-rss.txt"
    wrapper = bench.work / "python-rss"
    wrapper.write_text(
        "#!%s\nimport os, subprocess, sys\n"
        "child = subprocess.Popen([%r] + sys.argv[1:])\n"
        "_pid, status, usage = os.wait4(child.pid, 0)\n"
        "with open(%r, 'a') as log:\n"
        "    log.write('%%d %%s\\n' %% (usage.ru_maxrss, ' '.join(sys.argv[1:])))\n"
        "sys.exit(os.waitstatus_to_exitcode(status))\n" % (sys.executable, sys.executable, str(rss_log)))
    wrapper.chmod(0o755)
    states, wanted, _records = scenario_states(sim)
    vars_file = bench.work / ("extensions-%d.json" % n)
    vars_file.write_text(json.dumps({"pbx_extensions": wanted}))
    cases = [("yeastar_extension_info details", write_yaml(bench.work / "m1.yml", ours_read_all()), [], states["compliant"]),
             ("yeastar_extension, 10% differ", write_yaml(bench.work / "m3.yml", ours_enforce()),
              ["-e", "@" + str(vars_file)], states["differing"])]
    for label, playbook, arguments, state in cases:
        rss_log.write_text("")
        # an extra var: the implicit localhost's own ansible_python_interpreter beats the environment
        bench.measured(sim, runner, "memory", playbook, arguments + ["-e", "ansible_python_interpreter=%s" % wrapper], state)
        peaks = [int(line.split()[0]) for line in rss_log.read_text().splitlines() if "AnsiballZ_" in line]
        if not peaks:
            raise HarnessError("no module process was recorded by the RSS wrapper")
        peak = max(peaks) / 1024
        log("    module %s: peak RSS %.0f MB" % (label, peak))
        bench.memory_rows.append(("module " + label, n, peak, True))
        bench.check(peak < MEMORY_LIMIT_MB, "module %s N=%d: peak RSS %.0f MB (limit %d MB)" % (label, n, peak, MEMORY_LIMIT_MB))


def write_static_inventory(listing, path):
    """A YAML inventory with the hosts, groups and host variables of an ansible-inventory --list answer."""
    hostvars = listing.get("_meta", {}).get("hostvars", {})
    children = {}
    for group, data in listing.items():
        if group in ("_meta", "all") or not isinstance(data, dict):
            continue
        children[group] = {"hosts": {host: None for host in data.get("hosts", [])}}
    inventory = {"all": {"hosts": {host: hostvars.get(host) or None for host in _all_hosts(listing)},
                         "children": children}}
    # JSON is YAML too, and the fastest form Ansible's yaml inventory plugin reads (its loader tries
    # JSON first): block-style YAML of the same content takes several times longer to load.
    text = json.dumps(inventory, indent=1)
    path.write_text(text)
    return len(text)


def _all_hosts(listing):
    seen = {}
    for group, data in listing.items():
        if isinstance(data, dict):
            for host in data.get("hosts", []):
                seen.setdefault(host, None)
    seen.update((host, None) for host in listing.get("_meta", {}).get("hostvars", {}))
    return list(seen)
