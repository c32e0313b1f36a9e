# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The playbooks users copy from playbooks/ work as their comments say."""

from __future__ import annotations

import os
import pathlib
import re
import sys

import pytest

EXAMPLES = pathlib.Path(os.path.abspath(__file__)).parents[2] / "playbooks"


def recap(run):
    return recap_of(run, "localhost")


def recap_of(run, host):
    """How many tasks changed something on host; the play must have passed."""
    assert run.returncode == 0, run.stdout + run.stderr
    found = re.search(r"%s\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0" % re.escape(host), run.stdout)
    assert found, run.stdout
    return int(found.group(2))


def test_the_demo_shows_both_apis_and_an_idempotent_change(outbound_ansible, pbx):
    run = outbound_ansible.playbook(EXAMPLES / "demo.yml")
    assert recap(run) == 1
    assert "1002     Amy                      SIP   Registered   192.168.5.102" in run.stdout
    assert "7 extension(s), 3 S-Series API call(s), 3 call-center API call(s)" in run.stdout
    assert "second run: changed=False" in run.stdout and pbx.counters["extension/update"] == 1


def test_the_audit_only_reads(ansible, pbx):
    audit = ansible.playbook(EXAMPLES / "audit_extensions.yml")
    assert recap(audit) == 0 and "SIP phones offline: 1006" in audit.stdout
    assert "extension/update" not in pbx.counters


@pytest.mark.parametrize("playbook", ["enforce_voicemail_policy.yml", "bulk_apply.yml", "renumber.yml"])
def test_a_change_playbook_converges_and_then_changes_nothing(ansible, pbx, playbook):
    assert recap(ansible.playbook(EXAMPLES / playbook, check=True, diff=True)) == 1
    assert "extension/update" not in pbx.counters
    assert recap(ansible.playbook(EXAMPLES / playbook)) == 1
    pbx.reset_counters()
    assert recap(ansible.playbook(EXAMPLES / playbook)) == 0
    assert "extension/update" not in pbx.counters


def test_bulk_apply_sets_what_the_vars_file_says(ansible, pbx):
    recap(ansible.playbook(EXAMPLES / "bulk_apply.yml"))
    assert pbx.extension("1000")["username"] == "Reception"
    assert pbx.extension("1003")["btransferext"] == "1002"
    assert pbx.extension("1005")["maxduration"] == "Unlimited"


def test_waiting_for_new_phones(outbound_ansible, outbound):
    outbound.set_registration("1005", registered=False)
    outbound.schedule("1005", 2, registered=True, clientip="192.168.5.155")
    run = outbound_ansible.playbook(EXAMPLES / "wait_for_phones.yml")
    assert recap(run) == 0 and "1005 at 192.168.5.155" in run.stdout

    outbound.set_registration("1004", registered=False)
    run = outbound_ansible.playbook(EXAMPLES / "wait_for_phones.yml", extra_vars={"wait_timeout": 1})
    assert run.returncode != 0 and "still not there: 1004 (unregistered)" in run.stdout


def test_example_inventories_and_the_offline_playbook(outbound_ansible):
    simple = EXAMPLES / "inventory" / "pbx.yeastar.yml"
    run = outbound_ansible.run([str(pathlib.Path(sys.executable).with_name("ansible-playbook")), "-i", str(simple),
                                str(EXAMPLES / "offline_extensions.yml")])
    assert recap_of(run, "ext1006") == 0
    assert "1006 (Lisa) is offline; unanswered calls go to Voicemail" in run.stdout

    office = EXAMPLES / "inventory" / "office.yeastar.yml"
    cache_home = outbound_ansible.tmp_path / "home"
    run = outbound_ansible.run([str(pathlib.Path(sys.executable).with_name("ansible-inventory")), "-i", str(office), "--graph"],
                               env={"HOME": str(cache_home)})
    assert run.returncode == 0, run.stderr
    assert "@offline:\n  |  |--ext1006" in run.stdout and "ext1000" not in run.stdout
