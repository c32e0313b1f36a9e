# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark of voiceops.pbx against the hand-written ansible.builtin.uri playbooks users run today.

Run through tools/benchmark.sh (`make benchmark`, `make benchmark-smoke`), which makes the venv and
the ansible_collections copy of this checkout that ANSIBLE_COLLECTIONS_PATH must name.

For every size it starts the PBX simulator of tests/simulator as a separate process with N
extensions (so that the only processes measured are Ansible's), then for each scenario runs, in
alternation, the floor (the same ansible-playbook command line with one ansible.builtin.ping task),
our playbook and the uri baseline playbook; in scenarios 1-3 also the "Ansible floor" (information, not a
target): a module written into the work directory with exactly our module's argument spec and the same
task arguments, which makes no PBX call and returns our result as recorded in one more run of ours before
the repetitions, so that it costs what ansible-core itself spends on those arguments and that result.
Before each run the simulator's extensions are put back into the scenario's starting state and its call
counters are reset; after it, the counters are read through the admin API (/__sim__/counters) and
compared with the physical minimum (none for the Ansible floor).

Scenarios:
  1 read every extension's full settings    yeastar_extension_info details  vs  uri list + loop of queries
  2 enforce settings, nothing differs        yeastar_extension extensions    vs  uri loop of queries + loop of updates with when
  3 the same with 10% of extensions differing
  4 ansible-inventory --list with the plugin, cold and cached, against a static YAML inventory of the same hosts and vars
  5 sip_register_status for N numbers, and a wait that resolves 3 seconds after the command starts
  6 yeastar_extension on API v2.0.0: one task creating C extensions and deleting M of the N existing ones,
    then the same task again (no uri baseline; timings are information, the PBX calls are checked)

Exit status: 0 when every checked target is met, 1 when one is not, 2 on a harness error.
The smoke size (--smoke) checks only the call counts: timings at tiny N are noise.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import pathlib
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import requests
import yaml

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
BATCH = 100                     # the batch_size default of the modules and the inventory plugin
POLICY = {"voicemail": True, "no_answer_forward": True, "no_answer_forward_to": "Voicemail", "ring_timeout": 30}
POLICY_VENDOR = {"hasvoicemail": "on", "noanswerforward": "on", "ntransferto": "Voicemail", "ringtimeout": "30"}
DIFFERING_EVERY = 10            # scenario 3: every 10th extension differs
MEMORY_LIMIT_MB = 150
TARGET_SPEEDUP = 100
TARGET_FLOOR_RATIO = 1.5
TARGET_INVENTORY_COLD = 1.5
TARGET_INVENTORY_CACHED = 1.2
WAIT_AFTER = 3.0                # scenario 5: seconds until the pending phones register
WAIT_PENDING = 20               # scenario 5: phones that register only then
LIFECYCLE = "350,100,150"       # scenario 6: N existing extensions, C created, M deleted (peak N + C <= 500)
LIFECYCLE_SMOKE = "50,10,10"
LIFECYCLE_SMOKE_BATCH = 4       # scenario 6 at the smoke size: small batches, so that the batching shows
LIFECYCLE_TITLE = "6 create and delete extensions (API v2.0.0)"


class HarnessError(Exception):
    pass


def log(message):
    print(message, flush=True)


# --------------------------------------------------------------------------- simulator

class Simulator:
    """The PBX simulator CLI (Yeastar HTTPS API + Predictive Outbound API) as a child process."""

    def __init__(self, work, extensions):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="sim-", dir=work))
        self.extensions = extensions
        self.process = None
        self.ready = None
        self.http = requests.Session()

    def __enter__(self):
        ready_file = self.dir / "ready.json"
        command = [sys.executable, "-m", "simulator", "--port", "0", "--outbound-port", "0", "--quiet",
                   "--extensions", str(self.extensions), "--ready-file", str(ready_file),
                   "--ca-out", str(self.dir / "ca.pem")]
        self.process = subprocess.Popen(command, cwd=str(REPO_ROOT / "tests"), stdin=subprocess.DEVNULL,
                                        stdout=open(self.dir / "simulator.log", "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ready = json.loads(ready_file.read_text())
                break
            except (OSError, ValueError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise HarnessError("the simulator did not start; log: %s" % (self.dir / "simulator.log"))
            time.sleep(0.1)
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def ca_path(self):
        return self.ready["ca_path"]

    def _admin(self, base, method, path, body=None):
        # verify on each request: REQUESTS_CA_BUNDLE must not replace the simulator's own CA
        answer = self.http.request(method, base + "/__sim__/" + path, json=body, verify=self.ca_path, timeout=120)
        if answer.status_code != 200:
            raise HarnessError("simulator admin %s %s: HTTP %s %s" % (method, path, answer.status_code, answer.text[:200]))
        return answer.json()

    def pbx(self, method, path, body=None):
        return self._admin(self.ready["base_url"], method, path, body)

    def outbound(self, method, path, body=None):
        return self._admin(self.ready["outbound_url"], method, path, body)

    def reset_counters(self):
        self.pbx("POST", "reset-counters", {})
        self.outbound("POST", "reset-counters", {})

    def counters(self):
        calls = {key: value for key, value in self.pbx("GET", "counters").items() if value}
        calls.update((key, value) for key, value in self.outbound("GET", "counters").items() if value)
        return calls

    def env(self):
        return {"YEASTAR_HOST": "127.0.0.1", "YEASTAR_PORT": str(self.ready["port"]), "YEASTAR_USERNAME": "api",
                "YEASTAR_PASSWORD": "Yeastar@123", "YEASTAR_CA_PATH": self.ca_path,
                "OUTBOUND_API_URL": self.ready["outbound_url"], "OUTBOUND_API_APPID": "voiceops",
                "OUTBOUND_API_ACCESSKEY": "Outbound@123"}


# --------------------------------------------------------------------------- running commands

class Run:
    def __init__(self, wall, cpu, returncode, output, calls=None):
        self.wall = wall
        self.cpu = cpu
        self.returncode = returncode
        self.output = output
        self.calls = calls or {}


class Runner:
    """Runs ansible commands with a fixed environment; wall time, CPU time of the process tree."""

    def __init__(self, work, collections_path, sim_env):
        self.work = work
        bindir = pathlib.Path(sys.executable).parent
        self.bin = {name: str(bindir / name) for name in ("ansible-playbook", "ansible-inventory")}
        for path in self.bin.values():
            if not os.path.exists(path):
                raise HarnessError("%s is missing: run through tools/benchmark.sh (the .venv)" % path)
        self.env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=collections_path,
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_HOME=str(work / "ansible-home"),
            ANSIBLE_LOCAL_TEMP=str(work / "ansible-tmp"),
            ANSIBLE_REMOTE_TEMP=str(work / "ansible-remote-tmp"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            **sim_env,
        )

    def run(self, command, env=None):
        output = self.work / "last-output.txt"
        started = time.perf_counter()
        with open(output, "wb") as sink:
            process = subprocess.Popen(command, env=dict(self.env, **(env or {})), cwd=str(self.work),
                                       stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            try:
                _pid, status, usage = os.wait4(process.pid, 0)
            except BaseException:
                os.killpg(process.pid, signal.SIGTERM)   # ansible-playbook and its workers
                process.wait()
                raise
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        return Run(wall, usage.ru_utime + usage.ru_stime, process.returncode,
                   output.read_text(errors="replace")), usage.ru_maxrss

    def playbook(self, playbook, *arguments, env=None):
        run, _rss = self.run([self.bin["ansible-playbook"], str(playbook)] + list(arguments), env)
        return run

    def inventory(self, source, env=None):
        return self.run([self.bin["ansible-inventory"], "-i", str(source), "--list"], env)


# --------------------------------------------------------------------------- playbooks

def write_yaml(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=1000))
    return path


def play(tasks, name, extra=None):
    return [dict({"name": name, "hosts": "localhost", "gather_facts": False}, **(extra or {}), tasks=tasks)]


def uri(endpoint, body, register, **more):
    """One uri task against the S-Series API, the way its documentation shows the call."""
    url = "{{ pbx_api }}/%s" % endpoint + ("" if endpoint == "login" else "?token={{ pbx_login.json.token }}")
    task = {"ansible.builtin.uri": {"url": url, "method": "POST", "body_format": "json", "body": body,
                                    "ca_path": "{{ pbx_ca }}"},
            "register": register,
            "failed_when": "%s.json.status != 'Success'" % register}
    task.update(more)
    return task


def baseline_vars(sim):
    return {"pbx_api": "https://127.0.0.1:%s/api/v1.0.0" % sim.ready["port"], "pbx_ca": sim.ca_path,
            "pbx_user": "api", "pbx_password": "Yeastar@123"}


def login_logout(sim, middle):
    login = dict({"name": "Log in to the PBX"},
                 **uri("login", {"username": "{{ pbx_user }}", "password": "{{ pbx_password | hash('md5') }}",
                                 "port": "8260"}, "pbx_login"))
    logout = dict({"name": "Log out"}, **uri("logout", {}, "pbx_logout"))
    return play([login] + middle + [logout], "uri baseline", {"vars": baseline_vars(sim)})


def baseline_read_all(sim):
    return login_logout(sim, [
        dict({"name": "List the extensions"}, **uri("extensionlist/query", {}, "pbx_list")),
        dict({"name": "Read each extension's settings"},
             **uri("extension/query", {"extid": "{{ item.extnumber }}"}, "pbx_settings",
                   loop="{{ pbx_list.json.extlist }}", loop_control={"label": "{{ item.extnumber }}"})),
    ])


def baseline_enforce(sim):
    differs = " or ".join(
        ["item.json.extinfos[0].username != item.item.display_name"]
        + ["item.json.extinfos[0].%s != '%s'" % (key, value) for key, value in POLICY_VENDOR.items()])
    return login_logout(sim, [
        dict({"name": "Read each extension"},
             **uri("extension/query", {"extid": "{{ item.extension }}"}, "pbx_current",
                   loop="{{ pbx_extensions }}", loop_control={"label": "{{ item.extension }}"})),
        dict({"name": "Update the extensions that differ"},
             **uri("extension/update", dict({"extid": "{{ item.item.extension }}",
                                             "username": "{{ item.item.display_name }}"}, **POLICY_VENDOR),
                   "pbx_update", loop="{{ pbx_current.results }}",
                   loop_control={"label": "{{ item.item.extension }}"}, when=differs)),
    ])


def outbound_uri(service, fields, register, **more):
    task = {"ansible.builtin.uri": {"url": "{{ outbound_url }}", "method": "POST", "body_format": "form-urlencoded",
                                    "body": dict({"service": service}, **fields)},
            "register": register, "failed_when": "%s.json.ret != 200" % register}
    task.update(more)
    return task


def baseline_register_status(sim, wait):
    status = outbound_uri("App.Sip_Status.GetSipRegisterStatus",
                          {"token": "{{ ob_login.json.data.result.token }}", "extnumber": "{{ pbx_numbers | join(',') }}"},
                          "ob_status")
    if wait:
        status.update(until="ob_status.json.data.result | map(attribute='code') | reject('equalto', 1017) | list | length == 0",
                      retries=60, delay=1)
    return play([
        dict({"name": "Log in to the call-center API"},
             **outbound_uri("App.Sip_Auth.Login", {"appid": "voiceops", "accesskey": "Outbound@123"}, "ob_login")),
        dict({"name": "Registration state of every extension"}, **status),
        dict({"name": "Log out"}, **outbound_uri("App.Sip_Auth.Logout", {"token": "{{ ob_login.json.data.result.token }}"},
                                                 "ob_logout")),
    ], "uri baseline", {"vars": {"outbound_url": sim.ready["outbound_url"]}})


def ours_read_all(module="voiceops.pbx.yeastar_extension_info", name="voiceops.pbx"):
    return play([{"name": "Every extension with its settings",
                  module: {"details": True}, "register": "pbx_info"}], name)


def ours_enforce(module="voiceops.pbx.yeastar_extension", name="voiceops.pbx"):
    return play([{"name": "Enforce the policy on every extension",
                  module: dict({"extensions": "{{ pbx_extensions }}"}, **POLICY),
                  "register": "pbx_applied"}], name)


RECORD_TASK = "Record the result"
# The record run's output must be the default callback's, with its results as JSON.
RECORD_ENV = {"ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.default", "ANSIBLE_CALLBACK_RESULT_FORMAT": "json",
              "ANSIBLE_DISPLAY_OK_HOSTS": "true"}


def recording(playbook, register):
    """Ours, then its registered result shown as a JSON string (the echo module returns it). An
    action-only debug task: writing a file through ansible.builtin.copy took 1.5 s more per run."""
    tasks = playbook[0]["tasks"] + [{"name": RECORD_TASK, "ansible.builtin.debug": {"msg": "{{ %s | to_json }}" % register}}]
    return [dict(playbook[0], tasks=tasks)]


# Keys of a registered result that Ansible adds, not the module; the echo module's AnsibleModule
# adds its own invocation (the same module_args, as it validates the same arguments).
ADDED_BY_ANSIBLE = ("invocation", "failed")


def recorded_result(output):
    """The module's result from the output of a recording run: the debug task's msg."""
    lines = output.splitlines()
    try:
        start = next(index for index, line in enumerate(lines) if line.startswith("TASK [%s]" % RECORD_TASK))
        first = next(index for index in range(start, len(lines)) if lines[index].startswith("ok: [localhost] => {"))
        last = lines.index("}", first)
        shown = json.loads("{" + "\n".join(lines[first + 1:last + 1]))
        result = json.loads(shown["msg"])
    except (StopIteration, ValueError, KeyError, TypeError) as err:
        raise HarnessError("no recorded result in the output of the recording run (%s): %s" % (err, output[-2000:]))
    return {key: value for key, value in result.items() if key not in ADDED_BY_ANSIBLE and not key.startswith("_ansible")}


# The "Ansible floor" of scenarios 1-3: a module with exactly the argument spec of ours (imported from
# the collection, as YeastarModule merges it with the connection options), that makes no PBX call and
# returns, through exit_json, the result ours returned in a recording run (the file that
# VOICEOPS_BENCH_RESULT names). What remains is ansible-core's own handling of those arguments and
# that result: templating, validation, remove_values, JSON, registration, the callback.
ECHO_MODULE = '''#!/usr/bin/python
# Written by tools/benchmark.py of voiceops.pbx: the module of its "Ansible floor" runs.
from __future__ import annotations

import json
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import (
%(imports)s    yeastar_argument_spec,
)


def main():
    spec = yeastar_argument_spec()
    spec.update(%(spec)s())
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True%(constraints)s)
    with open(os.environ["VOICEOPS_BENCH_RESULT"], encoding="utf-8") as recorded:
        result = json.load(recorded)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
'''

ECHO_MODULES = {   # module name: the argument spec of the task it stands for
    "voiceops_bench_echo_extension_info": ECHO_MODULE % {
        "imports": "    extension_info_argument_spec,\n", "spec": "extension_info_argument_spec", "constraints": ""},
    "voiceops_bench_echo_extension": ECHO_MODULE % {
        "imports": "    extension_argument_spec,\n    extension_constraints,\n", "spec": "extension_argument_spec",
        "constraints": ", **extension_constraints()"},
}


def ours_register_status(wait):
    args = {"extnumber": "{{ pbx_numbers }}"}
    if wait:
        args.update(wait_for="registered", interval=1, timeout=60)
    return play([{"name": "Registration state", "voiceops.pbx.sip_register_status": args, "register": "pbx_reg"},
                 {"name": "Rounds", "ansible.builtin.debug": {"msg": "rounds={{ pbx_reg.rounds }}"}}], "voiceops.pbx")


def ours_lifecycle(batch):
    return play([{"name": "Create and delete extensions",
                  "voiceops.pbx.yeastar_extension": {"api_version": "v2.0.0", "extensions": "{{ pbx_lifecycle }}",
                                                     "batch_size": batch},
                  "register": "pbx_lifecycle_applied"}], "voiceops.pbx")


def floor_playbook():
    return play([{"name": "One trivial module", "ansible.builtin.ping": {}}], "floor")


# --------------------------------------------------------------------------- PBX states

def usable_name(text):
    return text if text and len(text) <= 31 and all(char.isalnum() or char == " " for char in text) else ""


def scenario_states(sim):
    """The starting states of scenarios 2 and 3 as patches of the fields the tasks enforce (every
    extension follows the policy; the same with every 10th one not following it), the wanted items
    (extension, display_name) of the enforcing task, and the PBX's records as generated."""
    records = sim.pbx("GET", "extensions")
    compliant, differing, wanted = {}, {}, []
    for index, record in enumerate(records):
        name = usable_name(record.get("username")) or record["extnumber"]
        compliant[record["extnumber"]] = dict(POLICY_VENDOR, username=name)
        differing[record["extnumber"]] = dict(POLICY_VENDOR, username=name)
        if index % DIFFERING_EVERY == 0:
            differing[record["extnumber"]].update(ringtimeout="60", hasvoicemail="off")
        wanted.append({"extension": record["extnumber"], "display_name": name})
    return {"compliant": compliant, "differing": differing}, wanted, records


def lifecycle_items(records, creates, deletes):
    """The items of scenario 6: the first `deletes` extensions of the PBX with state absent, then `creates` new
    numbers after the highest one, each with what extension/add needs. The register password passes the strong
    policy: 16+ characters of letters, digits and ~^*-_?, a digit, both cases, no 3-digit run, neither the
    number nor the display name inside (the number appears spelt as letters, 0 = a ... 9 = j)."""
    items = [{"extension": record["extnumber"], "state": "absent"} for record in records[:deletes]]
    first = max(int(record["extnumber"]) for record in records) + 1
    for number in range(first, first + creates):
        spelt = "".join("abcdefghij"[int(digit)] for digit in str(number))
        items.append({"extension": str(number), "display_name": "New Hire %d" % number, "register_name": str(number),
                      "register_password": "Reg~%s~Qm9_wZtV" % spelt})
    return items


def lifecycle_calls(items, existing, batch):
    """The minimum PBX calls of one run of the scenario 6 task on a PBX that holds the numbers `existing`:
      1 login
    + ceil(K / batch) extension/query for the K numbers the items name, batch by batch in item order
    + 1 extension/list if some batch of 2 or more numbers names none that exists: the PBX answers such a query
      10006, and the module then lists the extensions, once per task (a mixed batch answers the existing
      ones; a batch of one missing number needs no list)
    + 1 extension/add per item present whose number does not exist
    + ceil(D / batch) extension/delete for the D items absent whose number exists
    + 1 logout.
    Items ordered deletions first, then creations, make the list call deterministic in both runs: in the first
    the batches of new numbers name only missing ones, in the second the batches of deleted numbers do."""
    numbers = [item["extension"] for item in items]
    batches = [numbers[start:start + batch] for start in range(0, len(numbers), batch)]
    calls = {"login": 1, "extension/query": len(batches), "logout": 1}
    if any(len(group) > 1 and existing.isdisjoint(group) for group in batches):
        calls["extension/list"] = 1
    adds = sum(1 for item in items if item.get("state") != "absent" and item["extension"] not in existing)
    deletions = sum(1 for item in items if item.get("state") == "absent" and item["extension"] in existing)
    if adds:
        calls["extension/add"] = adds
    if deletions:
        calls["extension/delete"] = math.ceil(deletions / batch)
    return calls


def apply_state(sim, patch):
    """Set raw fields on many extensions, in requests small enough for the simulator (1 MB a body)."""
    items = list(patch.items())
    for start in range(0, len(items), 1000):
        sim.pbx("POST", "extensions", {"patch": dict(items[start:start + 1000])})


def chunked(sim, key, values):
    for start in range(0, len(values), 500):
        sim.pbx("POST", "extensions", {key: values[start:start + 500]})


# --------------------------------------------------------------------------- the benchmark

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

    def measured(self, sim, runner, kind, playbook, arguments, state=None, env=None):
        if state is not None:
            apply_state(sim, state)
        sim.reset_counters()
        run = runner.playbook(playbook, *arguments, env=env)
        run.calls = sim.counters()
        if run.returncode != 0:
            tail = "\n".join(run.output.splitlines()[-25:])
            raise HarnessError("%s run of %s failed (exit %s):\n%s" % (kind, playbook.name, run.returncode, tail))
        log("    %-9s %7.2fs wall %7.2fs cpu  calls %s" % (kind, run.wall, run.cpu, json.dumps(run.calls, sort_keys=True)))
        return run

    # scenarios 1-3 -----------------------------------------------------------

    def scenarios_1_to_3(self, n):
        options = self.options
        reps = options.reps_small if n <= 500 else options.reps_large
        with Simulator(self.work, n) as sim:
            runner = Runner(self.work, options.collections_path, sim.env())
            states, wanted, records = scenario_states(sim)
            updates = len(wanted[::DIFFERING_EVERY])
            subset = options.baseline_subset or n
            measure_baseline = n in options.baseline_sizes
            base_wanted = wanted[:subset]
            vars_file = self.work / ("extensions-%d.json" % n)
            vars_file.write_text(json.dumps({"pbx_extensions": wanted}))
            base_vars_file = self.work / ("extensions-%d-baseline.json" % n)
            base_vars_file.write_text(json.dumps({"pbx_extensions": base_wanted}))
            floor = write_yaml(self.work / "floor.yml", floor_playbook())
            library = self.work / "echo-library"
            library.mkdir(exist_ok=True)
            for name, source in ECHO_MODULES.items():
                (library / (name + ".py")).write_text(source)
            echo_pbs = {"1": write_yaml(self.work / "s1-echo.yml", ours_read_all("voiceops_bench_echo_extension_info", "ansible floor")),
                        "2": write_yaml(self.work / "s2-echo.yml", ours_enforce("voiceops_bench_echo_extension", "ansible floor"))}
            echo_pbs["3"] = echo_pbs["2"]
            recorders = {"1": write_yaml(self.work / "s1-record.yml", recording(ours_read_all(), "pbx_info")),
                         "2": write_yaml(self.work / "s2-record.yml", recording(ours_enforce(), "pbx_applied"))}
            recorders["3"] = recorders["2"]
            scenarios = [
                ("1 read every extension's full settings", write_yaml(self.work / "s1-ours.yml", ours_read_all()),
                 write_yaml(self.work / "s1-base.yml", baseline_read_all(sim)), [], states["compliant"],
                 {"login": 1, "extension/query": 1, "logout": 1},
                 lambda k: {"login": 1, "extensionlist/query": 1, "extension/query": k, "logout": 1}),
                ("2 enforce settings, nothing differs", write_yaml(self.work / "s2-ours.yml", ours_enforce()),
                 write_yaml(self.work / "s2-base.yml", baseline_enforce(sim)), ["-e", "@" + str(vars_file)],
                 states["compliant"], minimum_calls(n),
                 lambda k: {"login": 1, "extension/query": k, "logout": 1}),
                ("3 enforce settings, 10% differ", self.work / "s2-ours.yml", self.work / "s2-base.yml",
                 ["-e", "@" + str(vars_file)], states["differing"], minimum_calls(n, updates=updates),
                 lambda k: dict({"login": 1, "extension/query": k, "logout": 1},
                                **{"extension/update": math.ceil(k / DIFFERING_EVERY)})),
            ]
            for title, ours_pb, base_pb, arguments, state, expected, base_expected in scenarios:
                reused = self.saved_baselines.get((title, n))
                measure_baseline = n in options.baseline_sizes and not reused
                log("  scenario %s, N=%d (%d repetitions, baseline %s)" % (
                    title, n, reps, ("%d items x %d" % (subset, options.baseline_reps)) if measure_baseline
                    else "from %s" % options.baseline_from if reused else "extrapolated"))
                record, echo_env = self.record_result(sim, runner, title, recorders[title[0]], arguments, state)
                base_arguments = [arg.replace(str(vars_file), str(base_vars_file)) for arg in arguments]
                trim = subset < n and title.startswith("1")   # the uri loop reads every extension of the PBX
                # smoke: the recording run, whose first task is ours', is the run of ours whose calls are checked
                runs = {"floor": [], "echo": [], "ours": [record] if options.smoke else [], "baseline": []}
                for rep in range(reps):
                    order = ["floor", "echo", "ours", "baseline"] if rep % 2 == 0 else ["baseline", "ours", "echo", "floor"]
                    for kind in order:
                        if kind == "floor":
                            if not options.smoke:
                                runs[kind].append(self.measured(sim, runner, kind, floor, arguments))
                        elif kind == "echo":
                            runs[kind].append(self.measured(sim, runner, "ans.floor", echo_pbs[title[0]], arguments, env=echo_env))
                        elif kind == "ours":
                            if not options.smoke:
                                runs[kind].append(self.measured(sim, runner, kind, ours_pb, arguments, state))
                        elif measure_baseline and rep < options.baseline_reps:
                            base_state = state
                            if trim:
                                chunked(sim, "delete", [record["extnumber"] for record in records[subset:]])
                                base_state = {record["extnumber"]: state[record["extnumber"]] for record in records[:subset]}
                            try:
                                runs[kind].append(self.measured(sim, runner, kind, base_pb, base_arguments, base_state))
                            finally:
                                if trim:
                                    chunked(sim, "add", records[subset:])
                for run in runs["ours"]:
                    self.check(run.calls == expected, "scenario %s N=%d: PBX calls %s, the minimum is %s" % (
                        title, n, json.dumps(run.calls, sort_keys=True), json.dumps(expected, sort_keys=True)))
                for run in runs["echo"]:
                    self.check(run.calls == {}, "scenario %s N=%d: the Ansible floor (echo module) made PBX calls %s, expected none" % (
                        title, n, json.dumps(run.calls, sort_keys=True)))
                for run in runs["baseline"]:
                    self.check(run.calls == base_expected(subset), "scenario %s N=%d: baseline PBX calls %s, expected %s" % (
                        title, n, json.dumps(run.calls, sort_keys=True), json.dumps(base_expected(subset), sort_keys=True)))
                self.rows.append(self.row(title, n, runs, subset, measure_baseline, expected, base_expected(n), reused))

    def record_result(self, sim, runner, title, playbook, arguments, state):
        """Runs ours once more with a task that shows its registered result; returns that run and the
        environment of the Ansible floor runs, which names the file that holds the result for the echo module."""
        run = self.measured(sim, runner, "record", playbook, arguments, state, env=RECORD_ENV)
        result = recorded_result(run.output)
        if ("extensions" if title.startswith("1") else "results") not in result:
            raise HarnessError("the recorded result of scenario %s holds no result list: %s" % (title, sorted(result)))
        echo_file = self.work / ("echo-s%s.json" % title[0])
        echo_file.write_text(json.dumps(result))
        return run, {"ANSIBLE_LIBRARY": str(self.work / "echo-library"), "VOICEOPS_BENCH_RESULT": str(echo_file)}

    def row(self, title, n, runs, subset, measured, expected, base_expected, reused=None):
        floor = median([run.wall for run in runs["floor"]])
        ours = median([run.wall for run in runs["ours"]])
        row = {"scenario": title, "n": n, "floor": floor, "ours": ours,
               "ours_cpu": median([run.cpu for run in runs["ours"]]),
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
            per_item = self.baseline_per_item(title)
            row["baseline"] = (floor or 0) + per_item * n if per_item is not None else None
            row["baseline_note"] = "extrapolated" if per_item is not None else "not measured"
        row["speedup"] = row["baseline"] / ours if row["baseline"] else None
        row["vs_floor"] = ours / floor if floor else None
        smoke = self.options.smoke
        if not smoke:
            self.check(row["vs_floor"] <= TARGET_FLOOR_RATIO, "scenario %s N=%d: ours %.2fs is %.2fx the floor %.2fs (target <= %.1fx)"
                       % (title, n, ours, row["vs_floor"], floor, TARGET_FLOOR_RATIO))
            if n == 500 and row["speedup"] is not None:
                self.check(row["speedup"] >= TARGET_SPEEDUP, "scenario %s N=%d: %.0fx faster than the uri baseline (target >= %dx)"
                           % (title, n, row["speedup"], TARGET_SPEEDUP))
        return row

    def baseline_per_item(self, title):
        """Seconds per extension of the baseline, from the largest size where it was measured."""
        measured = [row for row in self.rows if row["scenario"] == title and row.get("baseline_runs")]
        if not measured:
            return None
        row = max(measured, key=lambda item: item["n"])
        return (row["baseline"] - (row["floor"] or 0)) / row["n"]

    # scenario 4 --------------------------------------------------------------

    def scenario_4(self, n):
        options = self.options
        reps = options.reps_inventory
        with Simulator(self.work, n) as sim:
            runner = Runner(self.work, options.collections_path, sim.env())
            for details in (False, True):
                label = "details" if details else "summary"
                cache_dir = self.work / ("inventory-cache-%s" % label)
                config = {"plugin": "voiceops.pbx.yeastar", "details": details, "cache": True,
                          "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir),
                          "cache_timeout": 3600}
                source = self.work / ("%s.yeastar.yml" % label)
                write_yaml(source, config)
                shutil.rmtree(cache_dir, ignore_errors=True)
                first, rss = runner.inventory(source)
                if first.returncode != 0:
                    raise HarnessError("ansible-inventory failed:\n" + first.output[-3000:])
                static = self.work / ("static-%s.yml" % label)
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
                        if kind == "cold":
                            shutil.rmtree(cache_dir, ignore_errors=True)
                        elif kind == "cached" and not cache_dir.exists():
                            runner.inventory(source)
                        sim.reset_counters()
                        run, rss = runner.inventory(static if kind == "static" else source)
                        run.calls = sim.counters()
                        if run.returncode != 0:
                            raise HarnessError("ansible-inventory (%s) failed:\n%s" % (kind, run.output[-3000:]))
                        if kind == "cold":
                            peak = max(peak, rss)
                        elif kind == "static":
                            static_peak = max(static_peak, rss)
                        runs[kind].append(run)
                        log("    %-9s %7.2fs wall %7.2fs cpu  calls %s  peak RSS %d MB" % (
                            kind, run.wall, run.cpu, json.dumps(run.calls, sort_keys=True), rss // 1024))
                for run in runs["cold"]:
                    self.check(run.calls == expected_cold, "scenario 4 (%s) N=%d: cold run made %s, the minimum is %s" % (
                        label, n, json.dumps(run.calls, sort_keys=True), json.dumps(expected_cold, sort_keys=True)))
                for run in runs["cached"]:
                    self.check(run.calls == {}, "scenario 4 (%s) N=%d: cached run made %s, expected none" % (
                        label, n, json.dumps(run.calls, sort_keys=True)))
                row = {"label": label, "n": n, "calls": expected_cold}
                for kind, values in runs.items():
                    row[kind] = median([run.wall for run in values])
                    row[kind + "_runs"] = [round(run.wall, 2) for run in values]
                row["cold_ratio"] = row["cold"] / row["static"]
                row["cached_ratio"] = row["cached"] / row["static"]
                self.inventory_rows.append(row)
                self.memory_rows.append(("ansible-inventory --list, plugin %s, cold" % (
                    "with details: true" if details else "with its defaults"), n, peak / 1024, not details))
                self.memory_rows.append(("ansible-inventory --list, the static inventory of the same %s" % (
                    "hosts and settings" if details else "hosts"), n, static_peak / 1024, False))
                if not options.smoke:
                    self.check(row["cold_ratio"] <= TARGET_INVENTORY_COLD, "scenario 4 (%s) N=%d: cold %.2fs is %.2fx the static %.2fs"
                               % (label, n, row["cold"], row["cold_ratio"], row["static"]))
                    self.check(row["cached_ratio"] <= TARGET_INVENTORY_CACHED, "scenario 4 (%s) N=%d: cached %.2fs is %.2fx the static %.2fs"
                               % (label, n, row["cached"], row["cached_ratio"], row["static"]))
                    if not details:   # with details, see MEMORY_NOTE: Ansible's own structures dominate
                        self.check(peak / 1024 < MEMORY_LIMIT_MB, "ansible-inventory (%s) N=%d: peak RSS %.0f MB (limit %d MB)"
                                   % (label, n, peak / 1024, MEMORY_LIMIT_MB))
            if not options.smoke:
                self.module_memory(sim, runner, n)

    def module_memory(self, sim, runner, n):
        """Peak RSS of the module processes, through an interpreter wrapper that waits for the real one."""
        rss_log = self.work / "module-rss.txt"
        wrapper = self.work / "python-rss"
        wrapper.write_text(
            "#!%s\nimport os, subprocess, sys\n"
            "child = subprocess.Popen([%r] + sys.argv[1:])\n"
            "_pid, status, usage = os.wait4(child.pid, 0)\n"
            "with open(%r, 'a') as log:\n"
            "    log.write('%%d %%s\\n' %% (usage.ru_maxrss, ' '.join(sys.argv[1:])))\n"
            "sys.exit(os.waitstatus_to_exitcode(status))\n" % (sys.executable, sys.executable, str(rss_log)))
        wrapper.chmod(0o755)
        states, wanted, _records = scenario_states(sim)
        vars_file = self.work / ("extensions-%d.json" % n)
        vars_file.write_text(json.dumps({"pbx_extensions": wanted}))
        cases = [("yeastar_extension_info details", write_yaml(self.work / "m1.yml", ours_read_all()), [], states["compliant"]),
                 ("yeastar_extension, 10% differ", write_yaml(self.work / "m3.yml", ours_enforce()),
                  ["-e", "@" + str(vars_file)], states["differing"])]
        for label, playbook, arguments, state in cases:
            rss_log.write_text("")
            # an extra var: the implicit localhost's own ansible_python_interpreter beats the environment
            self.measured(sim, runner, "memory", playbook, arguments + ["-e", "ansible_python_interpreter=%s" % wrapper], state)
            peaks = [int(line.split()[0]) for line in rss_log.read_text().splitlines() if "AnsiballZ_" in line]
            if not peaks:
                raise HarnessError("no module process was recorded by the RSS wrapper")
            peak = max(peaks) / 1024
            log("    module %s: peak RSS %.0f MB" % (label, peak))
            self.memory_rows.append(("module " + label, n, peak, True))
            self.check(peak < MEMORY_LIMIT_MB, "module %s N=%d: peak RSS %.0f MB (limit %d MB)" % (label, n, peak, MEMORY_LIMIT_MB))

    # scenario 5 --------------------------------------------------------------

    def scenario_5(self, n):
        options = self.options
        reps = options.reps_large
        with Simulator(self.work, n) as sim:
            runner = Runner(self.work, options.collections_path, sim.env())
            numbers = [record["extnumber"] for record in sim.pbx("GET", "extensions")]
            vars_file = self.work / ("numbers-%d.json" % n)
            vars_file.write_text(json.dumps({"pbx_numbers": numbers}))
            arguments = ["-e", "@" + str(vars_file)]
            pending = numbers[::max(1, n // WAIT_PENDING)][:WAIT_PENDING]
            floor = write_yaml(self.work / "floor.yml", floor_playbook())

            startup = []   # wall times of the floor: how long Ansible takes before the module polls

            def registered_but_pending(wait):
                # replace drops what earlier runs scheduled; the same numbers do not count as added
                body = {"replace": [{"extnumber": number, "registered": number not in pending or not wait}
                                    for number in numbers]}
                if wait:
                    after = WAIT_AFTER + (median(startup) if startup else 1.5)
                    body["schedule"] = [{"extnumber": number, "after": after, "registered": True} for number in pending]
                sim.outbound("POST", "registrations", body)

            for wait in (False, True):
                title = "5 sip_register_status, wait %.0fs" % WAIT_AFTER if wait else "5 sip_register_status"
                log("  scenario %s, N=%d (%d repetitions)" % (title, n, reps))
                ours_pb = write_yaml(self.work / ("s5-ours-%s.yml" % wait), ours_register_status(wait))
                base_pb = write_yaml(self.work / ("s5-base-%s.yml" % wait), baseline_register_status(sim, wait))
                runs = {"floor": [], "ours": [], "baseline": []}
                for rep in range(reps):
                    order = ["floor", "ours", "baseline"] if rep % 2 == 0 else ["baseline", "ours", "floor"]
                    for kind in order:
                        if kind == "floor" and options.smoke:
                            continue
                        registered_but_pending(wait)
                        playbook = {"floor": floor, "ours": ours_pb, "baseline": base_pb}[kind]
                        run = self.measured(sim, runner, kind, playbook, arguments)
                        runs[kind].append(run)
                        if kind == "floor":
                            startup.append(run.wall)
                        if kind == "ours":
                            rounds = [int(line.split("rounds=")[1].split('"')[0]) for line in run.output.splitlines()
                                      if "rounds=" in line]
                            rounds = rounds[0] if rounds else 0
                            per_round = math.ceil(n / BATCH)
                            expected = {"App.Sip_Auth.Login": 1, "App.Sip_Auth.Logout": 1,
                                        "App.Sip_Status.GetSipRegisterStatus":
                                            per_round + (rounds - 1) * math.ceil(len(pending) / BATCH)}
                            run.expected = expected
                            run.rounds = rounds
                            self.check(run.calls == expected, "scenario %s N=%d: calls %s in %d rounds, the minimum is %s" % (
                                title, n, json.dumps(run.calls, sort_keys=True), rounds, json.dumps(expected, sort_keys=True)))
                            if wait and rounds < 2:
                                log("    note: the phones registered before the first round (a slow start-up)")
                row = {"scenario": title, "n": n, "floor": median([run.wall for run in runs["floor"]]),
                       "ours": median([run.wall for run in runs["ours"]]),
                       "baseline": median([run.wall for run in runs["baseline"]]),
                       "ours_cpu": median([run.cpu for run in runs["ours"]]),
                       "floor_cpu": median([run.cpu for run in runs["floor"]]),
                       "ours_runs": [round(run.wall, 2) for run in runs["ours"]],
                       "floor_runs": [round(run.wall, 2) for run in runs["floor"]],
                       "baseline_runs": [round(run.wall, 2) for run in runs["baseline"]],
                       "ours_calls": runs["ours"][-1].calls, "expected_calls": runs["ours"][-1].expected,
                       "baseline_calls": runs["baseline"][-1].calls,
                       "baseline_note": "one uri call with every number" + (", until registered (delay 1 s)" if wait else ""),
                       "rounds": runs["ours"][-1].rounds}
                row["speedup"] = row["baseline"] / row["ours"]
                row["vs_floor"] = row["ours"] / row["floor"] if row["floor"] else None
                self.rows.append(row)

    # scenario 6 --------------------------------------------------------------

    def scenario_6(self, n, creates, deletes, batch):
        """On API v2.0.0, one bulk task that deletes `deletes` of the n extensions and creates `creates` new ones,
        then the same task again; before each repetition the PBX is put back as it started. Calls checked
        exactly (lifecycle_calls); timings are information."""
        options = self.options
        reps = options.reps_small
        with Simulator(self.work, n) as sim:
            runner = Runner(self.work, options.collections_path, sim.env())
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
            vars_file = self.work / ("lifecycle-%d.json" % n)
            vars_file.write_text(json.dumps({"pbx_lifecycle": items}))
            arguments = ["-e", "@" + str(vars_file)]
            ours_pb = write_yaml(self.work / "s6-ours.yml", ours_lifecycle(batch))
            floor = write_yaml(self.work / "floor.yml", floor_playbook())
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
                            runs[kind].append(self.measured(sim, runner, kind, floor, arguments))
                        continue
                    run = self.measured(sim, runner, {"first": "ours 1st", "second": "ours 2nd"}[kind], ours_pb, arguments)
                    runs[kind].append(run)
                    self.check(run.calls == expected[kind], "scenario %s N=%d: %s run made PBX calls %s, the minimum is %s" % (
                        LIFECYCLE_TITLE, n, kind, json.dumps(run.calls, sort_keys=True), json.dumps(expected[kind], sort_keys=True)))
                    held = {record["extnumber"] for record in sim.pbx("GET", "extensions")}
                    self.check(held == after, "scenario %s N=%d: after the %s run the PBX holds %d extensions, %d missing and %d"
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
            self.lifecycle_rows.append(row)

    # run ------------------------------------------------------------------------

    def run(self):
        options = self.options
        started = time.monotonic()
        try:
            for n in options.sizes:
                log("== scenarios 1-3, N=%d" % n)
                self.scenarios_1_to_3(n)
            if options.register_size:
                log("== scenario 5, N=%d" % options.register_size)
                self.scenario_5(options.register_size)
            if options.lifecycle:
                log("== scenario 6, N=%d" % options.lifecycle[0])
                self.scenario_6(*options.lifecycle, options.lifecycle_batch)
            if options.inventory_size:
                log("== scenario 4 and memory, N=%d" % options.inventory_size)
                self.scenario_4(options.inventory_size)
        finally:
            if not options.keep:
                shutil.rmtree(self.work, ignore_errors=True)
        self.elapsed = time.monotonic() - started


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


# --------------------------------------------------------------------------- the report

def fmt(value, digits=2, suffix=""):
    return "n/a" if value is None else ("%.*f%s" % (digits, value, suffix))


def calls_text(calls):
    return ", ".join("%s %s" % (key, value) for key, value in sorted(calls.items())) or "none"


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        memory = int(open("/proc/meminfo", encoding="utf-8").readline().split()[1]) // (1024 * 1024)
    except (OSError, ValueError, IndexError):
        memory = "?"
    from ansible.release import __version__ as ansible_version
    return "%s, %s CPU core(s) (%s), %s GiB memory; Python %s, ansible-core %s" % (
        platform.system(), os.cpu_count(), cpu, memory, platform.python_version(), ansible_version)


def report(bench, command):
    options = bench.options
    lines = []
    add = lines.append
    add("# Performance")
    add("")
    add("Generated by `tools/benchmark.py` on %s in %.0f minutes (do not edit by hand; the prose is a template in the harness)."
        % (datetime.date.today().isoformat(), bench.elapsed / 60))
    add("")
    add("Machine: %s. Load average (1, 5, 15 minutes) when the run started: %s; when it ended: %s (2 cores: a 1-minute"
        " load well above 1 means other work shared the machine, and the timings carry its noise; the CPU times"
        " below carry less of it)." % (machine_description(), getattr(bench, "load_start", None) or "n/a", bench.load or "n/a"))
    add("")
    add("Reproduce it with:")
    add("")
    add("```bash")
    add("make benchmark            # the full run below; writes docs/performance.md")
    add("make benchmark-smoke      # N=50, one repetition: call counts only (part of make test)")
    add("```")
    add("")
    add("The command behind this file: `%s`." % command)
    add("")
    add(PROSE_METHOD.strip())
    add("")
    add("## Scenarios 1-3 and 5: voiceops.pbx against the uri baseline")
    add("")
    add("| scenario | N | ours (median) | baseline (median) | floor (median) | baseline / ours | ours / floor "
        "| Ansible floor (median; information) | ours / Ansible floor | PBX calls, ours | PBX calls, baseline | targets |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
    for row in bench.rows:
        base = fmt(row["baseline"], 1, " s")
        if row.get("baseline_note"):
            base += " (%s)" % row["baseline_note"]
        add("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row["scenario"], row["n"], fmt(row["ours"], 2, " s"), base, fmt(row["floor"], 2, " s"),
            fmt(row.get("speedup"), 0, "x"), fmt(row["vs_floor"], 2, "x"),
            fmt(row.get("ansible_floor"), 2, " s") if row["scenario"].startswith(("1", "2", "3")) else "-",
            fmt(row.get("vs_ansible_floor"), 2, "x") if row["scenario"].startswith(("1", "2", "3")) else "-",
            calls_text(row["ours_calls"]), calls_text(row["baseline_calls"]), targets_text(row)))
    add("")
    add("Every run (wall seconds, in the order they ran):")
    add("")
    for row in bench.rows:
        ansible_floor = ""
        if "ansible_floor_runs" in row:
            ansible_floor = "; Ansible floor %s" % row["ansible_floor_runs"]
        cpu = "ours %s, floor %s" % (fmt(row["ours_cpu"], 2, " s"), fmt(row["floor_cpu"], 2, " s"))
        if row.get("ansible_floor_cpu") is not None:
            cpu += ", Ansible floor %s" % fmt(row["ansible_floor_cpu"], 2, " s")
        add("- %s, N=%d: ours %s; floor %s%s; baseline %s; CPU time (user+system of the whole process tree, median): %s"
            % (row["scenario"], row["n"], row["ours_runs"], row["floor_runs"], ansible_floor, row.get("baseline_runs", "not run"), cpu))
    add("")
    add(PROSE_ANSIBLE_FLOOR.strip())
    add("")
    split = [row for row in bench.rows if row.get("ansible_floor") and row.get("floor")]
    if split:
        add("Ours above the floor in two parts (medians of wall time, so the parts are estimates): ansible-core's"
            " handling of these arguments and this result (Ansible floor - floor), and the rest, our own work"
            " (ours - Ansible floor); then what ours / floor would be with our own work alone, floor + (ours - Ansible floor):")
        add("")
        for row in split:
            above = row["ours"] - row["floor"]
            core = row["ansible_floor"] - row["floor"]
            own = row["ours"] - row["ansible_floor"]
            add("- %s, N=%d: ours %.2f s = floor %.2f s + ansible-core %.2f s + our code %.2f s%s; floor + our code: %.2fx the floor" % (
                row["scenario"], row["n"], row["ours"], row["floor"], core, own,
                " (ansible-core: %.0f%% of the time above the floor)" % (100 * core / above) if above > 0 else "",
                (row["floor"] + own) / row["floor"]))
        add("")
    if bench.inventory_rows:
        add("## Scenario 4: the inventory plugin against a static inventory of the same hosts and variables")
        add("")
        add("| hosts | plugin options | static inventory (median) | plugin, cold (median) | cold / static "
            "| plugin, cached (median) | cached / static | PBX calls, cold | PBX calls, cached | targets |")
        add("| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
        for row in bench.inventory_rows:
            ok = row["cold_ratio"] <= TARGET_INVENTORY_COLD and row["cached_ratio"] <= TARGET_INVENTORY_CACHED
            add("| %d | %s | %s | %s | %s | %s | %s | %s | none | %s |" % (
                row["n"], "details: true" if row["label"] == "details" else "defaults (details: false)",
                fmt(row["static"], 2, " s"), fmt(row["cold"], 2, " s"), fmt(row["cold_ratio"], 2, "x"),
                fmt(row["cached"], 2, " s"), fmt(row["cached_ratio"], 2, "x"), calls_text(row["calls"]),
                "met" if ok or options.smoke else "NOT MET"))
        add("")
        for row in bench.inventory_rows:
            add("- %s, N=%d: static %s; cold %s; cached %s" % (row["label"], row["n"], row["static_runs"], row["cold_runs"], row["cached_runs"]))
        add("")
    if bench.lifecycle_rows:
        add("## Scenario 6: creating and deleting extensions (API v2.0.0)")
        add("")
        add(PROSE_LIFECYCLE.strip())
        add("")
        add("| N existing | created | deleted | batch_size | first run (median) | second run (median) | floor (median) "
            "| first run / floor | PBX calls, first run | PBX calls, second run | targets |")
        add("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
        for row in bench.lifecycle_rows:
            add("| %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s |" % (
                row["n"], row["creates"], row["deletes"], row["batch"], fmt(row["first"], 2, " s"), fmt(row["second"], 2, " s"),
                fmt(row["floor"], 2, " s"), fmt(row["vs_floor"], 2, "x"), calls_text(row["first_calls"]),
                calls_text(row["second_calls"]), lifecycle_targets_text(row)))
        add("")
        for row in bench.lifecycle_rows:
            add("- N=%d, create %d, delete %d: first run %s; second run %s; floor %s; CPU time (median): first run %s, second run %s,"
                " floor %s; minimum calls: first run %s; second run %s" % (
                    row["n"], row["creates"], row["deletes"], row["first_runs"], row["second_runs"], row["floor_runs"] or "not run",
                    fmt(row["first_cpu"], 2, " s"), fmt(row["second_cpu"], 2, " s"), fmt(row["floor_cpu"], 2, " s"),
                    calls_text(row["first_expected"]), calls_text(row["second_expected"])))
        add("")
    if bench.memory_rows:
        add("## Memory: peak RSS")
        add("")
        add("| process | N | peak RSS | target (< %d MB) |" % MEMORY_LIMIT_MB)
        add("| --- | ---: | ---: | --- |")
        for label, n, peak, checked in bench.memory_rows:
            verdict = ("met" if peak < MEMORY_LIMIT_MB else "NOT MET") if checked else "for comparison"
            add("| %s | %d | %.0f MB | %s |" % (label, n, peak, verdict))
        add("")
        add(MEMORY_NOTE.strip())
        add("")
    add("## Result")
    add("")
    if bench.failures:
        add("Targets not met in this run:")
        add("")
        for failure in bench.failures:
            add("- " + failure)
        beyond = [row for row in bench.rows if row.get("ansible_floor") and row.get("floor") and row.get("vs_floor")
                  and row["vs_floor"] > TARGET_FLOOR_RATIO and row["ansible_floor"] / row["floor"] > TARGET_FLOOR_RATIO]
        if beyond:
            add("")
            add("Where the Ansible floor alone is above %.1fx the floor, ansible-core's handling of the arguments and the"
                " result already exceeds the target before any of our code runs:" % TARGET_FLOOR_RATIO)
            add("")
            for row in beyond:
                add("- %s, N=%d: Ansible floor %.2f s = %.2fx the floor %.2f s; ours %.2fx the Ansible floor" % (
                    row["scenario"], row["n"], row["ansible_floor"], row["ansible_floor"] / row["floor"], row["floor"],
                    row["ours"] / row["ansible_floor"]))
    else:
        add("Every target checked by the harness was met in this run.")
    add("")
    if getattr(bench, "notes", None):
        add("Notes on this run:")
        add("")
        for note in bench.notes:
            add("- " + note)
        add("")
    cpu = [row for row in bench.rows if row.get("floor_cpu") and row["scenario"].startswith(("1", "2", "3"))]
    if cpu:
        add("Ours / floor of scenarios 1-3 on CPU time (user + system of ansible-playbook and every process it"
            " started, median), which the other work on the machine disturbs less than wall time:")
        add("")
        for row in cpu:
            ansible_floor = ""
            if row.get("ansible_floor_cpu"):
                ansible_floor = "; Ansible floor %.2f s, ours / Ansible floor %.2fx" % (
                    row["ansible_floor_cpu"], row["ours_cpu"] / row["ansible_floor_cpu"])
            add("- %s, N=%d: ours %.2f s, floor %.2f s, ours / floor %.2fx%s" % (
                row["scenario"], row["n"], row["ours_cpu"], row["floor_cpu"], row["ours_cpu"] / row["floor_cpu"], ansible_floor))
        add("")
    add(PROSE_PROFILE.strip())
    add("")
    return "\n".join(lines)


def targets_text(row):
    parts = []
    if row["ours_calls"] == row["expected_calls"]:
        parts.append("calls at the minimum")
    else:
        parts.append("calls NOT at the minimum")
    if row["scenario"].startswith(("1", "2", "3")):
        if row["vs_floor"] is not None:
            parts.append("floor %s" % ("met" if row["vs_floor"] <= TARGET_FLOOR_RATIO else "NOT MET"))
        if row["n"] == 500 and row.get("speedup") is not None:
            parts.append("100x %s" % ("met" if row["speedup"] >= TARGET_SPEEDUP else "NOT MET"))
    return "; ".join(parts)


def lifecycle_targets_text(row):
    parts = []
    for kind in ("first", "second"):
        if row[kind + "_at_minimum"]:
            parts.append("%s run: calls at the minimum" % kind)
        else:
            parts.append("%s run: calls NOT at the minimum (%s)" % (kind, calls_text(row[kind + "_expected"])))
    return "; ".join(parts + ["timings: information"])


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
  (`/__sim__/registrations`) to register 3 seconds after Ansible's start-up (the median floor run time
  so far, from the moment the command starts), so that the module polls for about 3 seconds;
  `interval: 1`. Calls are checked against ceil(N / 100) for the first round plus ceil(20 / 100) for
  each later round (the `rounds` the module returns).
- **Scenario 6.** The simulator's API v2.0.0 (`extension/add`, `extension/delete`, `extension/list`) over the
  same store, with its strong-password policy and its limit of 500 extensions (N + C stays within it); see its
  section below.
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
The **Ansible floor** column is information, not a target: the 1.5x target is ours / floor. It shows
how much of ours / floor is ansible-core's own cost per value, which any module taking the same
arguments and returning the same result pays, and how much is left for our code (imports, the PBX
calls over HTTPS, the simulator's answers, planning, building the result). Where the Ansible floor
itself is well above 1.5x the floor, that target cannot be met by any module with these arguments and
this result: in scenario 1 the result is every setting of every extension, and in scenarios 2 and 3
the argument is the whole list of extensions.
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
ours is the difference between ours and the Ansible floor.
"""


# --------------------------------------------------------------------------- main

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    parser.add_argument("--inventory-size", type=int, default=5000, help="N of scenario 4 and of the memory check (0: skip)")
    parser.add_argument("--register-size", type=int, default=2000, help="N of scenario 5 (0: skip)")
    parser.add_argument("--lifecycle", default=LIFECYCLE, metavar="N,C,M",
                        help="scenario 6: N existing extensions, C created, M deleted (default %s, smoke %s; 0: skip)"
                             % (LIFECYCLE, LIFECYCLE_SMOKE))
    parser.add_argument("--lifecycle-batch", type=int, metavar="B",
                        help="batch_size of scenario 6 (default %d, smoke %d)" % (BATCH, LIFECYCLE_SMOKE_BATCH))
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
    command = "tools/benchmark.py " + " ".join(sys.argv[1:] if argv is None else argv)
    if options.report_from:
        saved = json.loads(pathlib.Path(options.report_from).read_text())
        bench = Benchmark.__new__(Benchmark)
        bench.options = options
        bench.rows, bench.inventory_rows, bench.failures = saved["rows"], saved["inventory"], saved["failures"]
        bench.lifecycle_rows = saved.get("lifecycle", [])
        bench.memory_rows = [tuple(row) + (True,) * (4 - len(row)) for row in saved["memory"]]
        bench.elapsed = saved.get("elapsed", 0)
        bench.load = saved.get("load")
        bench.load_start = saved.get("load_start")
        bench.notes = saved.get("notes", [])
        command = saved.get("command", command)
    else:
        bench = Benchmark(options)
        bench.load_start = " ".join("%.1f" % value for value in os.getloadavg())
        try:
            bench.run()
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
