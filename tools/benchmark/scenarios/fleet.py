# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Scenarios 7 and 8 on a fleet of PBXes: playbooks/fleet_policy.yml with the PBXes as hosts, and the
inventory plugin reading every PBX (`pbxes:`) against a static inventory, in parallel and one after another."""

from __future__ import annotations

import json
import math
import shutil

from ..harness import HarnessError, Runner, log
from ..measurements import median
from ..parameters import BATCH, DIFFERING_EVERY, REPO_ROOT, TARGET_FLEET_FLOOR_RATIO, TARGET_FLEET_INVENTORY_COLD
from ..playbooks import (
    RECORD_ENV,
    fleet_echo_playbook,
    fleet_floor_playbook,
    fleet_recording_playbook,
    recorded_result,
    write_echo_library,
    write_yaml,
)
from ..simulator import FleetSimulator
from .inventory import prepare_cache, write_static_inventory

PLAYBOOK = REPO_ROOT / "playbooks" / "fleet_policy.yml"
FLEET_TITLE = "7 fleet policy playbook"
# The policy of playbooks/fleet_policy.yml in the PBX's field names.
FLEET_POLICY_VENDOR = {"hasvoicemail": "on", "noanswerforward": "on", "ntransferto": "Voicemail",
                       "busyforward": "on", "btransferto": "Voicemail"}


def sip_numbers(sim):
    """The SIP extension numbers of each PBX, in name order."""
    return [[record["extnumber"] for record in records if record.get("type") == "SIP"]
            for records in sim.each("GET", "extensions")]


def fleet_state(numbers, differing):
    """One patch per PBX: every SIP extension as the policy says, or every 10th one with voicemail off."""
    patches = []
    for pbx_numbers in numbers:
        patch = {number: dict(FLEET_POLICY_VENDOR) for number in pbx_numbers}
        if differing:
            for number in pbx_numbers[::DIFFERING_EVERY]:
                patch[number]["hasvoicemail"] = "off"
        patches.append(patch)
    return patches


def playbook_calls(sip_count, updates, batch=BATCH):
    """The minimum PBX calls of fleet_policy.yml on one PBX: its one task logs in, lists the extensions, reads
    the SIP ones (one extension/query per batch), updates each that differs, and logs out."""
    calls = {"login": 1, "extensionlist/query": 1, "logout": 1}
    if sip_count:
        calls["extension/query"] = math.ceil(sip_count / batch)
    if updates:
        calls["extension/update"] = updates
    return calls


def summed(dicts):
    total = {}
    for calls in dicts:
        for key, value in calls.items():
            total[key] = total.get(key, 0) + value
    return total


def fleet_inventory(sim):
    """A static inventory of the PBXes as hosts, as playbooks/inventory/fleet.yml shows (the password inline here:
    it is the simulator's)."""
    hosts = {pbx["name"]: {"pbx_host": pbx["host"], "pbx_port": pbx["port"]} for pbx in sim.pbxes}
    return {"pbxes": {"vars": {"ansible_connection": "local", "pbx_api_username": sim.pbxes[0]["api_username"],
                               "pbx_api_password": sim.pbxes[0]["api_password"], "pbx_ca_path": sim.ca_path},
                      "hosts": hosts}}


def run_playbook(bench, sim, runner):
    """Scenario 7: playbooks/fleet_policy.yml on every PBX with --forks, 10% of the SIP extensions off-policy."""
    options = bench.options
    reps = options.reps_fleet
    numbers = sip_numbers(sim)
    differing = fleet_state(numbers, differing=True)
    expected = [playbook_calls(len(pbx_numbers), len(pbx_numbers[::DIFFERING_EVERY])) for pbx_numbers in numbers]
    inventory = bench.work / "fleet-hosts.json"
    inventory.write_text(json.dumps(fleet_inventory(sim)))
    floor = write_yaml(bench.work / "fleet-floor.yml", fleet_floor_playbook(PLAYBOOK))
    arguments = ["-i", str(inventory), "--forks", str(options.fleet_forks)]
    log("  scenario %s: %d PBXes x %d extensions, --forks %d (%d repetitions)"
        % (FLEET_TITLE, len(sim.pbxes), sim.extensions, options.fleet_forks, reps))
    echo_env = record_fleet_result(bench, sim, runner, differing, arguments)
    echo = write_yaml(bench.work / "fleet-echo.yml", fleet_echo_playbook(PLAYBOOK))
    runs = {"floor": [], "echo": [], "ours": []}
    at_minimum = True
    for rep in range(reps):
        for kind in (["floor", "echo", "ours"] if rep % 2 == 0 else ["ours", "echo", "floor"]):
            if kind == "floor":
                if not options.smoke:
                    runs[kind].append(bench.measured(sim, runner, kind, floor, arguments))
                continue
            if kind == "echo":
                run = bench.measured(sim, runner, "ans.floor", echo, arguments, env=echo_env)
                bench.check_calls([run], {}, "scenario %s: the Ansible floor (echo module)" % FLEET_TITLE)
                runs[kind].append(run)
                continue
            sim.patch(differing)
            run = bench.measured(sim, runner, kind, PLAYBOOK, arguments)
            by_pbx = sim.counters_by_pbx()
            for pbx, calls, minimum in zip(sim.pbxes, by_pbx, expected):
                if not bench.check(calls == minimum, "scenario %s: %s made PBX calls %s, the minimum is %s" % (
                        FLEET_TITLE, pbx["name"], json.dumps(calls, sort_keys=True), json.dumps(minimum, sort_keys=True))):
                    at_minimum = False
            runs[kind].append(run)
    row = {"scenario": FLEET_TITLE, "pbxes": len(sim.pbxes), "n": sim.extensions, "forks": options.fleet_forks,
           "updated": sum(len(pbx_numbers[::DIFFERING_EVERY]) for pbx_numbers in numbers),
           "ours": median([run.wall for run in runs["ours"]]), "floor": median([run.wall for run in runs["floor"]]),
           "ours_runs": [round(run.wall, 2) for run in runs["ours"]],
           "floor_runs": [round(run.wall, 2) for run in runs["floor"]],
           "ours_cpu": median([run.cpu for run in runs["ours"]]),
           "floor_cpu": median([run.cpu for run in runs["floor"]]),
           "ours_pbx_seconds": median([run.pbx_seconds for run in runs["ours"]]),  # summed over the PBXes
           "calls": runs["ours"][-1].calls, "expected": summed(expected), "at_minimum": at_minimum}
    row["vs_floor"] = row["ours"] / row["floor"] if row["floor"] else None
    ansible_floor = median([run.wall for run in runs["echo"]])
    row.update(ansible_floor=ansible_floor, ansible_floor_runs=[round(run.wall, 2) for run in runs["echo"]],
               ansible_floor_cpu=median([run.cpu for run in runs["echo"]]),
               vs_ansible_floor=row["ours"] / ansible_floor if ansible_floor else None)
    if not options.smoke:
        bench.check(row["vs_floor"] <= TARGET_FLEET_FLOOR_RATIO, "scenario %s: ours %.2fs is %.2fx the floor %.2fs (target <= %.1fx)"
                    % (FLEET_TITLE, row["ours"], row["vs_floor"], row["floor"], TARGET_FLEET_FLOOR_RATIO))
    bench.fleet_rows.append(row)


def record_fleet_result(bench, sim, runner, differing, arguments):
    """Ours once on the first PBX, its result shown, for the echo module of the Ansible floor runs to return on
    every PBX; the environment of those runs."""
    first = sim.pbxes[0]["name"]
    sim.patch(differing)
    playbook = write_yaml(bench.work / "fleet-record.yml", fleet_recording_playbook(PLAYBOOK, first))
    run = bench.measured(sim, runner, "record", playbook, arguments, env=RECORD_ENV)
    result_file = bench.work / "fleet-echo-result.json"
    result_file.write_text(json.dumps(recorded_result(run.output, host=first)))
    return {"ANSIBLE_LIBRARY": str(write_echo_library(bench.work / "echo-library")),
            "VOICEOPS_BENCH_RESULT": str(result_file)}


def inventory_source(bench, sim, label, details, max_workers):
    cache_dir = bench.work / ("fleet-cache-%s-%d" % (label, max_workers))
    pbxes = [{"name": pbx["name"], "host": pbx["host"], "port": pbx["port"]} for pbx in sim.pbxes]
    config = {"plugin": "voiceops.pbx.yeastar", "pbxes": pbxes, "api_username": sim.pbxes[0]["api_username"],
              "api_password": sim.pbxes[0]["api_password"], "ca_path": sim.ca_path, "details": details,
              "max_workers": max_workers, "cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(cache_dir), "cache_timeout": 3600}
    return write_yaml(bench.work / ("fleet-%s-%d.yeastar.yml" % (label, max_workers)), config), cache_dir


def inventory_run(sim, runner, source, expected, check, what):
    sim.reset_counters()
    run, _rss = runner.inventory(source)
    run.calls = sim.counters()
    if run.returncode != 0:
        raise HarnessError("ansible-inventory (%s) failed:\n%s" % (what, run.transcript[-3000:]))
    check(run.calls == expected, "scenario 8 (%s): made PBX calls %s, expected %s" % (
        what, json.dumps(run.calls, sort_keys=True), json.dumps(expected, sort_keys=True)))
    log("    %-9s %7.2fs wall %7.2fs cpu  calls %s" % (what, run.wall, run.cpu, json.dumps(run.calls, sort_keys=True)))
    return run


def run_inventory(bench, sim, runner):
    """Scenario 8: one inventory source naming every PBX, cold and cached, against the static inventory of its own
    output; then, with every PBX answering each call after --fleet-latency seconds, that source cold against the same
    source with max_workers 1 (the PBXes one after another)."""
    options = bench.options
    reps = options.reps_fleet
    count = len(sim.pbxes)
    for details in (False, True):
        label = "details" if details else "summary"
        source, cache_dir = inventory_source(bench, sim, label, details, options.fleet_workers)
        serial_source, serial_cache = inventory_source(bench, sim, label, details, 1)
        shutil.rmtree(cache_dir, ignore_errors=True)
        first, _rss = runner.inventory(source)
        if first.returncode != 0:
            raise HarnessError("ansible-inventory failed:\n" + first.transcript[-3000:])
        listing = json.loads(first.output)
        hosts = len(listing.get("_meta", {}).get("hostvars", {}))
        static = bench.work / ("fleet-static-%s.json" % label)
        write_static_inventory(listing, static)
        expected = {"login": count, "extensionlist/query": count, "logout": count}
        if details:
            expected["extension/query"] = count * math.ceil(sim.extensions / BATCH)
        log("  scenario 8 fleet inventory, %s: %d PBXes, %d hosts, max_workers %d (%d repetitions)"
            % (label, count, hosts, options.fleet_workers, reps))
        runs = {"static": [], "cold": [], "cached": [], "parallel": [], "serial": []}
        for rep in range(reps):
            order = ["static", "cold", "cached"] if rep % 2 == 0 else ["cached", "cold", "static"]
            for kind in order:
                prepare_cache(kind, cache_dir, runner, source)
                target = {"static": static, "cold": source, "cached": source}[kind]
                runs[kind].append(inventory_run(sim, runner, target, expected if kind == "cold" else {}, bench.check,
                                                "%s %s" % (label, kind)))
        # Reading in parallel pays off where the PBX takes time to answer: every PBX answers after a WAN round trip.
        sim.each("POST", "faults", {"kind": "latency", "seconds": options.fleet_latency, "count": None})
        try:
            for rep in range(reps if not options.smoke else 0):
                for kind in (["parallel", "serial"] if rep % 2 == 0 else ["serial", "parallel"]):
                    shutil.rmtree(cache_dir if kind == "parallel" else serial_cache, ignore_errors=True)
                    target = source if kind == "parallel" else serial_source
                    runs[kind].append(inventory_run(sim, runner, target, expected, bench.check, "%s %s, %d ms a call" % (
                        label, kind, options.fleet_latency * 1000)))
        finally:
            sim.each("POST", "clear-faults", {})
        row = {"label": label, "pbxes": count, "n": sim.extensions, "hosts": hosts, "max_workers": options.fleet_workers,
               "calls": runs["cold"][-1].calls, "expected": expected, "latency": options.fleet_latency}
        for kind in ("static", "cold", "cached", "parallel"):
            row[kind] = median([run.wall for run in runs[kind]])
            row[kind + "_runs"] = [round(run.wall, 2) for run in runs[kind]]
        row["parallel_cold"] = row.pop("parallel")
        row["parallel_cold_runs"] = row.pop("parallel_runs")
        row["serial_cold"] = median([run.wall for run in runs["serial"]])
        row["serial_cold_runs"] = [round(run.wall, 2) for run in runs["serial"]]
        row["cold_ratio"] = row["cold"] / row["static"]
        row["cached_ratio"] = row["cached"] / row["static"]
        row["parallel_speedup"] = row["serial_cold"] / row["parallel_cold"] if row["serial_cold"] else None
        if not options.smoke:
            bench.check(row["cold_ratio"] <= TARGET_FLEET_INVENTORY_COLD, "scenario 8 (%s): cold %.2fs is %.2fx the static %.2fs"
                        " (target <= %.1fx)" % (label, row["cold"], row["cold_ratio"], row["static"], TARGET_FLEET_INVENTORY_COLD))
            bench.check(row["parallel_speedup"] > 1, "scenario 8 (%s): reading the PBXes in parallel took %.2fs, one after"
                        " another %.2fs" % (label, row["parallel_cold"], row["serial_cold"]))
        bench.fleet_inventory_rows.append(row)


def run(bench, pbxes, n):
    with FleetSimulator(bench.work, pbxes, n) as sim:
        runner = Runner(bench.work, bench.options.collections_path, {})
        run_playbook(bench, sim, runner)
        run_inventory(bench, sim, runner)
