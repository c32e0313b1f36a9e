# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The PhalApi envelope and the code tables, with canned answers instead of a server."""

from __future__ import annotations

import json

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import ApiClientError, TransportError
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_client import (
    OutboundApiError,
    OutboundClient,
    registration_entry,
)

URL = "http://callcenter.test:8080"


class Answer:
    def __init__(self, payload, status=200):
        self.status_code = status
        self.text = payload if isinstance(payload, str) else json.dumps(payload)


class CannedSession:
    """Answers each POST with the next canned answer and keeps the form fields sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def post(self, url, **request):
        self.sent.append(request["data"])
        return self.answers.pop(0)


def ok(result=None, **data):
    return Answer({"ret": 200, "data": dict({"status": 0, "desc": "ok", "result": result}, **data), "msg": ""})


def refused(ret, msg="refused"):
    return Answer({"ret": ret, "data": [], "msg": msg})


def business_error(code, codemsg="failed"):
    return Answer({"ret": 200, "data": {"status": 1, "errors": {"code": code, "codemsg": codemsg}}, "msg": ""})


def client(*answers, **options):
    session = CannedSession(*answers)
    settings = dict(token="given-token", session=session, sleep=lambda seconds: None)
    settings.update(options)
    return OutboundClient(URL, **settings), session


@pytest.mark.parametrize("code, state, registered", [
    (1017, "registered", True), (1014, "unregistered", False), (1013, "disabled", False),
    (1012, "not_found", False), (1011, "not_owned", False), (1099, "unknown", False), ("1017", "registered", True),
])
def test_codes_become_states(code, state, registered):
    entry = registration_entry({"extnumber": "1002", "code": code, "clientip": None, "serverip": None})
    assert (entry["state"], entry["registered"]) == (state, registered)


def test_a_status_call_sends_the_form_fields_and_returns_entries_in_the_order_asked():
    api, session = client(ok([
        {"extnumber": "1003", "code": 1014, "clientip": None, "serverip": None},
        {"extnumber": "1002", "code": 1017, "clientip": "192.168.5.102", "serverip": "192.168.5.150"},
    ]))
    entries = api.register_status(["1002", "1003"], 100)
    assert session.sent == [{"extnumber": "1002,1003", "token": "given-token", "service": "App.Sip_Status.GetSipRegisterStatus"}]
    assert [entry["extnumber"] for entry in entries] == ["1002", "1003"]
    assert entries[0]["clientip"] == "192.168.5.102" and entries[1]["clientip"] is None


def test_large_lists_are_batched():
    api, session = client(ok([]), ok([]), ok([]))
    entries = api.register_status([str(number) for number in range(250)], 100)
    assert [len(sent["extnumber"].split(",")) for sent in session.sent] == [100, 100, 50]
    assert {entry["state"] for entry in entries} == {"unknown"}


@pytest.mark.parametrize("ret, words", [
    (400, "ret 400 (illegal request)"), (404, "ret 404 (no such service)"),
    (601, "ret 601 (appid not authorized"), (602, "ret 602 (appid authorization expired"),
    (603, "ret 603 (module not licensed"), (604, "ret 604 (caller IP not authorized"),
    (699, "ret 699 (a status the API documentation does not list)"),
])
def test_refusals_are_explained_in_words(ret, words):
    api, session = client(refused(ret, "because"))
    with pytest.raises(OutboundApiError) as caught:
        api.call("App.Sip_Status.GetSipValidStatus", {"extnumber": "1002"})
    assert words in str(caught.value) and str(caught.value).startswith("Predictive Outbound API %s, call " % URL)
    assert len(session.sent) == 1


def test_a_business_error_carries_code_and_meaning():
    api, _session = client(business_error("1003", "operation failed"))
    with pytest.raises(OutboundApiError) as caught:
        api.call("App.Sip_Status.GetSipRegisterStatus", {"extnumber": "1002"})
    assert caught.value.code == "1003" and "error code 1003 (operation failed)" in str(caught.value)


@pytest.mark.parametrize("expiry", [refused(600, "token invalid"), business_error("1010", "extension exception")])
def test_a_refused_token_is_renewed_once_with_appid_and_accesskey(expiry):
    login = ok({"companycode": "1", "companyname": "test", "token": "fresh-token", "authtime": "", "authmodel": ""})
    api, session = client(expiry, login, ok([]), ok(None), appid="app", accesskey="key")
    with api:
        api.register_status(["1002"], 10)
    services = [sent["service"] for sent in session.sent]
    assert services == ["App.Sip_Status.GetSipRegisterStatus", "App.Sip_Auth.Login",
                        "App.Sip_Status.GetSipRegisterStatus", "App.Sip_Auth.Logout"]
    assert session.sent[2]["token"] == session.sent[3]["token"] == "fresh-token"


def test_an_expired_token_without_credentials_says_which_options_would_renew_it():
    api, session = client(refused(600, "token invalid"))
    with pytest.raises(ApiClientError) as caught:
        api.register_status(["1002"], 10)
    message = str(caught.value)
    assert "ret 600 (token invalid)" in message and "appid and accesskey" in message
    assert "given-token" not in message and len(session.sent) == 1


def test_a_given_token_is_never_logged_out():
    api, session = client(ok([]))
    with api:
        api.register_status(["1002"], 10)
    assert [sent["service"] for sent in session.sent] == ["App.Sip_Status.GetSipRegisterStatus"]


def test_server_errors_are_retried_then_reported():
    api, session = client(refused(500), Answer("oops", status=502), ok([]), retry_delay=0)
    api.register_status(["1002"], 10)
    assert len(session.sent) == 3 and api.retry_counts["App.Sip_Status.GetSipRegisterStatus"] == 2


def test_a_body_that_is_not_an_envelope_is_a_clear_error():
    api, _session = client(*[Answer({"hello": "world"})] * 4)
    with pytest.raises(TransportError, match=r"not an API answer \(no 'ret'\) \(after 3 retries\)"):
        api.register_status(["1002"], 10)


def test_secrets_are_scrubbed_from_messages():
    api, _session = client(refused(400, "bad token given-token"))
    with pytest.raises(OutboundApiError) as caught:
        api.call("App.Sip_Status.GetSipRegisterStatus", {"extnumber": "1002"})
    assert "given-token" not in str(caught.value) and "********" in str(caught.value)
