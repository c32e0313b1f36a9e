# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The "Try it by hand" section of the README: make simulator, make env, and the commands by hand;
and docs/getting-started.md followed as its simulator note says, after make env.

`make demo` is not run here: the collection under test stands in for the one it installs into
.build/collections, and the Python that runs the tests for .venv.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from ansible_collections.voiceops.pbx.tests.integration.conftest import ROOT, collections_path

VENV = os.path.dirname(os.path.dirname(sys.executable))
MAKE_VARIABLES = ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")


def readme_blocks():
    """The bash blocks of the README's "Try it by hand" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Try it by hand\n(.*?)^## ", text, re.M | re.S).group(1)
    return re.findall(r"^```bash\n(.*?)^```", section, re.M | re.S)


def commands_after_setup(block):
    """The ansible commands of a block, comments dropped."""
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.startswith("ansible")]


def environment(tmp_path, **more):
    env = {name: value for name, value in os.environ.items() if name not in MAKE_VARIABLES}
    env.update(VENV_DIR=VENV, SIMULATOR_DIR=str(tmp_path / "simulator"), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), YEASTAR_LOGIN_STATE_DIR=str(tmp_path / "login-state"),
               HOME=str(tmp_path / "home"))
    env.update(more)
    return env


def bash(script, env, timeout=300):
    return subprocess.run(["bash", "-c", script], cwd=str(ROOT), env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture
def make_simulator(tmp_path):
    """`make simulator` in the background, on free ports; stopped as Ctrl-C or a TERM would."""
    env = environment(tmp_path, SIM_PORT="0", SIM_OUTBOUND_PORT="0")
    process = subprocess.Popen(["make", "-s", "simulator"], cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    ready = tmp_path / "simulator" / "ready.json"
    deadline = time.monotonic() + 60
    while not (ready.exists() and ready.read_text()) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        assert ready.exists(), process.stdout.read() if process.poll() is not None else "not ready after 60 s"
        yield env
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    # make can end before the simulators, which remove their ready file as they stop.
    deadline = time.monotonic() + 30
    while ready.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not ready.exists()  # the simulators are gone


def test_make_env_prints_a_working_environment_for_the_readme_commands(make_simulator):
    printed = bash("make -s env", make_simulator)
    assert printed.returncode == 0, printed.stderr
    assert "export ANSIBLE_COLLECTIONS_PATH='%s'" % (ROOT / ".build" / "collections") in printed.stdout
    assert "source '%s/bin/activate'" % VENV in printed.stdout
    setup, _by_hand = readme_blocks()
    commands = commands_after_setup(setup)
    assert commands[0] == "ansible localhost -m voiceops.pbx.yeastar_extension_info -a 'extensions=1000,1001'"
    # make demo would have installed the collection into .build/collections: the one under test stands in for it
    script = 'eval "$(make -s env)" && export ANSIBLE_COLLECTIONS_PATH=%s && %s' % (
        collections_path(), " && ".join(commands))
    run = bash(script, make_simulator)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^localhost \| SUCCESS", run.stdout, re.M) and '"number": "1001"' in run.stdout
    assert "|--ext1000" in run.stdout
    assert "Would update: 1002" in run.stdout


def test_make_env_without_a_running_simulator_says_how_to_start_one(tmp_path):
    run = bash("make -s env", environment(tmp_path))
    assert run.returncode != 0 and "start one with make simulator" in run.stderr and run.stdout == ""


def ready_port_function(ready_file):
    """Bash function ready_port KEY: waits for the simulator's ready file, prints that port from it."""
    read = "import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])"
    return ("ready_port() { for _ in $(seq 300); do [ -s '%s' ] && break; sleep 0.1; done; '%s' -c '%s' '%s' \"$1\"; }"
            % (ready_file, sys.executable, read, ready_file))


