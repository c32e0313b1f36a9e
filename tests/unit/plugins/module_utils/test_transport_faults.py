# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which failures the shared transport repeats, and what it says about the others."""

from __future__ import annotations


import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import TLSVerificationError, TransportError, usage
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator
from ansible_collections.voiceops.pbx.tests.simulator.tls import TestPKI
from ansible_collections.voiceops.pbx.tests.simulator.ports import refused_port, reserved_port

UPDATE = "extension/update"


@pytest.fixture
def pki():
    with TestPKI() as authority:
        yield authority


def client_for(sim, **options):
    settings = dict(host=sim.host, port=sim.port, api_username="api", api_password=sim.api_password,
                    ca_path=sim.ca_path, timeout=5)
    settings.update(options)
    return YeastarClient(**settings)


def test_a_write_the_pbx_never_received_is_repeated_once_it_is_back(pki):
    sim = YeastarSimulator(port=reserved_port(), pki=pki).start()  # start() after stop() binds that port again
    try:
        client = client_for(sim, sleep=lambda seconds: sim.start())
        with client:
            client.login()
            sim.stop()
            client.call(UPDATE, {"extid": "1002", "username": "Back Again"})
        assert sim.extension("1002")["username"] == "Back Again"
        assert sim.counters[UPDATE] == 1 and client.retry_counts[UPDATE] == 1
        assert usage(client)["retries"] == {UPDATE: 1}
    finally:
        sim.stop()


def test_a_write_that_never_reaches_the_pbx_says_nothing_was_sent(pki):
    sim = YeastarSimulator(pki=pki).start()
    client = client_for(sim, retries=1, sleep=lambda seconds: None)
    client.login()
    port = sim.port
    sim.stop()
    with refused_port(port=port), pytest.raises(TransportError) as caught:
        client.call(UPDATE, {"extid": "1002", "username": "Nobody"})
    message = str(caught.value)
    assert "before the request was sent" in message and "(after 1 retries)" in message
    assert "may or may not" not in message


def test_a_lost_token_counts_as_one_retry(pki):
    with YeastarSimulator(pki=pki) as sim:
        with client_for(sim) as client:
            client.call("extensionlist/query")
            sim.revoke_tokens()
            client.call("extensionlist/query")
        assert usage(client) == {"api_calls": {"login": 2, "extensionlist/query": 3, "logout": 1},
                                 "retries": {"extensionlist/query": 1}}


def test_an_expired_certificate_says_to_renew_it(pki):
    with YeastarSimulator(pki=pki, expired_cert=True) as sim:
        with pytest.raises(TLSVerificationError) as caught:
            with client_for(sim) as client:
                client.call("extensionlist/query")
    message = str(caught.value)
    assert "certificate has expired" in message and "renew it on the server" in message
    assert "set ca_path" not in message and sim.counters == {}


def test_a_login_answered_after_the_timeout_is_not_repeated(pki):
    with YeastarSimulator(pki=pki) as sim:
        sim.inject("latency", endpoint="login", count=None, seconds=2)
        client = client_for(sim, api_password="wrong", timeout=1, sleep=lambda seconds: None)
        with pytest.raises(TransportError) as caught:
            client.login()
        message = str(caught.value)
        assert "no answer within 1 seconds" in message and "login is not repeated" in message
        assert sim.counters["login"] == 1 and client.request_counts["login"] == 1


def test_a_login_that_could_not_connect_is_repeated():
    with refused_port() as port:
        client = YeastarClient(host="127.0.0.1", port=port, api_username="api", api_password="secret", scheme="http",
                               retries=2, sleep=lambda seconds: None)
        with pytest.raises(TransportError) as caught:
            client.login()
    assert "before the request was sent" in str(caught.value) and "(after 2 retries)" in str(caught.value)
    assert client.request_counts["login"] == 3
