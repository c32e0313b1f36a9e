# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Event-Driven Ansible end to end: the real ansible-rulebook runs the collection's example rulebook.

``ansible-rulebook --rulebook voiceops.pbx.extension_offline`` (extensions/eda/rulebooks/) with the
event source ``voiceops.pbx.yeastar_events`` listens on a reserved local port (tests/simulator/ports.py) and logs in to the Yeastar
simulator; the simulator then reports what its admin calls change, and the rulebook's actions run
the collection's playbooks through ansible-runner, as a user's ansible-rulebook would.

ansible-rulebook's rules engine runs in a JVM: the Java 17+ runtime is found the way the test
command finds it (``find_java_home`` of tools/lib.sh: JAVA_HOME, else the ``java`` on PATH). Only
where there is none is the test skipped.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from ansible_collections.voiceops.pbx.tests.simulator.ports import reserved_port

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[2]
TOOLS_LIB = ROOT / "tools" / "lib.sh"
BIN = pathlib.Path(sys.executable).parent
RULEBOOK = "voiceops.pbx.extension_offline"
ENGINE_START_SECONDS = 90  # the JVM and the rules engine start, then the source logs in
REPORT_SECONDS = 3  # from the PBX's report to the event source's 200
# From the PBX's report to the playbook's effect: ansible-runner starts a whole playbook run, 7 to 17 s
# on a busy 2-core machine.
ACTION_SECONDS = 45


def java_home():
    """The home of a Java 17+ runtime as the test command finds it, or a skip where there is none."""
    found = subprocess.run(["bash", "-c", 'source "$1" && find_java_home', "find_java_home", str(TOOLS_LIB)],
                           capture_output=True, text=True, check=False, timeout=60)
    if found.returncode != 0 or not found.stdout.strip():
        pytest.skip("no Java 17+ runtime: ansible-rulebook needs one (%s)" % found.stderr.strip())
    return found.stdout.strip()


