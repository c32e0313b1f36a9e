# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The yeastar_events event source's main(queue, args) against the simulated PBX."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import logging
import os
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.voiceops.pbx.extensions.eda.plugins.event_source import yeastar_events
from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import NotSentError, TransportError
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import ReportTarget, api_for
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import YeastarLoginRefused
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator
from ansible_collections.voiceops.pbx.tests.simulator.ports import reserved_port

SECRET_PATH = "/yeastar/s3cr3t-segment"


@pytest.fixture
def pbx():
    with YeastarSimulator(report_retry_interval=0.2) as simulator:
        yield simulator


def source_args(pbx, **options):
    args = dict(host=pbx.host, port=pbx.port, api_username=pbx.api_username, api_password=pbx.api_password,
                ca_path=pbx.ca_path, timeout=5, listen_host="127.0.0.1", listen_port=reserved_port())
    args.update(options)
    return args


async def eventually(check, timeout=5.0):
    """check()'s first true value within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running_source(args):
    """The source running as ansible-rulebook runs it, with its queue; cancelled on leaving."""
    queue = asyncio.Queue()
    task = asyncio.create_task(yeastar_events.main(queue, args))
    try:
        yield queue, task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def logged_in(pbx, task, logins=1):
    ok = await eventually(lambda: pbx.counters.get("login", 0) >= logins and pbx.report_targets or task.done())
    assert ok and not task.done(), task.exception() if task.done() else "no login"


async def post_report(port, body, path="/", source="127.0.0.1"):
    """POST a report body (bytes) to the listener as the PBX would, from source; the HTTP status."""
    def send():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5, source_address=(source, 0))
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            return connection.getresponse().status
        finally:
            connection.close()
    return await asyncio.to_thread(send)


def run(coroutine):
    asyncio.run(asyncio.wait_for(coroutine, 20))


@pytest.mark.parametrize("api_version, key", [("v1.0.0", "action"), ("v2.0.0", "event")])
def test_an_extension_that_unregisters_is_one_event_in_one_shape_for_both_versions(pbx, api_version, key):
    async def scenario():
        args = source_args(pbx, api_version=api_version, url=SECRET_PATH)
        async with running_source(args) as (queue, task):
            await logged_in(pbx, task)
            target = pbx.report_targets[0]
            assert (target["url"], target["key"]) == ("http://127.0.0.1:%d%s" % (args["listen_port"], SECRET_PATH), key)
            pbx.set_extension_status("1006", "Unregistered")
            event = await asyncio.wait_for(queue.get(), 5)
            assert event == {"yeastar": {"event": "ExtensionStatus", "extension": "1006", "status": "Unregistered",
                                         "sn": "369451090405", "pbx": pbx.host}}
            assert pbx.wait_for_reports(1, delivered=True)[0]["status"] == 200
    run(scenario())


def test_the_v2_login_asks_for_reports_in_the_v2_format_at_the_listener(pbx):
    calls = []
    original = yeastar_events.YeastarClient._send

    def spy(client, endpoint, body, token):
        calls.append((endpoint, dict(body)))
        return original(client, endpoint, body, token)

    async def scenario():
        args = source_args(pbx, api_version="v2.0.0", url=SECRET_PATH)
        async with running_source(args) as (dummy, task):
            await logged_in(pbx, task)
        login = dict(calls[0][1], password="-")
        assert login == {"username": "api", "password": "-", "port": str(args["listen_port"]),
                         "url": SECRET_PATH.lstrip("/"), "urltag": "0", "version": "2.0.0"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yeastar_events.YeastarClient, "_send", spy)
        run(scenario())


def test_report_url_is_sent_as_the_absolute_form_and_its_path_is_the_listeners(pbx):
    async def scenario():
        port = reserved_port()
        args = source_args(pbx, listen_port=port, report_url="127.0.0.1:%d/nat/path" % port)
        async with running_source(args) as (queue, task):
            await logged_in(pbx, task)
            assert pbx.report_targets[0]["url"] == "http://127.0.0.1:%d/nat/path" % port
            pbx.set_extension_status("1001", "Registered")
            assert (await asyncio.wait_for(queue.get(), 5))["yeastar"]["status"] == "Registered"
    run(scenario())


@pytest.mark.parametrize("api_version", ["v1.0.0", "v2.0.0"])
def test_heartbeats_keep_the_absolute_report_url(pbx, api_version):
    async def scenario():
        port = reserved_port()
        args = source_args(pbx, api_version=api_version, listen_port=port, heartbeat_interval=0.3,
                           report_url="127.0.0.1:%d/nat/path" % port)
        async with running_source(args) as (queue, task):
            await logged_in(pbx, task)
            assert await eventually(lambda: pbx.counters.get("heartbeat", 0) >= 2)
            assert [item["url"] for item in pbx.report_targets] == ["http://127.0.0.1:%d/nat/path" % port]
            pbx.set_extension_status("1001", "Registered")
            assert (await asyncio.wait_for(queue.get(), 5))["yeastar"]["status"] == "Registered"
    run(scenario())


def test_a_config_change_names_the_extension_from_extid(pbx):
    async def scenario():
        async with running_source(source_args(pbx, api_version="v2.0.0")) as (queue, task):
            await logged_in(pbx, task)
            report = {"event": "ConfigChange", "type": "extension", "extid": "1003", "operation": "update", "sn": "1"}
            assert await post_report(_listen_port(pbx), json.dumps(report).encode()) == 200
            event = await asyncio.wait_for(queue.get(), 5)
            assert event["yeastar"] == {"event": "ConfigChange", "type": "extension", "extid": "1003",
                                        "extension": "1003", "operation": "update", "sn": "1", "pbx": pbx.host}
    run(scenario())


def test_heartbeats_renew_the_token_and_name_the_report_target(pbx):
    async def scenario():
        async with running_source(source_args(pbx, heartbeat_interval=0.3)) as (dummy, task):
            await logged_in(pbx, task)
            assert await eventually(lambda: pbx.counters.get("heartbeat", 0) >= 2)
            assert pbx.counters["login"] == 1
            assert len(pbx.report_targets) == 1
    run(scenario())


def test_a_lost_token_leads_to_a_new_login_that_names_the_listener_again(pbx):
    async def scenario():
        async with running_source(source_args(pbx, heartbeat_interval=0.3)) as (queue, task):
            await logged_in(pbx, task)
            pbx.revoke_tokens()
            await logged_in(pbx, task, logins=2)
            pbx.set_extension_status("1002", "Busy")
            assert (await asyncio.wait_for(queue.get(), 5))["yeastar"]["extension"] == "1002"
    run(scenario())


def test_a_token_answered_blank_on_heartbeat_leads_to_a_new_login(pbx):
    async def scenario():
        async with running_source(source_args(pbx, heartbeat_interval=0.3)) as (dummy, task):
            await logged_in(pbx, task)
            pbx.inject("errno", endpoint="heartbeat", errno="20005")
            await logged_in(pbx, task, logins=2)
    run(scenario())


def test_a_restart_of_the_pbx_is_an_event_and_a_new_login(pbx):
    async def scenario():
        async with running_source(source_args(pbx)) as (queue, task):
            await logged_in(pbx, task)
            pbx.restart()
            assert (await asyncio.wait_for(queue.get(), 5))["yeastar"] == {
                "event": "BootUp", "sn": "369451090405", "pbx": pbx.host}
            await logged_in(pbx, task, logins=2)
            assert "heartbeat" not in pbx.counters
    run(scenario())


def test_a_resent_report_is_answered_but_passed_on_once(pbx):
    async def scenario():
        async with running_source(source_args(pbx)) as (queue, task):
            await logged_in(pbx, task)
            port = _listen_port(pbx)
            offline = b'{"action":"ExtensionStatus","extension":"1006","status":"Unregistered","sn":"1"}'
            online = b'{"action":"ExtensionStatus","extension":"1006","status":"Registered","sn":"1"}'
            for body in (offline, offline, online, offline):
                assert await post_report(port, body) == 200
            statuses = [(await asyncio.wait_for(queue.get(), 5))["yeastar"]["status"] for dummy in range(3)]
            assert statuses == ["Unregistered", "Registered", "Unregistered"] and queue.empty()
    run(scenario())


def test_only_the_chosen_events_are_passed_on(pbx):
    async def scenario():
        async with running_source(source_args(pbx, events=["ExtensionStatus"])) as (queue, task):
            await logged_in(pbx, task)
            port = _listen_port(pbx)
            assert await post_report(port, b'{"action":"NewCdr","callid":"1"}') == 200
            assert await post_report(port, b'{"action":"ExtensionStatus","extension":"1","status":"Busy"}') == 200
            assert (await asyncio.wait_for(queue.get(), 5))["yeastar"]["event"] == "ExtensionStatus"
            assert queue.empty()
    run(scenario())


def test_a_v1_call_report_with_repeated_ext_keys_keeps_both(pbx):
    async def scenario():
        async with running_source(source_args(pbx)) as (queue, task):
            await logged_in(pbx, task)
            body = b'{"action":"RING","callid":"7","ext":{"extid":"1000"},"ext":{"extid":"1002"}}'
            assert await post_report(_listen_port(pbx), body) == 200
            event = await asyncio.wait_for(queue.get(), 5)
            assert event["yeastar"]["ext"] == [{"extid": "1000"}, {"extid": "1002"}]
    run(scenario())


def test_a_body_that_is_not_json_is_refused_with_400_and_a_log_line(pbx, caplog):
    async def scenario():
        async with running_source(source_args(pbx)) as (queue, task):
            await logged_in(pbx, task)
            assert await post_report(_listen_port(pbx), b"action=BootUp") == 400
            assert await post_report(_listen_port(pbx), b"[1, 2]") == 400
            assert queue.empty()
    with caplog.at_level(logging.INFO, logger="voiceops.pbx.yeastar_events"):
        run(scenario())
    assert "not a JSON object" in caplog.text


def test_a_foreign_sender_is_refused_with_403_and_a_log_line_without_the_secret_path(pbx, caplog):
    async def scenario():
        async with running_source(source_args(pbx, url=SECRET_PATH)) as (queue, task):
            await logged_in(pbx, task)
            body = b'{"action":"BootUp","sn":"1"}'
            assert await post_report(_listen_port(pbx), body, SECRET_PATH, source="127.0.0.2") == 403
            assert queue.empty() and pbx.counters["login"] == 1
    with caplog.at_level(logging.INFO, logger="voiceops.pbx.yeastar_events"):
        run(scenario())
    assert "refused a report from 127.0.0.2" in caplog.text
    assert "s3cr3t" not in caplog.text and pbx.api_password not in caplog.text


def test_a_foreign_sender_is_refused_on_any_path_and_an_allowed_one_gets_404_elsewhere(pbx, caplog):
    async def scenario():
        async with running_source(source_args(pbx, url=SECRET_PATH)) as (queue, task):
            await logged_in(pbx, task)
            body = b'{"action":"BootUp","sn":"1"}'
            port = _listen_port(pbx)
            assert await post_report(port, body, "/guess", source="127.0.0.2") == 403
            assert await post_report(port, body, "/guess") == 404
            assert queue.empty() and pbx.counters["login"] == 1
    with caplog.at_level(logging.INFO, logger="voiceops.pbx.yeastar_events"):
        run(scenario())
    assert caplog.text.count("refused a report from 127.0.0.2") == 1


def test_allowed_senders_may_post_too(pbx):
    async def scenario():
        async with running_source(source_args(pbx, allowed_senders=["127.0.0.2/32"])) as (queue, task):
            await logged_in(pbx, task)
            body = b'{"action":"ExtensionStatus","extension":"1","status":"Busy"}'
            assert await post_report(_listen_port(pbx), body, source="127.0.0.2") == 200
            assert (await asyncio.wait_for(queue.get(), 5))["yeastar"]["status"] == "Busy"
    run(scenario())


def test_a_refused_login_stops_the_source_and_is_not_repeated(pbx):
    async def scenario():
        with pytest.raises(YeastarLoginRefused, match="20003"):
            await yeastar_events.main(asyncio.Queue(), source_args(pbx, api_password="wrong"))
    run(scenario())
    assert pbx.counters["login"] == 1


def unreachable_logins(monkeypatch, count):
    """The source's first count logins find no connection (the PBX restarting); the later ones go through."""
    real_login, failures = yeastar_events.YeastarClient.login, []

    def login(client):
        if count is None or len(failures) < count:
            failures.append(1)
            raise NotSentError("connection failed before the request was sent: [Errno 111] Connection refused")
        return real_login(client)
    monkeypatch.setattr(yeastar_events.YeastarClient, "login", login)
    return failures


