# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A fleet of simulated PBXes in one process: one port, state, credentials, counters and faults each; one CA.

Standard library only (urllib), as the unit tests' environment has no requests.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import YeastarFleet, cli
from ansible_collections.voiceops.pbx.tests.simulator.ports import reserved_ports

TESTS = pathlib.Path(os.path.abspath(__file__)).parents[3]
V2 = "v2.0.0"
START_BUDGET = 3.0  # seconds for 20 PBXes; today it takes a tenth of that


def post(pbx, endpoint, body=None, token=None, ca_path=None, host=None):
    """POST JSON to ``pbx`` (an entry of ``fleet.pbxes``), trusting only ``ca_path`` (default: the PBX's own)."""
    url = "https://%s:%d/api/%s/%s%s" % (host or pbx["host"], pbx["port"], V2, endpoint,
                                         "?token=%s" % token if token else "")
    data = b"" if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    context = ssl.create_default_context(cafile=ca_path or pbx["ca_path"])
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        return json.loads(answer.read())


def login(pbx, password=None, **options):
    digest = hashlib.md5((password or pbx["api_password"]).encode("utf-8")).hexdigest()
    return post(pbx, "login", {"username": pbx["api_username"], "password": digest}, **options)


def numbers(pbx):
    token = login(pbx)["token"]
    return [item["number"] for item in post(pbx, "extension/list", token=token)["extlist"]]


def by_name(fleet):
    return {pbx["name"]: pbx for pbx in fleet.pbxes}


