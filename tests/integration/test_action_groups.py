# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""module_defaults with the action groups of meta/runtime.yml set the connection once for every module."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[2]
BIN = pathlib.Path(sys.executable).parent


def clean_env(tmp_path):
    """The test run's environment without any connection variable: only module_defaults may connect."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("YEASTAR_", "OUTBOUND_API_"))}
    env.update(ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING="False",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="False")
    if "VOICEOPS_COLLECTIONS_PATH" in os.environ:
        env["ANSIBLE_COLLECTIONS_PATH"] = os.environ["VOICEOPS_COLLECTIONS_PATH"]
    return env


def test_the_action_groups_are_the_modules_that_document_them(tmp_path):
    groups = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))["action_groups"]
    modules = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py"))
    run = subprocess.run([str(BIN / "ansible-doc"), "--json"] + ["voiceops.pbx." + name for name in modules],
                         env=clean_env(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    docs = json.loads(run.stdout)
    documented = {}
    for name in modules:
        membership = docs["voiceops.pbx." + name]["doc"].get("attributes", {}).get("action_group", {}).get("membership")
        for group in membership or []:
            documented.setdefault(group.replace("voiceops.pbx.", ""), []).append(name)
    assert {group: sorted(members) for group, members in groups.items()} == documented
    assert sorted(member for members in groups.values() for member in members) == modules


def test_module_defaults_groups_connect_every_module(tmp_path, pbx, outbound):
    playbook = [{
        "name": "Connection set once per API with module_defaults",
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {
            "group/voiceops.pbx.yeastar": {"host": pbx.host, "port": pbx.port, "api_username": "api",
                                           "api_password": pbx.api_password, "ca_path": pbx.ca_path},
            "group/voiceops.pbx.outbound": {"url": outbound.url, "appid": outbound.appid,
                                            "accesskey": outbound.accesskey},
        },
        "tasks": [
            {"name": "Read", "voiceops.pbx.yeastar_extension_info": {"extensions": [1002]}, "register": "info"},
            {"name": "Configure", "voiceops.pbx.yeastar_extension": {"extension": 1002, "ring_timeout": 120},
             "register": "configured"},
            {"name": "Registration", "voiceops.pbx.sip_register_status": {"extnumber": [1002]},
             "register": "registration"},
            {"name": "Results", "ansible.builtin.assert": {"that": [
                "info.extensions[0].number == '1002'",
                "configured.extension.ring_timeout == 120",
                "registration.extensions[0].extnumber == '1002'",
            ]}},
        ],
    }]
    path = tmp_path / "module_defaults.yml"
    path.write_text(yaml.safe_dump(playbook), encoding="utf-8")
    run = subprocess.run([str(BIN / "ansible-playbook"), str(path)], env=clean_env(tmp_path), capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert pbx.counters["extension/update"] == 1 and pbx.counters["login"] == 2
    assert outbound.counters["App.Sip_Status.GetSipRegisterStatus"] == 1
