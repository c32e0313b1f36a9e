# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults of the Predictive Outbound API while sip_register_status waits for phones.

Refusals at login (601-604), an unknown service (404) and a body that is not JSON are in
test_sip_register_status.py; these are the faults that strike in the middle of a wait.
"""

from __future__ import annotations

LOGIN = "App.Sip_Auth.Login"
LOGOUT = "App.Sip_Auth.Logout"
STATUS = "App.Sip_Status.GetSipRegisterStatus"
WAIT = {"extnumber": "1002,1006", "wait_for": "registered", "interval": 0.3, "timeout": 20}


def on_status_call(outbound, number, action):
    """Run action() just before the simulator handles its Nth status call."""
    outbound.inject("action", service=STATUS, on_call=number, action=action)


def registers(outbound, number):
    return lambda: outbound.set_registration(number, registered=True)


def test_a_token_refused_mid_wait_means_one_new_login(outbound_ansible, outbound):
    on_status_call(outbound, 2, outbound.expire_tokens)
    on_status_call(outbound, 4, registers(outbound, "1006"))  # the round after the repeat
    status, result, _run = outbound_ansible.module("sip_register_status", WAIT)
    assert status == "SUCCESS" and result["registered"] == ["1002", "1006"]
    assert [call["result"] for call in outbound.calls if call["endpoint"] == STATUS] == ["ok", "600", "ok", "ok"]
    assert result["api_calls"][LOGIN] == 2 and result["retries"] == {STATUS: 1}
    assert result["rounds"] == 3 and result["api_calls"][STATUS] == 4 == outbound.counters[STATUS]
    assert outbound.tokens == []


def test_a_transient_failure_mid_wait_is_repeated(outbound_ansible, outbound):
    outbound.inject("http", service=STATUS, status=503, on_call=2)
    on_status_call(outbound, 4, registers(outbound, "1006"))
    status, result, _run = outbound_ansible.module("sip_register_status", WAIT)
    assert status == "SUCCESS" and result["registered"] == ["1002", "1006"]
    assert result["retries"] == {STATUS: 1} and result["api_calls"][LOGIN] == 1
    assert result["rounds"] == 3 and outbound.counters[STATUS] == 4


def test_an_authorization_withdrawn_mid_wait_stops_with_its_reason(outbound_ansible, outbound):
    on_status_call(outbound, 2, lambda: outbound.configure(refuse=602))
    status, result, _run = outbound_ansible.module("sip_register_status", WAIT)
    assert status == "FAILED"
    assert result["msg"].startswith("Predictive Outbound API %s, call %s: the API answered ret 602 (appid authorization "
                                    "expired: the call-center administrator must renew it)" % (outbound.url, STATUS))
    assert result["rounds"] == 2 and result["retries"] == {}
    assert result["api_calls"] == {LOGIN: 1, STATUS: 2, LOGOUT: 1}
