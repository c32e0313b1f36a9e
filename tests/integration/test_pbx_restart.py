# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The PBX restarts while a task runs: the simulator runs as its own process with a state file,
is killed (SIGKILL) in the middle of a run and started again on the same port: the first start
binds port 0 and its ready file says which port it got; the restarts bind that port (the simulator
sets SO_REUSEADDR, so the connections the kill left in TIME_WAIT do not stand in the way).

A restarted PBX has forgotten every token and cut every connection. Plain HTTP here: the
simulator makes a new test CA at each start, which a real PBX would not do.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

import pytest
import requests

from ansible_collections.voiceops.pbx.plugins.module_utils._message_lists import brief

TESTS = pathlib.Path(os.path.abspath(__file__)).parents[1]
UPDATE = "extension/update"
QUERY = "extension/query"


class SimulatorProcess:
    """`python -m simulator` with a state file that can be killed and started again on the port it first got."""

    def __init__(self, tmp_path, *options):
        self.port = 0
        self.state_file = tmp_path / "pbx-state.json"
        self.ready_file = tmp_path / "ready.json"
        self.options = list(options)
        self.process = None

    def start(self):
        if self.ready_file.exists():
            self.ready_file.unlink()
        command = [sys.executable, "-m", "simulator", "--no-tls", "--quiet", "--port", str(self.port),
                   "--state-file", str(self.state_file), "--ready-file", str(self.ready_file)] + self.options
        self.process = subprocess.Popen(command, cwd=str(TESTS), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not self.ready_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start: %s" % self.process.stderr.read().decode())
            time.sleep(0.02)
        self.port = json.loads(self.ready_file.read_text())["port"]
        return self

    def kill(self):
        self.process.kill()
        self.process.wait(10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def counters(self):
        return requests.get("http://127.0.0.1:%d/__sim__/counters" % self.port, timeout=5).json()

    def wait_for(self, endpoint, calls, running):
        """Until the PBX has taken that many calls to endpoint from the task running (a Popen)."""
        deadline = time.monotonic() + 120
        while self.counters().get(endpoint, 0) < calls:
            if running.poll() is not None:
                pytest.fail("the task ended before %d calls to %s: %s" % (calls, endpoint, "".join(running.communicate())))
            assert time.monotonic() < deadline, "the task never got that far"
            time.sleep(0.01)

    def stored(self):
        """Extension records as the PBX saved them, by number."""
        return {record["extnumber"]: record for record in json.loads(self.state_file.read_text())["extensions"]}


@pytest.fixture
def pbx_process(tmp_path):
    processes = []

    def start(*options):
        process = SimulatorProcess(tmp_path, *options).start()
        processes.append(process)
        return process
    yield start
    for process in processes:
        process.stop()


def run_in_background(ansible, args, process):
    ansible.env.update(YEASTAR_HOST="127.0.0.1", YEASTAR_PORT=str(process.port), YEASTAR_SCHEME="http",
                       YEASTAR_CA_PATH="")
    command = [str(pathlib.Path(sys.executable).with_name("ansible")), "localhost", "-m", "voiceops.pbx.yeastar_extension",
               "-a", json.dumps(args)]
    return subprocess.Popen(command, env=ansible.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(TESTS.parent))


def outcome(running):
    stdout, stderr = running.communicate(timeout=240)
    status, _sep, text = stdout.partition(" => ")
    assert text, stdout + stderr
    return status.split("|")[1].strip().rstrip("!"), json.loads(text)


def test_a_restart_during_the_reads_is_ridden_out(ansible, pbx_process):
    pbx = pbx_process("--extensions", "20", "--latency", "extension/query=0.5")
    numbers = [str(number) for number in range(1000, 1020)]
    running = run_in_background(ansible, {"extensions": [{"extension": number} for number in numbers],
                                          "display_name": "After Restart"}, pbx)
    pbx.wait_for(QUERY, 1, running)
    pbx.kill()
    pbx.start()
    status, result = outcome(running)
    assert status == "CHANGED" and result["updated"] == numbers
    assert result["retries"][QUERY] >= 2  # repeated after the cut connection, then after the new login
    assert result["api_calls"]["login"] == 2
    assert all(record["username"] == "After Restart" for record in pbx.stored().values())


def test_a_restart_during_the_updates_ends_the_run_saying_what_was_applied(ansible, pbx_process):
    pbx = pbx_process("--extensions", "40", "--latency", "extension/update=0.1")
    numbers = [str(number) for number in range(1000, 1040)]
    args = {"extensions": [{"extension": number} for number in numbers], "ring_timeout": 300}
    running = run_in_background(ansible, args, pbx)
    pbx.wait_for(UPDATE, 8, running)
    pbx.kill()
    pbx.start()
    status, result = outcome(running)
    stored = pbx.stored()
    applied = [number for number in numbers if stored[number]["ringtimeout"] == "300"]
    if status == "CHANGED":
        # The kill fell between two updates: the next one never left, so it was repeated once the PBX was back.
        assert result["updated"] == numbers == applied and result["api_calls"]["login"] == 2
    else:
        # The kill cut an update in flight: it may or may not have been applied, so the run stops and says so.
        assert status == "FAILED" and len(result["failed_extensions"]) == 1
        failed = result["failed_extensions"][0]
        assert result["updated"] + [failed] + result["not_attempted"] == numbers
        assert result["msg"].startswith("Extension %s: PBX 127.0.0.1, call extension/update: connection failed" % failed)
        assert "may or may not have been applied" in result["msg"]
        assert "Updated before the failure: %s." % brief(result["updated"], "updated", ", ") in result["msg"]
        assert applied in (result["updated"], result["updated"] + [failed])
        # Running the task again finishes the job and touches only what was left.
        status, result = outcome(run_in_background(ansible, args, pbx))
        assert status == "CHANGED" and result["updated"] == [number for number in numbers if number not in applied]
    assert all(record["ringtimeout"] == "300" for record in pbx.stored().values())


def test_a_restart_while_the_inventory_reads_is_ridden_out(ansible, pbx_process, tmp_path):
    pbx = pbx_process("--extensions", "20", "--latency", "extensionlist/query=0.5")
    ansible.env.update(YEASTAR_HOST="127.0.0.1", YEASTAR_PORT=str(pbx.port), YEASTAR_SCHEME="http", YEASTAR_CA_PATH="")
    config = tmp_path / "pbx.yeastar.yml"
    config.write_text(json.dumps({"plugin": "voiceops.pbx.yeastar"}))
    running = subprocess.Popen([str(pathlib.Path(sys.executable).with_name("ansible-inventory")), "-i", str(config), "--list"],
                               env=ansible.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pbx.wait_for("extensionlist/query", 1, running)
    pbx.kill()
    pbx.start()
    stdout, stderr = running.communicate(timeout=120)
    assert running.returncode == 0, stderr
    assert len(json.loads(stdout)["_meta"]["hostvars"]) == 20
    # Since the restart: the repeat with the old token (20004), a new login, the repeat again.
    assert pbx.counters() == {"login": 1, "extensionlist/query": 2, "logout": 1}
