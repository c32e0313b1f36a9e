# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``python -m simulator`` started with a Python that lacks its packages says so at once, in one line."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import cli

TESTS = pathlib.Path(os.path.abspath(__file__)).parents[1]
VENV_COMMAND = "../.venv/bin/python -m simulator"


def bare_python_simulator(*arguments):
    """The simulator run by this Python without site-packages (-S): the standard library only, like a system Python."""
    return subprocess.run([sys.executable, "-S", "-m", "simulator"] + list(arguments), cwd=str(TESTS),
                          capture_output=True, text=True, timeout=60, check=False)


def test_without_trustme_the_simulator_stops_at_start_naming_the_module_and_the_venv(tmp_path):
    run = bare_python_simulator("--port", "0", "--ready-file", str(tmp_path / "ready.json"))
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert "no module 'trustme'" in lines[0] and VENV_COMMAND in lines[0] and "Traceback" not in run.stderr
    assert not (tmp_path / "ready.json").exists()


def test_without_pyyaml_a_yaml_seed_file_names_the_module(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text("- extnumber: '1000'\n")
    run = bare_python_simulator("--port", "0", "--no-tls", "--seed-file", str(seed))
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1 and "no module 'yaml'" in run.stderr and VENV_COMMAND in run.stderr


def test_help_says_which_interpreter_and_what_this_one_lacks():
    run = bare_python_simulator("--help")
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "Run it with the project's venv, from tests/: %s" % VENV_COMMAND in text
    assert "it lacks trustme" in text


def test_help_with_the_venv_says_it_has_everything():
    run = subprocess.run([sys.executable, "-m", "simulator", "--help"], cwd=str(TESTS), capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert "it has trustme and PyYAML" in " ".join(run.stdout.split())


def test_a_missing_module_at_start_is_one_error_line(monkeypatch, capsys):
    def no_trustme(*_args, **_kwargs):
        raise ModuleNotFoundError("No module named 'trustme'", name="trustme")

    monkeypatch.setattr(cli, "TestPKI", no_trustme)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--port", "0"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "has no module 'trustme'" in error and VENV_COMMAND in error
