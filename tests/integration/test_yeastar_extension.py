# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib
import json
import math

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator

MASK = "********"
POLICY = {
    "display_name": "Amy Lee", "voicemail": True, "voicemail_pin": "4711", "no_answer_forward": True,
    "no_answer_forward_to": "Custom Number", "no_answer_forward_prefix": "9", "no_answer_forward_number": "0612345678",
    "ring_timeout": 60, "max_call_duration": 3600, "do_not_disturb": False, "login_password": "Portal#2026",
}
VENDOR_POLICY = {
    "username": "Amy Lee", "hasvoicemail": "on", "vmsecret": "4711", "noanswerforward": "yes",
    "ntransferto": "Custom Number", "ntransferprefix": "9", "ntransfernum": "0612345678",
    "ringtimeout": "60", "maxduration": "3600", "dnd": "off", "loginpassword": "Portal#2026",
}


def configure(ansible, args, **options):
    return ansible.module("yeastar_extension", args, **options)


@pytest.fixture(params=[False, True], ids=["full-answers", "omit-empty"])
def omit_empty(request, pbx):
    """The PBX answers every field, or leaves out the blank ones as the vendor's sample answer does."""
    pbx.configure(omit_empty=request.param)
    return request.param


def playbook_results(ansible, tmp_path, tasks_args, vars_files=()):
    """Run one yeastar_extension task per item of tasks_args in one playbook; returns their registered results,
    which hold each task's `warnings` and `api_calls` (ad hoc output prints the warnings instead), and the run."""
    saved = tmp_path / "results.json"
    names = ["outcome%d" % index for index in range(len(tasks_args))]
    tasks = [{"voiceops.pbx.yeastar_extension": args, "register": name, "ignore_errors": True}
             for name, args in zip(names, tasks_args)]
    tasks.append({"ansible.builtin.copy": {"content": "{{ [%s] | to_json }}" % ", ".join(names), "dest": str(saved)}})
    play = {"hosts": "localhost", "gather_facts": False, "tasks": tasks,
            "vars_files": [str(path) for path in vars_files]}
    (tmp_path / "tasks.yml").write_text(json.dumps([play]))
    run = ansible.playbook(str(tmp_path / "tasks.yml"))
    assert saved.exists(), run.stdout + run.stderr
    return json.loads(saved.read_text()), run


def test_converge_then_a_second_run_sends_no_update(ansible, pbx, omit_empty):
    status, result, _run = configure(ansible, dict(POLICY, extension=1002))
    assert status == "CHANGED"
    assert result["changed_fields"] == [
        "display_name", "login_password", "voicemail_pin", "no_answer_forward_to", "no_answer_forward_number",
        "max_call_duration"]
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/update": 1, "logout": 1}
    stored = pbx.extension("1002")
    assert stored["username"] == "Amy Lee" and stored["ntransfernum"] == "0612345678" and stored["maxduration"] == "3600"
    assert stored["loginpassword"] == hashlib.md5(b"Portal#2026").hexdigest()
    assert result["extension"]["voicemail_pin"] == MASK and result["extension"]["max_call_duration"] == 3600

    pbx.reset_counters()
    status, result, _run = configure(ansible, dict(POLICY, extension="1002"))
    assert status == "SUCCESS" and result["changed_fields"] == []
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}


def test_only_the_differing_fields_are_sent(ansible, pbx):
    configure(ansible, {"extension": 1003, "display_name": "Bob", "ring_timeout": 30, "voicemail": True})
    updates = [call for call in pbx.calls if call["endpoint"] == "extension/update"]
    assert len(updates) == 1
    assert pbx.extension("1003")["username"] == "Bob"
    _status, result, _run = configure(ansible, {"extension": 1003, "display_name": "Bob", "ring_timeout": 120})
    assert result["changed_fields"] == ["ring_timeout"]


def test_every_vendor_alias_is_accepted_and_means_the_same(ansible, pbx):
    status, _result, _run = configure(ansible, dict(VENDOR_POLICY, extid="1002"))
    assert status == "CHANGED"
    pbx.reset_counters()
    status, result, _run = configure(ansible, dict(POLICY, extension=1002))
    assert status == "SUCCESS", result
    assert "extension/update" not in pbx.counters


