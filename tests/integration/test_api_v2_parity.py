# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The same PBX read through API v1.0.0 and v2.0.0 gives the same results."""

from __future__ import annotations

import json

import pytest

V1 = {"YEASTAR_API_VERSION": "v1.0.0"}
V2 = {"YEASTAR_API_VERSION": "v2.0.0"}
MASK = "********"


def info(ansible, pbx, args, env):
    """yeastar_extension_info on one API version: its result without api_calls, and the PBX's calls."""
    pbx.reset_counters()
    status, result, _run = ansible.module("yeastar_extension_info", args, env=env)
    assert status == "SUCCESS", result.get("msg")
    assert result.pop("api_calls") == pbx.counters
    return result, pbx.counters


def listed(run):
    """ansible-inventory's JSON with the unsafe markers of ansible-core 2.19+ taken off."""
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout, object_hook=lambda value: value.get("__ansible_unsafe", value))


def test_the_list_is_the_same_on_both_versions(ansible, pbx):
    first, first_calls = info(ansible, pbx, {}, V1)
    second, second_calls = info(ansible, pbx, {}, V2)
    assert len(first["extensions"]) == 7 and first["extensions"][2]["name"] == "Amy"
    assert second == first
    assert first_calls == {"login": 1, "extensionlist/query": 1, "logout": 1}
    assert second_calls == {"login": 1, "extension/list": 1, "logout": 1}


@pytest.mark.parametrize("omit_empty", [False, True], ids=["full-answers", "omit-empty"])
@pytest.mark.parametrize("mobile_key", ["mobile", "moblie"])
def test_the_details_are_the_same_on_both_versions(ansible, pbx, mobile_key, omit_empty):
    pbx.configure(v2_mobile_key=mobile_key, omit_empty=omit_empty)
    first, first_calls = info(ansible, pbx, {"details": True}, V1)
    second, second_calls = info(ansible, pbx, {"details": True}, V2)
    settings = {item["number"]: item["settings"] for item in first["extensions"]}
    assert len(settings) == 7 and settings["1002"]["mobile"] == "13489999999" and settings["1006"]["language"] == "French"
    assert second == first
    assert first_calls == second_calls == {"login": 1, "extension/query": 1, "logout": 1}


@pytest.mark.parametrize("mobile_key", ["mobile", "moblie"])
def test_named_extensions_with_secrets_are_the_same_on_both_versions(ansible, pbx, mobile_key):
    pbx.configure(v2_mobile_key=mobile_key)
    args = {"extensions": "1002,1006,1099", "show_secrets": True}
    first, _calls = info(ansible, pbx, args, V1)
    second, _calls = info(ansible, pbx, args, V2)
    assert first["missing"] == ["1099"] and first["extensions"][0]["settings"]["register_password"] == "Amy2Reg9x"
    assert second == first


@pytest.mark.parametrize("omit_empty", [False, True], ids=["full-answers", "omit-empty"])
@pytest.mark.parametrize("mobile_key", ["mobile", "moblie"])
def test_settings_read_on_v2_passed_back_change_nothing(ansible, pbx, mobile_key, omit_empty):
    pbx.configure(v2_mobile_key=mobile_key, omit_empty=omit_empty)
    read, _calls = info(ansible, pbx, {"details": True}, V2)
    items = [item["settings"] for item in read["extensions"]]
    assert items[2]["register_password"] == MASK and items[2]["mobile"] == "13489999999"
    before = pbx.extensions
    pbx.reset_counters()
    status, result, _run = ansible.module("yeastar_extension", {"api_version": "v2.0.0", "extensions": items})
    assert status == "SUCCESS", result.get("msg")
    assert result["created"] == result["updated"] == result["deleted"] == []
    assert [item["outcome"] for item in result["results"]] == ["unchanged"] * 7
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}
    assert pbx.extensions == before


def test_the_inventory_is_the_same_on_both_versions(ansible, pbx):
    config = {"details": True, "cache": False}
    first = listed(ansible.inventory(config, "--list", env=V1))
    assert pbx.counters == {"login": 1, "extensionlist/query": 1, "extension/query": 1, "logout": 1}
    pbx.reset_counters()
    second = listed(ansible.inventory(config, "--list", env=V2))
    assert pbx.counters == {"login": 1, "extension/list": 1, "extension/query": 1, "logout": 1}
    hostvars = first["_meta"]["hostvars"]
    assert len(hostvars) == 7 and hostvars["ext1002"]["yeastar_mobile"] == "13489999999"
    assert second == first


def test_the_inventory_is_the_same_when_v2_spells_mobile_moblie(ansible, pbx):
    pbx.configure(v2_mobile_key="moblie")
    config = {"details": True, "cache": False}
    first = listed(ansible.inventory(config, "--list", env=V1))
    second = listed(ansible.inventory(config, "--list", env=V2))
    assert first["_meta"]["hostvars"]["ext1006"]["yeastar_mobile"] == "13500001111"
    assert second == first
