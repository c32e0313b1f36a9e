# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CI cannot be narrowed, and what the test command promises it checks (without running CI).

.ci/run must clear every variable that tools/test.sh, the scripts it calls, the tests and make
read to choose what runs: the variables are found by reading those files, .ci/run is then run with
each of them set and a stand-in for make that records the environment it was given. The compat
step's version check, the integration step's refusal of skipped tests and the way CI and
VOICEOPS_HYPOTHESIS_EXAMPLES reach the unit tests past ansible-test are tried through tools/lib.sh.
"""

from __future__ import annotations

import fnmatch
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.path.abspath(__file__)).parents[2]
CI_RUN = ROOT / ".ci" / "run"
TOOLS_LIB = ROOT / "tools" / "lib.sh"
UNITS_CONFTEST = ROOT / "tests" / "unit" / "plugins" / "conftest.py"

# Read by the scripts, and meant to reach them from the machine: where things are and CI itself.
ALLOWED = {"HOME", "PATH", "TMPDIR", "JAVA_HOME", "CI"}
# Set by bash itself.
BASH_VARIABLES = {"BASH_SOURCE", "BASH_REMATCH", "FUNCNAME", "LINENO", "PIPESTATUS", "PWD", "RANDOM", "SECONDS", "UID"}

SHELL_REFERENCE = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)")
SHELL_DEFAULTED = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):?[-+=]")
SHELL_ASSIGNMENT = re.compile(r"(?:^|[\s;(])(?:local\s+|export\s+|declare\s+(?:-\w+\s+)?)?([A-Z_][A-Z0-9_]*)\+?=|"
                              r"printf\s+-v\s+\"?([A-Z_][A-Z0-9_]*)\"?|\bfor\s+([A-Z_][A-Z0-9_]*)\s+in\b", re.M)
SKIP_WORD = re.compile(r"\b(SKIP_[A-Z0-9_]+)\b")
MAKE_REFERENCE = re.compile(r"\$[({]([A-Z_][A-Z0-9_]*)[)}]")
PYTHON_READ = re.compile(r"(?:environ\.get|environ\.setdefault|getenv)\(\s*[\"']([A-Z_][A-Z0-9_]*)[\"']|"
                         r"environ\[\s*[\"']([A-Z_][A-Z0-9_]*)[\"']\s*\](?!\s*=[^=])|"
                         r"[\"']([A-Z_][A-Z0-9_]*)[\"']\s+(?:not\s+)?in\s+os\.environ")


def shell_scripts():
    return sorted((ROOT / "tools").glob("*.sh"))


def python_sources():
    this_test = pathlib.Path(os.path.abspath(__file__))
    tests = [path for path in (ROOT / "tests").rglob("*.py")
             if "output" not in path.relative_to(ROOT).parts and path.resolve() != this_test.resolve()]
    return sorted(tests) + sorted((ROOT / "tools").rglob("*.py"))


def shell_reads(texts):
    """Variables that the shell scripts take from their environment: those they give a default
    (${X:-...}, the usual way to read an optional setting), those they read and never set, and
    the SKIP_* names that tools/test.sh reads by indirection."""
    assigned = set()
    referenced = set()
    defaulted = set()
    skips = set()
    for text in texts:
        for match in SHELL_ASSIGNMENT.finditer(text):
            assigned.update(name for name in match.groups() if name)
        referenced.update(SHELL_REFERENCE.findall(text))
        defaulted.update(SHELL_DEFAULTED.findall(text))
        skips.update(SKIP_WORD.findall(text))
    return (defaulted | (referenced - assigned) | skips) - BASH_VARIABLES


def python_reads(texts):
    found = set()
    for text in texts:
        for match in PYTHON_READ.finditer(text):
            found.update(name for name in match.groups() if name)
    return found


def variables_read():
    shell = shell_reads(path.read_text(encoding="utf-8") for path in shell_scripts())
    make = set(MAKE_REFERENCE.findall((ROOT / "Makefile").read_text(encoding="utf-8")))
    python = python_reads(path.read_text(encoding="utf-8") for path in python_sources())
    return shell | make | python


def cleared_by_ci_run():
    """The names that .ci/run unsets, and the glob patterns of the families it unsets."""
    text = CI_RUN.read_text(encoding="utf-8").replace("\\\n", " ")
    names = set()
    for line in text.splitlines():
        words = line.split()
        if words[:1] == ["unset"] and not any(word.startswith('"') for word in words):
            names.update(words[1:])
    families = set()
    for line in text.splitlines():
        if line.strip().endswith(') unset "$name" ;;'):
            families.update(pattern.strip() for pattern in line.split(")")[0].split("|"))
    return names, families


def is_cleared(name, names, families):
    return name in names or any(fnmatch.fnmatchcase(name, pattern) for pattern in families)


def run_lib(script, *args, env=None):
    """Runs script after sourcing tools/lib.sh, with this Python first on PATH (as the test command has it)."""
    env = dict(os.environ if env is None else env)
    env["PATH"] = "%s%s%s" % (os.path.dirname(sys.executable), os.pathsep, env.get("PATH", ""))
    return subprocess.run(["bash", "-c", 'source "$1" && shift && ' + script, "lib", str(TOOLS_LIB), *args],
                          capture_output=True, text=True, check=False, timeout=60, env=env)


def test_the_scan_finds_the_variables_named_in_the_issue():
    found = variables_read()
    assert {"PYTEST_ARGS", "ONLY", "SKIP_LINT", "VOICEOPS_FORK_HOSTS", "VENV_REQUIREMENTS", "COMPAT_PYTHON", "PYTHON",
            "INTEGRATION_WORKERS", "TEST_TREE_ROOT", "VOICEOPS_HYPOTHESIS_EXAMPLES", "UNITS_ARGS"} <= found
    assert not {"REPO_ROOT", "STEP_NAMES", "TREE"} & found, "variables the scripts set themselves are not reads"


def test_ci_run_clears_every_variable_the_scripts_read():
    names, families = cleared_by_ci_run()
    assert "PYTEST_*" in families and "PYTHON*" in families
    missing = sorted(name for name in variables_read() - ALLOWED if not is_cleared(name, names, families))
    assert not missing, ".ci/run lets these through (unset them, or allow them in this test): %s" % missing


def test_a_variable_that_ci_run_does_not_clear_is_reported():
    names, families = cleared_by_ci_run()
    assert not is_cleared("NEW_KNOB", names, families)
    assert "NEW_KNOB" in shell_reads(['if [[ "${NEW_KNOB:-}" == 1 ]]; then :; fi'])
    assert "OTHER_KNOB" in python_reads(['os.environ.get("OTHER_KNOB", "1")'])


def test_make_gets_none_of_the_variables_that_narrow_the_run(tmp_path):
    recorded = tmp_path / "make-environment.json"
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    make = fake_bin / "make"
    make.write_text('#!/bin/sh\nexec "%s" -c "import json, os, sys; json.dump(dict(os.environ, ARGS=sys.argv[1:]), '
                    'open(%r, \'w\'))" "$@"\n' % (sys.executable, str(recorded)))
    make.chmod(0o755)
    narrowing = {name: "1" for name in variables_read() - ALLOWED}
    narrowing.update(PYTEST_ADDOPTS="-k nothing", PYTHONOPTIMIZE="2", MAKEFLAGS="-n", ANSIBLE_CONFIG="/dev/null",
                     HYPOTHESIS_PROFILE="fast", SKIP_SOMETHING_NEW="1")
    env = dict(narrowing, PATH="%s%s%s" % (fake_bin, os.pathsep, os.environ["PATH"]), HOME=str(tmp_path), CI="true",
               JAVA_HOME="/opt/java")
    subprocess.run(["bash", str(CI_RUN)], env=env, check=True, timeout=60)
    seen = json.loads(recorded.read_text(encoding="utf-8"))
    assert seen["ARGS"] == ["test"]
    assert sorted(set(narrowing) & set(seen)) == []
    assert (seen["CI"], seen["HOME"], seen["JAVA_HOME"]) == ("true", str(tmp_path), "/opt/java")


@pytest.mark.parametrize("python_version, core_version, complaint", [
    ("3.12", "2.19.4", "runs Python 3.12, not 3.11"),
    ("3.11", "2.20.0", "runs ansible-core 2.20.0, not 2.19"),
    ("3.11", "2.190.0", "runs ansible-core 2.190.0, not 2.19"),
])
def test_the_compat_step_refuses_another_python_or_ansible_core(python_version, core_version, complaint):
    refused = run_lib('require_compat_versions "$@"', python_version, core_version)
    assert refused.returncode == 1
    assert complaint in refused.stderr


def test_the_compat_step_accepts_python_3_11_with_ansible_core_2_19():
    for core_version in ("2.19", "2.19.4", "2.19.0rc1"):
        accepted = run_lib('require_compat_versions "$@"', "3.11", core_version)
        assert accepted.returncode == 0, accepted.stderr


def junit(tmp_path, cases):
    path = tmp_path / "junit.xml"
    path.write_text('<testsuites><testsuite name="pytest">%s</testsuite></testsuites>' % "".join(cases))
    return path


def test_a_skipped_integration_test_fails_the_step(tmp_path):
    report = junit(tmp_path, ['<testcase classname="test_a" name="test_ran"/>',
                              '<testcase classname="test_rulebook" name="test_rules">'
                              '<skipped type="pytest.skip" message="no Java 17+ runtime"/></testcase>'])
    refused = run_lib('forbid_skipped_tests "$1"', str(report))
    assert refused.returncode == 1
    assert "1 test(s) skipped" in refused.stderr
    assert "test_rulebook::test_rules: no Java 17+ runtime" in refused.stderr


def test_integration_tests_that_all_ran_pass_the_step(tmp_path):
    report = junit(tmp_path, ['<testcase classname="test_a" name="test_ran"/>',
                              '<testcase classname="test_b" name="test_failed"><failure message="x"/></testcase>'])
    assert run_lib('forbid_skipped_tests "$1"', str(report)).returncode == 0


def units_tree(tmp_path):
    """A collection copy as ansible-test units sees it: the conftest that restores the variables
    and a unit test that records the environment its module was imported with."""
    plugins = tmp_path / "tests" / "unit" / "plugins"
    plugins.mkdir(parents=True)
    (plugins / "conftest.py").write_text(UNITS_CONFTEST.read_text(encoding="utf-8"), encoding="utf-8")
    (plugins / "test_probe.py").write_text(
        "import json, os\nSEEN = {name: os.environ.get(name) for name in ('CI', 'VOICEOPS_HYPOTHESIS_EXAMPLES')}\n"
        "def test_probe():\n    with open(os.environ['PROBE_OUT'], 'w') as out:\n        json.dump(SEEN, out)\n")
    return plugins


def test_ci_and_hypothesis_examples_reach_unit_tests_run_without_them(tmp_path):
    plugins = units_tree(tmp_path)
    written = run_lib('write_units_environment "$1"', str(tmp_path),
                      env=dict(os.environ, CI="true", VOICEOPS_HYPOTHESIS_EXAMPLES="7"))
    assert written.returncode == 0, written.stderr
    probe = tmp_path / "seen.json"
    # What ansible-test units gives pytest: its own small environment, not the caller's.
    units_env = dict(PATH=os.environ["PATH"], HOME=str(tmp_path), LC_ALL="C.UTF-8", PROBE_OUT=str(probe))
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(plugins)],
                         cwd=tmp_path, env=units_env, capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert json.loads(probe.read_text(encoding="utf-8")) == {"CI": "true", "VOICEOPS_HYPOTHESIS_EXAMPLES": "7"}


def test_unset_variables_are_not_written_and_set_ones_win(tmp_path):
    caller = {name: value for name, value in os.environ.items() if name not in ("CI", "VOICEOPS_HYPOTHESIS_EXAMPLES")}
    assert run_lib('write_units_environment "$1"', str(tmp_path), env=caller).returncode == 0
    recorded = tmp_path / "tests" / "output" / "units-environment.json"
    assert json.loads(recorded.read_text(encoding="utf-8")) == {}
    recorded.write_text(json.dumps({"CI": "true", "VOICEOPS_HYPOTHESIS_EXAMPLES": "7"}), encoding="utf-8")
    namespace = {"__file__": str(UNITS_CONFTEST)}
    exec(compile(UNITS_CONFTEST.read_text(encoding="utf-8"), str(UNITS_CONFTEST), "exec"), namespace)  # pylint: disable=exec-used
    environ = {"VOICEOPS_HYPOTHESIS_EXAMPLES": "3"}
    namespace["restore_environment"](recorded, environ)
    assert environ == {"CI": "true", "VOICEOPS_HYPOTHESIS_EXAMPLES": "3"}