def test_a_login_that_could_not_be_sent_is_tried_again_after_a_pause(pbx, monkeypatch):
    monkeypatch.setattr(yeastar_events, "LOGIN_BACKOFF", (0.1, 0.1))
    failures = unreachable_logins(monkeypatch, 2)

    async def scenario():
        async with running_source(source_args(pbx)) as (dummy, task):
            await logged_in(pbx, task)
    run(scenario())
    assert len(failures) == 2 and pbx.counters["login"] == 1


def test_a_pbx_that_stays_unreachable_stops_the_source_after_the_last_pause(pbx, monkeypatch):
    monkeypatch.setattr(yeastar_events, "LOGIN_BACKOFF", (0.1,))
    failures = unreachable_logins(monkeypatch, None)

    async def scenario():
        with pytest.raises(NotSentError, match="Connection refused"):
            await yeastar_events.main(asyncio.Queue(), source_args(pbx))
    run(scenario())
    assert len(failures) == 2 and pbx.counters.get("login", 0) == 0


@pytest.mark.parametrize("fault", [{"kind": "drop"}, {"kind": "latency", "seconds": 3}])
def test_a_login_that_was_sent_but_not_answered_is_never_repeated(pbx, monkeypatch, fault):
    monkeypatch.setattr(yeastar_events, "LOGIN_BACKOFF", (0.1, 0.1))
    pbx.inject(fault.pop("kind"), endpoint="login", count=None, **fault)

    async def scenario():
        with pytest.raises(TransportError, match="call login"):
            await yeastar_events.main(asyncio.Queue(), source_args(pbx, timeout=1))
    run(scenario())
    assert pbx.counters["login"] == 1


