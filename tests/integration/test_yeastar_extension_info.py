# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

MASK = "********"


def test_lists_every_extension_with_one_list_call(ansible, pbx):
    status, result, _run = ansible.module("yeastar_extension_info", {})
    assert status == "SUCCESS" and result["changed"] is False
    assert [item["number"] for item in result["extensions"]] == ["1000", "1001", "1002", "1003", "1004", "1005", "1006"]
    assert result["extensions"][2] == {"number": "1002", "name": "Amy", "status": "Registered", "type": "SIP", "port": ""}
    assert result["extensions"][0]["port"] == "Span2-Port1"
    assert pbx.counters == {"login": 1, "extensionlist/query": 1, "logout": 1}
    assert result["api_calls"] == pbx.counters


def test_filters_on_status_and_type(ansible):
    _status, result, _run = ansible.module("yeastar_extension_info", {"status": ["Registered"], "type": "SIP"})
    assert [item["number"] for item in result["extensions"]] == ["1002", "1003", "1004"]


@pytest.mark.parametrize("numbers", [[1000, "1001"], "1000,1001", "1001, 1000"])
def test_named_extensions_come_with_settings_from_one_batched_query(ansible, pbx, numbers):
    _status, result, _run = ansible.module("yeastar_extension_info", {"extensions": numbers, "batch_size": 10})
    assert sorted(item["number"] for item in result["extensions"]) == ["1000", "1001"]
    settings = {item["number"]: item["settings"] for item in result["extensions"]}["1000"]
    assert settings["extension"] == "1000"
    assert settings["voicemail"] is True and settings["ring_timeout"] == 30 and settings["mobile"] == ""
    assert settings["max_call_duration"] == "Follow System" and settings["no_answer_forward_to"] == "Voicemail"
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}


def test_secrets_are_masked_unless_asked(ansible):
    _status, masked, _run = ansible.module("yeastar_extension_info", {"extensions": 1000})
    settings = masked["extensions"][0]["settings"]
    assert settings["register_password"] == settings["voicemail_pin"] == settings["login_password"] == MASK
    _status, shown, _run = ansible.module("yeastar_extension_info", {"extensions": 1000, "show_secrets": True})
    settings = shown["extensions"][0]["settings"]
    assert settings["register_password"] == "Yeastar202"
    assert settings["login_password"] == "27499b15c12640fd2dbb237bd23da850"


def test_details_of_every_extension_cost_one_query(ansible, pbx):
    _status, result, _run = ansible.module("yeastar_extension_info", {"details": True, "type": "FXS"})
    assert [item["number"] for item in result["extensions"]] == ["1000", "1001"]
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}


def test_batches_follow_batch_size_and_unknown_numbers_are_reported(ansible, pbx):
    _status, result, _run = ansible.module("yeastar_extension_info", {"extensions": "1000,1001,1002,1099", "batch_size": 2})
    assert result["missing"] == ["1099"]
    assert pbx.counters["extension/query"] == 2


def test_check_mode_reads_the_same(ansible):
    status, result, _run = ansible.module("yeastar_extension_info", {}, check=True)
    assert status == "SUCCESS" and len(result["extensions"]) == 7


def test_a_bad_number_fails_before_any_request(ansible, pbx):
    status, result, _run = ansible.module("yeastar_extension_info", {"extensions": ["10a0"]})
    assert status == "FAILED" and "extensions: '10a0' is not an extension number" in result["msg"]
    assert pbx.counters == {}
