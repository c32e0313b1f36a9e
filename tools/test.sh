#!/usr/bin/env bash
# `make test` (and CI, through .ci/run): every test of the collection, in order,
# stopping at the first step that fails, then a summary with the time of each step.
#
#   venv         tools/venv.sh: .venv with ansible-core, ansible-lint, pytest, ...
#   tree         tools/build-tree.sh: a clean copy of the checkout at
#                <tmp>/voiceops-pbx-test-<hash>/ansible_collections/voiceops/pbx
#   get-pip      tools/seed-get-pip.sh: the offline pip bootstrap for ansible-test
#   sanity       ansible-test sanity --requirements, in the copy
#   units        ansible-test units --venv --requirements, in the copy
#   lint         ansible-lint --offline (profile production, see .ansible-lint)
#   integration  pytest tests/integration, when it holds test files, run in the copy,
#                with VOICEOPS_COLLECTIONS_PATH, ANSIBLE_COLLECTIONS_PATH and PYTHONPATH
#                all naming the directory that holds its ansible_collections/
#
# Environment variables:
#   SKIP_SANITY=1 SKIP_UNITS=1 SKIP_LINT=1 SKIP_INTEGRATION=1   leave a step out
#   SANITY_TESTS="pep8 validate-modules"   run only these sanity tests
#   UNITS_ARGS="..."        more arguments for ansible-test units (e.g. a path)
#   INTEGRATION_WORKERS=N   pytest-xdist workers for the integration tests (default 2,
#                           one per core; 0 runs them one after the other)
#   PYTEST_ARGS="..."       more arguments for the integration pytest (e.g. -x -k info)
#   KEEP_GOING=1            run the later steps after a failure (still exits 1)
#   PYTHON=python3          interpreter for .venv instead of the Python 3.12 lookup
#   TEST_TREE_ROOT=dir      where to build the ansible_collections copy
# Leaving a step out is said in the summary; CI runs with none left out.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STEP_NAMES=()
STEP_RESULTS=()
STEP_SECONDS=()
FAILED_STEPS=()
START="$(now)"
TREE=""
PYVER=""

summary() {
    local i
    printf '\n==== summary ====\n'
    for i in "${!STEP_NAMES[@]}"; do
        printf '  %-12s %-8s %4ss\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}" "${STEP_SECONDS[$i]}"
    done
    printf '  total time: %ss\n' "$(( $(now) - START ))"
}

# run_step NAME FUNCTION: runs the function in a subshell (so `set -e` applies inside
# it), records its result and time, and stops everything when it fails.
run_step() {
    local name="$1" func="$2" began status
    header "$name"
    began="$(now)"
    set +e
    ( set -e; "$func" )
    status=$?
    set -e
    STEP_NAMES+=("$name")
    STEP_SECONDS+=("$(( $(now) - began ))")
    if [[ $status -eq 0 ]]; then
        STEP_RESULTS+=("ok")
        return 0
    fi
    STEP_RESULTS+=("FAILED")
    FAILED_STEPS+=("$name")
    if [[ "${KEEP_GOING:-}" == 1 && "$name" != venv && "$name" != tree ]]; then
        return 0
    fi
    summary
    printf '\nmake test: FAILED in step "%s" (exit status %s); stopped there (KEEP_GOING=1 runs the rest).\n' "$name" "$status"
    exit 1
}

skip_step() {
    header "$1"
    echo "skipped: $2"
    STEP_NAMES+=("$1")
    STEP_RESULTS+=("skipped")
    STEP_SECONDS+=("0")
}

step_venv() {
    bash "$REPO_ROOT/tools/venv.sh"
}

step_tree() {
    bash "$REPO_ROOT/tools/build-tree.sh" >/dev/null
}

step_get_pip() {
    bash "$REPO_ROOT/tools/seed-get-pip.sh" "$PYVER"
}

step_sanity() {
    local args=(--python "$PYVER" --requirements --color no)
    local test
    for test in ${SANITY_TESTS:-}; do
        args+=(--test "$test")
    done
    cd "$TREE"
    echo "ansible-test sanity ${args[*]}"
    without_mirror_noise ansible-test sanity "${args[@]}"
}

