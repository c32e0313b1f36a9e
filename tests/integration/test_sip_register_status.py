# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import OutboundSimulator

LOGIN = "App.Sip_Auth.Login"
LOGOUT = "App.Sip_Auth.Logout"
STATUS = "App.Sip_Status.GetSipRegisterStatus"


def status_of(ansible, args, **options):
    return ansible.module("sip_register_status", args, **options)


def test_login_status_logout_with_appid_and_accesskey(outbound_ansible, outbound):
    status, result, _run = status_of(outbound_ansible, {"extnumber": [1002, "1006"]})
    assert status == "SUCCESS" and result["changed"] is False
    assert result["extensions"][0] == {"extnumber": "1002", "code": 1017, "state": "registered", "registered": True,
                                       "clientip": "192.168.5.102", "serverip": "192.168.5.150"}
    assert result["extensions"][1]["state"] == "unregistered" and result["extensions"][1]["clientip"] is None
    assert (result["registered"], result["unregistered"]) == (["1002"], ["1006"])
    assert outbound.counters == {LOGIN: 1, STATUS: 1, LOGOUT: 1} == result["api_calls"]
    assert outbound.tokens == []


def test_a_given_token_is_used_and_kept(ansible, outbound):
    token = outbound.issue_token()
    ansible.env.update(OUTBOUND_API_URL=outbound.url)
    status, result, _run = status_of(ansible, {"extensions": "1002,1003", "token": token})
    assert status == "SUCCESS" and result["registered"] == ["1002", "1003"]
    assert outbound.counters == {STATUS: 1} and token in outbound.tokens


def test_every_state_is_named(outbound_ansible, outbound):
    outbound.set_enabled("1003", False)
    outbound.set_owned("1004", False)
    _status, result, _run = status_of(outbound_ansible, {"extnumber": "1002,1003,1004,1006,1099"})
    assert [entry["state"] for entry in result["extensions"]] == ["registered", "disabled", "not_owned", "unregistered", "not_found"]


def test_an_expired_token_is_renewed_with_appid_and_accesskey(outbound_ansible, outbound):
    token = outbound.issue_token()
    outbound.expire_tokens()
    status, _result, _run = status_of(outbound_ansible, {"extnumber": 1002, "token": token})
    assert status == "SUCCESS"
    assert outbound.counters == {STATUS: 2, LOGIN: 1, LOGOUT: 1}


def test_an_expired_token_alone_says_how_to_renew_it(ansible, outbound):
    token = outbound.issue_token()
    outbound.expire_tokens()
    ansible.env.update(OUTBOUND_API_URL=outbound.url)
    status, result, run = status_of(ansible, {"extnumber": 1002, "token": token})
    assert status == "FAILED" and "ret 600 (token invalid)" in result["msg"] and "appid and accesskey" in result["msg"]
    assert token not in run.stdout


def test_new_extensions_mean_a_new_login(outbound_ansible, outbound):
    outbound.add_extension("1007", registered=True)
    status, _result, _run = status_of(outbound_ansible, {"extnumber": "1007"})
    assert status == "SUCCESS" and outbound.counters[LOGIN] == 1
    outbound.reset_counters()
    token = outbound.issue_token()
    outbound.add_extension("1008")
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1008", "token": token})
    assert status == "SUCCESS" and result["unregistered"] == ["1008"]
    assert outbound.counters == {STATUS: 2, LOGIN: 1, LOGOUT: 1}


def test_waiting_until_a_phone_registers(outbound_ansible, outbound):
    outbound.schedule_on_query("1006", 4, registered=True)  # in the 4th round, however long each round takes
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1002,1006", "wait_for": "registered",
                                                        "interval": 0.5, "timeout": 60})
    assert status == "SUCCESS" and result["registered"] == ["1002", "1006"]
    assert result["rounds"] == 4 and outbound.counters[STATUS] == 4 and outbound.counters[LOGIN] == 1


def test_a_wait_that_times_out_names_the_stragglers(outbound_ansible, outbound):
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1000,1002,1006", "wait_for": "registered",
                                                        "interval": 0.5, "timeout": 2})
    assert status == "FAILED"
    assert result["msg"] == "timed out waiting for registered; still not there: 1000 (unregistered), 1006 (unregistered)"
    assert result["registered"] == ["1002"] and outbound.counters[LOGOUT] == 1


