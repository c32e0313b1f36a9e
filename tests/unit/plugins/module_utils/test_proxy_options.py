# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Proxy URLs parsed and masked, the choice between proxy_url, the environment and no proxy, the
up-front checks, and the request deadline while the proxy is reached and asked for a tunnel."""

from __future__ import annotations

import base64
import socket
import threading
import time

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._http_proxy import (
    ProxyError,
    choose_proxy,
    mask_proxy_url,
    parse_proxy_url,
    proxy_url_problems,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import (
    ApiClientError,
    HttpSession,
    NotSentError,
    post,
)
from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import outbound_connection_problems
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import connection_problems

PBX = "https://pbx.example.com:8088/api/v1.0.0/"
OUTBOUND = "http://callcenter.example.com:8080/"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
                   "ALL_PROXY", "REQUEST_METHOD")


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("url, masked", [
    ("http://user:secret@proxy:3128", "http://********@proxy:3128"),
    ("http://user@proxy:3128", "http://********@proxy:3128"),
    ("http://us%40er:p@ss/w@proxy:3128", "http://********@proxy:3128"),
    ("user:secret@proxy:3128", "********@proxy:3128"),
    ("http://proxy:3128", "http://proxy:3128"),
])
def test_credentials_in_a_proxy_url_are_masked(url, masked):
    assert mask_proxy_url(url) == masked


def test_a_proxy_is_named_by_host_port_and_source_only():
    proxy = parse_proxy_url("http://agent:s3cret@proxy.example.com:3128", "proxy_url")
    assert (proxy.host, proxy.port, str(proxy)) == ("proxy.example.com", 3128, "proxy.example.com:3128 (proxy_url)")
    assert "s3cret" not in str(proxy) and "agent" not in str(proxy)


def test_credentials_become_a_basic_proxy_authorization_percent_decoded():
    proxy = parse_proxy_url("http://ag%40ent:p%3As@proxy:3128", "proxy_url")
    assert proxy.headers() == {"Proxy-Authorization": "Basic " + base64.b64encode(b"ag@ent:p:s").decode("ascii")}
    assert parse_proxy_url("http://proxy:3128", "proxy_url").headers() == {}


@pytest.mark.parametrize("url, host, port", [
    ("http://proxy", "proxy", 80),
    ("proxy.example.com:3128", "proxy.example.com", 3128),
    ("HTTP://Proxy:8080/", "proxy", 8080),
    ("http://[2001:db8::1]:3128", "2001:db8::1", 3128),
])
def test_a_proxy_url_may_leave_out_the_scheme_port_or_case(url, host, port):
    proxy = parse_proxy_url(url, "https_proxy")
    assert (proxy.host, proxy.port) == (host, port)


@pytest.mark.parametrize("url, words", [
    ("https://proxy:3128", "proxy_url: the scheme https:// is not supported"),
    ("socks5://proxy:1080", "proxy_url: the scheme socks5:// is not supported"),
    ("http://:3128", "proxy_url: the URL http://:3128 names no proxy host"),
    ("http://proxy:0", "proxy_url: the URL http://proxy:0 has a port that is not from 1 to 65535"),
    ("http://agent:s3cret@proxy:99999", "proxy_url: the URL http://********@proxy:99999 has a port that is not from 1"),
    ("http://proxy:3128/path", "proxy_url: the URL http://proxy:3128/path has a path or query"),
])
def test_an_unusable_proxy_url_is_named_with_its_rule_and_without_credentials(url, words):
    [problem] = proxy_url_problems(url)
    assert problem.startswith(words)
    assert "s3cret" not in problem


def test_the_connection_checks_include_proxy_url():
    problems = connection_problems(dict(host="pbx.example.com", port=8088, timeout=30, proxy_url="https://proxy:3128"))
    assert [problem.split(":")[0] for problem in problems] == ["proxy_url"]
    outbound = dict(url=OUTBOUND, request_timeout=30, proxy_url="http://proxy:70000")
    assert [problem.split(":")[0] for problem in outbound_connection_problems(outbound)] == ["proxy_url"]
    assert connection_problems(dict(host="pbx.example.com", proxy_url=None)) == []


def test_the_environment_proxy_of_the_scheme_is_chosen(no_proxy_environment):
    no_proxy_environment.setenv("https_proxy", "http://secure-proxy:3128")
    no_proxy_environment.setenv("http_proxy", "http://plain-proxy:3128")
    assert str(choose_proxy(PBX)) == "secure-proxy:3128 (https_proxy)"
    assert str(choose_proxy(OUTBOUND)) == "plain-proxy:3128 (http_proxy)"


def test_upper_case_variables_count_too(no_proxy_environment):
    no_proxy_environment.setenv("HTTPS_PROXY", "http://proxy:3128")
    assert choose_proxy(PBX).host == "proxy"


def test_without_proxy_variables_there_is_no_proxy():
    assert choose_proxy(PBX) is None and choose_proxy(OUTBOUND) is None


@pytest.mark.parametrize("no_proxy, bypassed", [
    ("pbx.example.com", True),
    ("example.com", True),
    (".example.com", True),
    ("localhost, pbx.example.com:8088", True),
    ("*", True),
    ("pbx.example.com:9999", False),
    ("other.example.com", False),
    ("ample.com", False),
])
def test_no_proxy_names_the_server_by_name_name_and_port_or_domain(no_proxy_environment, no_proxy, bypassed):
    no_proxy_environment.setenv("https_proxy", "http://proxy:3128")
    no_proxy_environment.setenv("no_proxy", no_proxy)
    assert (choose_proxy(PBX) is None) is bypassed


def test_proxy_url_wins_over_the_environment_and_no_proxy(no_proxy_environment):
    no_proxy_environment.setenv("https_proxy", "http://environment-proxy:3128")
    no_proxy_environment.setenv("no_proxy", "*")
    assert str(choose_proxy(PBX, proxy_url="http://chosen-proxy:8080")) == "chosen-proxy:8080 (proxy_url)"


def test_use_proxy_false_means_no_proxy_at_all(no_proxy_environment):
    no_proxy_environment.setenv("https_proxy", "http://environment-proxy:3128")
    assert choose_proxy(PBX, proxy_url="http://chosen-proxy:8080", use_proxy=False) is None


def test_an_unusable_environment_proxy_fails_the_client_before_any_request(no_proxy_environment):
    no_proxy_environment.setenv("https_proxy", "https://agent:s3cret@proxy:3128")
    with pytest.raises(ApiClientError) as caught:
        YeastarClient("pbx.example.com", "api", "secret")
    assert str(caught.value).startswith("PBX pbx.example.com: https_proxy: the scheme https:// is not supported")
    assert "s3cret" not in str(caught.value)
    with pytest.raises(ProxyError):
        choose_proxy(PBX)


class SilentProxy:
    """A TCP listener that accepts connections and never says a word: a proxy stuck before its CONNECT answer."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        try:
            while True:
                self._accepted.append(self._listener.accept()[0])
        except OSError:
            pass

    def close(self):
        self._listener.close()
        for connection in self._accepted:
            connection.close()


def test_a_proxy_that_never_answers_the_connect_ends_at_the_deadline():
    silent = SilentProxy()
    session = HttpSession()
    proxy = parse_proxy_url("http://127.0.0.1:%d" % silent.port, "proxy_url")
    started = time.monotonic()
    try:
        with pytest.raises(NotSentError) as caught:
            post(session, PBX + "login", "login", "PBX pbx.example.com", True, 1, proxy=proxy)
    finally:
        session.close()
        silent.close()
    assert 1 <= time.monotonic() - started < 1.6
    assert str(caught.value) == (
        "PBX pbx.example.com, call login: connection failed before the request was sent: the proxy 127.0.0.1:%d "
        "(proxy_url) did not open a tunnel to pbx.example.com:8088: no connection within 1 seconds (timeout)" % silent.port)
