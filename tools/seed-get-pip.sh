#!/usr/bin/env bash
# Puts tools/get_pip_standin.py where ansible-test looks for its cached pip bootstrap
# script (~/.ansible/test/cache/get_pip_<version>.py), so that ansible-test can make
# its virtual environments without downloading that script from the internet.
#
# The pip version is read from the ansible-test in .venv, for the venv's Python.
# A real downloaded script is left alone; an older copy of the stand-in is replaced.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

standin="$REPO_ROOT/tools/get_pip_standin.py"
python_version="${1:-$(venv_python_version)}"

pip_version="$("$VENV_DIR/bin/python" - "$python_version" <<'EOF'
import sys
import types

from ansible_test._internal.python_requirements import get_venv_packages

print(get_venv_packages(types.SimpleNamespace(version=sys.argv[1]))["pip"])
EOF
)"

cache="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "$cache")"

if [[ ! -e "$cache" ]]; then
    cp "$standin" "$cache"
    echo "get-pip: seeded $cache (pip $pip_version) with the offline stand-in"
elif cmp -s "$standin" "$cache"; then
    echo "get-pip: $cache is the offline stand-in already"
elif grep -q 'Offline stand-in for the pip bootstrap script' "$cache"; then
    cp "$standin" "$cache"
    echo "get-pip: refreshed the offline stand-in at $cache"
else
    echo "get-pip: keeping the existing bootstrap script $cache"
fi