def test_check_mode_reports_the_change_and_sends_nothing(ansible, pbx):
    before = pbx.extension("1002")
    status, result, _run = configure(ansible, dict(POLICY, extension=1002, ring_timeout=300), check=True)
    assert status == "CHANGED" and "ring_timeout" in result["changed_fields"]
    assert result["extension"]["ring_timeout"] == 300
    assert "extension/update" not in pbx.counters and pbx.extension("1002") == before


def test_diff_shows_before_and_after_with_secrets_masked(ansible):
    _status, _result, run = configure(ansible, dict(POLICY, extension=1002, ring_timeout=300), diff=True)
    assert '-    "ring_timeout": 60' in run.stdout and '+    "ring_timeout": 300' in run.stdout
    assert '-    "voicemail_pin": "********"' in run.stdout
    assert '+    "voicemail_pin": "******** (changed)"' in run.stdout
    assert "4711" not in run.stdout and "Portal#2026" not in run.stdout and "2580" not in run.stdout


def test_the_result_has_a_diff_only_in_diff_mode(ansible):
    _status, result, _run = configure(ansible, dict(POLICY, extension=1002, ring_timeout=300), check=True)
    assert "diff" not in result
    _status, result, _run = configure(ansible, {"extensions": [{"extension": 1002}], "ring_timeout": 300}, check=True)
    assert "diff" not in result and result["updated"] == ["1002"] and result["unchanged"] == []
    _status, _result, run = configure(ansible, dict(POLICY, extension=1002, ring_timeout=300), check=True, diff=True)
    assert '-    "ring_timeout": 60' in run.stdout and '+    "ring_timeout": 300' in run.stdout


def test_renumbering_is_idempotent_both_ways(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1006, "new_extension": 2006, "display_name": "Lisa"})
    assert status == "CHANGED" and result["changed_fields"] == ["new_extension"]
    assert result["extension"]["extension"] == "2006"
    assert pbx.extension("1006") is None and pbx.extension("2006")["username"] == "Lisa"

    status, result, _run = configure(ansible, {"extension": 1006, "new_extension": 2006, "display_name": "Lisa B"})
    assert status == "CHANGED" and result["changed_fields"] == ["display_name"]
    assert pbx.extension("2006")["username"] == "Lisa B"

    status, _result, _run = configure(ansible, {"extension": 1006, "new_extension": 2006})
    assert status == "SUCCESS"

    status, _result, _run = configure(ansible, {"extid": 2006, "extnumber": 1006})
    assert status == "CHANGED" and pbx.extension("1006") is not None and pbx.extension("2006") is None


def test_a_renumbering_read_as_done_already_warns_that_it_may_be_a_typo(ansible, pbx, tmp_path):
    before = pbx.extensions
    (result,), run = playbook_results(ansible, tmp_path, [{"extension": 9999, "new_extension": 1003,
                                                           "display_name": "Typo"}])
    assert result["changed"] and result["changed_fields"] == ["display_name"]
    warning = ("extension 9999 does not exist but new_extension 1003 does: read as already renumbered, so the settings "
               "of the task apply to 1003 (changed or not). If 9999 is a typo, nothing was renumbered.")
    assert result["warnings"] == [warning]
    assert "[WARNING]: " + warning in " ".join((run.stdout + run.stderr).split())
    assert pbx.extension("9999") is None and pbx.extension("1003")["username"] == "Typo"
    assert sorted(record["extnumber"] for record in pbx.extensions) == sorted(record["extnumber"] for record in before)


def test_a_bulk_item_read_as_renumbered_already_names_the_item_in_its_warning(ansible, pbx, tmp_path):
    (result,), run = playbook_results(ansible, tmp_path, [{"extensions": [{"extension": 9999, "new_extension": 1003}]}])
    assert not result["changed"] and result["unchanged"] == ["1003"]
    assert len(result["warnings"]) == 1
    assert result["warnings"][0].startswith("extensions[0]: extension 9999 does not exist but new_extension 1003 does")
    assert "extensions[0]: extension 9999 does not exist but new_extension 1003 does" in " ".join(
        (run.stdout + run.stderr).split())


