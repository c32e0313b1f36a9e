# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS, FIELDS_BY_OPTION, MASK
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import (
    changed_options,
    masked,
    problems,
    request_body,
    settings_from_answer,
)
from ansible_collections.voiceops.pbx.tests.simulator.yeastar_seed import VENDOR_QUERY_SAMPLE


# Every field: values the vendor rules accept, values they refuse.
VALID = {
    "display_name": ["", "Ina Tang", "a" * 31], "caller_id": ["", "Reception1", "A" * 31],
    "register_name": ["1000", "r" * 31], "register_password": ["Yeastar202", "x", "p" * 31],
    "max_registrations": [1, 5], "login_password": ["secret", "s" * 63], "email": ["", "ina@yeastar.com"],
    "mobile": ["", "134899999999", "1" * 31], "language": ["System Default", "French"],
    "voicemail_pin": ["", "0000", "9" * 63], "always_forward_to": ["Voicemail", "Extension", "Mobile Number", "Custom Number"],
    "always_forward_extension": ["3002"], "always_forward_prefix": ["", "9", "1234567"],
    "always_forward_number": ["", "0612345678", "1" * 15], "mobile_prefix": ["", "1234567"],
    "monitor_mode": ["Disabled", "Extensive", "Listen", "Whisper", "Barge-in"],
    "ring_timeout": [15, 30, 60, 120, 300], "max_call_duration": ["Follow System", "Unlimited", 60, "6000"],
    "agent_id": ["", "6932"],
}
INVALID = {
    "display_name": ["a" * 32, "Ina;Tang", "<b>"], "caller_id": ["Ina Tang", "c" * 32, "+331"],
    "register_name": ["", "r" * 32], "register_password": ["", "p" * 32, "a b", "a;b", "a&b", 'a"b', "a'b", "a\\b", "a<b", "a>b", "a|b", "a`b"],
    "max_registrations": [0, 6], "login_password": ["short", "s" * 64, "pass word"], "email": ["ina", "ina@", "@x.y"],
    "mobile": ["+3361", "1" * 32, "06 12"], "language": [""], "voicemail_pin": ["12a4", "9" * 64],
    "always_forward_to": ["voicemail", "Mobile"], "always_forward_extension": ["30a2"],
    "always_forward_prefix": ["12345678", "+9"], "always_forward_number": ["1" * 16, "06-12"],
    "mobile_prefix": ["12345678"], "monitor_mode": ["Disable", "barge-in"], "ring_timeout": [0, 45, 301],
    "max_call_duration": [0, 61, "forever", True], "agent_id": ["69a2"],
}
BOOLEAN_FIELDS = [field.option for field in FIELDS if field.kind.ansible_type == "bool"]


def test_every_field_of_extension_update_is_in_the_table_under_its_vendor_name():
    vendor_names = {field.vendor for field in FIELDS}
    update_fields = {
        "username", "callerid", "registername", "registerpassword", "maxregistrations", "loginpassword", "email",
        "mobile", "hasvoicemail", "enablevmtoemail", "vmsecret", "alwaysforward", "atransferto", "atransferext",
        "atransferprefix", "atransfernum", "noanswerforward", "ntransferto", "ntransferext", "ntransferprefix",
        "ntransfernum", "busyforward", "btransferto", "btransferext", "btransferprefix", "btransfernum",
        "enablemobile", "ringsimultaneous", "mobileprefix", "allowbeingmonitored", "monitormode", "ringtimeout",
        "maxduration", "dnd", "callrestriction", "agentid", "language",
    }
    assert vendor_names == update_fields


def test_every_vendor_name_is_an_alias_and_secrets_are_no_log():
    for field in FIELDS:
        spec = field.argument_spec()
        assert field.vendor == field.option or field.vendor in spec["aliases"]
        assert spec.get("no_log", False) == field.secret
    assert "moblie" in FIELDS_BY_OPTION["mobile"].argument_spec()["aliases"]


