# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""API v2.0.0 in the shared code: request bodies, field rules, the strong password policy,
purge ranges, and creations and deletions planned and sent against the simulated PBX."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import api_for
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_outcome import apply_plan
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_plan import plan_changes
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_requests import (
    parse_number_ranges,
    read_purge,
    read_requests,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS, FIELDS_BY_OPTION, MASK
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import weak_password_problems
from ansible_collections.voiceops.pbx.tests.simulator.yeastar_rules import is_blank
from ansible_collections.voiceops.pbx.tests.simulator.yeastar_rules_v2 import MIN_LENGTH, V2_RULES, is_weak
from ansible_collections.voiceops.pbx.tests.unit.plugins.modules.test_yeastar_extension_input import run_module

V1, V2 = api_for("v1.0.0"), api_for("v2.0.0")
STRONG = "Kq7mZt4Rw9Bx2Lp5"
# CI set: the same examples on every run (derandomized); see PROPERTY in test_yeastar_extension_input.py.
PROPERTY = settings(max_examples=int(os.environ.get("VOICEOPS_HYPOTHESIS_EXAMPLES", "25")) * 8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow], database=None, derandomize="CI" in os.environ)
ALPHABET = list("aZ09 ~^*-_?!%.@:;&\"'\\<>`$#,[]=|é中")
V2_TEXT_FIELDS = [field for field in FIELDS if field.v2_kind is not field.kind and field.kind.ansible_type == "str"]


def test_each_version_reads_and_selects_with_its_own_names():
    assert (V1.list_call, V1.query_body(["1000", "1001"]), V1.query_body(), V1.select("1000")) == (
        "extensionlist/query", {"extid": "1000,1001"}, {}, {"extid": "1000"})
    assert (V2.list_call, V2.query_body(["1000", "1001"]), V2.query_body(), V2.select("1000")) == (
        "extension/list", {"number": "1000,1001"}, {"number": "all"}, {"number": "1000"})
    assert "port" in V1.login_body("api", "x") and "port" not in V2.login_body("api", "x")
    assert (V1.can_create, V1.renumber_field, V2.can_create, V2.renumber_field) == (False, "extnumber", True, None)


@pytest.mark.parametrize("numbers", [["all"], ["1000", "all"], [], ["1000,1001"], [" 1000"], ["1000", 1001], ["１２"]])
def test_a_delete_body_holds_extension_numbers_only_never_all(numbers):
    with pytest.raises(ValueError):
        V2.delete_body(numbers)


def test_a_delete_body_is_one_comma_list():
    assert V2.delete_body(["1000", "1001"]) == {"number": "1000,1001"}


def test_an_unknown_api_version_is_refused():
    with pytest.raises(ValueError, match="v1.0.0, v1.1.0, v2.0.0"):
        api_for("v3.0.0")


@pytest.mark.parametrize("field", V2_TEXT_FIELDS, ids=lambda field: field.option)
@PROPERTY
@given(value=st.text(st.sampled_from(ALPHABET), max_size=20))
def test_the_v2_rules_refuse_what_the_v2_pbx_refuses(field, value):
    _record_field, blank_allowed, check = V2_RULES[field.vendor]
    pbx_accepts = blank_allowed if is_blank(value) else check(value) and len(value) >= MIN_LENGTH.get(field.vendor, (0, 0))[1]
    problem = field.problem(value, v2=True)
    if not pbx_accepts:
        assert problem is not None, "%s: %r reaches the PBX, which refuses it" % (field.option, value)
    else:  # stricter only on white space alone, which the PBX stores as blank
        assert problem is None or not value.strip(), "%s: %r is refused: %s" % (field.option, value, problem)


@pytest.mark.parametrize("option, value, v1_ok, v2_ok", [
    ("display_name", "Ina Tang", True, True), ("display_name", "Zoë", False, True), ("display_name", "ina@home", False, False),
    ("display_name", "a" * 40, False, True), ("register_name", "ina-1", True, False), ("register_password", "a!b", True, False),
    ("register_password", "Ab~^*-_?9", True, True), ("email", "ina#1@example.com", True, False),
    ("voicemail_to_email", "custom", False, True), ("voicemail_to_email", "yes", True, True),
])
def test_where_the_versions_differ(option, value, v1_ok, v2_ok):
    field = FIELDS_BY_OPTION[option]
    assert (field.problem(value) is None, field.problem(value, v2=True) is None) == (v1_ok, v2_ok)


