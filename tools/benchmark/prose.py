# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fixed text of docs/performance.md: how each scenario is measured, and what profiling found."""

from __future__ import annotations


PROSE_LIFECYCLE = """
One task of `voiceops.pbx.yeastar_extension` with `api_version: v2.0.0`, `batch_size` B and `extensions:` naming
M of the N existing extensions with `state: absent`, then C new numbers (after the highest existing one), each with
the `display_name`, `register_name` and `register_password` that `extension/add` needs (passwords that the strong
policy accepts). The same task runs twice: the first run creates and deletes, the second finds nothing to do.
Before each repetition the harness puts the PBX back as it started (the created extensions removed, the deleted
ones added again). There is no uri baseline and no timing target: the times are information. The PBX calls of
every run are checked exactly against the minimum, with K = M + C numbers named:

- first run: 1 `login` + ceil(K / B) `extension/query` (+ 1 `extension/list`, below) + C `extension/add`
  + ceil(M / B) `extension/delete` + 1 `logout`;
- second run: 1 `login` + ceil(K / B) `extension/query` (+ 1 `extension/list`, below) + 1 `logout`, no write.

The `extension/list` call is there when a query batch of two or more numbers names only extensions that do not
exist: the PBX answers such a query with error 10006, and the module then lists the extensions, once per task, to
learn which exist (a batch mixing existing and missing numbers is answered with the existing ones; a batch of one
missing number needs no list). The items name the deletions first and the creations after them, so in the first
run the last batches name only new numbers, and in the second run the first batches only deleted ones: whenever
the new numbers, and the deleted ones, fill at least one batch of two or more on their own, as at the sizes
below, each run makes exactly one list call. The harness computes the minimum from the items (the list under the
table gives it), and checks that after each run the PBX holds exactly the extensions it should.
"""

MEMORY_NOTE = """
The 150 MB target is checked for both modules and for the inventory plugin with its defaults. With
`details: true` the inventory holds about 45 host variables per extension (225,000 at N=5000): in
ansible-core 2.19+ every one of them passes through the inventory manager's variable visitor, which
tags it with its origin, and `--list` then builds and encodes the whole `_meta.hostvars` tree. That is
Ansible's own cost per variable: the static inventory holding the same hosts and variables needs more
memory than the plugin (row above). The plugin's own data (the API answers, then one dict per
extension) is a small part of it.
"""

