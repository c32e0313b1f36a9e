# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Integration tests: real ansible and ansible-playbook runs against the PBX simulator.

The collection must be installed or laid out as .../ansible_collections/voiceops/pbx; the
test command does that and points VOICEOPS_COLLECTIONS_PATH at the directory holding
ansible_collections.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

from ansible_collections.voiceops.pbx.tests.isolation import clear_proxy_variables
from ansible_collections.voiceops.pbx.tests.simulator import OutboundSimulator, YeastarSimulator

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[2]
PLAYBOOKS = ROOT / "tests" / "integration" / "playbooks"
ADHOC_RESULT = re.compile(r"^localhost \| (?P<status>[A-Z]+)!? => (?P<json>\{.*)", re.M | re.S)


def collections_path():
    configured = os.environ.get("VOICEOPS_COLLECTIONS_PATH")
    if configured:
        return configured
    if ROOT.parent.parent.name == "ansible_collections":
        return str(ROOT.parent.parent.parent)
    pytest.fail("set VOICEOPS_COLLECTIONS_PATH to the directory that holds ansible_collections/voiceops/pbx")
    return None


def ansible_bin(name):
    return str(pathlib.Path(sys.executable).with_name(name))


class Ansible:
    """Runs ansible and ansible-playbook with the connection of one simulator in the environment."""

    def __init__(self, pbx, tmp_path):
        self.pbx = pbx
        self.tmp_path = tmp_path
        self.env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=collections_path(),
            ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
            ANSIBLE_HOME=str(tmp_path / "ansible-home"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_FORCE_COLOR="0",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
            ANSIBLE_LOCALHOST_WARNING="False",
            YEASTAR_HOST=pbx.host,
            YEASTAR_PORT=str(pbx.port),
            YEASTAR_USERNAME="api",
            YEASTAR_PASSWORD=pbx.api_password,
            YEASTAR_CA_PATH=pbx.ca_path,
            YEASTAR_LOGIN_STATE_DIR=str(tmp_path / "login-state"),  # simulators reuse ports: no record shared
        )

    def module(self, name, args, check=False, diff=False, env=None, verbosity=0):
        """Run one module ad hoc; returns (status, result) with status SUCCESS, CHANGED or FAILED."""
        command = [ansible_bin("ansible"), "localhost", "-m", "voiceops.pbx." + name]
        command += ["-a", json.dumps(args)] if args else []
        command += ["--check"] * check + ["--diff"] * diff + (["-" + "v" * verbosity] if verbosity else [])
        completed = self.run(command, env)
        match = ADHOC_RESULT.search(completed.stdout)
        assert match, "no result in ansible's output:\n%s\n%s" % (completed.stdout, completed.stderr)
        return match.group("status"), json.loads(match.group("json")), completed

    def playbook(self, playbook, extra_vars=None, check=False, diff=False, env=None):
        command = [ansible_bin("ansible-playbook"), str(PLAYBOOKS / playbook if "/" not in str(playbook) else playbook)]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        command += ["--check"] * check + ["--diff"] * diff
        return self.run(command, env)

    def inventory(self, config, *arguments, name="pbx.yeastar.yml", env=None):
        """Run ansible-inventory on a plugin configuration written to a temporary file."""
        path = self.tmp_path / name
        path.write_text(json.dumps(dict({"plugin": "voiceops.pbx.yeastar"}, **config)))
        return self.run([ansible_bin("ansible-inventory"), "-i", str(path)] + list(arguments), env)

    def run(self, command, env=None):
        return subprocess.run(command, env=dict(self.env, **(env or {})), capture_output=True, text=True,
                              timeout=300, check=False, cwd=str(ROOT))


@pytest.fixture(autouse=True)
def no_proxy_from_the_caller(monkeypatch):
    clear_proxy_variables(monkeypatch)


@pytest.fixture
def pbx():
    with YeastarSimulator() as simulator:
        yield simulator


@pytest.fixture
def ansible(pbx, tmp_path):
    return Ansible(pbx, tmp_path)


@pytest.fixture
def outbound():
    with OutboundSimulator() as simulator:
        yield simulator


@pytest.fixture
def outbound_ansible(ansible, outbound):
    """Ansible with the Predictive Outbound connection (appid and accesskey) in the environment."""
    ansible.env.update(OUTBOUND_API_URL=outbound.url, OUTBOUND_API_APPID=outbound.appid,
                       OUTBOUND_API_ACCESSKEY=outbound.accesskey)
    return ansible
