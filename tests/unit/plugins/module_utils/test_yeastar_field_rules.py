# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The field table against the PBX's own rules, value by value (property-based).

The simulator's rules (tests/simulator/yeastar_rules.py) were written from the vendor pages,
apart from the client: every value they refuse, the field table must refuse before any
write (a blank the PBX can never hold, before any request). The field table may be stricter
only where docs/api-contract.md says so.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS, FIELDS_BY_OPTION
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import after_problems, problems, rule_problems
from ansible_collections.voiceops.pbx.tests.simulator.yeastar_rules import RULES, is_blank

TEXT_FIELDS = [field for field in FIELDS if field.kind.ansible_type == "str" and field.kind.choices is None]
# Letters, digits, white space of every kind, the characters passwords may not hold, e-mail
# punctuation, and non-ASCII letters and digits (Arabic-Indic three, superscript two).
ALPHABET = list("aZ09 \t\n\r\x0b\xa0\u2028;&\"'\\<>|`@.-_+#!%é中\u0663\u00b2")
SHORT = st.text(st.sampled_from(ALPHABET), max_size=12)
LONG = st.integers(min_value=25, max_value=70).flatmap(
    lambda size: st.text(st.sampled_from(ALPHABET + ["7"] * 20), min_size=size, max_size=size))
DIGITS = st.text(st.sampled_from("0123456789"), min_size=1, max_size=70)
LABEL = st.text(st.sampled_from(list("aZ09-_.+!#é;()[] ")), min_size=0, max_size=6)
EMAILS = st.builds("{}@{}.{}{}".format, LABEL, LABEL, LABEL, st.sampled_from(["", "", "\n"]))
VALUES = st.one_of(SHORT, LONG, DIGITS, EMAILS)
# CI set: the same examples on every run (derandomized); see PROPERTY in test_yeastar_extension_input.py.
PROPERTY = settings(max_examples=int(os.environ.get("VOICEOPS_HYPOTHESIS_EXAMPLES", "25")) * 16, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow], database=None, derandomize="CI" in os.environ)


def pbx_accepts(field, value):
    """What the simulated PBX answers to this value alone: accepted or not."""
    _record_field, blank_allowed, check = RULES[field.vendor]
    return blank_allowed if is_blank(value) else check(value)


def documented_stricter(field, value):
    """Values the PBX would take that the collection refuses on purpose (docs/api-contract.md)."""
    if value and not value.strip():
        return True  # only white space: the PBX stores it as if blank; give "" to clear a field
    if field.option == "email" and value.endswith("\n"):
        return True  # the simulator's e-mail pattern ends in $, which lets one final newline through
    if field.option == "language" and len(value) > 63:
        return True
    if field.option == "agent_id" or field.option.endswith("_forward_extension"):
        return len(value) > 31
    return False


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=lambda field: field.option)
@PROPERTY
@given(value=VALUES)
def test_the_field_table_refuses_what_the_pbx_refuses_and_nothing_else(field, value):
    problem = field.problem(value)
    if not pbx_accepts(field, value):
        assert problem is not None, "%s: %r reaches the PBX, which refuses it" % (field.option, value)
    elif problem is not None:
        assert documented_stricter(field, value), "%s: %r is refused: %s" % (field.option, value, problem)
    if problem is not None:
        assert problem.startswith("%s (%s): " % (field.option, field.vendor))
        if field.secret:
            assert problem.startswith("%s (%s): the value is invalid" % (field.option, field.vendor))


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=lambda field: field.option)
@PROPERTY
@given(value=VALUES)
def test_a_refused_value_is_refused_before_any_write_and_a_never_valid_blank_before_any_request(field, value):
    problem = field.problem(value)
    up_front = problems({field.option: value})
    if is_blank(value) and not field.holds_blank:
        assert up_front == [problem] and problem is not None
    else:
        assert up_front == []
    assert rule_problems({field.option: value}, [field.option], "extensions[0]: ") == (
        [] if problem is None else ["extensions[0]: " + problem])
    assert rule_problems({field.option: value}, []) == []  # what the PBX holds already is no change


@pytest.mark.parametrize("option", ["register_password", "login_password", "language"])
def test_the_pbx_never_holds_these_blank(option):
    assert not FIELDS_BY_OPTION[option].holds_blank
    assert problems({option: ""})[0].startswith(option + " (")


@pytest.mark.parametrize("option", ["register_name", "display_name", "email", "agent_id", "voicemail_pin"])
def test_the_pbx_may_hold_these_blank_so_a_blank_waits_for_the_read(option):
    assert FIELDS_BY_OPTION[option].holds_blank
    assert problems({option: ""}, v2=True) == []


def test_values_of_other_kinds_and_missing_partners_are_refused_before_any_request():
    assert problems({"max_registrations": 9})[0].startswith("max_registrations (maxregistrations)")
    assert problems({"voicemail_to_email": "maybe"})[0].startswith("voicemail_to_email (enablevmtoemail)")
    assert problems({"busy_forward_to": "Extension"})[0].startswith("busy_forward_extension (btransferext) is required")


@pytest.mark.parametrize("option, value, because, before_any_request", [
    ("voicemail_pin", "1000\n", "it holds characters the rule does not allow", False),
    ("display_name", "Ina\n", "it holds characters the rule does not allow", False),
    ("caller_id", "Ina\n", "it holds characters the rule does not allow", False),
    ("register_name", " ", "it is blank", False),
    ("register_password", "\t", "it is blank (only white space)", True),
    ("language", "\n", "it is blank", True),
    ("email", "ina;x@example.com", "it is not an e-mail address", False),
    ("email", "ina@example", "it is not an e-mail address", False),
    ("email", "ina@ex ample.com", "it is not an e-mail address", False),
])
def test_what_the_pbx_refuses_is_refused_before_any_write(option, value, because, before_any_request):
    field = FIELDS_BY_OPTION[option]
    assert not pbx_accepts(field, value)  # the case is one the PBX refuses: what follows is the collection's answer
    refused = rule_problems({option: value}, [option], "extensions[0]: ")
    assert len(refused) == 1
    assert refused[0].startswith("extensions[0]: %s (%s): " % (option, field.vendor))
    assert "because %s; allowed: %s" % (because, field.kind.rule) in refused[0]
    assert problems({option: value}) == ([refused[0][len("extensions[0]: "):]] if before_any_request else [])


@pytest.mark.parametrize("after, options, needed", [
    ({"busy_forward_to": "Extension", "busy_forward_extension": ""}, ["busy_forward_extension"], "busy_forward_extension"),
    ({"always_forward_to": "Custom Number", "always_forward_number": ""}, ["always_forward_number"], "always_forward_number"),
    ({"mobility_extension": True, "mobile": ""}, ["mobile"], "mobile"),
    ({"no_answer_forward_to": "Mobile Number", "mobile": ""}, ["mobile"], "mobile"),
])
def test_clearing_a_partner_the_pbx_still_needs_is_refused_after_the_read(after, options, needed):
    found = after_problems(after, options, "extensions[0]: ")
    assert len(found) == 1 and found[0].startswith("extensions[0]: %s (" % needed) and "on the PBX" in found[0]


def test_an_untouched_group_is_not_checked():
    assert after_problems({"busy_forward_to": "Extension", "busy_forward_extension": ""}, ["display_name"]) == []
