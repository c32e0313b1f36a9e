# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A wrong password in a play of one task per host costs one failed login, not one per host.

Each host's task is its own module process; a refused login is recorded on this machine for
the same PBX, API user and password (a lockout: for every user and password), so the other
processes fail at once instead of sending their own login and locking the controller out.
The record lives in YEASTAR_LOGIN_STATE_DIR, a directory of each test's own (see conftest).
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.voiceops.pbx.tests.integration.conftest import ansible_bin

HOSTS = 30
WRONG = "Wrong@123"
FAILED_HOST = re.compile(r"^fatal: \[(?P<host>host\d+)\]: FAILED! => (?P<json>\{.*\})$", re.M)
EARLIER = "an earlier login from this machine with this API user and password was refused with error 20003"
EARLIER_LOCKOUT = "an earlier login from this machine to this PBX was refused with error 20002"
RECORD = re.compile(r"delete (?P<path>\S+\.json)")


def per_host_play(tmp_path):
    """30 hosts run locally, forks 10, one yeastar_extension_info task each with the password of pbx_password."""
    inventory = tmp_path / "hosts.json"
    inventory.write_text(json.dumps({"all": {
        "hosts": {"host%02d" % number: {} for number in range(1, HOSTS + 1)},
        "vars": {"ansible_connection": "local"}}}))
    playbook = tmp_path / "per-host.yml"
    playbook.write_text(json.dumps([{"hosts": "all", "gather_facts": False, "tasks": [
        {"name": "Read one extension", "voiceops.pbx.yeastar_extension_info": {
            "extensions": "1000", "api_password": "{{ pbx_password }}"}}]}]))
    return ["-f", "10", "-i", str(inventory), str(playbook)]


def failures(run):
    return {match.group("host"): json.loads(match.group("json")) for match in FAILED_HOST.finditer(run.stdout)}


def test_a_wrong_password_on_thirty_hosts_with_ten_forks_is_one_failed_login(ansible, pbx, tmp_path):
    play = per_host_play(tmp_path)
    run = ansible.run([ansible_bin("ansible-playbook"), "-e", json.dumps({"pbx_password": WRONG})] + play)

    assert pbx.counters == {"login": 1}
    failed = failures(run)
    assert sorted(failed) == ["host%02d" % number for number in range(1, HOSTS + 1)], run.stdout[-3000:] + run.stderr
    assert {result["errno"] for result in failed.values()} == {"20003"}
    answered = [host for host, result in failed.items() if "the PBX answered error 20003" in result["msg"]]
    told = [host for host, result in failed.items() if EARLIER in result["msg"]]
    assert len(answered) == 1 and len(told) == HOSTS - 1
    assert all(failed[host]["api_calls"] == {} for host in told)
    assert WRONG not in run.stdout + run.stderr

    status, result, _run = ansible.module("yeastar_extension_info", {"extensions": "1000"})
    assert status == "SUCCESS" and result["api_calls"] == {"login": 1, "extension/query": 1, "logout": 1}


def test_an_inventory_load_is_told_too(ansible, pbx):
    first = ansible.inventory({}, "--list", env={"YEASTAR_PASSWORD": WRONG})
    second = ansible.inventory({}, "--list", env={"YEASTAR_PASSWORD": WRONG})
    assert "error 20003 (login failed: wrong username or password)" in first.stderr
    assert EARLIER in second.stderr and "Traceback" not in second.stderr
    assert pbx.counters == {"login": 1}


def test_after_a_lockout_even_the_right_password_is_not_sent_until_the_record_is_cleared(ansible, pbx):
    pbx.configure(max_failed_logins=1)
    status, result, _run = ansible.module("yeastar_extension_info", {"extensions": "1000", "api_password": WRONG})
    assert status == "FAILED" and result["errno"] == "20003"
    status, result, _run = ansible.module("yeastar_extension_info", {"extensions": "1000"})
    assert status == "FAILED" and result["errno"] == "20002" and "the PBX answered error 20002" in result["msg"]
    assert pbx.counters == {"login": 2}

    for password in (pbx.api_password, "Another@456"):
        status, result, _run = ansible.module("yeastar_extension_info", {"extensions": "1000", "api_password": password})
        assert status == "FAILED" and result["errno"] == "20002" and result["api_calls"] == {}
        assert EARLIER_LOCKOUT in result["msg"] and "restart the PBX's API service" in result["msg"]
    assert pbx.counters == {"login": 2}

    pbx.unblock()
    record = RECORD.search(result["msg"]).group("path")
    os.unlink(record)
    status, result, _run = ansible.module("yeastar_extension_info", {"extensions": "1000"})
    assert status == "SUCCESS" and pbx.counters["login"] == 3