@pytest.mark.parametrize("option, value", [(option, value) for option, values in VALID.items() for value in values])
def test_valid_values_pass(option, value):
    assert FIELDS_BY_OPTION[option].problem(value) is None


@pytest.mark.parametrize("option, value", [(option, value) for option, values in INVALID.items() for value in values])
def test_invalid_values_are_refused_naming_field_vendor_name_and_rule(option, value):
    field = FIELDS_BY_OPTION[option]
    message = field.problem(value)
    assert message.startswith("%s (%s): " % (field.option, field.vendor))
    assert field.kind.rule in message


def test_a_refused_secret_is_not_echoed():
    message = FIELDS_BY_OPTION["register_password"].problem("bad secret")
    assert "bad secret" not in message and "space" in message


@pytest.mark.parametrize("desired, missing", [
    ({"no_answer_forward_to": "Custom Number"}, "no_answer_forward_number (ntransfernum)"),
    ({"busy_forward_to": "Extension"}, "busy_forward_extension (btransferext)"),
    ({"always_forward_to": "Mobile Number"}, "mobile (mobile)"),
    ({"mobility_extension": True}, "mobile (mobile)"),
])
def test_cross_field_rules(desired, missing):
    found = problems(desired)
    assert len(found) == 1 and found[0].startswith(missing)


def test_cross_field_rules_pass_when_the_partner_is_given():
    assert problems({"no_answer_forward_to": "Custom Number", "no_answer_forward_number": "0612"}) == []
    assert problems({"mobility_extension": True, "mobile": "0612"}) == []


def test_answers_become_module_types():
    settings = settings_from_answer(VENDOR_QUERY_SAMPLE)
    assert settings["voicemail"] is True and settings["do_not_disturb"] is False
    assert settings["ring_timeout"] == 30 and settings["max_registrations"] == 1
    assert settings["max_call_duration"] == "Follow System"
    assert settings["mobile"] == ""
    assert settings["register_password"] == "Yeastar202"
    assert "extnumber" not in settings and "status" not in settings


# What a task would give to keep extension 1000 of the vendor's sample as it is, written from the
# sample answer by hand (module option names and types), not read through the collection.
SAMPLE_AS_TASK_OPTIONS = {
    "display_name": "1000", "caller_id": "1000", "register_name": "", "register_password": "Yeastar202",
    "max_registrations": 1, "login_password": "27499b15c12640fd2dbb237bd23da850", "email": "", "mobile": "",
    "language": "System Default", "voicemail": True, "voicemail_to_email": False, "voicemail_pin": "1000",
    "always_forward": False, "always_forward_extension": "",
    "always_forward_prefix": "", "always_forward_number": "", "no_answer_forward": True,
    "no_answer_forward_to": "Voicemail", "no_answer_forward_extension": "", "no_answer_forward_prefix": "",
    "no_answer_forward_number": "", "busy_forward": True, "busy_forward_to": "Voicemail",
    "busy_forward_extension": "", "busy_forward_prefix": "", "busy_forward_number": "", "mobility_extension": False,
    "ring_simultaneously": False, "mobile_prefix": "", "allow_being_monitored": False, "monitor_mode": "Disabled",
    "ring_timeout": 30, "max_call_duration": "Follow System", "do_not_disturb": False, "call_restriction": False,
    "agent_id": "",
}


def test_the_answer_read_back_as_desired_settings_is_no_change():
    settings = settings_from_answer(VENDOR_QUERY_SAMPLE)
    assert sorted(settings) == sorted(SAMPLE_AS_TASK_OPTIONS)
    assert changed_options(SAMPLE_AS_TASK_OPTIONS, settings) == []
    assert changed_options(dict(SAMPLE_AS_TASK_OPTIONS, voicemail=False, ring_timeout=60), settings) == [
        "voicemail", "ring_timeout"]


def omitted(answer, *keys):
    """The answer without keys, as a PBX that leaves out blank fields sends it."""
    return {key: value for key, value in answer.items() if key not in keys}


