# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Settings read with yeastar_extension_info, passed back to yeastar_extension, change nothing, even
when the PBX holds values the collection's rules refuse (set in its web interface)."""

from __future__ import annotations

import pytest

READ_ONLY = {"login": 1, "extension/query": 1, "logout": 1}
# per API version: display names the PBX may hold but the rules of that version refuse
HELD = {
    "v1.0.0": {"1002": "A" * 51, "1003": "Dr. Who"},
    "v2.0.0": {"1002": "A" * 64, "1003": "Amy@Work"},
}


@pytest.fixture(params=sorted(HELD))
def api_version(request, pbx):
    for number, name in HELD[request.param].items():
        pbx.patch_extension(number, username=name)
    return request.param


def read_back(ansible, api_version, numbers):
    status, info, _run = ansible.module("yeastar_extension_info", {"extensions": numbers, "api_version": api_version})
    assert status == "SUCCESS", info.get("msg")
    return [item["settings"] for item in info["extensions"]]


def test_info_settings_holding_values_the_rules_refuse_pass_back_unchanged(ansible, pbx, api_version):
    items = read_back(ansible, api_version, ["1002", "1003"])
    assert [item["display_name"] for item in items] == [HELD[api_version]["1002"], HELD[api_version]["1003"]]
    pbx.reset_counters()
    status, result, _run = ansible.module("yeastar_extension", {"api_version": api_version, "extensions": items})
    assert status == "SUCCESS", result.get("msg")
    assert [item["outcome"] for item in result["results"]] == ["unchanged", "unchanged"]
    assert pbx.counters == READ_ONLY


def test_one_extension_passed_back_with_a_changed_setting_sends_only_that(ansible, pbx, api_version):
    settings = dict(read_back(ansible, api_version, ["1002"])[0], ring_timeout=120)
    pbx.reset_counters()
    status, result, _run = ansible.module("yeastar_extension", dict(settings, api_version=api_version))
    assert status == "CHANGED" and result["changed_fields"] == ["ring_timeout"], result.get("msg")
    assert pbx.extension("1002")["username"] == HELD[api_version]["1002"]


def test_a_different_value_the_rules_refuse_fails_with_zero_writes_naming_the_field(ansible, pbx, api_version):
    items = read_back(ansible, api_version, ["1002", "1003"])
    items[0]["display_name"] = items[0]["display_name"] + "B"
    pbx.reset_counters()
    status, result, _run = ansible.module("yeastar_extension", {"api_version": api_version, "extensions": items})
    assert status == "FAILED"
    assert result["msg"].startswith("nothing was changed: extensions[0]: display_name (username): ")
    assert "is invalid because it has" in result["msg"] and len(result["problems"]) == 1
    assert pbx.counters == READ_ONLY and pbx.extension("1002")["username"] == HELD[api_version]["1002"]


def test_a_blank_the_pbx_never_holds_fails_before_any_request(ansible, pbx, api_version):
    items = read_back(ansible, api_version, ["1002"])
    items[0]["register_password"] = ""
    pbx.reset_counters()
    status, result, _run = ansible.module("yeastar_extension", {"api_version": api_version, "extensions": items})
    assert status == "FAILED" and "extensions[0]: register_password (registerpassword)" in result["msg"]
    assert result["api_calls"] == {} and pbx.counters == {}
