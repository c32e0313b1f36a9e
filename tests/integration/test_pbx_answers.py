# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the PBX sends back is data, never code: hostile strings pass through untouched and
untemplated; malformed answers give a clear error or the tolerant reading docs/api-contract.md
describes, never a traceback.

Malformed answers are served with the simulator's ``garbage`` fault, whose ``body`` may be any
text, JSON included (HTTP 200).
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.voiceops.pbx.tests.integration.conftest import ansible_bin

HOSTILE = {
    "1000": "{{ lookup('pipe', 'id') }}",
    "1001": "{% for x in range(3) %}x{% endfor %}{{ 7 * 7 }}",
    "1002": "O'Brien \"Bob\" <script>alert(1)</script> & co",
    "1003": "first line\nsecond line\r\n\ttabbed",
    "1004": "N" * 5000,
    "1005": "Zoë Ærøskøbing 山田太郎 \u202eevil\u202c 🎧",
    "1006": "$(id) `id` ${HOME} %s %(x)s \\x00 \u001b[31mred",
}


@pytest.fixture
def hostile_pbx(pbx):
    for number, name in HOSTILE.items():
        pbx.patch_extension(number, username=name)
    return pbx


def write_playbook(path, plays):
    path.write_text(json.dumps(plays))
    return str(path)


def test_hostile_names_pass_through_the_info_module_untouched(ansible, hostile_pbx, tmp_path):
    out = tmp_path / "names.json"
    playbook = write_playbook(tmp_path / "names.yml", [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"voiceops.pbx.yeastar_extension_info": {"details": True}, "register": "info"},
        {"ansible.builtin.copy": {"dest": str(out), "mode": "0600", "content": (
            "{{ {'list': info.extensions | items2dict(key_name='number', value_name='name'), "
            "'settings': info.extensions | map(attribute='settings') "
            "| items2dict(key_name='extension', value_name='display_name')} | to_json }}")}},
        {"ansible.builtin.debug": {"msg": "name={{ info.extensions[0].name }}"}},
    ]}])
    run = ansible.run([ansible_bin("ansible-playbook"), playbook])
    assert run.returncode == 0, run.stdout + run.stderr
    names = json.loads(out.read_text())
    assert names == {"list": HOSTILE, "settings": HOSTILE}
    assert "name={{ lookup('pipe', 'id') }}" in run.stdout and "uid=" not in run.stdout + out.read_text()


def test_hostile_names_pass_through_the_inventory_untouched(ansible, hostile_pbx, tmp_path):
    config = {"hostname_format": "{name}-{number}", "details": True}
    run = ansible.inventory(config, "--list")
    assert run.returncode == 0, run.stderr
    hostvars = json.loads(run.stdout, object_hook=lambda value: value.get("__ansible_unsafe", value))["_meta"]["hostvars"]
    assert {values["yeastar_number"]: values["yeastar_name"] for values in hostvars.values()} == HOSTILE
    assert {values["yeastar_number"]: values["yeastar_display_name"] for values in hostvars.values()} == HOSTILE
    assert all(set(host) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") for host in hostvars)

    out = tmp_path / "from-inventory"
    out.mkdir()
    playbook = write_playbook(tmp_path / "hosts.yml", [{"hosts": "all", "gather_facts": False, "tasks": [
        {"ansible.builtin.copy": {"dest": str(out) + "/{{ yeastar_number }}", "content": "{{ yeastar_name }}", "mode": "0600"},
         "delegate_to": "localhost"}]}])
    run = ansible.run([ansible_bin("ansible-playbook"), "-i", str(tmp_path / "pbx.yeastar.yml"), playbook])
    assert run.returncode == 0, run.stdout + run.stderr
    assert {path.name: path.read_bytes().decode("utf-8") for path in out.iterdir()} == HOSTILE


def answer(pbx, endpoint, body, count=None):
    """Make the simulator answer the endpoint with this JSON body (HTTP 200)."""
    pbx.inject("garbage", endpoint=endpoint, count=count, body=json.dumps(body))


def assert_clean_failure(status, result, run, words):
    assert status == "FAILED" and words in result["msg"], result.get("msg")
    assert "module_stderr" not in result and "MODULE FAILURE" not in result["msg"]
    assert "Traceback" not in run.stdout + run.stderr


LIST = "extensionlist/query"
QUERY = "extension/query"
ENTRY = {"extnumber": "1002", "username": "Amy", "status": "Registered", "type": "SIP"}


@pytest.mark.parametrize("body, words", [
    ({"status": "Success"}, "the PBX's extensionlist/query answer holds no 'extlist' list"),
    ({"status": "Success", "extlist": 7}, "the PBX's extensionlist/query answer holds no 'extlist' list"),
    ({"status": "Success", "extlist": [ENTRY, ENTRY]}, "names extension 1002 more than once"),
    ({"status": "Success", "extlist": [dict(ENTRY, type=["SIP"])]}, "gives the type of extension 1002 as a JSON list"),
    ({"status": "Success", "extlist": [{"username": "Amy"}]}, "an entry without an extension number"),
    ({"status": "Failed"}, "the PBX answered error unknown"),
], ids=["no-extlist", "extlist-not-a-list", "duplicate-number", "list-value", "no-number", "failed-without-errno"])
def test_a_malformed_list_is_a_clear_error_for_the_info_module_and_the_inventory(ansible, pbx, request, body, words):
    answer(pbx, LIST, body)
    status, result, run = ansible.module("yeastar_extension_info", {})
    assert_clean_failure(status, result, run, words)
    if request.node.callspec.id not in ("no-extlist", "duplicate-number", "list-value"):
        return  # the inventory reads the list with the same code: three cases show it
    # As in an AWX inventory sync, a source that cannot be read fails the run instead of leaving it empty.
    run = ansible.inventory({}, "--list", env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "True"})
    assert run.returncode != 0 and words in run.stderr and "Traceback" not in run.stderr


