# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The voiceops.pbx.yeastar inventory plugin, through ansible-inventory and ansible-playbook."""

from __future__ import annotations

import hashlib
import json
import math
import os
import pathlib
import re
import sys

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator

GOLDEN = pathlib.Path(os.path.abspath(__file__)).parent / "golden"
LIST_ONLY = {"login": 1, "extensionlist/query": 1, "logout": 1}


def _bin(name):
    return str(pathlib.Path(sys.executable).with_name(name))


def listed(run):
    """ansible-inventory's JSON with the unsafe markers of ansible-core 2.19+ taken off."""
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout, object_hook=lambda value: value.get("__ansible_unsafe", value))


def members(inventory, group):
    return sorted(inventory.get(group, {}).get("hosts", []))


def test_list_matches_the_golden_file_with_one_list_call(ansible, pbx):
    inventory = listed(ansible.inventory({}, "--list"))
    assert inventory == json.loads((GOLDEN / "inventory_list.json").read_text())
    assert pbx.counters == LIST_ONLY


def test_graph_matches_the_golden_file(ansible):
    run = ansible.inventory({}, "--graph")
    assert run.returncode == 0, run.stderr
    assert run.stdout == (GOLDEN / "inventory_graph.txt").read_text()


def test_details_are_read_in_batches_and_hold_no_secret(ansible, pbx):
    inventory = listed(ansible.inventory({"details": True, "batch_size": 3}, "--list"))
    hostvars = inventory["_meta"]["hostvars"]["ext1002"]
    assert hostvars["yeastar_voicemail"] is True and hostvars["yeastar_ring_timeout"] == 60
    assert hostvars["yeastar_mobile"] == "13489999999"
    assert not [name for name in hostvars if "password" in name or "pin" in name]
    assert pbx.counters == {"login": 1, "extensionlist/query": 1, "extension/query": math.ceil(7 / 3), "logout": 1}


def test_groups_compose_and_keyed_groups(ansible):
    inventory = listed(ansible.inventory({
        "details": True,
        "group_prefix": "pbx_",
        "compose": {"extension_label": "yeastar_number ~ '-' ~ yeastar_type"},
        "groups": {"without_voicemail": "not yeastar_voicemail"},
        "keyed_groups": [{"key": "yeastar_language", "prefix": "lang"}],
        "hostname_format": "{type}-{number}",
    }, "--list"))
    assert members(inventory, "pbx_type_sip") == ["SIP-1002", "SIP-1003", "SIP-1004", "SIP-1006"]
    assert members(inventory, "pbx_status_idle") == ["FXS-1000", "FXS-1001"]
    assert members(inventory, "without_voicemail") == ["IAX-1005"]
    assert members(inventory, "lang_French") == ["SIP-1006"]
    assert inventory["_meta"]["hostvars"]["IAX-1005"]["extension_label"] == "1005-IAX"


def test_include_and_exclude_filters(ansible):
    inventory = listed(ansible.inventory({
        "include": ["yeastar_type == 'SIP'", "yeastar_type == 'IAX'"],
        "exclude": ["yeastar_status == 'Unavailable'"],
        "default_groups": False,
    }, "--list"))
    assert sorted(inventory["_meta"]["hostvars"]) == ["ext1002", "ext1003", "ext1004", "ext1005"]
    assert "yeastar_type_sip" not in inventory


def test_local_connection_can_be_turned_off(ansible):
    inventory = listed(ansible.inventory({"use_local_connection": False}, "--list"))
    assert "ansible_connection" not in inventory["_meta"]["hostvars"]["ext1000"]


def test_a_cache_hit_makes_no_call_and_flush_reads_again(ansible, pbx, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
             "details": True}
    first = listed(ansible.inventory(cache, "--list"))
    assert pbx.counters["extensionlist/query"] == 1
    pbx.reset_counters()
    pbx.patch_extension("1002", username="Renamed")
    assert listed(ansible.inventory(cache, "--list")) == first
    assert pbx.counters == {}
    cached_files = list((tmp_path / "cache").iterdir())
    assert cached_files and all("Amy2Reg9x" not in path.read_text() for path in cached_files)
    flushed = listed(ansible.inventory(cache, "--list", "--flush-cache"))
    assert flushed["_meta"]["hostvars"]["ext1002"]["yeastar_name"] == "Renamed"
    assert pbx.counters["extensionlist/query"] == 1