def test_cancelling_the_source_logs_out(pbx):
    async def scenario():
        async with running_source(source_args(pbx)) as (dummy, task):
            await logged_in(pbx, task)
        assert pbx.counters.get("logout") == 1 and not pbx.tokens
    run(scenario())


def test_options_are_checked_before_anything_is_sent(pbx):
    args = source_args(pbx, listen_port=70000, heartbeat_interval=1800, url="events", report_url="http://x:1/y",
                       dedup_seconds=-1, colour="blue")
    with pytest.raises(yeastar_events.OptionsError) as caught:
        asyncio.run(yeastar_events.main(asyncio.Queue(), args))
    message = str(caught.value)
    for option in ("listen_port", "heartbeat_interval", "url:", "report_url", "dedup_seconds", "unknown option colour"):
        assert option in message
    assert pbx.counters == {}


def test_connection_options_come_from_the_yeastar_environment(pbx):
    environ = {"YEASTAR_HOST": pbx.host, "YEASTAR_PORT": str(pbx.port), "YEASTAR_USERNAME": "api",
               "YEASTAR_PASSWORD": "pw", "YEASTAR_VALIDATE_CERTS": "false", "YEASTAR_API_VERSION": "v2.0.0"}
    settings = yeastar_events.read_settings({}, environ)
    assert (settings.connection["port"], settings.connection["validate_certs"], settings.connection["api_version"]) == (
        pbx.port, False, "v2.0.0")
    with pytest.raises(yeastar_events.OptionsError, match="host: it is required"):
        yeastar_events.read_settings({}, {})


