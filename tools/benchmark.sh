#!/usr/bin/env bash
# `make benchmark` / `make benchmark-smoke`: runs tools/benchmark with the .venv and a clean
# ansible_collections copy of this checkout (tools/build-tree.sh), the collection that
# ansible-playbook and ansible-inventory then load. Arguments go to tools/benchmark
# (--smoke, --sizes, --reps-small, ...; see `python tools/benchmark --help`).
#
# The full run takes about 25 minutes (the uri baseline needs ~3 minutes per run at N=500)
# and writes docs/performance.md with its charts in docs/performance/ (matplotlib, from
# tests/requirements-benchmark.txt, installed into .venv here); --smoke takes under a minute,
# writes nothing and needs no matplotlib.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A copy of its own, beside the one of make test: a test run started meanwhile rebuilds that one.
export TEST_TREE_ROOT="${TEST_TREE_ROOT:-$(tree_root)-benchmark}"
# The modules' login records go under that copy, not into the system temp directory.
export YEASTAR_LOGIN_STATE_DIR
YEASTAR_LOGIN_STATE_DIR="$(tree_root)/login-state"
if [[ "${BENCHMARK_SKIP_SETUP:-}" != 1 ]]; then
    bash "$REPO_ROOT/tools/venv.sh" >/dev/null
    bash "$REPO_ROOT/tools/build-tree.sh" >/dev/null
fi
activate_venv
if [[ " $* " != *" --smoke "* ]]; then
    # pip returns at once, quietly, when the requirement is already met.
    python -m pip install -q --disable-pip-version-check -r "$REPO_ROOT/tests/requirements-benchmark.txt"
fi
export ANSIBLE_COLLECTIONS_PATH
ANSIBLE_COLLECTIONS_PATH="$(tree_root)"
exec python "$REPO_ROOT/tools/benchmark" "$@"
