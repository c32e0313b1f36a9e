# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks the benchmark runs: ours, the hand-written uri baselines, the floors."""

from __future__ import annotations

import json

import yaml

from .harness import HarnessError
from .parameters import POLICY, POLICY_VENDOR


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


def recorded_result(output, host="localhost"):
    """The module's result from the output of a recording run: the debug task's msg."""
    lines = output.splitlines()
    try:
        start = next(index for index, line in enumerate(lines) if line.startswith("TASK [%s]" % RECORD_TASK))
        first = next(index for index in range(start, len(lines)) if lines[index].startswith("ok: [%s] => {" % host))
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
# Written by tools/benchmark of voiceops.pbx: the module of its "Ansible floor" runs.
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


def write_echo_library(directory):
    """The modules of the Ansible floor runs, in a directory for ANSIBLE_LIBRARY."""
    directory.mkdir(exist_ok=True)
    for name, source in ECHO_MODULES.items():
        (directory / (name + ".py")).write_text(source)
    return directory


def fleet_variant(path, ours):
    """The fleet playbook with each of our tasks changed by ours(task, module, arguments), which returns the tasks
    to put in its place; the report task is kept only where the task it reports on is."""
    plays = yaml.safe_load(path.read_text())
    for play_ in plays:
        tasks = []
        for task in play_.get("tasks", []):
            module = next((key for key in task if key.startswith("voiceops.pbx.")), None)
            tasks.extend(ours(task, module, task[module]) if module else [task])
        play_["tasks"] = tasks
    return plays


def fleet_echo_playbook(path):
    """The Ansible floor of the fleet scenario: the fleet playbook with our task run by the echo module of
    yeastar_extension (the same arguments, plus the connection: module_defaults name our action group only)."""
    connection = next(play_["module_defaults"]["group/voiceops.pbx.yeastar"]
                      for play_ in yaml.safe_load(path.read_text()) if play_.get("module_defaults"))

    def echo(task, module, arguments):
        echoed = {key: value for key, value in task.items() if key != module}
        echoed["voiceops_bench_echo_extension"] = dict(arguments, **connection)
        return [echoed]

    return fleet_variant(path, echo)


def fleet_recording_playbook(path, host):
    """Ours on one PBX host, then its registered result shown as JSON, for the echo module to return."""
    def record(task, module, arguments):
        return [dict(task, register="pbx_fleet_result"),
                {"name": RECORD_TASK, "ansible.builtin.debug": {"msg": "{{ pbx_fleet_result | to_json }}"}}]

    plays = fleet_variant(path, record)
    for play_ in plays:
        if play_.get("hosts") == "pbxes":
            play_["hosts"] = host
            play_["tasks"] = [task for task in play_["tasks"] if "ansible.builtin.debug" not in task or task["name"] == RECORD_TASK]
    return [play_ for play_ in plays if play_.get("hosts") == host]


def fleet_floor_playbook(path):
    """The floor of the fleet scenario: the fleet playbook itself with each of our tasks running ansible.builtin.ping
    instead (same plays, hosts, variables and task count) and a report line without our results."""
    plays = yaml.safe_load(path.read_text())
    for play_ in plays:
        for task in play_.get("tasks", []):
            ours = [key for key in task if key.startswith("voiceops.pbx.")]
            for key in ours:
                del task[key]
                task.pop("when", None)
                task["ansible.builtin.ping"] = {}
            if "ansible.builtin.debug" in task:
                task["ansible.builtin.debug"] = {"msg": "{{ inventory_hostname }}: floor"}
    return plays
