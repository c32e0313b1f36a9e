# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The playbooks users copy from playbooks/ work as their comments say."""

from __future__ import annotations

import os
import pathlib
import re

import pytest

EXAMPLES = pathlib.Path(os.path.abspath(__file__)).parents[2] / "playbooks"


def recap(run):
    assert run.returncode == 0, run.stdout + run.stderr
    found = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0", run.stdout)
    assert found, run.stdout
    return int(found.group(2))


def test_demo_and_audit_only_read(ansible, pbx):
    for playbook in ("demo.yml", "audit_extensions.yml"):
        assert recap(ansible.playbook(EXAMPLES / playbook)) == 0
    assert "extension/update" not in pbx.counters
    audit = ansible.playbook(EXAMPLES / "audit_extensions.yml")
    assert "SIP phones offline: 1006" in audit.stdout


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