step_units() {
    local tests
    tests="$(find "$TREE/tests/unit" -name 'test_*.py' -type f 2>/dev/null | wc -l)"
    if [[ "$tests" -eq 0 ]]; then
        echo "no unit test files (tests/unit/**/test_*.py): nothing would be tested" >&2
        return 1
    fi
    cd "$TREE"
    rm -rf tests/output/junit
    # shellcheck disable=SC2086 # UNITS_ARGS is a list of words on purpose
    without_mirror_noise ansible-test units --venv --python "$PYVER" --requirements --color no ${UNITS_ARGS:-}
    # ansible-test passes when pytest ran nothing (its exit status 5): count what ran.
    python - tests/output/junit <<'EOF'
import glob
import sys
import xml.etree.ElementTree as ET

totals = dict(tests=0, failures=0, errors=0, skipped=0)
for path in glob.glob(sys.argv[1] + "/*units.xml"):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
print("unit tests: %(tests)d collected, %(skipped)d skipped, %(failures)d failed, %(errors)d errors" % totals)
if totals["tests"] - totals["skipped"] <= 0:
    sys.exit("no unit test ran: that is a failure here")
EOF
}

step_lint() {
    cd "$REPO_ROOT"
    # The collection under test is found in the copy, not in the checkout.
    ANSIBLE_COLLECTIONS_PATH="$(tree_root)" ansible-lint --offline --nocolor
}

step_integration() {
    local status=0
    # Run in the copy, so that the tests, the simulator they import and the collection
    # that ansible-playbook loads are one and the same.
    cd "$TREE"
    export VOICEOPS_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATH PYTHONPATH
    VOICEOPS_COLLECTIONS_PATH="$(tree_root)"
    ANSIBLE_COLLECTIONS_PATH="$VOICEOPS_COLLECTIONS_PATH"
    PYTHONPATH="$VOICEOPS_COLLECTIONS_PATH${PYTHONPATH:+:$PYTHONPATH}"
    local workers=()
    if [[ "${INTEGRATION_WORKERS:-2}" != 0 ]]; then
        workers=(-n "${INTEGRATION_WORKERS:-2}")
    fi
    # shellcheck disable=SC2086 # PYTEST_ARGS is a list of words on purpose
    python -m pytest -p no:cacheprovider "${workers[@]}" ${PYTEST_ARGS:-} tests/integration || status=$?
    if [[ $status -eq 5 ]]; then
        echo "pytest collected no tests in tests/integration (exit status 5): that is a failure here" >&2
    fi
    return "$status"
}

has_integration_tests() {
    [[ -d "$REPO_ROOT/tests/integration" ]] &&
        [[ -n "$(find "$REPO_ROOT/tests/integration" \( -name 'test_*.py' -o -name '*_test.py' \) -type f -print -quit)" ]]
}

run_step venv step_venv
activate_venv
PYVER="$(venv_python_version)"
echo "Python $PYVER, ansible-core $(python -c 'from ansible.release import __version__; print(__version__)')"

run_step tree step_tree
TREE="$(tree_root)/ansible_collections/$(collection_name)"
echo "collection copy: $TREE"

if [[ "${SKIP_SANITY:-}" == 1 && "${SKIP_UNITS:-}" == 1 ]]; then
    skip_step get-pip "only ansible-test needs it"
else
    run_step get-pip step_get_pip
fi

if [[ "${SKIP_SANITY:-}" == 1 ]]; then
    skip_step sanity "SKIP_SANITY=1"
else
    run_step sanity step_sanity
fi

if [[ "${SKIP_UNITS:-}" == 1 ]]; then
    skip_step units "SKIP_UNITS=1"
else
    run_step units step_units
fi

if [[ "${SKIP_LINT:-}" == 1 ]]; then
    skip_step lint "SKIP_LINT=1"
else
    run_step lint step_lint
fi

if [[ "${SKIP_INTEGRATION:-}" == 1 ]]; then
    skip_step integration "SKIP_INTEGRATION=1"
elif has_integration_tests; then
    run_step integration step_integration
else
    skip_step integration "tests/integration has no test files yet"
fi

summary
echo
if [[ ${#FAILED_STEPS[@]} -gt 0 ]]; then
    echo "make test: FAILED in step(s): ${FAILED_STEPS[*]}"
    exit 1
fi
echo "make test: all steps passed"
