# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules and the inventory plugin through a real HTTP proxy (proxy.py, from PyPI).

HTTPS to the PBX goes through one CONNECT tunnel per task; plain http to the Predictive Outbound
API is sent to the proxy as absolute-URI requests. The proxy's access log shows what went through it,
one line per client connection, written when the connection closes. proxy.py keeps its files in
$HOME/.proxy: each proxy gets a home of its own in the test's directory.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import refused_port

PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
                   "ALL_PROXY", "YEASTAR_PROXY_URL", "YEASTAR_USE_PROXY", "OUTBOUND_API_PROXY_URL",
                   "OUTBOUND_API_USE_PROXY")
PASSWORD = "Pr0xy-s3cret"
REGISTRATION = {"registration": True}


class ProxyServer:
    """proxy.py in a process group of its own, on a free port, logging to a file.

    basic_auth ("user:password") makes it ask for credentials (407); refused_host makes its upstream
    filter plugin refuse every request to that host, CONNECT included.
    """

    def __init__(self, directory, basic_auth=None, refused_host=None):
        self._port_file = directory / "proxy.port"
        self.log_file = directory / "proxy.log"
        self.home = directory / "home"
        self.home.mkdir()
        command = [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", "0",
                   "--port-file", str(self._port_file), "--log-file", str(self.log_file),
                   "--num-workers", "1", "--num-acceptors", "1"]
        command += ["--basic-auth", basic_auth] if basic_auth else []
        if refused_host:
            command += ["--plugins", "proxy.plugin.FilterByUpstreamHostPlugin", "--filtered-upstream-hosts", refused_host]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # pylint: disable=consider-using-with
                                         start_new_session=True, env=dict(os.environ, HOME=str(self.home)))
        self.port = self._wait_for_port()

    def _wait_for_port(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            text = self._port_file.read_text().strip() if self._port_file.exists() else ""
            if text:
                return int(text)
            assert self._process.poll() is None, "proxy.py did not start"
            time.sleep(0.05)
        raise AssertionError("proxy.py did not say its port within 20 seconds")

    def url(self, credentials=""):
        return "http://%s127.0.0.1:%d" % (credentials + "@" if credentials else "", self.port)

    def lines(self, method, target, settle=3.0):
        """Access log lines of requests with this method to this host:port; waits up to settle seconds for one."""
        deadline = time.monotonic() + settle
        while True:
            text = self.log_file.read_text() if self.log_file.exists() else ""
            found = [line for line in text.splitlines() if " - %s %s" % (method, target) in line]
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.1)

    def stop(self):
        if self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            self._process.wait(10)


@pytest.fixture
def start_proxy(tmp_path):
    started = []

    def start(basic_auth=None, refused_host=None):
        directory = tmp_path / ("proxy%d" % len(started))
        directory.mkdir()
        started.append(ProxyServer(directory, basic_auth, refused_host))
        return started[-1]

    yield start
    for proxy in started:
        proxy.stop()


@pytest.fixture
def proxy(start_proxy):
    return start_proxy()


@pytest.fixture
def direct(ansible):
    """Ansible without any proxy setting of the caller's environment: each test sets its own."""
    for name in PROXY_VARIABLES:
        ansible.env.pop(name, None)
    return ansible


def pbx_target(pbx):
    return "%s:%d" % (pbx.host, pbx.port)


def info(ansible, args=None, env=None, verbosity=0):
    return ansible.module("yeastar_extension_info", dict(args or {}, extensions=[1000]), env=env, verbosity=verbosity)


def test_https_proxy_in_the_environment_carries_a_task_through_one_tunnel(direct, pbx, proxy):
    status, result, _run = info(direct, env={"https_proxy": proxy.url()})
    assert status == "SUCCESS", result
    assert pbx.counters == {"login": 1, "extension/query": 1, "logout": 1}
    assert len(proxy.lines("CONNECT", pbx_target(pbx))) == 1


@pytest.mark.parametrize("where", ["option", "environment"])
def test_proxy_url_takes_precedence_over_the_environment(direct, pbx, proxy, where):
    args = {"proxy_url": proxy.url()} if where == "option" else {}
    with refused_port() as port:  # a stopped proxy in the environment, held so that nothing else takes the port
        dead = "http://127.0.0.1:%d" % port
        env = {"https_proxy": dead, "HTTPS_PROXY": dead}
        env.update({"YEASTAR_PROXY_URL": proxy.url()} if where == "environment" else {})
        status, result, _run = info(direct, args, env=env)
    assert status == "SUCCESS", result
    assert len(proxy.lines("CONNECT", pbx_target(pbx))) == 1 and pbx.counters["login"] == 1


