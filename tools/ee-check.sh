#!/usr/bin/env bash
# Checks what an execution environment build would get from voiceops.pbx, without a
# container engine (tools/test.sh step "ee"; needs .venv-release with ansible-builder):
#
#   1. meta/execution-environment.yml names meta/ee-requirements.txt and meta/ee-bindep.txt,
#      and the Python requirements hold neither ansible-core nor a version pin or cap;
#   2. `ansible-builder create` on docs/execution-environment/execution-environment.yml writes
#      a build context whose Containerfile installs the galaxy requirements (which name
#      voiceops.pbx) and runs the introspection;
#   3. the collection built from this checkout is installed the way the galaxy stage installs
#      it, and the context's own introspect script runs on it as the builder stage does: the
#      combined requirements must list requests and the bindep entries, from voiceops.pbx.
#
#   tools/ee-check.sh [COLLECTION_TARBALL]   (default: build one from the checkout)
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

release_python="$RELEASE_VENV_DIR/bin/python"
[[ -x "$RELEASE_VENV_DIR/bin/ansible-builder" ]] || die "$RELEASE_VENV_DIR has no ansible-builder: run tools/test.sh (step tools)"
work="$(mktemp -d "${TMPDIR:-/tmp}/voiceops-pbx-ee.XXXXXX")"
trap 'rm -rf "$work"' EXIT

tarball="${1:-}"
if [[ -z "$tarball" ]]; then
    "$RELEASE_VENV_DIR/bin/ansible-galaxy" collection build --output-path "$work/dist" "$REPO_ROOT" >/dev/null
    tarball="$(ls "$work"/dist/voiceops-pbx-*.tar.gz)"
fi

echo "ee: 1. meta/execution-environment.yml and its requirement files"
"$release_python" - "$REPO_ROOT" <<'EOF'
import pathlib
import re
import sys

import yaml

root = pathlib.Path(sys.argv[1])
meta = yaml.safe_load((root / "meta" / "execution-environment.yml").read_text(encoding="utf-8"))
deps = meta["dependencies"]
assert deps == {"python": "meta/ee-requirements.txt", "system": "meta/ee-bindep.txt"}, deps
problems = []
python_reqs = []
for line in (root / deps["python"]).read_text(encoding="utf-8").splitlines():
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    python_reqs.append(line)
    name = re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0].lower()
    if name in ("ansible", "ansible-core", "ansible-base"):
        problems.append("%s: ansible-core comes with the image, it must not be required" % line)
    if re.search(r"[<>=!~]", line):
        problems.append("%s: no version pins or caps in an execution environment requirement" % line)
if "requests" not in python_reqs:
    problems.append("requests, which the modules import, is not required")
bindep = [line for line in (root / deps["system"]).read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
if not bindep:
    problems.append("the bindep file lists nothing")
if problems:
    sys.exit("\n".join(problems))
print("ee: python %s; system %s" % (", ".join(python_reqs), "; ".join(bindep)))
EOF

echo "ee: 2. ansible-builder create"
(cd "$REPO_ROOT/docs/execution-environment" &&
    "$RELEASE_VENV_DIR/bin/ansible-builder" create --file execution-environment.yml \
        --context "$work/context" --output-filename Containerfile)
containerfile="$work/context/Containerfile"
grep -q 'ansible-galaxy collection install .*-r requirements.yml' "$containerfile" ||
    die "the Containerfile does not install the galaxy requirements"
grep -q 'introspect.py introspect' "$containerfile" || die "the Containerfile does not run the introspection"
grep -q 'voiceops.pbx' "$work/context/_build/requirements.yml" ||
    die "the context's requirements.yml does not name voiceops.pbx"

echo "ee: 3. introspection of the installed collection, as the builder stage runs it"
ANSIBLE_COLLECTIONS_PATH="$work/share/collections" "$RELEASE_VENV_DIR/bin/ansible-galaxy" collection install --force --collections-path "$work/share/collections" \
    "$tarball" >/dev/null
"$release_python" "$work/context/_build/scripts/introspect.py" introspect \
    --write-pip="$work/src/requirements.txt" --write-bindep="$work/src/bindep.txt" "$work/share/collections"
echo "--- requirements.txt of the image"
cat "$work/src/requirements.txt"
echo "--- bindep.txt of the image"
cat "$work/src/bindep.txt"
grep -Eq '^requests([[:space:]]|$).*voiceops\.pbx' "$work/src/requirements.txt" ||
    die "the image's Python requirements do not list requests from voiceops.pbx"
grep -Eq '^ca-certificates .*voiceops\.pbx' "$work/src/bindep.txt" ||
    die "the image's system requirements do not list the bindep entries of voiceops.pbx"
if grep -Eiq '^ansible(-core)?([[:space:]=<>!~]|$)' "$work/src/requirements.txt"; then
    die "the image's Python requirements would reinstall ansible-core"
fi
echo "ee: the execution environment gets requests and ca-certificates from voiceops.pbx"