PROSE_METHOD = """
## How it is measured

- **Simulator.** `python -m simulator --extensions N` from `tests/` (the `.venv` Python), started as its own process
  for each size (N plausible generated extensions; no latency or faults), so that the measured processes
  are only Ansible's. Before every run the harness puts the fields the tasks enforce back into the
  scenario's starting state (`POST /__sim__/extensions {"patch": ...}`) and zeroes the call counters; after it, it reads
  `/__sim__/counters` of both simulated APIs. The counters are the PBX calls in the tables.
- **Ours.** One task of the collection: `voiceops.pbx.yeastar_extension_info` with `details: true`
  (scenario 1), `voiceops.pbx.yeastar_extension` with `extensions: "{{ pbx_extensions }}"` and the policy
  `voicemail: true, no_answer_forward: true, no_answer_forward_to: Voicemail, ring_timeout: 30`, each item
  also naming its `display_name` (scenarios 2 and 3), `voiceops.pbx.sip_register_status` (scenario 5). Every
  task registers its result, as a real playbook would. The connection comes from the `YEASTAR_*` and
  `OUTBOUND_API_*` environment variables.
- **Baseline.** What users write by hand today with `ansible.builtin.uri`: a login task (the password
  through `hash('md5')`), then `loop:` tasks, one `extension/query` per item and, in scenarios 2 and 3, one
  `extension/update` per item whose `when:` finds a field that differs, then a logout. Scenario 1 lists the
  extensions first (`extensionlist/query`) and loops over that list. Scenario 5's baseline is one uri call
  with every number (plus `until:` / `retries:` / `delay: 1` for the wait).
- **Floor.** The same `ansible-playbook` command line (same extra-vars file) running one
  `ansible.builtin.ping` task on localhost: what Ansible and one module process cost before any PBX work.
- **Ansible floor** (scenarios 1-3; information, not a target). The same command line running one task
  of a small module written by the harness (`voiceops_bench_echo_extension_info`,
  `voiceops_bench_echo_extension`, found through `ANSIBLE_LIBRARY`) with the same arguments as ours
  (`details: true`, or `extensions: "{{ pbx_extensions }}"` and the policy) and the same `register:`.
  It builds `AnsibleModule` with exactly the argument spec of the module it stands for (imported from the
  collection's `module_utils/_yeastar_options.py`, with the same `mutually_exclusive` and `required_one_of`),
  makes no PBX call (checked: its runs must count none), and returns through `exit_json` the result ours
  returned in a recording run made before the repetitions (ours once more, then an `ansible.builtin.debug`
  task showing the registered variable `| to_json`; `invocation` and `failed`, which Ansible adds, are
  dropped, and the module adds its own `invocation` again). What it costs is ansible-core's own handling of
  these arguments and this result: templating the arguments in the worker, their validation (in
  scenarios 2 and 3, the N items of the `extensions` suboptions), `remove_values` and the JSON encoding in
  `exit_json`, the transfer to the controller, the registration and the callback. Only the argument
  spec is our code; reading the recorded result (`json.load`) takes a few tens of milliseconds at most.
- **Alternation.** Each repetition runs floor, Ansible floor, ours and baseline, the next one baseline,
  ours, Ansible floor and floor, so that a slow phase of the machine does not fall on one side only.
  The tables show medians of wall time; the list under each table gives every run and the CPU time.
- **Scenario 3.** Every 10th extension starts with `ringtimeout: 60` and voicemail off, so 10% need one
  update each.
- **Scenario 4.** `ansible-inventory -i <file>.yeastar.yml --list` with the jsonfile cache: cold (empty
  cache: the PBX is read and the cache written) and cached (served from the cache), against
  `ansible-inventory -i static.yml --list` on a static inventory written from the plugin's own output, so it
  holds the same hosts, groups and host variables. It is written as JSON, which is YAML too and the
  fastest form Ansible's yaml inventory plugin reads (block-style YAML of the same content took 4 to 7
  times longer in a trial run: 36 s for the 5000 hosts with their 6 variables, 220 s with every setting).
- **Scenario 5.** Every extension registered; for the wait, 20 of them unregistered and scheduled
  (`/__sim__/registrations`, `on_query: 4`) to register just before the 4th status query that names
  them is answered: the module's 4th poll round (`interval: 1`, so about 3 seconds of waiting), and the
  uri baseline's 4th try (`delay: 1`), whatever the machine's speed. Calls are checked against
  ceil(N / 100) for the first round plus ceil(20 / 100) for each of the 3 later rounds, numbers that
  follow from the scenario, not from what the module reports.
- **Scenario 6.** The simulator's API v2.0.0 (`extension/add`, `extension/delete`, `extension/list`) over the
  same store, with its strong-password policy and its limit of 500 extensions (N + C stays within it); the
  minimum calls are counted as described below.
- **Memory.** Peak RSS (`ru_maxrss` from `wait4`) of `ansible-inventory` (the plugin runs inside it) and
  of the module processes: for those, `ansible_python_interpreter` points at a small wrapper that starts
  the real interpreter and records its `ru_maxrss`. Measured at the inventory size (N=5000).
- **Baseline at N=2000.** The uri loop costs a third of a second to more than a second per item on
  this machine (depending on what else runs), so one run at N=2000 takes 12 to 40 minutes per scenario.
  Unless `--baseline-sizes` names 2000, the table extrapolates it from the N=500 measurement of the same
  run: floor + (baseline - floor) / 500 x N, marked "extrapolated". The 100x target is checked at N=500,
  where the baseline is measured; `--baseline-reps` sets how many times (the list under the table shows
  every run).
"""