def test_credentials_in_proxy_url_are_sent_and_never_shown(direct, pbx, start_proxy):
    proxy = start_proxy(basic_auth="agent:" + PASSWORD)
    status, result, run = info(direct, {"proxy_url": proxy.url("agent:" + PASSWORD)}, verbosity=3)
    assert status == "SUCCESS", result
    assert len(proxy.lines("CONNECT", pbx_target(pbx))) == 1 and pbx.counters["login"] == 1
    assert PASSWORD not in run.stdout + run.stderr and PASSWORD not in json.dumps(result)


def test_credentials_from_the_environment_are_never_shown(direct, pbx, start_proxy):
    proxy = start_proxy(basic_auth="agent:" + PASSWORD)
    status, result, run = info(direct, env={"YEASTAR_PROXY_URL": proxy.url("agent:" + PASSWORD)}, verbosity=3)
    assert status == "SUCCESS", result
    assert PASSWORD not in run.stdout + run.stderr


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "localhost,127.0.0.1:%(port)d", "*"])
def test_no_proxy_bypasses_the_environment_proxy(direct, pbx, proxy, no_proxy):
    status, result, _run = info(direct, env={"https_proxy": proxy.url(), "no_proxy": no_proxy % {"port": pbx.port}})
    assert status == "SUCCESS", result
    assert pbx.counters["login"] == 1
    assert proxy.lines("CONNECT", pbx_target(pbx), settle=1) == []


def test_use_proxy_false_goes_direct_despite_proxy_url_and_environment(direct, pbx, proxy):
    env = {"https_proxy": proxy.url(), "YEASTAR_USE_PROXY": "false"}
    status, result, _run = info(direct, {"proxy_url": proxy.url()}, env=env)
    assert status == "SUCCESS", result
    assert pbx.counters["login"] == 1
    assert proxy.lines("CONNECT", pbx_target(pbx), settle=1) == []


def test_wrong_proxy_credentials_fail_clearly_and_reach_nothing(direct, pbx, start_proxy):
    proxy = start_proxy(basic_auth="agent:" + PASSWORD)
    wrong = "Wr0ng-" + PASSWORD
    status, result, run = info(direct, {"proxy_url": proxy.url("agent:" + wrong)}, verbosity=3)
    assert status == "FAILED"
    assert result["msg"] == (
        "PBX 127.0.0.1, call login: the request was not sent: the proxy 127.0.0.1:%d (proxy_url) refused the connection "
        "to %s with HTTP 407 Proxy Authentication Required; it did not accept the credentials in the proxy URL "
        "(proxy_url)" % (proxy.port, pbx_target(pbx)))
    assert pbx.counters == {} and result["api_calls"] == {"login": 1} and result["retries"] == {}
    assert wrong not in run.stdout + run.stderr


def test_a_proxy_that_wants_credentials_says_so(direct, pbx, start_proxy):
    proxy = start_proxy(basic_auth="agent:" + PASSWORD)
    status, result, _run = info(direct, env={"https_proxy": proxy.url()})
    assert status == "FAILED"
    assert "refused the connection to %s with HTTP 407" % pbx_target(pbx) in result["msg"]
    assert result["msg"].endswith("it wants credentials: give them in the proxy URL (https_proxy), "
                                  "as in http://user:password@host:port")
    assert pbx.counters == {}


def test_a_proxy_whose_rules_refuse_the_pbx_fails_at_once_and_reaches_nothing(direct, pbx, start_proxy):
    # proxy.py's upstream filter answers 418 where Squid and others answer 403 Forbidden: any refusal
    # other than 407 is the proxy's policy, and reads the same.
    proxy = start_proxy(refused_host=pbx.host)
    status, result, _run = info(direct, env={"https_proxy": proxy.url()})
    assert status == "FAILED"
    assert result["msg"] == (
        "PBX 127.0.0.1, call login: the request was not sent: the proxy 127.0.0.1:%d (https_proxy) refused the connection "
        "to %s with HTTP 418 I'm a tea pot; its rules do not let this machine reach the server: ask its administrator, "
        "or go direct (no_proxy, or use_proxy: false) if the server can be reached without it"
        % (proxy.port, pbx_target(pbx)))
    assert pbx.counters == {} and result["api_calls"] == {"login": 1} and result["retries"] == {}


def test_proxy_py_keeps_its_files_in_the_home_the_test_gave_it(proxy):
    assert (proxy.home / ".proxy").is_dir()


def test_a_stopped_proxy_fails_clearly_and_reaches_nothing(direct, pbx):
    with refused_port() as port:
        status, result, _run = info(direct, {"proxy_url": "http://127.0.0.1:%d" % port})
    assert status == "FAILED"
    assert result["msg"].startswith(
        "PBX 127.0.0.1, call login: connection failed before the request was sent: the proxy 127.0.0.1:%d (proxy_url) "
        "could not be reached: Connection refused" % port)
    assert pbx.counters == {}


