# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Extension hosts of the inventory plugin run their tasks with the Python that runs Ansible."""

from __future__ import annotations

import json
import os
import pathlib
import sys

PLAYBOOK_PYTHON = "{{ ansible_playbook_python }}"
# Every name of Ansible's interpreter discovery list that is looked up on PATH.
DISCOVERED_NAMES = ["python3"] + ["python3.%d" % minor for minor in range(8, 16)]
DISCOVERY = {"ANSIBLE_PYTHON_INTERPRETER": "auto_silent"}


def _bin(name):
    return str(pathlib.Path(sys.executable).with_name(name))


def listed_hostvars(run, host="ext1002"):
    assert run.returncode == 0, run.stderr
    inventory = json.loads(run.stdout, object_hook=lambda value: value.get("__ansible_unsafe", value))
    return inventory["_meta"]["hostvars"][host]


def broken_pythons(directory):
    """A directory of python3* programs that refuse to run, like a pyenv shim for a version not selected."""
    directory.mkdir()
    for name in DISCOVERED_NAMES:
        path = directory / name
        path.write_text("#!/bin/sh\necho 'pyenv: %s: command not found' >&2\nexit 1\n" % name)
        path.chmod(0o755)
    return directory


def test_tasks_on_extension_hosts_succeed_when_discovery_would_pick_a_broken_python(ansible, pbx):
    shims = broken_pythons(ansible.tmp_path / "shims")
    ansible.inventory({}, "--list")  # writes the inventory file
    playbook = ansible.tmp_path / "read.yml"
    playbook.write_text(json.dumps([{"hosts": "ext1002:ext1003", "gather_facts": False, "tasks": [
        {"name": "Read the extension", "voiceops.pbx.yeastar_extension_info": {"extensions": "{{ yeastar_number }}"},
         "register": "info"},
        {"ansible.builtin.debug": {"msg": "python={{ ansible_playbook_python }}"}}]}]))
    env = dict(DISCOVERY, PATH="%s%s%s" % (shims, os.pathsep, os.environ.get("PATH", "")))
    run = ansible.run([_bin("ansible-playbook"), "-i", str(ansible.tmp_path / "pbx.yeastar.yml"), str(playbook)],
                      env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ok=2" in run.stdout and "failed=0" in run.stdout
    assert "MODULE FAILURE" not in run.stdout


def test_the_inventory_sets_the_playbook_python_on_extension_hosts(ansible):
    hostvars = listed_hostvars(ansible.inventory({}, "--list", env=DISCOVERY))
    assert hostvars["ansible_connection"] == "local"
    assert hostvars["ansible_python_interpreter"] == PLAYBOOK_PYTHON


def test_an_interpreter_from_compose_wins(ansible):
    config = {"compose": {"ansible_python_interpreter": "'/opt/python/bin/python3'"}}
    hostvars = listed_hostvars(ansible.inventory(config, "--list", env=DISCOVERY))
    assert hostvars["ansible_python_interpreter"] == "/opt/python/bin/python3"


def test_an_interpreter_named_in_the_configuration_is_left_to_ansible(ansible):
    hostvars = listed_hostvars(ansible.inventory({}, "--list", env={"ANSIBLE_PYTHON_INTERPRETER": sys.executable}))
    assert "ansible_python_interpreter" not in hostvars


def test_no_interpreter_without_the_local_connection(ansible):
    hostvars = listed_hostvars(ansible.inventory({"use_local_connection": False}, "--list", env=DISCOVERY))
    assert "ansible_python_interpreter" not in hostvars and "ansible_connection" not in hostvars