@pytest.mark.parametrize("password, why", [
    ("Kq7mZt4Rw9Bx2Lp", "it has 15 characters"), ("kq7mzt4rw9bx2lp5", "it has no uppercase letter"),
    ("KQ7MZT4RW9BX2LP5", "it has no lowercase letter"), ("KqamZtbRwcBxdLpe", "it has no digit"),
    ("Kq7mZt4Rw9Bx2Lp5123", "it holds a run of consecutive digits"), ("Kq7mZt4R987wBx2L", "it holds a run of consecutive digits"),
    ("Kq7mZt2041Bx2Lp5", "it contains the extension number"), ("Kq7mZt4RwTANG5xy", "it contains the display name"),
])
def test_the_strong_policy_names_why_and_never_the_password(password, why):
    found = weak_password_problems({"register_password": password}, "2041", "Tang", "extensions[0]: ")
    assert len(found) == 1 and "because %s;" % why in found[0]
    assert found[0].startswith("extensions[0]: register_password (registerpassword): the value is too weak")
    assert password not in found[0]
    assert is_weak(password, 16, "2041", "Tang")


def test_a_strong_password_and_the_mask_pass_the_policy():
    assert weak_password_problems({"register_password": STRONG, "login_password": MASK}, "2041", "Ina Tang") == []
    assert not is_weak(STRONG, 16, "2041", "Ina Tang")


@pytest.mark.parametrize("values, ranges", [
    ([1000, "1001", "1005-1009", "2000, 2010-2011"], [(1000, 1000), (1001, 1001), (1005, 1009), (2000, 2000), (2010, 2011)]),
    ([], []),
])
def test_purge_exclude_takes_numbers_and_ranges(values, ranges):
    assert parse_number_ranges(values, "purge_exclude") == ranges


@pytest.mark.parametrize("value", ["1009-1005", "10a0", "1000-", "all", True])
def test_a_bad_purge_exclude_names_the_option(value):
    with pytest.raises(ValueError, match="^purge_exclude: "):
        parse_number_ranges([value], "purge_exclude")


@pytest.mark.parametrize("params, words", [
    ({"purge": True, "extensions": []}, "refused with an empty extensions list"),
    ({"purge": True, "extensions": None, "extension": "1000"}, "needs extensions"),
])
def test_purge_guard_rails(params, words):
    _purge, found = read_purge(params, V2)
    assert len(found) == 1 and words in found[0]


def test_on_v1_deleting_and_purging_fail_naming_the_firmware():
    _purge, found = read_purge({"purge": True, "extensions": [{"extension": "1000"}]}, V1)
    _requests, problems = read_requests({"extension": "1000", "state": "absent"}, V1)
    for message in found + problems:
        assert "30.13.0.30" in message and "api_version: v2.0.0" in message


def bulk(*items, **task):
    params = dict({"state": "present", "strong_passwords": True, "extensions": list(items)}, **task)
    for item in params["extensions"]:
        for field in FIELDS:
            item.setdefault(field.option, None)
        item.setdefault("state", None)
        item.setdefault("new_extension", None)
    for field in FIELDS:
        params.setdefault(field.option, None)
    return params


def new(number, **settings_):
    return dict({"extension": number, "display_name": "Ina Tang", "register_name": number,
                 "register_password": STRONG}, **settings_)


def plan_and_apply(client, params, check_mode=False, batch_size=100, purge=None):
    requests, problems = read_requests(params, client.api)
    assert problems == []
    with client:
        plan = plan_changes(client, requests, batch_size, purge, strong_passwords=True)
        return apply_plan(client, plan, check_mode, batch_size).result(bulk=True)


def test_creations_updates_and_deletions_at_the_call_minimum(make_client, pbx):
    client = make_client(api_version="v2.0.0")
    params = bulk(new("2041"), new("2042", voicemail=False), {"extension": "1003", "display_name": "Bob"},
                  *({"extension": number, "state": "absent"} for number in ("1004", "1005", "1006", "2099")))
    result = plan_and_apply(client, params, batch_size=2)
    assert (result["created"], result["updated"], result["deleted"]) == (["2041", "2042"], ["1003"], ["1004", "1005", "1006"])
    # 7 numbers in batches of 2; the batch of the two new ones answers 10006, so the list says which exist
    assert client.request_counts == {"login": 1, "extension/query": 4, "extension/list": 1, "extension/add": 2,
                                     "extension/update": 1, "extension/delete": 2, "logout": 1}
    assert pbx.delete_requests == ["1004,1005", "1006"]
    assert pbx.extension("2042")["hasvoicemail"] == "off" and pbx.extension("1004") is None


