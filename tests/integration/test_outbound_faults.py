# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults of the Predictive Outbound API while sip_register_status waits for phones.

Refusals at login (601-604), an unknown service (404) and a body that is not JSON are in
test_sip_register_status.py; these are the faults that strike in the middle of a wait.
"""

from __future__ import annotations

from ansible_collections.voiceops.pbx.tests.integration.test_faults import When

LOGIN = "App.Sip_Auth.Login"
LOGOUT = "App.Sip_Auth.Logout"
STATUS = "App.Sip_Status.GetSipRegisterStatus"
WAIT = {"extnumber": "1002,1006", "wait_for": "registered", "interval": 0.3, "timeout": 20}


def after_rounds(outbound, rounds):
    """A condition: that many status calls have been answered (the call log is written after the answer)."""
    return lambda: sum(1 for call in outbound.calls if call["endpoint"] == STATUS) >= rounds


def then(*actions):
    return lambda: [action() for action in actions]


def test_a_token_refused_mid_wait_means_one_new_login(outbound_ansible, outbound):
    def register_soon():
        return outbound.schedule("1006", 1.0, registered=True)

    with When(after_rounds(outbound, 1), then(outbound.expire_tokens, register_soon)) as trigger:
        status, result, _run = outbound_ansible.module("sip_register_status", WAIT)
    assert trigger.done.is_set()
    assert status == "SUCCESS" and result["registered"] == ["1002", "1006"]
    assert [call["result"] for call in outbound.calls if call["endpoint"] == STATUS].count("600") == 1
    assert result["api_calls"][LOGIN] == 2 and result["retries"] == {STATUS: 1}
    assert result["api_calls"][STATUS] == result["rounds"] + 1 == outbound.counters[STATUS]
    assert outbound.tokens == []


def test_a_transient_failure_mid_wait_is_repeated(outbound_ansible, outbound):
    def register_soon():
        return outbound.schedule("1006", 1.0, registered=True)

    with When(after_rounds(outbound, 1), then(lambda: outbound.inject("http", service=STATUS, status=503), register_soon)):
        status, result, _run = outbound_ansible.module("sip_register_status", WAIT)
    assert status == "SUCCESS" and result["registered"] == ["1002", "1006"]
    assert result["retries"] == {STATUS: 1} and result["api_calls"][LOGIN] == 1


def test_an_authorization_withdrawn_mid_wait_stops_with_its_reason(outbound_ansible, outbound):
    with When(after_rounds(outbound, 1), lambda: outbound.configure(refuse=602)):
        status, result, _run = outbound_ansible.module("sip_register_status", WAIT)
    assert status == "FAILED"
    assert result["msg"].startswith("Predictive Outbound API %s, call %s: the API answered ret 602 (appid authorization "
                                    "expired: the call-center administrator must renew it)" % (outbound.url, STATUS))
    assert result["rounds"] == 2 and result["retries"] == {}
    assert result["api_calls"] == {LOGIN: 1, STATUS: 2, LOGOUT: 1}
