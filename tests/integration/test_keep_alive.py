# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One task, one connection: every call of a module run goes over one kept-alive connection."""

from __future__ import annotations


def test_a_yeastar_extension_task_is_one_connection(ansible, pbx):
    status, _result, _run = ansible.module("yeastar_extension", {"extension": 1002, "display_name": "Amy Lee"})
    assert status == "CHANGED"
    calls = pbx.recorder.settled_calls()
    assert [call["endpoint"] for call in calls] == ["login", "extension/query", "extension/update", "logout"]
    assert len({call["connection"] for call in calls}) == 1


def test_a_yeastar_extension_info_task_is_one_connection(ansible, pbx):
    status, _result, _run = ansible.module("yeastar_extension_info", {"extensions": "1000,1001,1002,1003,1004,1005,1006", "batch_size": 3})
    assert status == "SUCCESS"
    calls = pbx.recorder.settled_calls()
    assert [call["endpoint"] for call in calls] == ["login"] + ["extension/query"] * 3 + ["logout"]
    assert len({call["connection"] for call in calls}) == 1