def test_check_mode_plans_without_writing(make_client, pbx):
    before = pbx.extensions
    result = plan_and_apply(make_client(api_version="v2.0.0"), bulk(new("2041"), {"extension": "1006", "state": "absent"}),
                            check_mode=True)
    assert (result["created"], result["deleted"]) == (["2041"], ["1006"]) and pbx.extensions == before
    assert result["diff"]["after"]["2041"]["register_password"] == MASK + " (changed)"
    assert result["diff"]["before"]["1006"]["register_password"] == MASK


def test_purge_deletes_what_the_list_does_not_name_but_the_excluded(make_client, pbx):
    purge, problems = read_purge({"purge": True, "extensions": [{}], "purge_exclude": ["1000-1001"]}, V2)
    assert problems == []
    result = plan_and_apply(make_client(api_version="v2.0.0"), bulk({"extension": "1002"}, new("2041")), purge=purge)
    assert result["deleted"] == ["1003", "1004", "1005", "1006"] and result["created"] == ["2041"]
    assert [item["extension"] for item in result["results"] if item.get("purged")] == result["deleted"]
    assert [ext["extnumber"] for ext in pbx.extensions] == ["1000", "1001", "1002", "2041"]
    assert pbx.delete_requests == ["1003,1004,1005,1006"]


def test_a_refused_creation_deletes_nothing(make_client, pbx):
    pbx.configure(max_extensions=7)
    client = make_client(api_version="v2.0.0")
    requests, _problems = read_requests(bulk(new("2041"), {"extension": "1006", "state": "absent"}), client.api)
    with client:
        plan = plan_changes(client, requests, 100, strong_passwords=True)
        outcome = apply_plan(client, plan, False, 100)
    result = outcome.result(bulk=True)
    assert (result["failed_extensions"], result["not_attempted"], result["deleted"]) == (["2041"], ["1006"], [])
    assert outcome.failure.startswith("Extension 2041: ") and "Not attempted: 1006." in outcome.failure
    assert pbx.extension("1006") is not None and pbx.delete_requests == []


def test_a_missing_extension_without_the_required_fields_is_refused_before_any_write(make_client, pbx):
    client = make_client(api_version="v2.0.0")
    requests, _problems = read_requests(bulk({"extension": "2041", "display_name": "Ina"}), client.api)
    with client, pytest.raises(ValueError) as refused:
        plan_changes(client, requests, 100, strong_passwords=True)
    assert "missing: register_name (registername), register_password (registerpassword)" in str(refused.value)
    assert "extension/add" not in client.request_counts


def test_the_module_creates_purges_and_deletes_with_its_options(pbx):
    connection = dict(host=pbx.host, port=pbx.port, api_username="api", api_password=pbx.api_password, ca_path=pbx.ca_path,
                      api_version="v2.0.0")
    task = dict(connection, extensions=[new("2041"), {"extension": 1002}, {"extension": 1003, "state": "absent"}],
                purge=True, purge_exclude=["1000-1001"], update_password="on_create")
    result = run_module(dict(task, _ansible_check_mode=True))
    assert (result["created"], result["deleted"], result["changed"]) == (["2041"], ["1003", "1004", "1005", "1006"], True)
    assert "extension/add" not in result["api_calls"] and pbx.delete_requests == []
    result = run_module(task)
    assert result["api_calls"] == {"login": 1, "extension/list": 1, "extension/query": 1, "extension/add": 1,
                                   "extension/delete": 1, "logout": 1}
    assert pbx.delete_requests == ["1003,1004,1005,1006"]
    assert run_module(task)["changed"] is False
    result = run_module(dict(connection, extension=2041, state="absent"))
    assert (result["outcome"], result["extension"]) == ("deleted", {"extension": "2041"})
    result = run_module(dict(connection, extension=2041, state="absent"))
    assert (result["changed"], result["outcome"], result["api_calls"]) == (False, "unchanged", {"login": 1, "extension/query": 1, "logout": 1})


def test_an_extension_number_of_more_than_7_digits_is_refused_on_v2_before_any_request():
    _requests, problems = read_requests(bulk({"extension": "12345678"}), V2)
    assert problems == ["extensions[0]: extension: 12345678 is invalid on API v2.0.0: an extension number has at most 7 digits"]
    assert read_requests(bulk({"extension": "12345678"}), V1)[1] == []