PROSE_ANSIBLE_FLOOR = """
The **Ansible floor** column shows how much of ours / floor is ansible-core's own cost per value, which
any module taking the same arguments and returning the same result pays, and how much is left for our
code (imports, the PBX calls over HTTPS, the simulator's answers, planning, building the result). At
N=500 it is information: the targets there are ours / floor <= 1.5x and baseline / ours >= 100x. At
N=2000 the Ansible floor alone is well above 1.5x the floor (in scenario 1 the result is every setting
of every extension, in scenarios 2 and 3 the argument is the whole list of extensions), so no module
with these arguments and this result could meet a ping-floor target there: those rows are measured
against the Ansible floor instead, ours / Ansible floor <= 1.15x, and ours / floor is information.
"""

PROSE_FLEET = """
### Fleet scenarios: many PBXes

- **Fleet simulator.** `python -m simulator --pbxes 20 --extensions 500` from `tests/`: one process serving
  20 PBXes, each on a port of its own with its own extensions, sessions and call counters, so the calls
  of every PBX are counted and checked apart from the others.
- **Fleet playbook (scenario 7).** `playbooks/fleet_policy.yml` exactly as shipped, run with
  `--forks 10` and a static inventory of the 20 PBXes as hosts of the group `pbxes`, each with its
  connection in host variables, as `playbooks/inventory/fleet.yml` shows. Every 10th SIP extension of every PBX starts off the policy
  (voicemail off), so 10% of them (41 per PBX, 820 in all: the PBX's SIP extensions, not its FXS
  or IAX ones) are updated in each run; the harness puts them back before the next one.
- **Fleet floor.** The same playbook running `ansible.builtin.ping` in place of each of our tasks (the
  same plays, hosts, variables, `module_defaults` and number of tasks, and a report line without our
  results), with the same inventory and `--forks`: what Ansible costs to run these tasks on every PBX
  host before any PBX work.
- **Fleet Ansible floor** (information). The same playbook with our task run by the echo module of
  scenarios 2 and 3 (the argument spec of `yeastar_extension`, the same arguments, no PBX call), which
  returns on every PBX the result ours returned on the first PBX in a recording run made before the
  repetitions: what ansible-core costs for these tasks, arguments and results without our module's work.
- **Fleet calls.** Counted per PBX and checked against each PBX's minimum in every run: the playbook's one
  task makes one `login`, one `extensionlist/query`, one `extension/query` per 100 SIP extensions, one
  `extension/update` per extension that differs, and one `logout`. The table sums the calls over the
  PBXes (last run); "at the minimum" means every PBX in every run.
- **Fleet inventory.** One inventory source of the plugin whose `pbxes:` names the 20 PBXes of the fleet
  simulator, read with its defaults (`details: false`) and with `details: true`, cold and cached as in
  scenario 4, against a static inventory written from the plugin's own output (the same 10,000 hosts,
  groups and host variables).
- **Parallel against one after another.** On localhost the simulator answers a call in a millisecond or
  two, and reading the PBXes is a small part of an inventory load of 10,000 hosts. A PBX at another
  site answers after a WAN round trip and its own work, so for this comparison every PBX answers each
  call after 50 ms (`--fleet-latency`, a latency fault of the simulator): the source as above, cold,
  against the same source with `max_workers: 1`, cold. The first divided into the second is the gain
  from reading the PBXes in parallel.
"""