def wait_until(condition, seconds, what, rulebook=None):
    """Poll condition() until it returns something true; fail saying what did not happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if rulebook is not None and rulebook.process.poll() is not None:
            pytest.fail("ansible-rulebook exited (status %s) before %s:\n%s"
                        % (rulebook.process.returncode, what, rulebook.output()))
        time.sleep(0.2)
    pytest.fail("%s within %ss%s" % (what, seconds, (":\n" + rulebook.output()) if rulebook else ""))
    return None


class Rulebook:
    """One ansible-rulebook process running the example rulebook against the simulator."""

    def __init__(self, ansible, tmp_path, api_version):
        self.tmp_path = tmp_path
        self.listen_port = reserved_port()  # the event source binds it (listen_port cannot be 0)
        self.notice_file = tmp_path / "notices.log"
        self.log_path = tmp_path / "ansible-rulebook.log"
        inventory = tmp_path / "inventory.yml"
        inventory.write_text(json.dumps({"all": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
        variables = tmp_path / "vars.yml"
        variables.write_text(json.dumps({"yeastar_listen_host": "127.0.0.1", "yeastar_listen_port": self.listen_port,
                                         "notice_file": str(self.notice_file)}))
        self.env = dict(ansible.env, JAVA_HOME=java_home(), YEASTAR_API_VERSION=api_version,
                        # ansible-rulebook finds collections with ansible-galaxy, and runs playbooks
                        # with ansible-runner and ansible-playbook: those of this venv
                        PATH="%s%s%s" % (BIN, os.pathsep, os.environ.get("PATH", "")))
        # As a user runs it: the collection is found through ANSIBLE_COLLECTIONS_PATH alone, not
        # through the PYTHONPATH the test command sets for the tests themselves.
        self.env.pop("PYTHONPATH", None)
        # The JVM that ansible-rulebook embeds ends the process at once on SIGINT and SIGTERM
        # (exit status 130 / 143) unless -Xrs leaves those signals to Python: only then do the
        # sources stop and the event source log out (docs/events.md says so).
        self.env["JAVA_TOOL_OPTIONS"] = "-Xrs"
        self.command = [str(BIN / "ansible-rulebook"), "--rulebook", RULEBOOK, "--inventory", str(inventory),
                        "--vars", str(variables), "-v"]
        self.process = None

    def start(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=str(self.tmp_path), stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        return self

    def stop(self, signum=signal.SIGINT, seconds=30):
        """Ask ansible-rulebook to stop as Ctrl-C does; return its exit status (None: it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                return self.process.wait(seconds)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
                return None
        return self.process.returncode

    def output(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-6000:]

    def notices(self):
        return self.notice_file.read_text(encoding="utf-8") if self.notice_file.exists() else ""

    def source_target(self, pbx):
        """The simulator's report target that names this rulebook's listener, once the source logged in."""
        wanted = ":%d" % self.listen_port
        return [target for target in pbx.report_targets if wanted in target["url"]]


def assert_logged_out(pbx, rulebook):
    """Every session ended with a logout: the source's (its report target gone) and the playbooks' own."""
    assert pbx.report_targets == [], "the event source did not log out:\n" + rulebook.output()
    assert pbx.counters.get("logout") == pbx.counters["login"], pbx.counters


@pytest.fixture
def rulebook_runner(ansible, tmp_path):
    started = []

    def run(api_version="v1.0.0"):
        rulebook = Rulebook(ansible, tmp_path, api_version).start()
        started.append(rulebook)
        return rulebook

    yield run
    for rulebook in started:
        rulebook.stop(signal.SIGKILL, seconds=10)


@pytest.mark.parametrize("api_version", ["v1.0.0", "v2.0.0"])
def test_a_phone_going_offline_runs_the_notice_playbook(rulebook_runner, pbx, api_version):
    rulebook = rulebook_runner(api_version)
    target = wait_until(lambda: rulebook.source_target(pbx), ENGINE_START_SECONDS,
                        "the event source did not log in to the PBX with its listener's port", rulebook)
    assert pbx.counters["login"] == 1
    assert [found["key"] for found in target] == ["event" if api_version == "v2.0.0" else "action"]

    pbx.set_extension_status("1006", "Unregistered")
    reported = time.monotonic()
    wait_until(lambda: [entry for entry in pbx.reports if entry["status"] == 200], REPORT_SECONDS,
               "the event source did not answer the PBX's report with 200", rulebook)
    notice = wait_until(rulebook.notices, ACTION_SECONDS,
                        "the rulebook did not run the notice playbook for 1006", rulebook)
    took = time.monotonic() - reported
    assert "extension 1006 (Lisa) went Unregistered" in notice, notice
    assert "serial number 369451090405" in notice, notice
    assert len(notice.splitlines()) == 1, notice
    delivered = [entry for entry in pbx.reports if entry["status"] == 200]
    assert [entry["body"]["status"] for entry in delivered] == ["Unregistered"], pbx.reports
    print("report to notice: %.1fs" % took)

    assert rulebook.stop() is not None, "ansible-rulebook did not stop on SIGINT:\n" + rulebook.output()
    assert_logged_out(pbx, rulebook)


def test_a_new_extension_gets_the_voicemail_policy(rulebook_runner, pbx, ansible):
    rulebook = rulebook_runner("v2.0.0")
    wait_until(lambda: rulebook.source_target(pbx), ENGINE_START_SECONDS,
               "the event source did not log in to the PBX with its listener's port", rulebook)

    before = {record["extnumber"]: record for record in pbx.extensions}
    # A new phone set up against the site's policy: no voicemail, 60 seconds of ringing.
    status, result, _run = ansible.module("yeastar_extension", {
        "api_version": "v2.0.0", "extension": "1010", "display_name": "Noor", "state": "present",
        "register_name": "1010", "register_password": "Regabcdx7YABCDq5Z", "voicemail": False, "ring_timeout": 60})
    assert status == "CHANGED", result
    assert pbx.extension("1010")["hasvoicemail"] == "off"

    def policy_applied():
        record = pbx.extension("1010")
        return record["hasvoicemail"] == "on" and record["ringtimeout"] == "30"

    wait_until(policy_applied, ACTION_SECONDS, "the rulebook did not apply the policy to the new extension 1010",
               rulebook)
    after = {record["extnumber"]: record for record in pbx.extensions if record["extnumber"] != "1010"}
    assert after == before, "the policy run touched other extensions than the new one"
    assert rulebook.notices() == ""

    assert rulebook.stop(signal.SIGTERM) is not None, "ansible-rulebook did not stop on SIGTERM:\n" + rulebook.output()
    assert_logged_out(pbx, rulebook)
