# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Through real ansible: a server that answers one byte every 0.3 seconds cannot hold a task or an
inventory load for longer than its timeout per try (tests/unit/plugins/module_utils/
test_request_deadline.py has the transport's side)."""

from __future__ import annotations

import time

import pytest

from ansible_collections.voiceops.pbx.tests.unit.plugins.module_utils.trickle_server import TrickleServer

STATUS = "App.Sip_Status.GetSipRegisterStatus"


@pytest.fixture
def trickle():
    """Answers that would take about a minute, or 20 seconds until the server gives up."""
    with TrickleServer(interval=0.3, give_up_after=20) as server:
        yield server


def test_a_trickling_pbx_fails_the_task_at_the_timeout(ansible, trickle):
    started = time.monotonic()
    status, result, _run = ansible.module("yeastar_extension_info", {}, env={
        "YEASTAR_HOST": trickle.host, "YEASTAR_PORT": str(trickle.port), "YEASTAR_SCHEME": "http", "YEASTAR_TIMEOUT": "2"})
    seconds = time.monotonic() - started
    assert status == "FAILED"
    assert "call login: no answer within 2 seconds (timeout)" in result["msg"]
    assert result["api_calls"] == {"login": 1} and trickle.requests == 1
    assert seconds < 12, "the task took %.1f seconds" % seconds


def test_sip_register_status_gives_each_try_request_timeout_seconds(ansible, trickle):
    status, result, _run = ansible.module("sip_register_status", {
        "url": trickle.url(), "token": "given", "extnumber": [1002], "request_timeout": 1})
    assert status == "FAILED"
    assert "no answer within 1 seconds (timeout) (after 3 retries)" in result["msg"]
    assert result["api_calls"] == {STATUS: 4} and trickle.requests == 4
    # four tries of one second each, and the back-off of 1, 2 and 4 seconds between them
    assert 4 + 7 <= result["elapsed"] < 4 * 1.5 + 7


class TrickleAfterLogin(TrickleServer):
    """Answers the login at once and trickles every later answer, so that a read gets its retries."""

    @property
    def interval(self):
        return self._interval if self.requests > 1 else 0.0

    @interval.setter
    def interval(self, seconds):
        self._interval = seconds


def load_inventory(ansible, server, timeout):
    """ansible-inventory --list against server; the run, and how many seconds it took."""
    started = time.monotonic()
    run = ansible.inventory({}, "--list", env={
        "YEASTAR_HOST": server.host, "YEASTAR_PORT": str(server.port), "YEASTAR_SCHEME": "http",
        "YEASTAR_TIMEOUT": str(timeout), "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True"})
    return run, time.monotonic() - started


def test_a_trickling_pbx_fails_an_inventory_load_at_the_timeout(ansible, trickle):
    run, seconds = load_inventory(ansible, trickle, timeout=2)
    errors = run.stdout + run.stderr
    assert run.returncode != 0
    assert "PBX 127.0.0.1, call login: no answer within 2 seconds (timeout)" in errors
    assert "Traceback" not in errors
    assert trickle.requests == 1
    assert seconds < 12, "the inventory load took %.1f seconds" % seconds


def test_an_inventory_load_gives_each_try_of_a_read_the_timeout(ansible):
    with TrickleAfterLogin(interval=0.3, give_up_after=20) as server:
        run, seconds = load_inventory(ansible, server, timeout=1)
        requests = server.requests
    errors = run.stdout + run.stderr
    assert run.returncode != 0
    assert "call extensionlist/query: no answer within 1 seconds (timeout) (after 3 retries)" in errors
    assert "Traceback" not in errors
    # the login, four tries of the list and the logout
    assert requests == 6
    # five trickled requests of one second each, the back-off of 1, 2 and 4 seconds, and ansible's start
    assert seconds < 5 * 1.5 + 7 + 5, "the inventory load took %.1f seconds" % seconds