def test_a_field_the_answer_leaves_out_reads_as_blank_when_the_pbx_may_hold_it_blank():
    settings = settings_from_answer(omitted(VENDOR_QUERY_SAMPLE, "email", "moblie", "registername", "vmsecret"))
    for option in ("email", "mobile", "register_name", "voicemail_pin", "always_forward_extension",
                   "always_forward_number", "no_answer_forward_number", "busy_forward_extension", "agent_id"):
        assert settings[option] == "", option
    assert changed_options({"agent_id": "", "always_forward_extension": "", "mobile": "", "email": ""}, settings) == []
    assert changed_options({"agent_id": "6932"}, settings) == ["agent_id"]


def test_a_null_field_reads_as_a_left_out_one():
    assert settings_from_answer(dict(VENDOR_QUERY_SAMPLE, agentid=None, email=None))["agent_id"] == ""


def test_a_left_out_field_that_cannot_be_blank_reads_as_the_documented_default_or_stays_unknown():
    settings = settings_from_answer(omitted(VENDOR_QUERY_SAMPLE, "hasvoicemail", "enablevmtoemail", "alwaysforward",
                                            "maxregistrations", "dnd", "language", "registerpassword", "loginpassword",
                                            "ringtimeout"))
    assert (settings["voicemail"], settings["voicemail_to_email"], settings["always_forward"]) == (True, False, False)
    assert settings["max_registrations"] == 1
    for unknown in ("do_not_disturb", "language", "register_password", "login_password", "ring_timeout",
                    "always_forward_to"):
        assert unknown not in settings, unknown
    assert changed_options({"do_not_disturb": False, "voicemail": True}, settings) == ["do_not_disturb"]


def test_only_differing_fields_are_sent_as_vendor_strings():
    current = settings_from_answer(VENDOR_QUERY_SAMPLE)
    desired = {"voicemail": True, "ring_timeout": 60, "mobile": "0612", "do_not_disturb": True, "max_call_duration": "600"}
    options = changed_options(desired, current)
    assert options == ["mobile", "ring_timeout", "max_call_duration", "do_not_disturb"]
    assert request_body({"extid": "1000"}, desired, options) == {
        "extid": "1000", "mobile": "0612", "ringtimeout": "60", "maxduration": "600", "dnd": "on"}


def test_integers_and_digit_strings_compare_equal():
    current = {"max_call_duration": 600, "ring_timeout": 30}
    assert changed_options({"max_call_duration": "600"}, current) == []


def test_login_password_is_compared_through_its_md5_digest():
    clear = "Portal#2026"
    digest = hashlib.md5(clear.encode("utf-8")).hexdigest()
    current = settings_from_answer(dict(VENDOR_QUERY_SAMPLE, loginpassword=digest))
    assert current["login_password"] == digest
    assert changed_options({"login_password": clear}, current) == []
    assert changed_options({"login_password": digest}, current) == []
    assert changed_options({"login_password": "Portal#2027"}, current) == ["login_password"]


def test_masked_secrets_are_left_unchanged():
    current = settings_from_answer(VENDOR_QUERY_SAMPLE)
    assert changed_options({"register_password": MASK, "voicemail_pin": MASK, "login_password": MASK}, current) == []


def test_masking_hides_every_secret_unless_asked():
    settings = settings_from_answer(VENDOR_QUERY_SAMPLE)
    shown = masked(settings)
    assert {shown["register_password"], shown["voicemail_pin"], shown["login_password"]} == {MASK}
    assert masked(settings, show_secrets=True)["register_password"] == "Yeastar202"
    assert masked(settings, changed=["voicemail_pin"])["voicemail_pin"] == MASK + " (changed)"


@pytest.mark.parametrize("option", BOOLEAN_FIELDS)
def test_on_off_fields_round_trip(option):
    field = FIELDS_BY_OPTION[option]
    assert field.kind.to_request(True) == "on" and field.kind.to_request(False) == "off"
    assert field.from_answer({field.vendor: "on"}) is True
