#!/usr/bin/env bash
# Creates or refreshes the development virtualenv at .venv.
#
#   tools/venv.sh            # create .venv if needed, install tests/requirements-dev.txt
#   PYTHON=python3 tools/venv.sh   # force an interpreter instead of the 3.12 lookup
#   VENV_DIR=/some/dir tools/venv.sh
#   VENV_DIR=.venv-release VENV_REQUIREMENTS=tests/requirements-release.txt tools/venv.sh
#                            # another venv from another requirements file (tools/test.sh
#                            # makes .venv-release and .venv-2.19 this way)
#
# The interpreter is Python 3.12 where one runs (pyenv 3.12.1, pyenv 3.12, python3.12),
# otherwise the default python3. A stamp file in the venv records the interpreter and
# the hash of the requirements file: when neither changed, the script returns at once.
# A venv made by another interpreter is removed and made again.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REQUIREMENTS="${VENV_REQUIREMENTS:-$REPO_ROOT/tests/requirements-dev.txt}"
STAMP="$VENV_DIR/.voiceops-stamp"

python="$(pick_python)"
python_id="$("$python" -c 'import sys; print(sys.executable, sys.version.split()[0])')"
req_hash="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
wanted="$python_id $req_hash"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$wanted" && -x "$VENV_DIR/bin/python" ]]; then
    echo "venv: $VENV_DIR is up to date ($python_id)"
    exit 0
fi

if [[ -d "$VENV_DIR" ]]; then
    made_by=""
    if [[ -f "$STAMP" ]]; then
        made_by="$(cut -d' ' -f1,2 "$STAMP")"
    fi
    if [[ ! -x "$VENV_DIR/bin/python" || ( -n "$made_by" && "$made_by" != "$python_id" ) ]]; then
        echo "venv: $VENV_DIR was made by another interpreter (${made_by:-unknown}); recreating"
        rm -rf "$VENV_DIR"
    fi
fi

if [[ ! -d "$VENV_DIR" ]]; then
    echo "venv: creating $VENV_DIR with $python_id"
    "$python" -m venv "$VENV_DIR"
fi

echo "venv: installing $REQUIREMENTS"
without_mirror_noise "$VENV_DIR/bin/python" -m pip install --quiet --upgrade pip
without_mirror_noise "$VENV_DIR/bin/python" -m pip install --quiet --upgrade -r "$REQUIREMENTS"
printf '%s\n' "$wanted" > "$STAMP"

"$VENV_DIR/bin/python" - <<'EOF'
from importlib.metadata import PackageNotFoundError, version

names = ["ansible-core", "ansible-lint", "ansible-runner", "ansible-rulebook", "aiohttp", "pytest", "requests", "antsibull-docs",
         "galaxy-importer", "ansible-builder"]
found = []
for name in names:
    try:
        found.append("%s %s" % (name, version(name)))
    except PackageNotFoundError:
        pass
print("venv: " + ", ".join(found))
EOF
