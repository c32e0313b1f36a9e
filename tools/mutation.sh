#!/usr/bin/env bash
# `make mutation`: mutation testing of plugins/module_utils/ and plugins/modules/ with cosmic-ray
# (tests/requirements-mutation.txt, installed into .venv). Not part of make test: it takes long.
#
#   bash tools/mutation.sh                     every file of plugins/module_utils/ and plugins/modules/
#   bash tools/mutation.sh plugins/x/_a.py ... these files only
#
# Each file is mutated in a copy of the checkout of its own (.build/mutation, never the checkout),
# one mutation at a time, and the unit tests that import it (tests/unit, found by its module name)
# run against each mutant: a mutant they fail on is killed, one they pass on survives. A file that
# no unit test imports is reported and left out; a file whose tests fail unmutated stops the run.
# Results: .build/mutation/<file>.sqlite (cosmic-ray's session) and a summary at the end;
# docs/mutation.md says what the surviving mutants of the last full run are.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MUTATION_SECONDS_PER_MUTANT=60  # a mutant whose tests run longer (an endless loop) counts as killed

# The unit test files that import the module of file "$1" (plugins/.../name.py).
tests_of() {
    local module
    module="$(basename "$1" .py)"
    (cd "$REPO_ROOT" && grep -rlw --include='test_*.py' -e "$module" tests/unit | sort)
}

# cosmic-ray's configuration for file "$1", its tests "${@:2}".
write_config() {
    cat <<TOML
[cosmic-ray]
module-path = "$1"
timeout = $MUTATION_SECONDS_PER_MUTANT
excluded-modules = []
test-command = "python -m pytest -x -q -p no:cacheprovider ${*:2}"

[cosmic-ray.distributor]
name = "local"
TOML
}

# Mutation-tests file "$1" in collection copy "$2", writing the session into "$3".
mutate_file() {
    local file="$1" copy="$2" session="$3" tests
    mapfile -t tests < <(tests_of "$file")
    if [[ ${#tests[@]} -eq 0 ]]; then
        echo "mutation: $file: no unit test imports it, left out"
        return 0
    fi
    header "mutation: $file (${#tests[@]} test files: ${tests[*]})"
    write_config "$file" "${tests[@]}" >"$session.toml"
    rm -f "$session.sqlite"
    (
        cd "$copy"
        cosmic-ray init "$session.toml" "$session.sqlite"
        cosmic-ray baseline "$session.toml" || die "$file: its tests fail without a mutation"
        cosmic-ray exec "$session.toml" "$session.sqlite"
        cr-report --show-diff --surviving-only "$session.sqlite" >"$session.report.txt"
    )
    tail -n 3 "$session.report.txt"
}

activate_venv
echo "mutation: installing tests/requirements-mutation.txt into $VENV_DIR"
without_mirror_noise python -m pip install --quiet -r "$REPO_ROOT/tests/requirements-mutation.txt"

files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
    mapfile -t files < <(cd "$REPO_ROOT" && ls plugins/module_utils/*.py plugins/modules/*.py)
fi

root="$BUILD_DIR/mutation"
copy="$(TEST_TREE_ROOT="$root/tree" bash "$REPO_ROOT/tools/build-tree.sh")"
# The tests import the collection as ansible_collections.voiceops.pbx: the copy's, which is mutated.
export PYTHONPATH="$root/tree" PYTHONDONTWRITEBYTECODE=1
for file in "${files[@]}"; do
    mutate_file "$file" "$copy" "$root/$(basename "$file" .py)"
done

header "mutation: summary"
for file in "${files[@]}"; do
    report="$root/$(basename "$file" .py).report.txt"
    [[ -f "$report" ]] && printf '%-48s %s\n' "$file" "$(grep -E 'surviving mutants' "$report" || true)"
done