def test_a_real_renumbering_does_not_warn(ansible, pbx, tmp_path):
    (result,), run = playbook_results(ansible, tmp_path, [{"extension": 1006, "new_extension": 2006}])
    assert result["changed"] and pbx.extension("2006") is not None
    assert "warnings" not in result and "[WARNING]" not in run.stdout + run.stderr


def test_renumbering_onto_an_existing_extension_is_refused(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1005, "new_extension": 1006})
    assert status == "FAILED" and "cannot renumber extension 1005 to 1006: 1006 already exists" in result["msg"]
    assert "extension/update" not in pbx.counters


def test_a_missing_extension_says_the_api_cannot_create_it(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1099, "display_name": "Nobody"})
    assert status == "FAILED"
    assert ("extension 1099 does not exist; creating it needs API v2.0.0 (S-Series firmware 30.13.0.30 or later, "
            "and api_version: v2.0.0)") in result["msg"]
    assert "extension/update" not in pbx.counters


@pytest.mark.parametrize("args, words", [
    ({"ring_timeout": 45}, "ring_timeout"),
    ({"register_password": ""}, "register_password (registerpassword)"),
    ({"login_password": ""}, "login_password (loginpassword)"),
    ({"language": ""}, "language (language)"),
    ({"no_answer_forward_to": "Custom Number"}, "no_answer_forward_number (ntransfernum) is required"),
    ({"mobility_extension": True}, "mobile (mobile) is required"),
    ({"max_registrations": 9}, "max_registrations (maxregistrations)"),
    ({"monitormode": "Spy"}, "monitor_mode must be one of"),
])
def test_invalid_input_fails_with_zero_calls(ansible, pbx, args, words):
    status, result, _run = configure(ansible, dict(args, extension=1002))
    assert status == "FAILED" and words in result["msg"]
    assert pbx.counters == {}


@pytest.mark.parametrize("args, words", [
    ({"register_password": "has space"}, "register_password (registerpassword): the value is invalid"),
    ({"email": "not-an-address"}, "email (email): 'not-an-address' is invalid"),
    ({"display_name": "x" * 32}, "display_name (username): '%s' is invalid because it has 32 characters" % ("x" * 32)),
    ({"register_name": ""}, "register_name (registername): '' is invalid because it is blank"),
])
def test_a_value_the_rules_refuse_fails_after_the_read_with_zero_writes(ansible, pbx, args, words):
    status, result, _run = configure(ansible, dict(args, extension=1002))
    assert status == "FAILED" and "nothing was changed: " + words in result["msg"], result["msg"]
    assert result["problems"] == [result["msg"][len("nothing was changed: "):]]
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}


def test_a_refused_update_reports_the_vendor_error(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1002, "busy_forward_to": "Extension", "busy_forward_extension": "1099"})
    assert status == "FAILED" and result["errno"] == "10017"
    assert "PBX 127.0.0.1, call extension/update: the PBX answered error 10017 (the extension configuration failed)" in result["msg"]


BLANKS = {"always_forward_extension": "", "always_forward_number": "", "no_answer_forward_extension": "",
          "agent_id": "", "mobile": "", "email": "", "mobile_prefix": "", "caller_id": ""}


@pytest.mark.parametrize("api_version", ["v1.0.0", "v2.0.0"])
def test_blank_values_of_fields_the_pbx_leaves_out_change_nothing(ansible, pbx, omit_empty, api_version):
    args = dict(BLANKS, extension=1003, api_version=api_version)
    pbx.patch_extension("1003", callerid="")
    status, result, _run = configure(ansible, args)
    assert status == "SUCCESS" and result["changed_fields"] == [], result
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}

    pbx.patch_extension("1003", agentid="77", email="ina@example.com", moblie="0612", atransferext="1002", callerid="X")
    status, result, _run = configure(ansible, args)
    assert status == "CHANGED" and result["changed_fields"] == ["caller_id", "email", "mobile", "always_forward_extension",
                                                                "agent_id"]
    pbx.reset_counters()
    status, result, _run = configure(ansible, args)
    assert status == "SUCCESS" and result["changed_fields"] == [], result
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}