def _listen_port(pbx):
    url = pbx.report_targets[0]["url"]
    return int(url.split(":")[2].split("/")[0])


def test_ansible_rulebook_can_run_the_source_from_its_file_without_the_collections_on_sys_path(tmp_path):
    """ansible-rulebook loads a source with runpy.run_path, sys.path unchanged."""
    source = yeastar_events.__file__
    elsewhere = [entry for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                 if entry and not os.path.isdir(os.path.join(entry, "ansible_collections", "voiceops", "pbx"))]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(elsewhere))
    script = "import runpy, sys; print(callable(runpy.run_path(sys.argv[1])['main']))"
    ran = subprocess.run([sys.executable, "-c", script, source], cwd=str(tmp_path), env=env, capture_output=True,
                         text=True, timeout=60, check=False)
    assert (ran.returncode, ran.stdout.strip()) == (0, "True"), ran.stderr


def test_the_modules_wire_format_is_unchanged_without_a_report_target():
    v1, v2 = api_for("v1.0.0"), api_for("v2.0.0")
    assert v1.login_body("api", "md5") == {"username": "api", "password": "md5", "port": "8260"}
    assert v2.login_body("api", "md5") == {"username": "api", "password": "md5"}
    assert v1.heartbeat_body("192.0.2.7") == v2.heartbeat_body("192.0.2.7") == {"ipaddr": "192.0.2.7", "port": "8260"}