PROSE_PROFILE = """
## Profiling: what dominated and what was fixed

Profiled with py-spy (`py-spy record --subprocesses -f raw -- ansible-playbook ...`, which samples the
controller, the worker and the module process), cProfile on the module run directly
(`PYTHONPATH=<dir holding ansible_collections> python -m cProfile -s tottime plugins/modules/yeastar_extension.py args.json`
with `{"ANSIBLE_MODULE_ARGS": {...}}` in args.json) and cProfile on `ansible-inventory`
(`python -m cProfile -o inv.prof $(which ansible-inventory) -i pbx.yeastar.yml --list`). The numbers
below are from those development runs on this machine (N=2000 for the modules, N=5000 for the
inventory), before and after each fix.

- **Quadratic de-duplication.** `plan_changes` collected the extension numbers with `number not in numbers`
  on a list, and `parse_extension_numbers` (`yeastar_extension_info` with `extensions`,
  `sip_register_status`) did the same: about 4 million comparisons for 2000 numbers, the largest
  self-time of our own code in the module profile. A set beside the list now keeps the order in
  linear time.
- **The size of the bulk result.** `yeastar_extension` returned every setting of every extension in
  `results[].settings`: about 45 values for each of the 2000 items, also for the extensions that did
  not change. Ansible walks a module result several times: `remove_values` in the module (no_log
  scrubbing, one call per value, 0.9 s under cProfile), JSON encoding, the pickling from the worker to
  the controller, data tagging when the result is registered, and the callback. Scenario 2 at N=2000
  went from 4.1-4.3 s to 3.4 s with that alone. `results[].settings` now holds the settings of the items
  that changed, would change or failed; unchanged items carry their number, `changed`,
  `changed_fields` and `outcome`. `yeastar_extension_info` is the module that returns every setting.
- **Per-item normalisation.** Turning an `extension/query` answer into module options went through
  `Field.from_answer` for each of the 41 fields: two dictionary look-ups and two calls per field and
  extension, 82,000 calls for 2000 extensions. The readers are now prepared once per field (option,
  answer name, vendor name, converter) and a string value goes straight to its converter.
- **Host variables in the inventory plugin.** With `details: true` at N=5000 the plugin wrapped each of
  about 200,000 values in `wrap_var`, a quarter of the plugin's own time; with data tagging
  (ansible-core 2.19+) an untagged `str`, `int` or `bool` is never templated, so it is now passed as it
  is (other values are still wrapped). The remaining cost of `_populate` is Ansible's
  `set_variable` (per variable: the inventory manager's visitor tags the value with its origin, the
  host validates the name), which a static inventory pays in the same way; then `ansible-inventory
  --list` spends as long again in `get_vars` per host and in encoding the JSON.
- **requests.** The transport used the `requests` library: `import requests` took about 0.1 s of every
  module process (and of `ansible-inventory`), and each call about 1 ms of client time on top of the
  round trip (2.7 ms per `extension/update` against the simulator, 1.9 ms per heartbeat). It now uses
  the standard library's `http.client` over one keep-alive connection per task: 1.6 ms per update,
  1.4 ms per heartbeat, no import cost beyond `ssl`. For scenario 3 at N=2000 (222 calls) that is
  about 0.35 s.
- **JSON parsing** of the API answers is not a hot path: `json.loads` (C) decodes the 2000 full
  extension records of scenario 1 in about 50 ms.
- **The simulator** (not shipped, but it is the PBX of the benchmark): `extension/query` built a set of
  the asked numbers once per stored extension and sorted every number on each call, and
  `extension/update` sorted every number to check the new one; at N=2000, 16 ms per query of 100 and
  3.8 ms per update. Now 2.2 ms per update, which is the round trip of an empty call (heartbeat) on
  this machine.

What remains is Ansible's own cost per task and per value, the same for any module: AnsiballZ
compiles every module_utils file from source in each module process (`zipimport` keeps no byte
code; Python 3.12's zipimport even compiles each file twice), ansible-core's validation of the
`extensions` items (`ArgumentSpecValidator`, 0.3 s for 2000 items of 39 options and their vendor-name
aliases), the templating of the 2000-item argument in the worker, `remove_values` and the JSON encoding
of the result in the module (about 0.35 s for scenario 1's result), and on the controller the
registration of the result (`register:` finalizes every value through the templating engine: about
0.8 s for scenario 1's 90,000 values, 62,000 of them strings) and the callback's copy of it
(`transform_to_native_types`, about 0.3 s). For scenario 1 the result is, by definition, every setting
of every extension, and in scenarios 2 and 3 the argument is the whole list of extensions. The Ansible
floor column of the first table measures that share directly: ansible-core's handling of the same
arguments and the same result, without our code. At N=2000 it is 1.4x to 1.9x the ping floor by itself,
so no module taking these arguments and returning this result can meet the 1.5x target there; what is
ours is the difference between ours and the Ansible floor. That is why the rows at N=2000 are measured
against the Ansible floor (ours / Ansible floor <= 1.15x) rather than against the ping floor.
"""