def test_info_reports_fields_the_pbx_leaves_out_as_blank(ansible, pbx, omit_empty):
    _status, info, _run = ansible.module("yeastar_extension_info", {"extensions": [1000]})
    settings = info["extensions"][0]["settings"]
    assert settings["agent_id"] == settings["always_forward_extension"] == settings["register_name"] == ""
    assert settings["email"] == settings["mobile"] == ""


def test_info_settings_passed_back_unchanged_report_no_change(ansible, pbx, omit_empty):
    _status, info, _run = ansible.module("yeastar_extension_info", {"details": True})
    pbx.reset_counters()
    status, result, _run = configure(ansible, {"extensions": [item["settings"] for item in info["extensions"]]})
    assert status == "SUCCESS", result.get("msg")
    assert result["updated"] == [] and pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}

    _status, shown, _run = ansible.module("yeastar_extension_info", {"details": True, "show_secrets": True})
    status, result, _run = configure(ansible, {"extensions": [item["settings"] for item in shown["extensions"]]})
    assert status == "SUCCESS", result.get("msg")


def test_top_level_settings_apply_to_every_item_unless_it_sets_its_own(ansible, pbx):
    status, result, _run = configure(ansible, {
        "extensions": [{"extension": 1002}, {"extension": 1003, "ring_timeout": 15}, {"extid": "1004"}],
        "ring_timeout": 120, "voicemail": True,
    })
    assert status == "CHANGED" and result["updated"] == ["1002", "1003", "1004"]
    assert [pbx.extension(n)["ringtimeout"] for n in ("1002", "1003", "1004")] == ["120", "15", "120"]


def test_a_list_of_numbers_gets_the_task_settings_alike_in_one_bulk_run(ansible, pbx):
    pbx.patch_extension("1003", ringtimeout="120")
    status, result, _run = configure(ansible, {"extension": ["1002", 1003, "1004"], "ring_timeout": 120})
    assert status == "CHANGED" and result["updated"] == ["1002", "1004"]
    assert [item["outcome"] for item in result["results"]] == ["updated", "unchanged", "updated"]
    assert [pbx.extension(n)["ringtimeout"] for n in ("1002", "1003", "1004")] == ["120", "120", "120"]
    assert pbx.counters == {"login": 1, "extension/query": 1, "extension/update": 2, "logout": 1}


@pytest.mark.parametrize("api_version, list_call", [("v1.0.0", "extensionlist/query"), ("v2.0.0", "extension/list")])
def test_all_of_type_configures_every_extension_of_the_type_in_one_task(ansible, pbx, api_version, list_call):
    pbx.patch_extension("1002", ringtimeout="30")
    pbx.patch_extension("1003", ringtimeout="60")
    args = {"all_of_type": "SIP", "ring_timeout": 60, "api_version": api_version}
    status, result, _run = configure(ansible, args)
    assert status == "CHANGED" and result["updated"] == ["1002", "1004", "1006"], result
    # all_of_type lists in results only what changed, without settings; the others are in unchanged
    assert [(item["extension"], item["outcome"]) for item in result["results"]] == [
        ("1002", "updated"), ("1004", "updated"), ("1006", "updated")]
    assert not any("settings" in item for item in result["results"])
    assert result["unchanged"] == ["1003"] and "diff" not in result
    assert pbx.counters == {"login": 1, list_call: 1, "extension/query": 1, "extension/update": 3, "logout": 1}
    assert {n: pbx.extension(n)["ringtimeout"] for n in ("1000", "1002", "1003", "1005", "1006")} == {
        "1000": "30", "1002": "60", "1003": "60", "1005": "15", "1006": "60"}

    pbx.reset_counters()
    status, result, _run = configure(ansible, dict(args, all_of_type=["SIP", "IAX"]), check=True)
    assert status == "CHANGED" and result["updated"] == ["1005"] and pbx.extension("1005")["ringtimeout"] == "15"
    assert "extension/update" not in pbx.counters


