#!/usr/bin/env bash
# `make test` (and CI, through .ci/run): every test of the collection, in order,
# stopping at the first step that fails, then a summary with the time of each step.
#
#   venv         tools/venv.sh: .venv with ansible-core, ansible-lint, ansible-runner, pytest, ...
#   tree         tools/build-tree.sh: a clean copy of the checkout at
#                .build/test/ansible_collections/voiceops/pbx (make clean removes .build)
#   get-pip      tools/seed-get-pip.sh: the offline pip bootstrap for ansible-test
#   sanity       ansible-test sanity --requirements, in the copy (.venv: newest ansible-core)
#   units        ansible-test units --venv --requirements, in the copy; CI and
#                VOICEOPS_HYPOTHESIS_EXAMPLES reach the tests through a file (write_units_environment)
#   lint         ansible-lint --offline (profile production, see .ansible-lint)
#   integration  pytest tests/integration, when it holds test files, run in the copy,
#                with VOICEOPS_COLLECTIONS_PATH, ANSIBLE_COLLECTIONS_PATH and PYTHONPATH
#                all naming the directory that holds its ansible_collections/; among them
#                the AWX tests (test_awx_runner.py: credential types, and jobs and inventory
#                updates through ansible-runner); JAVA_HOME names the Java 17+ runtime that
#                find_java_home (tools/lib.sh) finds, for ansible-rulebook in test_rulebook.py
#                (which skips where the machine has no Java 17+ runtime); a skipped test
#                fails the step (pytest -rs says why it skipped); the tests' temporary
#                directories go into .build/test-pytest, emptied by pytest at each run
#   benchmark-smoke  tools/benchmark --smoke in the copy: the benchmark of docs/performance.md
#                at N=50 (one repetition, the uri baseline on 3 items); checks the PBX call counts
#                exactly, not the timings (noise at that size); `make benchmark` is the full run
#   changelog    antsibull-changelog lint, and CHANGELOG.rst as generate makes it
#   tools        .venv-release from tests/requirements-release.txt (antsibull-docs, Sphinx,
#                ansible-builder, galaxy-importer), kept apart from .venv
#   build        ansible-galaxy collection build of the copy, for the ee and galaxy steps
#   docs         tools/docs.sh: antsibull-docs lint-collection-docs, then the site in docs/site
#   ee           tools/ee-check.sh: ansible-builder create, and the build's introspection
#   galaxy       tools/galaxy-import.sh: galaxy-importer on the build, no warnings allowed
#   compat       ansible-test sanity and units with ansible-core 2.19 on Python 3.11
#                (.venv-2.19 from tests/requirements-compat.txt, a copy of its own); fails
#                when the venv holds another Python or ansible-core
#
# Environment variables:
#   SKIP_SANITY=1 SKIP_UNITS=1 SKIP_LINT=1 SKIP_INTEGRATION=1   leave a step out; also
#   SKIP_BENCHMARK=1 SKIP_CHANGELOG=1 SKIP_DOCS=1 SKIP_EE=1 SKIP_GALAXY=1 SKIP_COMPAT=1
#                           (tools and build are left out when docs, ee and galaxy all are)
#   SANITY_TESTS="pep8 validate-modules"   run only these sanity tests (both ansible-cores)
#   UNITS_ARGS="..."        more arguments for ansible-test units (e.g. a path)
#   INTEGRATION_WORKERS=N   pytest-xdist workers for the integration tests (default 2,
#                           one per core; 0 runs them one after the other)
#   PYTEST_ARGS="..."       more arguments for the integration pytest (e.g. -x -k info)
#   ONLY="docs ee"          run only these of the steps that SKIP_* names (and what they need)
#   KEEP_GOING=1            run the later steps after a failure (still exits 1)
#   PYTHON=python3          interpreter for .venv instead of the Python 3.12 lookup
#   COMPAT_PYTHON=path      interpreter for .venv-2.19 instead of the Python 3.11 lookup
#   TEST_TREE_ROOT=dir      where to build the ansible_collections copy (default .build/test)
#   VOICEOPS_HYPOTHESIS_EXAMPLES=N  examples of each Hypothesis property of the unit tests (default 25)
#   VOICEOPS_FORK_HOSTS=N   hosts of the integration forks test (default 50, "all" for 2000)
# Leaving a step out is said in the summary; CI (.ci/run) clears all of these, and whatever else
# the scripts and tests read (tests/integration/test_ci_run.py keeps that list complete).
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ONLY="a b": every step that a SKIP_* variable names and ONLY does not is left out.
if [[ -n "${ONLY:-}" ]]; then
    for step in sanity units lint integration benchmark changelog docs ee galaxy compat; do
        if [[ " ${ONLY//,/ } " != *" $step "* ]]; then
            printf -v "SKIP_${step^^}" 1
        fi
    done