def test_a_report_target_goes_into_login_and_heartbeat():
    v1, v2 = api_for("v1.1.0"), api_for("v2.0.0")
    relative, root = ReportTarget(9000, "/hooks/x"), ReportTarget(9000)
    absolute = ReportTarget("18260", absolute_url="203.0.113.5:18260/hooks/x")
    assert v1.login_body("api", "md5", relative) == {"username": "api", "password": "md5", "port": "9000",
                                                     "url": "hooks/x", "urltag": "0"}
    assert v2.login_body("api", "md5", root) == {"username": "api", "password": "md5", "port": "9000", "urltag": "0",
                                                 "version": "2.0.0"}
    assert v2.heartbeat_body("192.0.2.7", absolute) == {"ipaddr": "192.0.2.7", "port": "18260",
                                                        "url": "203.0.113.5:18260/hooks/x", "urltag": "1",
                                                        "version": "2.0.0"}
    # v1 heartbeats spell the URL type urlflag (sic), although v1 login spells it urltag
    assert v1.heartbeat_body("192.0.2.7", absolute) == {"ipaddr": "192.0.2.7", "port": "18260",
                                                        "url": "203.0.113.5:18260/hooks/x", "urlflag": "1"}
    assert v1.heartbeat_body("192.0.2.7", relative) == {"ipaddr": "192.0.2.7", "port": "9000", "url": "hooks/x",
                                                        "urlflag": "0"}


def test_numbers_from_a_rulebook_template_are_strings_and_are_read_as_numbers(pbx):
    settings = yeastar_events.read_settings(source_args(pbx, listen_port="9000", heartbeat_interval="30",
                                                        dedup_seconds="0", events="ExtensionStatus"))
    assert (settings.listen_port, settings.heartbeat_interval, settings.dedup_seconds, settings.events) == (
        9000, 30.0, 0.0, frozenset(["ExtensionStatus"]))


def test_a_source_that_does_not_check_the_certificate_says_so(pbx, caplog):
    async def scenario():
        async with running_source(source_args(pbx, validate_certs=False, ca_path=None)) as (dummy, task):
            await logged_in(pbx, task)
    with caplog.at_level(logging.INFO, logger="voiceops.pbx.yeastar_events"):
        run(scenario())
    assert "validate_certs is false" in caplog.text


def test_arguments_ansible_rulebook_adds_are_no_unknown_options(pbx):
    settings = yeastar_events.read_settings(source_args(pbx, eda_feedback_queue=asyncio.Queue()))
    assert settings.host == pbx.host


class FakeSession:
    """Heartbeats that succeed or fail in the order given."""

    def __init__(self, results):
        self.results = list(results)
        self.logins = 0

    async def heartbeat(self):
        return self.results.pop(0)

    async def login(self):
        self.logins += 1


def test_a_failed_heartbeat_is_tried_again_sooner_and_then_the_interval_resumes(monkeypatch):
    waits = []

    class Done(Exception):
        pass

    async def timed_out(awaitable, timeout):
        awaitable.close()
        waits.append(timeout)
        if len(waits) == 4:
            raise Done()
        raise asyncio.TimeoutError()

    monkeypatch.setattr(yeastar_events.asyncio, "wait_for", timed_out)
    session = FakeSession([True, False, True])
    with pytest.raises(Done):
        asyncio.run(yeastar_events.keep_session(session, 600, asyncio.Event()))
    assert waits == [600, 600, yeastar_events.HEARTBEAT_RETRY_SECONDS, 600]
    assert session.results == [] and session.logins == 0


def test_the_heartbeat_interval_leaves_time_for_a_second_heartbeat(pbx):
    settings = yeastar_events.read_settings(source_args(pbx, heartbeat_interval=900))
    assert settings.heartbeat_interval == 900
    with pytest.raises(yeastar_events.OptionsError, match="heartbeat_interval: 901.0 is invalid; it must be more than 0 and at most 900"):
        yeastar_events.read_settings(source_args(pbx, heartbeat_interval=901))


def test_the_documentation_and_examples_are_yaml():
    # ansible-test sanity does not read event sources; galaxy-importer and ansible-doc do.
    documented = yaml.safe_load(yeastar_events.DOCUMENTATION)
    assert documented["options"]["heartbeat_interval"]["default"] == 600
    yaml.safe_load(yeastar_events.EXAMPLES)
