# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import hashlib

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (
    ApiClientError,
    HttpSession,
    TLSVerificationError,
    TransportError,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import YeastarApiError, YeastarLoginRefused
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator

LIST = "extensionlist/query"
UPDATE = "extension/update"


class BodyRecordingSession(HttpSession):
    """The real transport, keeping the JSON body of each request under the call's name."""

    def __init__(self):
        super().__init__()
        self.bodies = []

    def post(self, url, **request):
        self.bodies.append((url.rsplit("/", 1)[-1], request.get("json")))
        return super().post(url, **request)


def test_login_sends_the_md5_of_the_api_password(pbx, make_client):
    session = BodyRecordingSession()
    with make_client(session=session) as client:
        client.login()
    call, body = session.bodies[0]
    assert call == "login"
    assert body == {"username": "api", "password": hashlib.md5(pbx.api_password.encode("utf-8")).hexdigest(), "port": "8260"}


def test_a_task_is_one_login_its_calls_and_one_logout(pbx, make_client):
    client = make_client()
    with client:
        answer = client.call(LIST)
        client.call("extension/query", {"extid": "1000,1001"})
    assert [item["extnumber"] for item in answer["extlist"]] == ["1000", "1001", "1002", "1003", "1004", "1005", "1006"]
    assert pbx.counters == {"login": 1, LIST: 1, "extension/query": 1, "logout": 1}
    assert dict(client.request_counts) == pbx.counters
    assert pbx.tokens == []


def test_logout_happens_also_when_the_task_fails(pbx, make_client):
    with pytest.raises(RuntimeError):
        with make_client() as client:
            client.call(LIST)
            raise RuntimeError("task failed")
    assert pbx.counters["logout"] == 1 and pbx.tokens == []


def test_keep_alive_connection_is_reused(pbx, make_client):
    with make_client() as client:
        for _ignored in range(3):
            client.call(LIST)
    calls = pbx.recorder.settled_calls()
    assert [call["endpoint"] for call in calls] == ["login", LIST, LIST, LIST, "logout"]
    assert len({call["connection"] for call in calls}) == 1


def test_a_connection_the_pbx_cut_is_replaced_by_one_new_connection(pbx, make_client):
    pbx.inject("drop", endpoint=LIST, count=1)
    with make_client() as client:
        client.call(LIST)
        client.call(LIST)
    first, second = pbx.recorder.connections()
    assert [(call["endpoint"], call["connection"]) for call in pbx.recorder.settled_calls()] == [
        ("login", first), (LIST, first), (LIST, second), (LIST, second), ("logout", second)]


@pytest.mark.parametrize("lose_token", ["expire_tokens", "revoke_tokens"])
def test_a_lost_token_means_one_new_login_and_one_repeat(pbx, make_client, lose_token):
    with make_client() as client:
        client.call(LIST)
        getattr(pbx, lose_token)()
        client.call(LIST)
    assert pbx.counters == {"login": 2, LIST: 3, "logout": 1}


def test_the_new_login_after_a_lost_token_happens_only_once(pbx, make_client):
    with make_client() as client:
        client.login()
        pbx.inject("errno", endpoint=LIST, count=2, errno="20006")
        with pytest.raises(YeastarApiError) as caught:
            client.call(LIST)
    assert caught.value.errno == "20006"
    assert pbx.counters["login"] == 2 and pbx.counters[LIST] == 2


def test_wrong_credentials_are_never_retried(pbx, make_client):
    client = make_client(api_password="wrong")
    with pytest.raises(YeastarLoginRefused) as caught:
        client.call(LIST)
    with pytest.raises(YeastarLoginRefused):
        client.call(LIST)
    client.close()
    assert pbx.counters == {"login": 1}
    message = str(caught.value)
    assert caught.value.errno == "20003" and "wrong username or password" in message
    assert "10 minutes after 5 failed logins" in message and "api_password" in message
    assert "wrong" not in message.replace("wrong username", "")


def test_a_locked_out_caller_gets_no_further_login(pbx, make_client):
    for attempt in range(5):  # five different wrong passwords: the same one is sent only once per machine
        with pytest.raises(YeastarLoginRefused):
            make_client(api_password="wrong%d" % attempt).login()
    client = make_client()
    with pytest.raises(YeastarLoginRefused) as caught:
        client.call(LIST)
    assert caught.value.errno == "20002" and "blocks the caller's IP address for 10 minutes" in str(caught.value)
    assert pbx.counters == {"login": 6}


def test_transient_read_failures_are_retried_with_backoff(pbx, make_client, sleeps):
    pbx.inject("http", endpoint=LIST, count=1, status=503)
    pbx.inject("drop", endpoint=LIST, count=1)
    pbx.inject("errno", endpoint=LIST, count=1, errno="30001")
    with make_client(retry_delay=0.5) as client:
        client.call(LIST)
    assert pbx.counters[LIST] == 4
    assert client.retry_counts[LIST] == 3
    assert sleeps == [0.5, 1.0, 2.0]


def test_retries_are_bounded_and_the_error_names_host_call_and_cause(pbx, make_client):
    pbx.inject("http", endpoint=LIST, count=None, status=500)
    with make_client() as client:
        with pytest.raises(TransportError) as caught:
            client.call(LIST)
    assert pbx.counters[LIST] == 4
    assert str(caught.value) == "PBX %s, call %s: HTTP status 500 (after 3 retries)" % (pbx.host, LIST)


def test_a_slow_answer_is_a_timeout(pbx, make_client):
    pbx.inject("latency", endpoint=LIST, count=None, seconds=0.6)
    with make_client(timeout=0.2, retries=1) as client:
        with pytest.raises(TransportError, match=r"no answer within 0.2 seconds \(timeout\) \(after 1 retries\)"):
            client.call(LIST)
    assert pbx.counters[LIST] == 2


@pytest.mark.parametrize("kind", ["drop", "garbage", "truncate", "http"])
def test_a_failed_write_is_not_repeated(pbx, make_client, kind):
    pbx.inject(kind, endpoint=UPDATE, count=1, process=True)
    with make_client() as client:
        with pytest.raises(TransportError, match="may or may not have been applied"):
            client.call(UPDATE, {"extid": "1002", "username": "Amy Lee"})
    assert pbx.counters[UPDATE] == 1


def test_an_internal_error_on_a_write_is_not_repeated(pbx, make_client):
    pbx.inject("errno", endpoint=UPDATE, count=1, errno="30001")
    with make_client() as client:
        with pytest.raises(YeastarApiError, match=r"error 30001 \(internal error"):
            client.call(UPDATE, {"extid": "1002", "username": "Amy Lee"})
    assert pbx.counters[UPDATE] == 1


def test_applied_too_often_is_retried_for_writes(pbx, make_client, sleeps):
    pbx.inject("errno", endpoint=UPDATE, count=2, errno="10025")
    with make_client() as client:
        client.call(UPDATE, {"extid": "1002", "username": "Amy Lee"})
    assert pbx.counters[UPDATE] == 3 and sleeps == [1.0, 2.0]
    assert pbx.extension("1002")["username"] == "Amy Lee"


@pytest.mark.parametrize("kind, words", [("garbage", "not valid JSON"), ("truncate", "not valid JSON")])
def test_a_body_that_is_not_json_is_a_clear_error(pbx, make_client, kind, words):
    pbx.inject(kind, endpoint=LIST, count=None)
    with make_client() as client:
        with pytest.raises(TransportError, match=words):
            client.call(LIST)


def test_an_unknown_errno_still_reads_well(pbx, make_client):
    pbx.inject("errno", endpoint=LIST, count=1, errno="12345")
    with make_client() as client:
        with pytest.raises(YeastarApiError) as caught:
            client.call(LIST)
    assert "error 12345 (an error code the API documentation does not list)" in str(caught.value)


def test_vendor_errors_carry_errno_and_meaning(pbx, make_client):
    with make_client() as client:
        with pytest.raises(YeastarApiError) as caught:
            client.call(UPDATE, {"extid": "1099", "username": "Nobody"})
    assert (caught.value.errno, caught.value.meaning) == ("10006", "the extension does not exist")
    assert str(caught.value).startswith("PBX 127.0.0.1, call extension/update: the PBX answered error 10006")


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_variable_of_other_tools_is_not_trusted(pbx, make_client, monkeypatch, variable):
    monkeypatch.setenv(variable, pbx.ca_path)
    with pytest.raises(TLSVerificationError, match="TLS certificate verification failed"):
        make_client(ca_path=None).call(LIST)
    assert pbx.counters == {}


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_variable_of_other_tools_does_not_replace_ca_path(pbx, make_client, monkeypatch, tmp_path, variable):
    not_pem = tmp_path / "bundle.pem"
    not_pem.write_text("this is not a certificate\n")
    monkeypatch.setenv(variable, str(not_pem))
    with make_client() as client:
        client.call(LIST)
    assert pbx.counters == {"login": 1, LIST: 1, "logout": 1}


def test_an_unknown_ca_is_refused_in_words_naming_both_options(pbx, make_client):
    client = make_client(ca_path=None)
    with pytest.raises(TLSVerificationError) as caught:
        client.call(LIST)
    message = str(caught.value)
    assert "TLS certificate verification failed" in message
    assert "ca_path" in message and "validate_certs" in message
    assert pbx.counters == {}


def test_a_missing_ca_file_is_an_error_before_any_request(pbx, make_client, tmp_path):
    with pytest.raises(ApiClientError, match="ca_path: .*missing.pem is not a readable file"):
        make_client(ca_path=str(tmp_path / "missing.pem"))
    assert pbx.counters == {}


def test_a_ca_file_without_a_certificate_is_an_error_before_any_request(pbx, make_client, tmp_path):
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("this is not a certificate\n")
    with pytest.raises(ApiClientError, match="ca_path: .*ca.pem holds no usable PEM certificate"):
        make_client(ca_path=str(not_pem))
    assert pbx.counters == {}


def test_a_ca_directory_is_searched_for_the_issuer(pbx, make_client, tmp_path):
    with pytest.raises(TLSVerificationError, match="TLS certificate verification failed"):
        make_client(ca_path=str(tmp_path)).call(LIST)
    assert pbx.counters == {}


def test_validate_certs_false_skips_verification_quietly(pbx, make_client, recwarn):
    with make_client(ca_path=None, validate_certs=False) as client:
        client.call(LIST)
    assert not recwarn.list


@pytest.mark.parametrize("options, reason", [
    ({"cert_hostnames": ["pbx.example.com"]}, "mismatch, certificate is not valid for '127.0.0.1'.*the name"),
    ({"expired_cert": True}, "certificate has expired"),
])
def test_certificate_problems_are_named(options, reason, sleeps):
    from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
    with YeastarSimulator(**options) as pbx:
        client = YeastarClient(pbx.host, "api", pbx.api_password, port=pbx.port, ca_path=pbx.ca_path, sleep=sleeps)
        with pytest.raises(TLSVerificationError, match=reason):
            client.call(LIST)


def test_plain_http_for_labs():
    from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
    with YeastarSimulator(tls=False) as pbx:
        with YeastarClient(pbx.host, "api", pbx.api_password, port=pbx.port, scheme="http") as client:
            client.call(LIST)
        assert pbx.counters[LIST] == 1


def test_the_token_never_appears_in_an_error(pbx, make_client, tmp_path):
    ca_copy = tmp_path / "ca.pem"
    ca_copy.write_bytes(open(pbx.ca_path, "rb").read())
    with make_client(retries=0, ca_path=str(ca_copy)) as client:
        client.call(LIST)
        token = pbx.tokens[0]
        pbx.stop()
        with pytest.raises(TransportError) as caught:
            client.call(LIST)
    assert token not in str(caught.value) and "connection failed" in str(caught.value)


def test_a_heartbeat_is_sent_only_after_a_long_idle_time(pbx, make_client):
    now = [0.0]
    with make_client(clock=lambda: now[0]) as client:
        client.call(LIST)
        now[0] += 19 * 60
        client.keepalive()
        assert "heartbeat" not in pbx.counters
        now[0] += 60
        client.keepalive()
        assert pbx.counters["heartbeat"] == 1