fi

STEP_NAMES=()
STEP_RESULTS=()
STEP_SECONDS=()
FAILED_STEPS=()
START="$(now)"
TREE=""
PYVER=""
DIST=""

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
    if [[ "${KEEP_GOING:-}" == 1 && "$name" != venv && "$name" != tree && "$name" != tools && "$name" != build ]]; then
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

# A step that its SKIP_* variable (the third argument) leaves out when it is 1.
optional_step() {
    local name="$1" func="$2" skip_var="$3"
    if [[ "${!skip_var:-}" == 1 ]]; then
        skip_step "$name" "$skip_var=1"
    else
        run_step "$name" "$func"
    fi
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

# ansible-test sanity in collection copy "$1" with Python "$2", by the ansible-test on PATH.
run_sanity() {
    local args=(--python "$2" --requirements --color no)
    local test
    for test in ${SANITY_TESTS:-}; do
        args+=(--test "$test")
    done
    cd "$1"
    echo "ansible-test sanity ${args[*]} ($(ansible-test --version))"
    without_mirror_noise ansible-test sanity "${args[@]}"
}

# ansible-test units in collection copy "$1" with Python "$2"; fails when no test ran.
run_units() {
    local tests
    tests="$(find "$1/tests/unit" -name 'test_*.py' -type f 2>/dev/null | wc -l)"
    if [[ "$tests" -eq 0 ]]; then
        echo "no unit test files (tests/unit/**/test_*.py): nothing would be tested" >&2
        return 1
    fi
    cd "$1"
    rm -rf tests/output/junit
    write_units_environment "$1"
    # shellcheck disable=SC2086 # UNITS_ARGS is a list of words on purpose
    without_mirror_noise ansible-test units --venv --python "$2" --requirements --color no ${UNITS_ARGS:-}
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

step_sanity() {
    run_sanity "$TREE" "$PYVER"
}

step_units() {
    run_units "$TREE" "$PYVER"
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
    # ansible-rulebook (tests/integration/test_rulebook.py) runs its rules engine in a JVM.
    if JAVA_HOME="$(find_java_home)"; then
        export JAVA_HOME
        echo "integration: JAVA_HOME=$JAVA_HOME (Java $(java_major_version "$JAVA_HOME/bin/java")) for ansible-rulebook"
    else
        unset JAVA_HOME
        echo "integration: no Java 17+ runtime: the ansible-rulebook test will skip, which fails this step" >&2
    fi
    local workers=()
    if [[ "${INTEGRATION_WORKERS:-2}" != 0 ]]; then
        workers=(-n "${INTEGRATION_WORKERS:-2}")
    fi
    local junit="$TREE/tests/output/integration-junit.xml"
    rm -f "$junit"
    mkdir -p "$(dirname "$junit")"
    # pytest empties --basetemp before it starts; it makes only the last directory of the path.
    local basetemp
    basetemp="$(tree_root)-pytest"
    mkdir -p "$(dirname "$basetemp")"
    # shellcheck disable=SC2086 # PYTEST_ARGS is a list of words on purpose
    python -m pytest -p no:cacheprovider -rs --junitxml="$junit" --basetemp="$basetemp" "${workers[@]}" \
        ${PYTEST_ARGS:-} tests/integration || status=$?
    if [[ $status -eq 5 ]]; then
        echo "pytest collected no tests in tests/integration (exit status 5): that is a failure here" >&2
    fi
    if [[ $status -eq 0 ]]; then
        forbid_skipped_tests "$junit" || status=$?
    fi
    return "$status"
}

has_integration_tests() {
    [[ -d "$REPO_ROOT/tests/integration" ]] &&
        [[ -n "$(find "$REPO_ROOT/tests/integration" \( -name 'test_*.py' -o -name '*_test.py' \) -type f -print -quit)" ]]
}

step_benchmark() {
    # Run in the copy, like the integration tests: the simulator and the collection are the copy's.
    cd "$TREE"
    YEASTAR_LOGIN_STATE_DIR="$(tree_root)/login-state" python tools/benchmark --smoke --collections-path "$(tree_root)"
}

step_changelog() {
    cd "$REPO_ROOT"
    antsibull-changelog lint -v
    echo "changelog: antsibull-changelog lint passed"
    # CHANGELOG.rst must be what changelogs/changelog.yaml gives (generated in the copy).
    if [[ -f "$REPO_ROOT/CHANGELOG.rst" ]]; then
        (cd "$TREE" && ANSIBLE_COLLECTIONS_PATH="$(tree_root)" antsibull-changelog generate)
        if ! diff -u "$REPO_ROOT/CHANGELOG.rst" "$TREE/CHANGELOG.rst"; then
            echo "CHANGELOG.rst is not current: run antsibull-changelog generate and commit it" >&2
            return 1
        fi
        echo "changelog: CHANGELOG.rst is current"
    fi
}

step_tools() {
    VENV_DIR="$RELEASE_VENV_DIR" VENV_REQUIREMENTS="$REPO_ROOT/tests/requirements-release.txt" \
        bash "$REPO_ROOT/tools/venv.sh"
}

step_build() {
    rm -rf "$DIST"
    "$RELEASE_VENV_DIR/bin/ansible-galaxy" collection build --output-path "$DIST" "$TREE"
}

dist_tarball() {
    ls "$DIST"/voiceops-pbx-*.tar.gz
}

step_docs() {
    # A fresh copy of its own: antsibull-docs' lint copies the whole collection, and the test
    # copy holds ansible-test's output by now (tens of MB, and other collection trees).
    bash "$REPO_ROOT/tools/docs.sh"
}

step_ee() {
    bash "$REPO_ROOT/tools/ee-check.sh" "$(dist_tarball)"
}

step_galaxy() {
    bash "$REPO_ROOT/tools/galaxy-import.sh" "$(dist_tarball)"
}

# The oldest ansible-core of the matrix: a venv of its own on Python 3.11, a copy of the
# tree of its own (ansible-test keeps its environments in tests/output), the same tests.
step_compat() {
    local python copy pyver
    python="${COMPAT_PYTHON:-}"
    if [[ -z "$python" ]]; then
        python="$(find_python_version "$COMPAT_PYTHON_VERSION")" ||
            die "no Python $COMPAT_PYTHON_VERSION for the ansible-core $COMPAT_ANSIBLE_CORE tests (set COMPAT_PYTHON)"
    fi
    PYTHON="$python" VENV_DIR="$COMPAT_VENV_DIR" VENV_REQUIREMENTS="$REPO_ROOT/tests/requirements-compat.txt" \
        bash "$REPO_ROOT/tools/venv.sh"
    export VIRTUAL_ENV="$COMPAT_VENV_DIR" PATH="$COMPAT_VENV_DIR/bin:$PATH"
    pyver="$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    echo "compat: Python $pyver, $(ansible-test --version)"
    require_compat_versions "$pyver" "$(python -c 'from ansible.release import __version__; print(__version__)')"
    VENV_DIR="$COMPAT_VENV_DIR" bash "$REPO_ROOT/tools/seed-get-pip.sh" "$pyver"
    copy="$(TEST_TREE_ROOT="$(tree_root)-2.19" bash "$REPO_ROOT/tools/build-tree.sh")"
    (run_sanity "$copy" "$pyver")
    run_units "$copy" "$pyver"
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

optional_step sanity step_sanity SKIP_SANITY
optional_step units step_units SKIP_UNITS
optional_step lint step_lint SKIP_LINT

if [[ "${SKIP_INTEGRATION:-}" == 1 ]]; then
    skip_step integration "SKIP_INTEGRATION=1"
elif has_integration_tests; then
    run_step integration step_integration
else
    skip_step integration "tests/integration has no test files yet"
fi

optional_step benchmark-smoke step_benchmark SKIP_BENCHMARK
optional_step changelog step_changelog SKIP_CHANGELOG

DIST="$(tree_root)/dist"
if [[ "${SKIP_DOCS:-}" == 1 && "${SKIP_EE:-}" == 1 && "${SKIP_GALAXY:-}" == 1 ]]; then
    skip_step tools "only docs, ee and galaxy need them"
    skip_step build "only ee and galaxy need it"
else
    run_step tools step_tools
    run_step build step_build
fi

optional_step docs step_docs SKIP_DOCS
optional_step ee step_ee SKIP_EE
optional_step galaxy step_galaxy SKIP_GALAXY
optional_step compat step_compat SKIP_COMPAT

summary
echo
if [[ ${#FAILED_STEPS[@]} -gt 0 ]]; then
    echo "make test: FAILED in step(s): ${FAILED_STEPS[*]}"
    exit 1
fi
echo "make test: all steps passed"