@pytest.mark.parametrize("proxy_url, words", [
    ("https://127.0.0.1:3128", "proxy_url: the scheme https:// is not supported"),
    ("http://agent:%s@127.0.0.1:70000" % PASSWORD, "proxy_url: the URL http://********@127.0.0.1:70000 has a port that "
                                                   "is not from 1 to 65535"),
    ("http://:3128", "names no proxy host"),  # Ansible masks the whole no_log value itself: "the URL ********"
], ids=["https", "port", "host"])
def test_an_invalid_proxy_url_fails_before_any_request(direct, pbx, proxy_url, words):
    status, result, run = info(direct, env={"YEASTAR_PROXY_URL": proxy_url})
    assert status == "FAILED"
    assert result["problems"][0].startswith("proxy_url: ") and words in result["problems"][0]
    assert pbx.counters == {} and PASSWORD not in run.stdout + run.stderr


def outbound_env(outbound):
    return {"OUTBOUND_API_URL": outbound.url, "OUTBOUND_API_APPID": outbound.appid,
            "OUTBOUND_API_ACCESSKEY": outbound.accesskey}


@pytest.mark.parametrize("variable", ["http_proxy", "OUTBOUND_API_PROXY_URL"])
def test_sip_register_status_through_the_proxy(direct, outbound, proxy, variable):
    env = dict(outbound_env(outbound), **{variable: proxy.url()})
    status, result, _run = direct.module("sip_register_status", {"extnumber": [1002]}, env=env)
    assert status == "SUCCESS", result
    assert sum(outbound.counters.values()) == 3
    assert len(proxy.lines("POST", "127.0.0.1:%d" % outbound.port)) == 1  # one keep-alive connection


def test_sip_register_status_with_use_proxy_false_goes_direct(direct, outbound, proxy):
    env = dict(outbound_env(outbound), http_proxy=proxy.url(), OUTBOUND_API_USE_PROXY="false")
    status, result, _run = direct.module("sip_register_status", {"extnumber": [1002]}, env=env)
    assert status == "SUCCESS", result
    assert proxy.lines("POST", "127.0.0.1:%d" % outbound.port, settle=1) == []


def test_sip_register_status_names_a_refusing_proxy(direct, outbound, start_proxy):
    proxy = start_proxy(basic_auth="agent:" + PASSWORD)
    env = dict(outbound_env(outbound), OUTBOUND_API_PROXY_URL=proxy.url())
    status, result, _run = direct.module("sip_register_status", {"extnumber": [1002]}, env=env)
    assert status == "FAILED"
    assert "the request was not sent: the proxy 127.0.0.1:%d (proxy_url) refused the connection to 127.0.0.1:%d with " \
           "HTTP 407" % (proxy.port, outbound.port) in result["msg"]
    assert outbound.counters == {}


def test_the_inventory_reads_pbx_and_registrations_through_proxies(direct, pbx, outbound, start_proxy):
    pbx_proxy, outbound_proxy = start_proxy(), start_proxy(basic_auth="agent:" + PASSWORD)
    env = dict(outbound_env(outbound), YEASTAR_PROXY_URL=pbx_proxy.url(),
               OUTBOUND_API_PROXY_URL=outbound_proxy.url("agent:" + PASSWORD))
    run = direct.inventory(REGISTRATION, "--list", "-vvv", env=env)
    assert run.returncode == 0, run.stderr
    assert "yeastar_registration_state" in run.stdout
    assert len(pbx_proxy.lines("CONNECT", pbx_target(pbx))) == 1
    assert len(outbound_proxy.lines("POST", "127.0.0.1:%d" % outbound.port)) == 1
    assert PASSWORD not in run.stdout + run.stderr


def test_the_inventory_uses_the_environment_proxies_and_outbound_use_proxy(direct, pbx, outbound, proxy):
    env = dict(outbound_env(outbound), https_proxy=proxy.url(), http_proxy=proxy.url())
    run = direct.inventory(dict(REGISTRATION, outbound_use_proxy=False), "--list", env=env)
    assert run.returncode == 0, run.stderr
    assert len(proxy.lines("CONNECT", pbx_target(pbx))) == 1
    assert proxy.lines("POST", "127.0.0.1:%d" % outbound.port, settle=1) == []
    assert outbound.counters


def test_the_inventory_names_a_refusing_proxy(direct, pbx, start_proxy):
    proxy = start_proxy(basic_auth="agent:" + PASSWORD)
    run = direct.inventory({"proxy_url": proxy.url("agent:nope")}, "--list")
    errors = " ".join((run.stderr + run.stdout).split())
    assert "refused the connection to %s with HTTP 407 Proxy Authentication Required" % pbx_target(pbx) in errors
    assert pbx.counters == {}


def test_the_inventory_checks_outbound_proxy_url_before_any_request(direct, pbx, outbound):
    env = dict(outbound_env(outbound), OUTBOUND_API_PROXY_URL="socks5://127.0.0.1:1080")
    run = direct.inventory(REGISTRATION, "--list", env=env)
    assert "outbound_proxy_url: the scheme socks5:// is not supported" in " ".join((run.stderr + run.stdout).split())
    assert pbx.counters == {} and outbound.counters == {}