@pytest.mark.parametrize("args, words", [
    ({"all_of_type": "SIP", "state": "absent"}, "all_of_type: configures every extension of a type; it cannot be used"
                                                " with state=absent"),
    ({"all_of_type": "SIP", "no_answer_forward_to": "Custom Number"}, "no_answer_forward_number"),
    ({"all_of_type": "SIP", "extension": 1002}, "parameters are mutually exclusive: extension|extensions|all_of_type"),
    ({"all_of_type": "SIP", "purge": True, "api_version": "v2.0.0"}, "purge: needs extensions"),
    ({"all_of_type": "PRI"}, "all_of_type"),
])
def test_all_of_type_is_refused_before_any_call_where_it_cannot_apply(ansible, pbx, args, words):
    status, result, _run = configure(ansible, args)
    assert status == "FAILED" and words in result["msg"], result["msg"]
    assert pbx.counters == {}


# one change, and blanks of fields that a PBX in omit-empty mode leaves out
BULK_SETTINGS = {"ring_timeout": 60, "agent_id": "", "email": "", "mobile_prefix": "",
                 "always_forward_extension": "", "no_answer_forward_extension": ""}
SIP = ["1002", "1003", "1004", "1006"]
READ_ONLY = {"login": 1, "extension/query": 1, "logout": 1}


def test_second_bulk_runs_send_no_update_in_every_form(ansible, pbx, tmp_path, omit_empty):
    (converge, *second_runs), _run = playbook_results(ansible, tmp_path, [
        dict(BULK_SETTINGS, all_of_type="SIP"),
        dict(BULK_SETTINGS, all_of_type="SIP"),
        dict(BULK_SETTINGS, extension=SIP),
        {"extensions": [dict(BULK_SETTINGS, extension=number) for number in SIP]},
    ])
    assert converge["changed"] and converge["updated"] == ["1002", "1003", "1004", "1006"], converge
    for result in second_runs:
        assert not result["changed"] and result["updated"] == [] and result["unchanged"] == SIP, result
    assert [result["api_calls"] for result in second_runs] == [
        dict(READ_ONLY, **{"extensionlist/query": 1}), READ_ONLY, READ_ONLY]
    assert pbx.counters["extension/update"] == converge["api_calls"]["extension/update"] == 4


def test_an_unchanged_extension_shows_every_setting_alone_and_none_in_a_bulk_result(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": 1002, "display_name": "Amy"})
    assert status == "SUCCESS" and result["extension"]["display_name"] == "Amy"
    assert result["extension"]["voicemail_pin"] == MASK and "ring_timeout" in result["extension"]
    status, result, _run = configure(ansible, {"extension": ["1002", "1003"], "display_name": "Amy"})
    assert status == "CHANGED" and result["updated"] == ["1003"]
    unchanged, changed = result["results"]
    assert unchanged == {"extension": "1002", "changed": False, "changed_fields": [], "outcome": "unchanged"}
    assert changed["settings"]["display_name"] == "Amy" and changed["settings"]["voicemail_pin"] == MASK


def test_a_list_of_numbers_is_checked_like_items_before_any_call(ansible, pbx):
    status, result, _run = configure(ansible, {"extension": ["1002", "10x4", 1002], "new_extension": 2002})
    assert status == "FAILED" and pbx.counters == {}
    assert result["problems"] == [
        "new_extension: renumbers one extension; it cannot be used with a list of extensions",
        "extension[1]: extension: '10x4' is not an extension number; an extension number is digits only, such as 1000",
        "extension[2]: extension 1002 is already named by extension[0]",
    ]


def test_bulk_input_is_all_checked_before_any_call(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [
        {"extension": 1002, "ring_timeout": 60}, {"extension": 1003, "register_password": ""}, {"extension": "10x4"},
        {"extension": 1002, "dnd": True}]})
    assert status == "FAILED" and pbx.counters == {}
    assert result["problems"] == [
        "extensions[1]: register_password (registerpassword): the value is invalid because it has 0 characters; "
        "allowed: 1 to 31 characters, none of ; & \" ' \\ < > | ` or space",
        "extensions[2]: extension: '10x4' is not an extension number; an extension number is digits only, such as 1000",
        "extensions[3]: extension 1002 is already named by extensions[0]",
    ]