def test_a_hostile_display_name_is_never_templated(ansible, pbx):
    hostile = "{{ lookup('pipe', 'id') }}"
    pbx.patch_extension("1002", username=hostile)
    run = ansible.inventory({}, "--list")
    assert listed(run)["_meta"]["hostvars"]["ext1002"]["yeastar_name"] == hostile
    marked = json.loads(run.stdout)["_meta"]["hostvars"]["ext1002"]["yeastar_name"]
    assert marked in (hostile, {"__ansible_unsafe": hostile})
    playbook = ansible.tmp_path / "show.yml"
    playbook.write_text(json.dumps([{"hosts": "ext1002", "gather_facts": False, "tasks": [
        {"ansible.builtin.debug": {"msg": "name={{ yeastar_name }}"}}]}]))
    run = ansible.run([_bin("ansible-playbook"), "-i", str(ansible.tmp_path / "pbx.yeastar.yml"), str(playbook)])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "name={{ lookup('pipe', 'id') }}" in run.stdout and "uid=" not in run.stdout


def test_registration_enrichment(outbound_ansible, outbound):
    inventory = listed(outbound_ansible.inventory({"registration": True}, "--list"))
    hostvars = inventory["_meta"]["hostvars"]
    assert hostvars["ext1002"]["yeastar_registered"] is True
    assert hostvars["ext1002"]["ansible_host"] == hostvars["ext1002"]["yeastar_clientip"] == "192.168.5.102"
    assert hostvars["ext1006"]["yeastar_registration_state"] == "unregistered" and "ansible_host" not in hostvars["ext1006"]
    assert outbound.counters == {"App.Sip_Auth.Login": 1, "App.Sip_Status.GetSipRegisterStatus": 1, "App.Sip_Auth.Logout": 1}


def test_a_playbook_targets_a_group_of_extensions(ansible, pbx):
    playbook = ansible.tmp_path / "offline.yml"
    playbook.write_text(json.dumps([{"hosts": "yeastar_status_unavailable", "gather_facts": False, "tasks": [
        {"name": "Read settings", "voiceops.pbx.yeastar_extension_info": {"extensions": "{{ yeastar_number }}"},
         "register": "info"},
        {"ansible.builtin.debug": {"msg": "{{ inventory_hostname }} rings {{ info.extensions[0].settings.ring_timeout }}s"}},
    ]}]))
    ansible.inventory({}, "--list")
    pbx.reset_counters()
    run = ansible.run([_bin("ansible-playbook"), "-i", str(ansible.tmp_path / "pbx.yeastar.yml"), str(playbook)])
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ext1006 rings 120s" in run.stdout
    assert pbx.counters == {"login": 2, "extensionlist/query": 1, "extension/query": 1, "logout": 2}


WRONG_PASSWORD = "Not-the-API-password-7"


@pytest.mark.parametrize("setting, words", [
    ({"YEASTAR_PASSWORD": WRONG_PASSWORD}, "error 20003 (login failed: wrong username or password)"),
    ({"YEASTAR_CA_PATH": ""}, "TLS certificate verification failed"),
])
def test_errors_are_one_clear_line(ansible, pbx, setting, words):
    given_password = setting.get("YEASTAR_PASSWORD", ansible.env["YEASTAR_PASSWORD"])
    assert given_password in (WRONG_PASSWORD, pbx.api_password)
    run = ansible.inventory({}, "--list", env=setting)
    errors = run.stderr + run.stdout
    assert words in errors and "Traceback" not in errors
    for secret in (given_password, hashlib.md5(given_password.encode("utf-8")).hexdigest()):
        assert secret not in errors


def test_five_thousand_extensions_cost_one_list_call(ansible):
    with YeastarSimulator(extensions=5000) as big:
        ansible.env.update(YEASTAR_PORT=str(big.port), YEASTAR_CA_PATH=big.ca_path)
        inventory = listed(ansible.inventory({}, "--list"))
        assert len(inventory["_meta"]["hostvars"]) == 5000
        assert big.counters == LIST_ONLY


def test_the_file_name_must_end_in_yeastar_yml(ansible, pbx):
    run = ansible.inventory({}, "--list", name="pbx.yml")
    assert "could not be verified by inventory plugin 'voiceops.pbx.yeastar'" in run.stderr
    assert "Traceback" not in run.stderr
    inventory = listed(run)
    assert inventory["_meta"]["hostvars"] == {} and not re.search(r'"ext1000"', run.stdout)
    assert pbx.counters == {}


def test_validate_certs_false_warns_what_it_risks(ansible):
    run = ansible.inventory({"validate_certs": False}, "--list")
    assert run.returncode == 0
    assert "validate_certs is false" in run.stderr and "pose as the PBX" in run.stderr
