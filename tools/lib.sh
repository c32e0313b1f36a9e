# shellcheck shell=bash
# Helpers shared by the scripts in tools/. Source it; it does nothing by itself.

# Repository root (the collection root), whatever the caller's directory.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${VENV_DIR:-$REPO_ROOT/.venv}"
BUILD_DIR="${BUILD_DIR:-$REPO_ROOT/.build}"
# Release tools (antsibull-docs, Sphinx, ansible-builder, galaxy-importer), apart from .venv.
RELEASE_VENV_DIR="${RELEASE_VENV_DIR:-$REPO_ROOT/.venv-release}"
# The oldest ansible-core of the CI matrix (2.19, on Python 3.11).
COMPAT_VENV_DIR="${COMPAT_VENV_DIR:-$REPO_ROOT/.venv-2.19}"

# A banner that stands out in a long log.
header() {
    printf '\n==== %s ====\n' "$*"
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Succeeds when "$1" names a Python interpreter that actually runs
# (a pyenv shim for a version that is not selected exits non-zero).
python_works() {
    "$1" -c 'import sys, venv; sys.exit(0)' >/dev/null 2>&1
}

# Prints the interpreter to build .venv with: $PYTHON when set, else
# Python 3.12 (pyenv 3.12.1, any pyenv 3.12, python3.12 on PATH), else python3.
pick_python() {
    local candidate prefix
    if [[ -n "${PYTHON:-}" ]]; then
        python_works "$PYTHON" || die "PYTHON=$PYTHON does not run"
        printf '%s\n' "$PYTHON"
        return
    fi
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in 3.12.1 3.12; do
            prefix="$(pyenv prefix "$candidate" 2>/dev/null)" || continue
            if python_works "$prefix/bin/python3"; then
                printf '%s\n' "$prefix/bin/python3"
                return
            fi
        done
    fi
    if command -v python3.12 >/dev/null 2>&1 && python_works python3.12; then
        command -v python3.12
        return
    fi
    python_works python3 || die "no working python3 found"
    command -v python3
}

# Prints an interpreter of Python "$1" (for example 3.11): pyenv's newest "$1".x,
# python"$1" on PATH, or python3 when it is that version. Fails when none runs.
find_python_version() {
    local want="$1" prefix candidate
    if command -v pyenv >/dev/null 2>&1; then
        prefix="$(pyenv prefix "$want" 2>/dev/null)" || prefix=""
        if [[ -n "$prefix" ]] && python_works "$prefix/bin/python3"; then
            printf '%s\n' "$prefix/bin/python3"
            return
        fi
    fi
    for candidate in "python$want" python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_works "$candidate" &&
            [[ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" == "$want" ]]; then
            command -v "$candidate"
            return
        fi
    done
    return 1
}

# "3.12" for the venv's interpreter.
venv_python_version() {
    "$VENV_DIR/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# Puts the venv first on PATH so that ansible-*, pytest and friends come from it.
activate_venv() {
    [[ -x "$VENV_DIR/bin/python" ]] || die "$VENV_DIR is missing: run tools/venv.sh"
    export VIRTUAL_ENV="$VENV_DIR"
    export PATH="$VENV_DIR/bin:$PATH"
}

# Clock in whole seconds, for step timings.
now() {
    date +%s
}

# Where the test copy of the collection lives: <root>/ansible_collections/NAMESPACE/NAME/,
# as ansible-test wants it, under .build of this checkout (git ignores it, `make clean`
# removes it). TEST_TREE_ROOT overrides <root>; other copies add a suffix to it (-2.19, -docs, ...).
tree_root() {
    printf '%s\n' "${TEST_TREE_ROOT:-$BUILD_DIR/test}"
}

# The value of a top-level scalar field of galaxy.yml.
galaxy_field() {
    sed -n -E "/^$1:/{s/^$1:[[:space:]]*['\"]?([A-Za-z0-9_.]+).*/\\1/p;q;}" "$REPO_ROOT/galaxy.yml"
}

# "namespace/name" from galaxy.yml.
collection_name() {
    local namespace name
    namespace="$(galaxy_field namespace)"
    name="$(galaxy_field name)"
    [[ -n "$namespace" && -n "$name" ]] || die "cannot read namespace and name from galaxy.yml"
    printf '%s/%s\n' "$namespace" "$name"
}

# Runs a command with the noise of pip about this machine's file:// package mirrors
# (missing project pages) dropped from its output; keeps its exit status.
without_mirror_noise() {
    "$@" 2>&1 | { grep --line-buffered -v -e 'is ignored: it is neither a file nor a directory' || true; }
}

# Starts the PBX simulator of tests/simulator in the background, the S-Series API on
# port "$2" and the Predictive Outbound API on port "$3" (default 0: free ports),
# writing its ready file, CA and log into directory "$1", and waits until it is
# ready. Sets SIM_PID. SIMULATOR_TIMEOUT (seconds, default 60) bounds the wait.
start_simulator() {
    local dir="$1" port="${2:-0}" outbound_port="${3:-0}" waited=0 limit
    limit=$(( ${SIMULATOR_TIMEOUT:-60} * 5 ))
    rm -f "$dir/ready.json"
    (cd "$REPO_ROOT/tests" && exec "$VENV_DIR/bin/python" -m simulator \
        --port "$port" --outbound-port "$outbound_port" --ready-file "$dir/ready.json" --ca-out "$dir/ca.pem") \
        >"$dir/simulator.log" 2>&1 </dev/null &
    SIM_PID=$!
    until ready_field "$dir/ready.json" port >/dev/null 2>&1; do
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            wait "$SIM_PID" || true
            SIM_PID=""
            die "the simulator exited before it was ready (log: $dir/simulator.log)"
        fi
        if (( waited >= limit )); then
            die "the simulator was not ready after ${SIMULATOR_TIMEOUT:-60}s (log: $dir/simulator.log)"
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
}

# Stops the simulator started by start_simulator: TERM, then KILL after 5 seconds.
stop_simulator() {
    local pid="$1" tries=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && (( tries < 25 )); do
        sleep 0.2
        tries=$((tries + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Prints field "$2" of the simulator's ready file "$1" (one JSON object);
# fails while the file is missing or incomplete.
ready_field() {
    "$VENV_DIR/bin/python" - "$1" "$2" <<'PYEOF'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    print(json.loads(handle.read())[sys.argv[2]])
PYEOF
}

# The major version of the Java runtime "$1" (a path to a java binary): 17 for
# `openjdk version "17.0.15"`, 8 for the old `"1.8.0_402"` form. Fails when it does not run.
java_major_version() {
    local banner version
    banner="$("$1" -version 2>&1)" || return 1
    version="$(sed -n -E '1s/^[^"]*"([0-9][0-9._]*)[^"]*".*/\1/p' <<<"$banner")"
    [[ -n "$version" ]] || return 1
    if [[ "$version" == 1.* ]]; then
        version="${version#1.}"
    fi
    printf '%s\n' "${version%%[._]*}"
}

# Prints the home of a Java 17+ runtime, for ansible-rulebook (its Drools engine runs in
# the JVM): JAVA_HOME when it holds one, else the runtime of the `java` on PATH (symbolic
# links resolved, two levels above bin/java). Fails, saying why on stderr, when neither does.
find_java_home() {
    local home java major
    for home in "${JAVA_HOME:-}" "$(java_home_of_path)"; do
        [[ -n "$home" ]] || continue
        java="$home/bin/java"
        if major="$(java_major_version "$java")" && (( major >= 17 )); then
            printf '%s\n' "$home"
            return 0
        fi
        printf 'find_java_home: %s is not a Java 17+ runtime (version: %s)\n' "$home" "${major:-none}" >&2
    done
    printf 'find_java_home: no Java 17+ runtime (set JAVA_HOME, or put java on PATH)\n' >&2
    return 1
}

# The home of the `java` on PATH (empty when there is none).
java_home_of_path() {
    local java
    java="$(command -v java 2>/dev/null)" || return 0
    java="$(readlink -f "$java")"
    dirname "$(dirname "$java")"
}

# The oldest ansible-core of the CI matrix and its Python (the compat step's .venv-2.19).
COMPAT_PYTHON_VERSION=3.11
COMPAT_ANSIBLE_CORE=2.19

# Fails, saying what it found, unless Python "$1" and ansible-core "$2" (full versions, such as
# 3.11 and 2.19.4) are the compat step's: a COMPAT_PYTHON or a requirements file pointing elsewhere
# would otherwise test another matrix entry under its name.
require_compat_versions() {
    local python_version="$1" core_version="$2"
    [[ "$python_version" == "$COMPAT_PYTHON_VERSION" ]] ||
        die "compat: runs Python $python_version, not $COMPAT_PYTHON_VERSION (check COMPAT_PYTHON)"
    [[ "$core_version" == "$COMPAT_ANSIBLE_CORE" || "$core_version" == "$COMPAT_ANSIBLE_CORE".* ]] ||
        die "compat: runs ansible-core $core_version, not $COMPAT_ANSIBLE_CORE (check tests/requirements-compat.txt)"
}

# Variables of the caller that the unit tests read, which ansible-test units does not pass to
# pytest (it runs pytest with an environment of its own): CI (Hypothesis' derandomization) and
# VOICEOPS_HYPOTHESIS_EXAMPLES.
UNITS_ENVIRONMENT=(CI VOICEOPS_HYPOTHESIS_EXAMPLES)

# Writes those of UNITS_ENVIRONMENT that are set into "$1"/tests/output/units-environment.json
# (a collection copy), where tests/unit/plugins/conftest.py reads them back.
write_units_environment() {
    mkdir -p "$1/tests/output"
    python3 - "$1/tests/output/units-environment.json" "${UNITS_ENVIRONMENT[@]}" <<'PYEOF'
import json
import os
import sys

passed = {name: os.environ[name] for name in sys.argv[2:] if name in os.environ}
with open(sys.argv[1], "w", encoding="utf-8") as handle:
    json.dump(passed, handle)
PYEOF
}

# Fails, naming them, when the junit XML file "$1" records skipped tests: a skip in CI is a test
# that did not run, whatever the reason.
forbid_skipped_tests() {
    python3 - "$1" <<'PYEOF'
import sys
import xml.etree.ElementTree as ET

skipped = []
for case in ET.parse(sys.argv[1]).getroot().iter("testcase"):
    for skip in case.findall("skipped"):
        skipped.append("%s::%s: %s" % (case.get("classname"), case.get("name"), skip.get("message", "")))
if skipped:
    sys.exit("%d test(s) skipped, which fails this step:\n  %s" % (len(skipped), "\n  ".join(skipped)))
print("no test skipped")
PYEOF
}