def test_bulk_values_the_rules_refuse_are_all_named_after_the_read_and_nothing_is_written(ansible, pbx):
    status, result, _run = configure(ansible, {"extensions": [
        {"extension": 1002, "ring_timeout": 15}, {"extension": 1003, "email": "nope"},
        {"extension": 1004, "display_name": "Dr. Who"}]})
    assert status == "FAILED" and pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}
    assert result["problems"] == [
        "extensions[1]: email (email): 'nope' is invalid because it is not an e-mail address; "
        "allowed: an e-mail address such as ina@example.com (at most 254 characters), or blank",
        "extensions[2]: display_name (username): 'Dr. Who' is invalid because it holds characters the rule does not "
        "allow; allowed: letters, digits and spaces, at most 31, may be blank",
    ]
    assert pbx.extension("1002")["ringtimeout"] == "60"


def test_a_refusal_midway_says_what_was_updated_failed_and_not_attempted(ansible, pbx):
    items = [{"extension": number, "ring_timeout": 60} for number in (1000, 1001, 1002, 1003, 1004)]
    items[2].update(busy_forward_to="Extension", busy_forward_extension="1099")
    status, result, _run = configure(ansible, {"extensions": items})
    assert status == "FAILED"
    assert (result["updated"], result["failed_extensions"], result["not_attempted"]) == (["1000", "1001"], ["1002"], ["1003", "1004"])
    assert [item["outcome"] for item in result["results"]] == ["updated", "updated", "failed", "not_attempted", "not_attempted"]
    assert "Updated before the failure: 1000, 1001. Not attempted: 1003, 1004." in result["msg"]
    assert pbx.counters["extension/update"] == 3 and pbx.counters["logout"] == 1


def test_applied_too_often_during_a_bulk_run_is_retried(ansible, pbx):
    pbx.configure(update_rate="3/1")
    items = [{"extension": number, "display_name": "Bulk %s" % number} for number in range(1000, 1007)]
    status, result, _run = configure(ansible, {"extensions": items})
    assert status == "CHANGED" and len(result["updated"]) == 7
    assert all(pbx.extension(str(number))["username"] == "Bulk %s" % number for number in range(1000, 1007))
    assert pbx.counters["extension/update"] > 7


def test_bulk_of_500_costs_the_physical_minimum(ansible, tmp_path):
    with YeastarSimulator(extensions=500) as big:
        ansible.env.update(YEASTAR_PORT=str(big.port), YEASTAR_CA_PATH=big.ca_path)
        numbers = sorted(record["extnumber"] for record in big.extensions)
        differing = numbers[::10]
        for number in numbers:
            big.patch_extension(number, ringtimeout="15" if number in differing else "30")
        items = [{"extension": number, "ring_timeout": 30} for number in numbers]

        status, result, _run = configure(ansible, {"extensions": items, "batch_size": 100})
        assert status == "CHANGED" and result["updated"] == differing
        assert big.counters == {"login": 1, "extension/query": 5, "extension/update": 50, "logout": 1}

        big.reset_counters()
        status, result, _run = configure(ansible, {"extensions": items, "batch_size": 100})
        assert status == "SUCCESS" and result["updated"] == []
        assert big.counters == {"login": 1, "extension/query": math.ceil(500 / 100), "logout": 1}


EVERY_FIELD = {
    "display_name": "Ina Tang", "caller_id": "Ina1003", "register_name": "ina1003", "register_password": "Reg1003x",
    "max_registrations": 4, "login_password": "Portal1003", "email": "ina@example.com", "mobile": "0612345678",
    "language": "French", "voicemail": False, "voicemail_to_email": True, "voicemail_pin": "7777",
    "always_forward": True, "always_forward_to": "Custom Number", "always_forward_extension": "",
    "always_forward_prefix": "0", "always_forward_number": "5550101",
    "no_answer_forward": True, "no_answer_forward_to": "Extension", "no_answer_forward_extension": "1002",
    "no_answer_forward_prefix": "", "no_answer_forward_number": "",
    "busy_forward": True, "busy_forward_to": "Mobile Number", "busy_forward_extension": "",
    "busy_forward_prefix": "9", "busy_forward_number": "",
    "mobility_extension": True, "ring_simultaneously": True, "mobile_prefix": "9", "allow_being_monitored": True,
    "monitor_mode": "Barge-in", "ring_timeout": 120, "max_call_duration": 900, "do_not_disturb": True,
    "call_restriction": True, "agent_id": "4242",
}


