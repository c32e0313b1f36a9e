# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The timeout is a deadline for the whole request: a server that sends its answer one byte at a
time, or a name server that never answers, cannot make one try last longer than the timeout."""

from __future__ import annotations

import socket
import time

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (
    HttpSession,
    NotSentError,
    RetryableTransportError,
    TransportError,
    post,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_client import REGISTER_STATUS, OutboundClient
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
from ansible_collections.voiceops.pbx.tests.simulator.tls import TestPKI
from ansible_collections.voiceops.pbx.tests.unit.plugins.module_utils.trickle_server import TrickleServer

# A trickle of one byte every 0.3 seconds: no single read ever waits as long as the timeout.
TRICKLE = 0.3
SLACK = 0.6


class Stopwatch:
    def __enter__(self):
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.monotonic() - self.started


def post_once(url, timeout, verify=True):
    session = HttpSession()
    try:
        return post(session, url, "extensionlist/query", "PBX 127.0.0.1", verify, timeout)
    finally:
        session.close()


@pytest.mark.parametrize("headers_at_once", [False, True], ids=["headers-trickled", "body-trickled"])
def test_an_answer_trickled_byte_by_byte_ends_at_the_timeout(headers_at_once):
    with TrickleServer(interval=TRICKLE, headers_at_once=headers_at_once) as server:
        with Stopwatch() as watch, pytest.raises(RetryableTransportError) as caught:
            post_once(server.url(), timeout=1)
    assert "no answer within 1 seconds (timeout)" in str(caught.value)
    assert 1 <= watch.seconds < 1 + SLACK


def test_a_trickle_over_https_ends_at_the_timeout():
    with TestPKI() as pki, TrickleServer(interval=TRICKLE, tls_context=pki.server_context()) as server:
        with Stopwatch() as watch, pytest.raises(RetryableTransportError) as caught:
            post_once(server.url("https"), timeout=1, verify=pki.ca_path)
    assert "no answer within 1 seconds (timeout)" in str(caught.value)
    assert 1 <= watch.seconds < 1 + SLACK


@pytest.mark.parametrize("retries", [0, 1])
def test_each_try_of_a_read_has_its_own_deadline(retries):
    with TrickleServer(interval=TRICKLE) as server:
        client = OutboundClient(server.url(), token="given", timeout=1, retries=retries, sleep=lambda seconds: None)
        with Stopwatch() as watch, pytest.raises(TransportError) as caught:
            client.register_status(["1000"], 100)
        assert server.requests == retries + 1
    tries = retries + 1
    assert "no answer within 1 seconds (timeout)" in str(caught.value)
    assert ("(after 1 retries)" in str(caught.value)) == bool(retries)
    assert client.request_counts[REGISTER_STATUS] == tries
    assert tries <= watch.seconds < tries * (1 + SLACK)


def test_a_trickled_login_is_tried_once_within_the_timeout():
    with TrickleServer(interval=TRICKLE) as server:
        client = YeastarClient(host=server.host, port=server.port, scheme="http", api_username="api",
                               api_password="secret", timeout=1, retries=3, sleep=lambda seconds: None)
        with Stopwatch() as watch, pytest.raises(TransportError) as caught:
            client.login()
        assert server.requests == 1
    message = str(caught.value)
    assert "no answer within 1 seconds (timeout)" in message and "login is not repeated" in message
    assert 1 <= watch.seconds < 1 + SLACK


def test_a_name_server_that_does_not_answer_ends_at_the_timeout(monkeypatch):
    resolve = socket.getaddrinfo

    def slow_name_server(*args, **kwargs):
        time.sleep(3)
        return resolve(*args, **kwargs)

    with TrickleServer() as server:
        monkeypatch.setattr(socket, "getaddrinfo", slow_name_server)
        with Stopwatch() as watch, pytest.raises(NotSentError) as caught:
            post_once("http://localhost:%s/" % server.port, timeout=1)
        assert server.requests == 0
    assert "before the request was sent: no connection within 1 seconds (timeout)" in str(caught.value)
    assert 1 <= watch.seconds < 1 + SLACK


def test_a_kept_alive_connection_gives_each_request_the_whole_timeout():
    with TrickleServer(delay=0.6) as server:
        session = HttpSession()
        with Stopwatch() as watch:
            answers = [post(session, server.url(), "extensionlist/query", "PBX", True, 1) for _request in range(3)]
        session.close()
        assert server.requests == 3 and server.connections == 1
    assert all(answer["status"] == "Success" for answer in answers)
    assert watch.seconds >= 1.8