def test_the_commands_by_hand_start_the_simulator_and_set_the_connection(tmp_path):
    _setup, by_hand = readme_blocks()
    ready_file = tmp_path / "ready.json"
    # The simulators bind port 0 and write the ports they got into a ready file, read where the README says 8088 and 8089.
    replacements = {
        "source .venv/bin/activate": "source %s/bin/activate" % VENV,
        "../.venv/bin/python": sys.executable,
        "$PWD/.build/collections": collections_path(),
        "../.build/simulator/ca.pem": str(tmp_path / "ca.pem"),
        "$PWD/.build/simulator/ca.pem": str(tmp_path / "ca.pem"),
        "--port 8088 --outbound-port 8089": "--port 0 --outbound-port 0 --ready-file '%s'" % ready_file,
        "YEASTAR_PORT=8088": 'YEASTAR_PORT="$(ready_port port)"',
        "http://127.0.0.1:8089": 'http://127.0.0.1:"$(ready_port outbound_port)"',
    }
    script = by_hand.replace("\\\n", " ")
    for documented, here in replacements.items():
        assert documented in script, documented
        script = script.replace(documented, here)
    assert "8088" not in script and "8089" not in script
    run = bash("\n".join([ready_port_function(ready_file), script,
                          "ansible localhost -m voiceops.pbx.yeastar_extension_info -a extensions=1000",
                          "status=$?", "kill %1", "wait", "exit $status"]),
               environment(tmp_path, ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_INVENTORY_UNPARSED_WARNING="False"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^localhost \| SUCCESS", run.stdout, re.M) and '"number": "1000"' in run.stdout


def getting_started_blocks(title, language):
    """The fenced blocks of one language in a section of docs/getting-started.md."""
    text = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    section = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % re.escape(title), text, re.M | re.S).group(1)
    return re.findall(r"^```%s\n(.*?)^```" % language, section, re.M | re.S)


def in_newcomer_shell(command, env, directory):
    """command in a shell set up by make env, in directory, with the collection under test."""
    return bash('eval "$(make -s env)" && export ANSIBLE_COLLECTIONS_PATH=%s && cd %s && %s' % (
        shlex.quote(collections_path()), shlex.quote(str(directory)), command), env)


def play_recap(run):
    return re.search(r"^localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0", run.stdout, re.M)


def test_getting_started_works_as_written_after_make_env(make_simulator, tmp_path):
    first_contact, _vaulted = getting_started_blocks("First contact: one ad hoc command", "bash")
    *skipped, adhoc = first_contact.strip().splitlines()
    assert skipped and all(line.startswith(("export ", "read ")) for line in skipped), "the lines the page says to skip"
    playbook, _connection_in_the_play = getting_started_blocks("First playbook", "yaml")
    [check_run] = getting_started_blocks("First playbook", "bash")
    [inventory] = getting_started_blocks("Extensions as inventory hosts", "yaml")
    [graph] = getting_started_blocks("Extensions as inventory hosts", "bash")
    registration_task, _outbound_in_the_play = getting_started_blocks("Phone registration", "yaml")
    work = tmp_path / "newcomer"
    work.mkdir()
    (work / "voicemail.yml").write_text(playbook)
    (work / "pbx.yeastar.yml").write_text(inventory)
    (work / "registration.yml").write_text("---\n- name: Phones\n  hosts: localhost\n  gather_facts: false\n  tasks:\n"
                                           + textwrap.indent(registration_task, "    "))

    def run(command):
        done = in_newcomer_shell(command, make_simulator, work)
        assert done.returncode == 0, command + "\n" + done.stdout + done.stderr
        return done

    listed = run(adhoc)
    assert re.search(r"^localhost \| SUCCESS", listed.stdout, re.M) and '"extensionlist/query": 1' in listed.stdout
    assert check_run.strip() == "ansible-playbook voicemail.yml --check --diff"
    assert play_recap(run(check_run)).groups() == ("2", "1")
    assert play_recap(run("ansible-playbook voicemail.yml")).groups() == ("2", "1")  # the check run wrote nothing
    assert play_recap(run("ansible-playbook voicemail.yml")).groups() == ("2", "0")
    assert graph.strip() == "ansible-inventory -i pbx.yeastar.yml --graph"
    assert "|--ext1002" in run(graph).stdout
    assert play_recap(run("ansible-playbook registration.yml")).groups() == ("1", "0")