def test_every_field_by_its_vendor_name_then_by_its_option_name(ansible, pbx, omit_empty):
    fields = {field.option: field for field in FIELDS}
    assert set(EVERY_FIELD) == set(fields)
    by_vendor = {fields[option].vendor: value for option, value in EVERY_FIELD.items()}
    status, result, run = configure(ansible, dict(by_vendor, extid=1003))
    assert status == "CHANGED", result.get("msg")
    assert "[WARNING]" not in run.stdout + run.stderr
    stored = pbx.extension("1003")
    for option, value in EVERY_FIELD.items():
        field = fields[option]
        if option == "login_password":
            assert stored["loginpassword"] == hashlib.md5(value.encode()).hexdigest()
        else:
            assert stored[field.answer_name] == field.kind.to_request(value), option

    pbx.reset_counters()
    status, result, run = configure(ansible, dict(EVERY_FIELD, extension=1003))
    assert status == "SUCCESS" and result["changed_fields"] == []
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}


def bulk_result(ansible, tmp_path, args):
    """The registered result of yeastar_extension, its arguments from a vars file (a 5,000-item list is too long
    for a command line)."""
    (tmp_path / "args.json").write_text(json.dumps({"task_args": args}))
    results, _run = playbook_results(ansible, tmp_path, ["{{ task_args }}"], vars_files=[tmp_path / "args.json"])
    return results[0]


def test_5000_missing_extensions_fail_with_a_short_message_and_every_problem(ansible, pbx, tmp_path):
    numbers = [str(number) for number in range(20000, 25000)]
    result = bulk_result(ansible, tmp_path, {"extensions": [{"extension": number} for number in numbers]})
    assert result["failed"] and len(result["msg"]) < 2048, len(result["msg"])
    assert result["msg"].startswith("nothing was changed: extensions[0]: extension 20000 does not exist; creating it")
    assert "... and 4,995 more; every one is in `problems`" in result["msg"]
    assert len(result["problems"]) == 5000 and result["problems"][-1].startswith("extensions[4999]: extension 24999 ")
    assert "extension/update" not in pbx.counters


def test_5000_invalid_items_fail_with_a_short_message_and_every_problem(ansible, pbx, tmp_path):
    result = bulk_result(ansible, tmp_path, {"extensions": [{"extension": "x%d" % number} for number in range(5000)]})
    assert result["failed"] and len(result["msg"]) < 2048, len(result["msg"])
    assert result["msg"].startswith("Invalid input, nothing was sent to the PBX: extensions[0]: extension: 'x0' is not")
    assert len(result["problems"]) == 5000 and pbx.counters == {}


def test_a_refusal_in_a_run_of_5000_says_what_happened_in_a_short_message(ansible, tmp_path):
    with YeastarSimulator(extensions=5000) as big:
        ansible.env.update(YEASTAR_PORT=str(big.port), YEASTAR_CA_PATH=big.ca_path)
        numbers = sorted((record["extnumber"] for record in big.extensions), key=int)
        items = [{"extension": number, "display_name": "Bulk %s" % number} for number in numbers]
        items[2].update(busy_forward_to="Extension", busy_forward_extension="99999")
        result = bulk_result(ansible, tmp_path, {"extensions": items})
        assert result["failed"] and len(result["msg"]) < 2048, len(result["msg"])
        assert result["updated"] == numbers[:2] and result["failed_extensions"] == [numbers[2]]
        assert len(result["not_attempted"]) == 4997
        assert "Not attempted: %s, %s, %s, %s, %s, ... and 4,992 more; every one is in `not_attempted`." % tuple(
            numbers[3:8]) in result["msg"]
        assert big.counters["extension/update"] == 3