def bound_with_reuse(port):
    """A socket bound to a local port as a server binds it: with SO_REUSEADDR (a reserved port is in TIME_WAIT)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def test_twenty_pbxes_start_quickly_each_on_its_own_port():
    started = time.monotonic()
    with YeastarFleet(20, extensions=500) as fleet:
        elapsed = time.monotonic() - started
        pbxes = fleet.pbxes
        assert elapsed < START_BUDGET, elapsed
        assert [pbx["name"] for pbx in pbxes] == ["pbx%02d" % index for index in range(1, 21)]
        assert len({pbx["port"] for pbx in pbxes}) == 20
        assert set(pbxes[0]) == {"name", "host", "port", "base_url", "api_username", "api_password", "ca_path"}
        assert fleet["pbx07"].port == pbxes[6]["port"] and fleet["pbx07"].base_url == pbxes[6]["base_url"]


def test_one_ca_verifies_every_pbx_by_address_and_by_localhost():
    with YeastarFleet(5) as fleet:
        assert {pbx["ca_path"] for pbx in fleet.pbxes} == {fleet.ca_path}
        for pbx in fleet.pbxes:
            assert login(pbx, ca_path=fleet.ca_path)["status"] == "Success"
            assert login(pbx, ca_path=fleet.ca_path, host="localhost")["status"] == "Success"


def test_each_pbx_takes_only_its_own_password():
    with YeastarFleet(3, distinct_passwords=True, per_pbx={"pbx03": {"password": "Berlin@2024"}}) as fleet:
        pbxes = by_name(fleet)
        assert [pbx["api_password"] for pbx in fleet.pbxes] == ["Yeastar@123pbx01", "Yeastar@123pbx02", "Berlin@2024"]
        assert all(login(pbx)["status"] == "Success" for pbx in fleet.pbxes)
        wrong = login(pbxes["pbx02"], password=pbxes["pbx01"]["api_password"])
        assert wrong == {"status": "Failed", "errno": "20003"}


def test_a_lockout_on_one_pbx_leaves_the_others_open():
    with YeastarFleet(2, max_failed_logins=2) as fleet:
        first, second = fleet.pbxes
        assert [login(first, password="wrong")["errno"] for _attempt in range(3)] == ["20003", "20003", "20002"]
        assert login(second)["status"] == "Success"
        assert fleet["pbx01"].lockouts["127.0.0.1"]["blocked_seconds_left"] > 0
        assert fleet["pbx02"].lockouts == {}


def test_each_pbx_has_its_own_extensions():
    per_pbx = {"pbx02": {"extensions": 2, "first_extension": 2000}}
    with YeastarFleet(3, extensions=3, per_pbx=per_pbx) as fleet:
        pbxes = by_name(fleet)
        assert numbers(pbxes["pbx01"]) == ["1000", "1001", "1002"]
        assert numbers(pbxes["pbx02"]) == ["2000", "2001"]
        fleet["pbx03"].delete_extensions(["1001"])
        assert numbers(pbxes["pbx03"]) == ["1000", "1002"]
        assert numbers(pbxes["pbx01"]) == ["1000", "1001", "1002"]


def test_a_fault_on_one_pbx_does_not_hit_another():
    with YeastarFleet(3) as fleet:
        pbxes = by_name(fleet)
        fleet["pbx02"].inject("errno", endpoint="login", errno="30001", count=None)
        assert login(pbxes["pbx02"]) == {"status": "Failed", "errno": "30001"}
        assert login(pbxes["pbx01"])["status"] == "Success"
        assert login(pbxes["pbx03"])["status"] == "Success"
        assert fleet["pbx01"].pending_faults == [] and fleet["pbx03"].pending_faults == []
        fleet.clear_faults()
        assert login(pbxes["pbx02"])["status"] == "Success"


def test_counters_are_kept_per_pbx_and_summed_for_the_fleet():
    with YeastarFleet(3) as fleet:
        pbxes = by_name(fleet)
        numbers(pbxes["pbx01"])
        numbers(pbxes["pbx01"])
        login(pbxes["pbx03"])
        assert fleet.counters_by_pbx == {"pbx01": {"login": 2, "extension/list": 2}, "pbx02": {},
                                         "pbx03": {"login": 1}}
        assert fleet.counters == {"login": 3, "extension/list": 2}
        fleet.reset_counters()
        assert fleet.counters == {}


def test_every_pbx_reports_its_own_serial_number():
    with YeastarFleet(3, sn="369451090400", per_pbx={"pbx03": {"sn": "SITE-C"}}) as fleet:
        assert [fleet[name].settings["sn"] for name in fleet.names] == ["369451090400", "369451090401", "SITE-C"]


def test_first_port_gives_consecutive_ports_in_name_order():
    first = reserved_ports(4)[0]
    with YeastarFleet(4, first_port=first) as fleet:
        assert [pbx["port"] for pbx in fleet.pbxes] == [first, first + 1, first + 2, first + 3]


def test_a_busy_port_stops_the_pbxes_already_started_and_removes_the_ca():
    first = reserved_ports(3)[0]
    with bound_with_reuse(first + 2) as busy:
        busy.listen()
        fleet = YeastarFleet(3, first_port=first)
        with pytest.raises(OSError):
            fleet.start()
    assert fleet.pbxes == [] and fleet.ca_path is None
    with bound_with_reuse(first):  # pbx01's port is free once more: no one listens there
        pass


def test_stop_closes_every_port_and_removes_the_temporary_ca():
    with YeastarFleet(3) as fleet:
        ports = [pbx["port"] for pbx in fleet.pbxes]
        ca_path = fleet.ca_path
        assert os.path.exists(ca_path)
    assert not os.path.exists(ca_path)
    for port in ports:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_per_pbx_options_must_name_fleet_members():
    with pytest.raises(ValueError, match="pbx09"):
        YeastarFleet(3, per_pbx={"pbx09": {"extensions": 1}})


def run_fleet_cli(tmp_path, *arguments):
    """Start ``python -m simulator`` from tests/ and wait for its ready file; return (process, ready JSON)."""
    ready = tmp_path / "ready.json"
    process = subprocess.Popen([sys.executable, "-m", "simulator", "--quiet", "--ready-file", str(ready)]  # pylint: disable=consider-using-with
                               + list(arguments), cwd=str(TESTS), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 30
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the simulator did not get ready: %s" % process.communicate()[1])
        time.sleep(0.05)
    return process, json.loads(ready.read_text())


def stop_cli(process):
    process.send_signal(signal.SIGTERM)
    return process.wait(15)


def test_cli_pbxes_writes_every_pbx_into_the_ready_file(tmp_path):
    ca_out = tmp_path / "fleet-ca.pem"
    process, ready = run_fleet_cli(tmp_path, "--pbxes", "3", "--extensions", "4", "--distinct-passwords",
                                   "--ca-out", str(ca_out))
    try:
        pbxes = ready["pbxes"]
        assert [pbx["name"] for pbx in pbxes] == ["pbx01", "pbx02", "pbx03"]
        assert {pbx["ca_path"] for pbx in pbxes} == {ready["ca_path"]} == {str(ca_out)}
        assert (ready["port"], ready["base_url"], ready["pid"]) == (pbxes[0]["port"], pbxes[0]["base_url"], process.pid)
        assert [pbx["api_password"] for pbx in pbxes] == ["Yeastar@123pbx01", "Yeastar@123pbx02", "Yeastar@123pbx03"]
        for pbx in pbxes:
            assert numbers(pbx) == ["1000", "1001", "1002", "1003"]
        assert login(pbxes[1], password=pbxes[0]["api_password"])["errno"] == "20003"
    finally:
        assert stop_cli(process) == 0
    assert not (tmp_path / "ready.json").exists()


def test_cli_first_port_numbers_the_pbxes_consecutively(tmp_path):
    first = reserved_ports(2)[0]
    process, ready = run_fleet_cli(tmp_path, "--pbxes", "2", "--first-port", str(first))
    try:
        assert [pbx["port"] for pbx in ready["pbxes"]] == [first, first + 1]
        assert login(ready["pbxes"][1])["status"] == "Success"
    finally:
        assert stop_cli(process) == 0


def test_the_single_pbx_ready_file_is_unchanged(tmp_path):
    process, ready = run_fleet_cli(tmp_path, "--port", "0")
    try:
        assert set(ready) == {"port", "ca_path", "base_url", "pid", "outbound_url", "outbound_port"}
    finally:
        assert stop_cli(process) == 0


@pytest.mark.parametrize("arguments, message", [
    (["--pbxes", "2", "--port", "0"], "--pbxes does not combine with --port"),
    (["--pbxes", "2", "--state-file", "state.json"], "--pbxes does not combine with --state-file"),
    (["--pbxes", "2", "--outbound-port", "0"], "--pbxes does not combine with --outbound-port"),
    (["--pbxes", "0"], "--pbxes needs at least 1"),
    (["--first-port", "9000"], "need --pbxes"),
])
def test_cli_refuses_what_a_fleet_cannot_mean(arguments, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main(arguments)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
