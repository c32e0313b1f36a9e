# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Running ansible commands: wall time, CPU time and peak memory of the whole process tree."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time


class HarnessError(Exception):
    pass


def log(message):
    print(message, flush=True)


class Run:
    def __init__(self, wall, cpu, returncode, output, errors="", calls=None):
        self.wall = wall
        self.cpu = cpu
        self.returncode = returncode
        self.output = output  # standard output: what the measured command prints as its result
        self.errors = errors  # standard error: warnings (such as a library's deprecation warning) and errors
        self.calls = calls or {}
        self.pbx_seconds = 0.0   # the simulator's time answering the run's calls

    @property
    def transcript(self):
        """Both outputs, for a message about a failed run."""
        return self.output + self.errors


class Runner:
    """Runs ansible commands with a fixed environment; wall time, CPU time of the process tree."""

    def __init__(self, work, collections_path, sim_env):
        self.work = work
        bindir = pathlib.Path(sys.executable).parent
        self.bin = {name: str(bindir / name) for name in ("ansible-playbook", "ansible-inventory")}
        for path in self.bin.values():
            if not os.path.exists(path):
                raise HarnessError("%s is missing: run through tools/benchmark.sh (the .venv)" % path)
        self.env = dict(
            os.environ,
            ANSIBLE_COLLECTIONS_PATH=collections_path,
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
            ANSIBLE_PYTHON_INTERPRETER=sys.executable,
            ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
            ANSIBLE_HOME=str(work / "ansible-home"),
            ANSIBLE_LOCAL_TEMP=str(work / "ansible-tmp"),
            ANSIBLE_REMOTE_TEMP=str(work / "ansible-remote-tmp"),
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="false",
            **sim_env,
        )

    def run(self, command, env=None):
        output, errors = self.work / "last-output.txt", self.work / "last-errors.txt"
        started = time.perf_counter()
        with open(output, "wb") as sink, open(errors, "wb") as error_sink:
            process = subprocess.Popen(command, env=dict(self.env, **(env or {})), cwd=str(self.work),
                                       stdin=subprocess.DEVNULL, stdout=sink, stderr=error_sink,
                                       start_new_session=True)
            try:
                _pid, status, usage = os.wait4(process.pid, 0)
            except BaseException:
                os.killpg(process.pid, signal.SIGTERM)   # ansible-playbook and its workers
                process.wait()
                raise
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        return Run(wall, usage.ru_utime + usage.ru_stime, process.returncode, output.read_text(errors="replace"),
                   errors.read_text(errors="replace")), usage.ru_maxrss

    def playbook(self, playbook, *arguments, env=None):
        run, _rss = self.run([self.bin["ansible-playbook"], str(playbook)] + list(arguments), env)
        return run

    def inventory(self, source, env=None):
        return self.run([self.bin["ansible-inventory"], "-i", str(source), "--list"], env)
