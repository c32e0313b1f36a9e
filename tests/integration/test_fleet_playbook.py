# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/fleet_policy.yml: the PBXes are the hosts, one run converges all of them in parallel."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest
import yaml

from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator
from ansible_collections.voiceops.pbx.tests.simulator.tls import TestPKI

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[2]
PLAYBOOK = ROOT / "playbooks" / "fleet_policy.yml"
FLEET_SIZE = 5
POLICY = {"hasvoicemail": "on", "noanswerforward": "on", "ntransferto": "Voicemail",
          "busyforward": "on", "btransferto": "Voicemail"}  # the PBX's field names of the playbook's policy
# One task: login, the list, one query batch of the SIP extensions, the updates, logout.
FIRST_RUN_CALLS = {"login": 1, "extensionlist/query": 1, "extension/query": 1, "extension/update": 2,
                   "logout": 1}  # seed: 1002, 1003 differ
READ_ONLY_CALLS = {"login": 1, "extensionlist/query": 1, "extension/query": 1, "logout": 1}


def pbx_name(index):
    return "pbx%d" % index


def password_variable(index):
    return "PBX_%s_PASSWORD" % pbx_name(index).upper()


@pytest.fixture
def fleet():
    """Five PBXes sharing one certificate authority, each with its own API password."""
    with TestPKI() as authority:
        simulators = [YeastarSimulator(pki=authority, password="Fleet@%d23x" % index).start() for index in range(FLEET_SIZE)]
        yield simulators
        for simulator in simulators:
            simulator.stop()


@pytest.fixture
def fleet_inventory(fleet, tmp_path):
    """A static inventory like playbooks/inventory/fleet.yml, naming the simulators."""
    hosts = {pbx_name(index): {"pbx_host": sim.host, "pbx_port": sim.port, "pbx_ca_path": sim.ca_path}
             for index, sim in enumerate(fleet)}
    inventory = {"pbxes": {"hosts": hosts, "vars": {
        "ansible_connection": "local",
        "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "pbx_api_username": "api",
        "pbx_api_password": "{{ lookup('ansible.builtin.env', 'PBX_' ~ inventory_hostname | upper ~ '_PASSWORD') }}",
    }}}
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    return path


def fleet_env(fleet, tmp_path):
    """No YEASTAR_* variable: each PBX's connection comes from its host variables only."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("YEASTAR_")}
    env.update(ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_LOCALHOST_WARNING="False",
               YEASTAR_LOGIN_STATE_DIR=str(tmp_path / "login-state"))
    if "VOICEOPS_COLLECTIONS_PATH" in os.environ:
        env["ANSIBLE_COLLECTIONS_PATH"] = os.environ["VOICEOPS_COLLECTIONS_PATH"]
    env.update({password_variable(index): sim.api_password for index, sim in enumerate(fleet)})
    return env


def run_fleet(fleet, inventory, tmp_path, *arguments):
    command = [str(pathlib.Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), str(PLAYBOOK),
               "--forks", str(FLEET_SIZE)] + list(arguments)
    run = subprocess.run(command, env=fleet_env(fleet, tmp_path), capture_output=True, text=True, timeout=300,
                         check=False, cwd=str(ROOT))
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def sip_extensions(sim):
    return [record for record in sim.extensions if record["type"] == "SIP"]


def converged(sim):
    return all(record.get(field) == value for record in sip_extensions(sim) for field, value in POLICY.items())


def reset(fleet):
    for sim in fleet:
        sim.reset_counters()


def test_one_run_converges_every_pbx_at_the_call_minimum(fleet, fleet_inventory, tmp_path):
    assert not any(converged(sim) for sim in fleet)
    run = run_fleet(fleet, fleet_inventory, tmp_path)
    for index, sim in enumerate(fleet):
        assert converged(sim), pbx_name(index)
        assert dict(sim.counters) == FIRST_RUN_CALLS, pbx_name(index)
        assert "%s: updated 1002, 1003;" % pbx_name(index) in run.stdout
        assert "%s                       : ok=2    changed=1 " % pbx_name(index) in run.stdout

    reset(fleet)
    again = run_fleet(fleet, fleet_inventory, tmp_path)
    assert all(dict(sim.counters) == READ_ONLY_CALLS for sim in fleet)
    assert again.stdout.count("nothing to update") == FLEET_SIZE and "changed=1" not in again.stdout


@pytest.mark.parametrize("slices", [["pbxes[0:2]", "pbxes[3:]"], ["pbxes[0:1]", "pbxes[2:3]", "pbxes[4:]"]],
                         ids=["two-slices", "three-slices"])
def test_limit_slices_run_every_pbx_exactly_once(fleet, fleet_inventory, tmp_path, slices):
    for pattern in slices:
        run_fleet(fleet, fleet_inventory, tmp_path, "--limit", pattern)
    for index, sim in enumerate(fleet):
        assert dict(sim.counters) == FIRST_RUN_CALLS, pbx_name(index)
        assert converged(sim), pbx_name(index)


def test_check_mode_says_what_would_change_and_changes_nothing(fleet, fleet_inventory, tmp_path):
    run = run_fleet(fleet, fleet_inventory, tmp_path, "--check")
    for index, sim in enumerate(fleet):
        assert "%s: would update 1002, 1003;" % pbx_name(index) in run.stdout
        assert "extension/update" not in sim.counters and not converged(sim)
    assert "updated 1002" not in run.stdout.replace("would update 1002", "")
