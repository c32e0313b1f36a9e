#!/usr/bin/env bash
# Checks what an execution environment build would get from voiceops.pbx, without a
# container engine (tools/test.sh step "ee"; needs .venv-release with ansible-builder):
#
#   1. meta/execution-environment.yml names meta/ee-bindep.txt, which lists ca-certificates,
#      and meta/ee-requirements.txt, which lists aiohttp and nothing else (for the
#      Event-Driven Ansible source in a decision environment); what makes that true is checked
#      too: the plugins import only the standard library, ansible and ansible_collections, and
#      the event sources of extensions/eda only those and aiohttp;
#   2. `ansible-builder create` on docs/execution-environment/execution-environment.yml writes
#      a build context whose Containerfile installs the galaxy requirements (which name
#      voiceops.pbx) and runs the introspection; so does decision-environment.yml, whose
#      Containerfile also sets JAVA_TOOL_OPTIONS=-Xrs;
#   3. the collection built from this checkout is installed the way the galaxy stage installs
#      it, and the context's own introspect script runs on it as the builder stage does: the
#      combined requirements must list the bindep entries from voiceops.pbx, and aiohttp as
#      its one Python requirement.
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

echo "ee: 1. meta/execution-environment.yml, its requirement files, and the plugins' imports"
"$release_python" - "$REPO_ROOT" <<'EOF'
import ast
import pathlib
import re
import sys

import yaml

root = pathlib.Path(sys.argv[1])
meta = yaml.safe_load((root / "meta" / "execution-environment.yml").read_text(encoding="utf-8"))
deps = meta.get("dependencies") or {}
problems = []
unknown = set(deps) - {"python", "system"}
if unknown:
    problems.append("meta/execution-environment.yml: unexpected dependencies entries: %s" % ", ".join(sorted(unknown)))
if deps.get("python") != "meta/ee-requirements.txt":
    problems.append("meta/execution-environment.yml: dependencies.python is %r, not meta/ee-requirements.txt"
                    % deps.get("python"))
if deps.get("system") != "meta/ee-bindep.txt":
    problems.append("meta/execution-environment.yml: dependencies.system is %r, not meta/ee-bindep.txt"
                    % deps.get("system"))


def listed(relative):
    """The entries of a requirements or bindep file: lines that are neither blank nor comments."""
    return [line.strip() for line in (root / relative).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


# One Python requirement, for the event source: ansible-builder installs it into every image.
PYTHON_PACKAGES = {"aiohttp"}
python_reqs = listed("meta/ee-requirements.txt")
named = {re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower() for line in python_reqs}
if named != PYTHON_PACKAGES:
    problems.append("meta/ee-requirements.txt lists %s: it must list %s only (the modules and plugins use the "
                    "standard library; the event source aiohttp)" % (", ".join(python_reqs) or "nothing",
                                                                      ", ".join(sorted(PYTHON_PACKAGES))))
bindep = listed("meta/ee-bindep.txt")
if not any(line.split()[0] == "ca-certificates" for line in bindep):
    problems.append("meta/ee-bindep.txt does not list ca-certificates")

# What that rests on: no plugin imports anything outside the standard library and ansible
# (relative imports stay inside the collection), and no event source anything more than aiohttp.
allowed = set(sys.stdlib_module_names) | {"__future__", "ansible", "ansible_collections"}
sources = sorted((root / "extensions" / "eda" / "plugins").rglob("*.py"))
for path in sorted((root / "plugins").rglob("*.py")) + sources:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        else:
            continue
        for name in names:
            if name.split(".", 1)[0] not in (allowed | PYTHON_PACKAGES if path in sources else allowed):
                problems.append("%s:%d imports %s, which is neither the standard library nor ansible: "
                                "an execution environment would not have it"
                                % (path.relative_to(root), node.lineno, name))
if problems:
    sys.exit("\n".join(problems))
print("ee: python: %s (the event source's; the plugins import only the standard library and ansible); system: %s"
      % ("; ".join(python_reqs), "; ".join(bindep)))
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
echo "ee: 2b. ansible-builder create of the decision environment"
(cd "$REPO_ROOT/docs/execution-environment" &&
    "$RELEASE_VENV_DIR/bin/ansible-builder" create --file decision-environment.yml \
        --context "$work/de-context" --output-filename Containerfile)
grep -q 'ansible-galaxy collection install .*-r requirements.yml' "$work/de-context/Containerfile" ||
    die "the decision environment's Containerfile does not install the galaxy requirements"
grep -q '^ENV JAVA_TOOL_OPTIONS=-Xrs' "$work/de-context/Containerfile" ||
    die "the decision environment's Containerfile does not leave SIGINT and SIGTERM to ansible-rulebook"
grep -q 'voiceops.pbx' "$work/de-context/_build/requirements.yml" ||
    die "the decision environment's requirements.yml does not name voiceops.pbx"

echo "ee: 3. introspection of the installed collection, as the builder stage runs it"
ANSIBLE_COLLECTIONS_PATH="$work/share/collections" "$RELEASE_VENV_DIR/bin/ansible-galaxy" collection install --force --collections-path "$work/share/collections" \
    "$tarball" >/dev/null
"$release_python" "$work/context/_build/scripts/introspect.py" introspect \
    --write-pip="$work/src/requirements.txt" --write-bindep="$work/src/bindep.txt" "$work/share/collections"
# introspect writes each file only when some collection has requirements of that kind.
echo "--- requirements.txt of the image"
[[ -f "$work/src/requirements.txt" ]] || die "introspection wrote no requirements.txt: the event source's aiohttp is lost"
cat "$work/src/requirements.txt"
echo "--- bindep.txt of the image"
[[ -f "$work/src/bindep.txt" ]] || die "introspection wrote no bindep.txt: the system requirements of voiceops.pbx are lost"
cat "$work/src/bindep.txt"
grep -Eq '^aiohttp.*voiceops\.pbx' "$work/src/requirements.txt" ||
    die "the image's Python requirements do not list aiohttp from voiceops.pbx"
if grep 'voiceops\.pbx' "$work/src/requirements.txt" | grep -vEq '^aiohttp'; then
    die "the image's Python requirements list more than aiohttp from voiceops.pbx"
fi
grep -Eq '^ca-certificates .*voiceops\.pbx' "$work/src/bindep.txt" ||
    die "the image's system requirements do not list the bindep entries of voiceops.pbx"
echo "ee: the image gets ca-certificates and, for the event source, aiohttp from voiceops.pbx"