def test_list_values_of_other_json_types_are_read_as_the_pbx_means_them(ansible, pbx):
    answer(pbx, LIST, {"status": "Success", "extlist": [
        {"extnumber": 1002, "username": 42, "status": None, "type": "SIP"}, {"extnumber": "1003"}]})
    status, result, _run = ansible.module("yeastar_extension_info", {})
    assert status == "SUCCESS"
    assert result["extensions"] == [{"number": "1002", "name": "42", "status": "", "type": "SIP", "port": ""},
                                    {"number": "1003", "name": "", "status": "", "type": "", "port": ""}]


def test_an_empty_list_is_a_pbx_without_extensions(ansible, pbx):
    answer(pbx, LIST, {"status": "Success", "extlist": []})
    status, result, _run = ansible.module("yeastar_extension_info", {})
    assert status == "SUCCESS" and result["extensions"] == []
    run = ansible.inventory({}, "--list")
    assert run.returncode == 0 and json.loads(run.stdout)["_meta"]["hostvars"] == {}


RECORD = {"extnumber": "1002", "username": "Amy", "ringtimeout": "60", "hasvoicemail": "on"}


@pytest.mark.parametrize("body, words", [
    ({"status": "Success"}, "the PBX's extension/query answer holds no 'extinfos' list"),
    ({"status": "Success", "extinfos": [RECORD, dict(RECORD, ringtimeout="30")]}, "names extension 1002 more than once"),
    ({"status": "Success", "extinfos": [dict(RECORD, ringtimeout={"seconds": 60})]},
     "gives ringtimeout of extension 1002 as a JSON dict"),
    ({"status": "Success", "extinfos": []}, "extension 1002 does not exist"),
    ({"status": "Success", "extinfos": "1002"}, "the PBX's extension/query answer holds no 'extinfos' list"),
], ids=["no-extinfos", "duplicate-number", "object-value", "empty", "extinfos-not-a-list"])
def test_a_malformed_query_answer_changes_nothing_and_says_why(ansible, pbx, body, words):
    answer(pbx, QUERY, body)
    status, result, run = ansible.module("yeastar_extension", {"extension": 1002, "ring_timeout": 30})
    assert_clean_failure(status, result, run, words)
    assert "extension/update" not in pbx.counters


def test_numbers_and_json_booleans_in_a_query_answer_are_read_as_the_pbx_means_them(ansible, pbx):
    answer(pbx, QUERY, {"status": "Success", "extinfos": [
        {"extnumber": 1002, "ringtimeout": 60, "hasvoicemail": True, "maxregistrations": 3, "vmsecret": 2580,
         "dnd": False, "username": None, "inbound": {"inboundid": 156785, "from": "1000", "to": "5003"}}]})
    status, result, _run = ansible.module("yeastar_extension", {
        "extension": 1002, "ring_timeout": 60, "voicemail": True, "max_registrations": 3, "do_not_disturb": False,
        "voicemail_pin": "2580"})
    assert status == "SUCCESS" and result["changed_fields"] == []
    assert "extension/update" not in pbx.counters


@pytest.mark.parametrize("body, words", [
    ({"status": "Success"}, "call login: the login answer holds no token"),
    ({"status": "Success", "token": ["a"]}, "call login: the login answer holds no token"),
], ids=["no-token", "token-not-text"])
def test_a_login_answer_without_a_token_is_a_clear_error(ansible, pbx, body, words):
    answer(pbx, "login", body)
    status, result, run = ansible.module("yeastar_extension_info", {})
    assert_clean_failure(status, result, run, words)
    assert pbx.counters == {"login": 1}


def test_a_body_that_is_not_json_is_repeated_for_a_read(ansible, pbx):
    pbx.inject("garbage", endpoint=LIST, count=1)
    pbx.inject("truncate", endpoint=LIST, count=1, process=True)
    status, result, _run = ansible.module("yeastar_extension_info", {})
    assert status == "SUCCESS" and len(result["extensions"]) == 7
    assert result["retries"] == {LIST: 2}