def test_waiting_for_unregistered(outbound_ansible, outbound):
    outbound.schedule_on_query("1002", 3, registered=False)
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1002", "wait_for": "unregistered", "interval": 0.3})
    assert status == "SUCCESS" and result["unregistered"] == ["1002"] and result["rounds"] == 3


def test_an_unknown_extension_never_registers(outbound_ansible):
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1099", "wait_for": "registered", "interval": 0.3})
    assert status == "FAILED" and result["msg"] == "these extensions can never register: 1099 (not_found)"
    assert result["rounds"] == 1


def test_a_phone_not_owned_by_the_company_never_registers(outbound_ansible, outbound):
    outbound.set_owned("1004", False)
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1004,1006", "wait_for": "registered",
                                                        "interval": 0.3, "timeout": 60})
    assert status == "FAILED" and result["msg"] == "these extensions can never register: 1004 (not_owned)"
    assert result["rounds"] == 1 and outbound.counters[STATUS] == 1
    assert [entry["state"] for entry in result["extensions"]] == ["not_owned", "unregistered"]


def test_every_round_of_a_wait_goes_over_one_connection(outbound_ansible, outbound):
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1000", "wait_for": "registered",
                                                        "interval": 0.2, "timeout": 1})
    assert status == "FAILED" and result["rounds"] > 2
    calls = outbound.recorder.settled_calls()
    assert [call["endpoint"] for call in calls] == [LOGIN] + [STATUS] * result["rounds"] + [LOGOUT]
    assert len({call["connection"] for call in calls}) == 1


@pytest.mark.parametrize("ret, words", [
    (601, "appid not authorized"), (602, "appid authorization expired"),
    (603, "module not licensed"), (604, "caller IP not authorized"),
])
def test_authorization_refusals_are_explained(outbound_ansible, outbound, ret, words):
    outbound.configure(refuse=ret)
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1002"})
    assert status == "FAILED" and "ret %d (%s" % (ret, words) in result["msg"]
    assert result["msg"].startswith("Predictive Outbound API %s, call %s" % (outbound.url, LOGIN))


def test_an_unknown_service_and_a_non_json_body_are_clear_errors(outbound_ansible, outbound):
    outbound.inject("errno", service=STATUS, errno=404)
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1002"})
    assert status == "FAILED" and "ret 404 (no such service)" in result["msg"]
    outbound.inject("garbage", service=STATUS, count=None)
    status, result, _run = status_of(outbound_ansible, {"extnumber": "1002", "request_timeout": 5})
    assert status == "FAILED" and "not valid JSON" in result["msg"] and "after 3 retries" in result["msg"]


def test_bad_input_sends_nothing(outbound_ansible, outbound):
    status, result, _run = status_of(outbound_ansible, {"extnumber": "10x2"})
    assert status == "FAILED" and "extnumber: '10x2' is not an extension number" in result["msg"]
    assert outbound.counters == {}


def test_large_lists_are_batched(outbound_ansible, outbound):
    outbound.set_extensions(250)
    numbers = ",".join(str(number) for number in range(1000, 1250))
    status, result, _run = status_of(outbound_ansible, {"extnumber": numbers, "batch_size": 100})
    assert status == "SUCCESS" and len(result["extensions"]) == 250
    assert outbound.counters[STATUS] == 3


def test_https_with_ca_path_and_a_clear_error_without_it(ansible):
    with OutboundSimulator(tls=True) as secure:
        ansible.env.update(OUTBOUND_API_URL=secure.url, OUTBOUND_API_APPID=secure.appid,
                           OUTBOUND_API_ACCESSKEY=secure.accesskey)
        status, result, _run = status_of(ansible, {"extnumber": "1002", "ca_path": secure.ca_path})
        assert status == "SUCCESS" and result["registered"] == ["1002"]
        status, result, _run = status_of(ansible, {"extnumber": "1002"})
        assert status == "FAILED" and "TLS certificate verification failed" in result["msg"]
        assert "ca_path" in result["msg"] and secure.accesskey not in result["msg"]
