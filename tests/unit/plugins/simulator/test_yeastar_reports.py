# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulated PBX's reports ("API events"): targets from login and heartbeat, shapes, resending, BootUp.

A small receiver (http.server) stands in for the application; standard library only.
"""

from __future__ import annotations

import collections
import io
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator, cli

V2 = "v2.0.0"
V1 = "v1.1.0"
RETRY = 0.2
STRONG = "Xy7bQ9mR2tLk5wPz"


class Receiver:
    """Records every POST (path, headers, JSON body) and answers the next queued status, 200 when none is queued."""

    def __init__(self):
        self.received = []
        self.answers = collections.deque()
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._cond:
                    status = receiver.answers.popleft() if receiver.answers else 200
                    receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                              "status": status})
                    receiver._cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def wait(self, count, timeout=5.0):
        """The first ``count`` posts, once they arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                assert left > 0, "expected %d posts, got %r" % (count, self.received)
                self._cond.wait(left)
            return list(self.received[:count])

    def bodies(self):
        with self._cond:
            return [item["body"] for item in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    item = Receiver()
    yield item
    item.close()


@pytest.fixture
def sim():
    with YeastarSimulator(tls=False, report_retry_interval=RETRY) as simulator:
        yield simulator


def post(sim, endpoint, body=None, token=None, version=V2):
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(sim.url(endpoint, token, version=version), data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def login(sim, api=V2, **fields):
    """A login on API version ``api`` (its body's ``version`` field is one of ``fields``)."""
    body = dict({"username": sim.api_username, "password": sim.api_password_md5}, **fields)
    answer = post(sim, "login", body, version=api)
    assert answer["status"] == "Success", answer
    return answer["token"]


def admin(sim, method, route, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(sim.base_url + "/__sim__/" + route, data=data, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def settle():
    """Long enough for a report that is going to be sent (or resent) to be sent."""
    time.sleep(RETRY * 4)


# targets and shapes

def test_a_v1_login_with_a_port_gets_extension_status_under_action(sim, receiver):
    login(sim, V1, port=str(receiver.port))
    admin(sim, "POST", "extension-status", {"extension": "1006", "status": "Unregistered"})
    [post_] = receiver.wait(1)
    assert post_["path"] == "/"
    assert post_["body"] == {"action": "ExtensionStatus", "extension": "1006", "status": "Unregistered",
                             "sn": "369451090405"}
    assert post_["headers"]["User-Agent"] == "WebAPI"
    assert post_["headers"]["Content-Type"] == "application/json"
    assert post_["headers"]["Accept"] == "application/json"


def test_a_v2_login_with_version_2_gets_event_and_a_relative_url(sim, receiver):
    login(sim, port=receiver.port, version="2.0.0", url="hooks/secret")
    sim.set_extension_status("1003", "Ringing")
    [post_] = receiver.wait(1)
    assert post_["path"] == "/hooks/secret"
    assert post_["body"] == {"event": "ExtensionStatus", "extension": "1003", "status": "Ringing", "sn": "369451090405"}


def test_a_v2_login_without_version_gets_action(sim, receiver):
    login(sim, port=str(receiver.port))
    sim.set_extension_status("1003", "Busy")
    assert receiver.wait(1)[0]["body"]["action"] == "ExtensionStatus"


def test_urltag_1_makes_the_url_absolute(sim, receiver):
    login(sim, port="1", url="127.0.0.1:%d/report" % receiver.port, urltag="1")
    sim.set_extension_status("1002", "Unregistered")
    assert receiver.wait(1)[0]["path"] == "/report"


def test_the_serial_number_is_a_setting(sim, receiver):
    sim.configure(sn="111122223333")
    login(sim, port=str(receiver.port))
    sim.set_extension_status("1002", "Registered")
    assert receiver.wait(1)[0]["body"]["sn"] == "111122223333"


def test_extension_status_changes_the_list_status_and_unregistered_lists_as_unavailable(sim, receiver):
    token = login(sim, V1, port=str(receiver.port))
    admin(sim, "POST", "extension-status", {"extension": "1002", "status": "Unregistered"})
    listed = {item["extnumber"]: item["status"] for item in post(sim, "extensionlist/query", token=token, version=V1)["extlist"]}
    assert listed["1002"] == "Unavailable"
    sim.set_extension_status("1002", "Busy")
    assert sim.extension("1002")["status"] == "Busy"


def test_v2_reports_say_registered_for_idle(sim, receiver):
    login(sim, port=str(receiver.port), version="2.0.0")
    sim.set_extension_status("1000", "Idle")
    assert receiver.wait(1)[0]["body"]["status"] == "Registered"


def test_extension_status_refuses_unknown_statuses_and_extensions(sim):
    with pytest.raises(ValueError):
        sim.set_extension_status("1006", "Offline")
    with pytest.raises(KeyError):
        sim.set_extension_status("9999", "Registered")


def test_a_login_without_a_port_gets_no_reports(sim, receiver):
    login(sim)
    sim.set_extension_status("1006", "Registered")
    settle()
    assert sim.report_targets == []
    assert receiver.received == []
    assert sim.reports == []


# resending and dead tokens

def test_a_report_is_resent_until_it_gets_200(sim, receiver):
    receiver.answers.extend([500, 503])
    login(sim, V1, port=str(receiver.port))
    sim.set_extension_status("1006", "Unregistered")
    posts = receiver.wait(3)
    assert [item["status"] for item in posts] == [500, 503, 200]
    assert all(item["body"] == posts[0]["body"] for item in posts)
    log = sim.wait_for_reports(1, delivered=True)
    assert [(item["attempt"], item["status"]) for item in log] == [(1, 500), (2, 503), (3, 200)]
    settle()
    assert len(receiver.received) == 3


def test_a_refused_connection_is_retried_and_logged(sim, receiver):
    port = receiver.port
    receiver.close()
    login(sim, V1, port=str(port))
    sim.set_extension_status("1006", "Unregistered")
    log = sim.wait_for_reports(2)
    assert [item["attempt"] for item in log[:2]] == [1, 2]
    assert log[0]["status"] is None and log[0]["error"]
    assert log[0]["url"] == "http://127.0.0.1:%d/" % port


def test_reports_to_one_token_keep_their_order_while_one_is_resent(sim, receiver):
    receiver.answers.append(500)
    login(sim, port=str(receiver.port), version="2.0.0")
    sim.set_extension_status("1006", "Registered")
    sim.set_extension_status("1006", "Unregistered")
    posts = receiver.wait(3)
    assert [item["body"]["status"] for item in posts] == ["Registered", "Registered", "Unregistered"]


@pytest.mark.parametrize("end", ["logout", "expire", "revoke"])
def test_a_dead_token_gets_no_more_reports(sim, receiver, end):
    receiver.answers.extend([500] * 100)
    token = login(sim, port=str(receiver.port), version="2.0.0")
    sim.set_extension_status("1006", "Unregistered")
    receiver.wait(1)
    if end == "logout":
        post(sim, "logout", token=token)
    elif end == "expire":
        admin(sim, "POST", "expire-tokens", {"token": token})
    else:
        sim.revoke_tokens(token)
    settle()
    count = len(receiver.received)
    sim.set_extension_status("1006", "Registered")
    settle()
    assert len(receiver.received) == count
    assert sim.report_targets == []


def test_a_delivered_report_keeps_the_token_alive(receiver):
    now = [0.0]
    with YeastarSimulator(tls=False, report_retry_interval=RETRY, token_lifetime=10, clock=lambda: now[0]) as sim:
        token = login(sim, V1, port=str(receiver.port))
        now[0] = 8.0
        sim.set_extension_status("1006", "Unregistered")
        sim.wait_for_reports(1, delivered=True)
        now[0] = 16.0
        assert post(sim, "heartbeat", token=token, version=V1)["status"] == "Success"


# ConfigChange

def test_extension_update_reports_config_change_on_v1_and_v2(sim, receiver):
    token = login(sim, V1, port=str(receiver.port))
    assert post(sim, "extension/update", {"extid": "1003", "username": "Carol"}, token, V1)["status"] == "Success"
    assert post(sim, "extension/update", {"number": "1004", "username": "Dave"}, token, V2)["status"] == "Success"
    assert [item["body"] for item in receiver.wait(2)] == [
        {"action": "ConfigChange", "type": "extension", "extid": "1003", "operation": "update", "sn": "369451090405"},
        {"action": "ConfigChange", "type": "extension", "extid": "1004", "operation": "update", "sn": "369451090405"}]


def test_a_failed_update_reports_nothing(sim, receiver):
    token = login(sim, V1, port=str(receiver.port))
    assert post(sim, "extension/update", {"extid": "9999", "username": "Nobody"}, token, V1)["errno"] == "10006"
    settle()
    assert receiver.received == []


def test_v2_add_and_delete_report_one_config_change_per_extension(sim, receiver):
    token = login(sim, port=str(receiver.port), version="2.0.0")
    new = {"number": "2000", "username": "Bob", "registername": "2000", "registerpassword": STRONG}
    assert post(sim, "extension/add", new, token)["status"] == "Success"
    assert post(sim, "extension/delete", {"number": "2000,1006"}, token)["status"] == "Success"
    bodies = [item["body"] for item in receiver.wait(3)]
    assert [(body["event"], body["extid"], body["operation"]) for body in bodies] == [
        ("ConfigChange", "2000", "add"), ("ConfigChange", "2000", "del"), ("ConfigChange", "1006", "del")]
    assert all(body["type"] == "extension" for body in bodies)


# restart and heartbeat

def test_restart_drops_every_token_and_sends_bootup_to_the_prior_target(sim, receiver):
    token = login(sim, V1, port=str(receiver.port))
    login(sim, V1, port=str(receiver.port))
    answer = admin(sim, "POST", "restart")
    assert answer["bootup"] == ["http://127.0.0.1:%d/" % receiver.port]
    assert receiver.wait(1)[0]["body"] == {"action": "BootUp", "sn": "369451090405"}
    assert post(sim, "heartbeat", token=token, version=V1)["errno"] == "20004"
    assert sim.tokens == []
    settle()
    assert len(receiver.received) == 1


def test_restart_resends_bootup_until_200(sim, receiver):
    receiver.answers.append(500)
    login(sim, port=str(receiver.port), version="2.0.0")
    sim.restart()
    assert [item["body"] for item in receiver.wait(2)] == [{"event": "BootUp", "sn": "369451090405"}] * 2


def test_restart_forgets_a_dead_token_s_target(sim, receiver):
    token = login(sim, port=str(receiver.port))
    sim.expire_tokens(token)
    assert sim.restart() == []
    settle()
    assert receiver.received == []


def test_heartbeat_moves_the_target(sim, receiver):
    other = Receiver()
    try:
        token = login(sim, port=str(receiver.port), version="2.0.0")
        body = {"ipaddr": "127.0.0.1", "port": str(other.port), "url": "moved"}
        assert post(sim, "heartbeat", body, token)["status"] == "Success"
        sim.set_extension_status("1006", "Unregistered")
        assert other.wait(1)[0]["path"] == "/moved"
        assert other.received[0]["body"]["event"] == "ExtensionStatus"
        assert receiver.received == []
        assert [item["url"] for item in sim.report_targets] == ["http://127.0.0.1:%d/moved" % other.port]
    finally:
        other.close()


def test_a_v1_heartbeat_reads_urlflag(sim, receiver):
    token = login(sim, V1, port="1")
    body = {"ipaddr": "127.0.0.1", "port": "1", "url": "127.0.0.1:%d/abs" % receiver.port, "urlflag": "1"}
    assert post(sim, "heartbeat", body, token, V1)["status"] == "Success"
    sim.set_extension_status("1006", "Unregistered")
    assert receiver.wait(1)[0]["path"] == "/abs"


def test_a_v1_heartbeat_ignores_urltag_the_login_spelling(sim, receiver):
    token = login(sim, V1, port=str(receiver.port), url="127.0.0.1:%d/abs" % receiver.port, urltag="1")
    body = {"ipaddr": "127.0.0.1", "port": str(receiver.port), "url": "127.0.0.1:%d/abs" % receiver.port,
            "urltag": "1"}
    assert post(sim, "heartbeat", body, token, V1)["status"] == "Success"
    assert [item["url"] for item in sim.report_targets] == [
        "http://127.0.0.1:%d/127.0.0.1:%d/abs" % (receiver.port, receiver.port)]


# admin and life cycle

def test_admin_reports_and_targets_show_attempts_without_whole_tokens(sim, receiver):
    token = login(sim, port=str(receiver.port), version="2.0.0")
    admin(sim, "POST", "extension-status", {"extension": "1006", "status": "Unregistered"})
    sim.wait_for_reports(1)
    [entry] = admin(sim, "GET", "reports")
    assert entry == {"url": "http://127.0.0.1:%d/" % receiver.port, "event": "ExtensionStatus", "attempt": 1,
                     "status": 200, "error": None,
                     "body": {"event": "ExtensionStatus", "extension": "1006", "status": "Unregistered",
                              "sn": "369451090405"}}
    assert admin(sim, "GET", "report-targets") == [
        {"token": token[:4], "url": "http://127.0.0.1:%d/" % receiver.port, "key": "event"}]
    admin(sim, "POST", "reset-counters", {})
    assert sim.reports == []


def test_wait_for_reports_says_what_arrived_when_it_times_out(sim):
    with pytest.raises(TimeoutError, match="got 0"):
        sim.wait_for_reports(1, timeout=0.2)


def test_settings_refuse_a_blank_serial_and_a_retry_interval_of_zero(sim):
    with pytest.raises(ValueError):
        sim.configure(sn=" ")
    with pytest.raises(ValueError):
        sim.configure(report_retry_interval=0)
    assert sim.settings["report_retry_interval"] == RETRY


def test_stopping_the_simulator_stops_resending_at_once(receiver):
    receiver.answers.extend([500] * 100)
    sim = YeastarSimulator(tls=False, report_retry_interval=RETRY).start()
    login(sim, port=str(receiver.port))
    sim.set_extension_status("1006", "Unregistered")
    receiver.wait(1)
    started = time.monotonic()
    sim.stop()
    assert time.monotonic() - started < 2
    count = len(receiver.received)
    settle()
    assert len(receiver.received) == count


def test_the_call_log_names_report_attempts_without_the_url_path(receiver):
    log = io.StringIO()
    with YeastarSimulator(tls=False, report_retry_interval=RETRY, log=log) as sim:
        login(sim, port=str(receiver.port), url="s3cret-path")
        sim.set_extension_status("1006", "Unregistered")
        sim.wait_for_reports(1)
        text = log.getvalue()
    assert "report ExtensionStatus to 127.0.0.1:%d attempt 1: 200" % receiver.port in text
    assert "s3cret" not in text


def test_the_command_line_sets_the_serial_number_and_the_retry_interval():
    args = cli.build_parser().parse_args(["--sn", "123456789012", "--report-retry-interval", "0.5"])
    assert (args.sn, args.report_retry_interval) == ("123456789012", 0.5)
    assert cli.build_parser().parse_args([]).sn == "369451090405"
