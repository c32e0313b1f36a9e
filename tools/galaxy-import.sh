#!/usr/bin/env bash
# Imports the built collection with galaxy-importer, as Galaxy does on upload, without
# containers (tools/test.sh step "galaxy"; needs .venv-release). Settings:
# tests/galaxy-importer.cfg. Fails when the import fails or prints any warning or error
# (the collection ships no sanity ignore files, so not even that warning is expected), and
# checks the import result: licence and metadata from
# galaxy.yml, documentation for every module and plugin, the README and the changelog.
#
#   tools/galaxy-import.sh [COLLECTION_TARBALL]   (default: build one from a fresh copy)
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if ! "$RELEASE_VENV_DIR/bin/python" -c 'import galaxy_importer' 2>/dev/null; then
    die "$RELEASE_VENV_DIR has no galaxy-importer: run tools/test.sh (step tools)"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/voiceops-pbx-galaxy.XXXXXX")"
trap 'rm -rf "$work"' EXIT

tarball="${1:-}"
if [[ -z "$tarball" ]]; then
    copy="$(TEST_TREE_ROOT="$(tree_root)-galaxy" bash "$REPO_ROOT/tools/build-tree.sh")"
    "$RELEASE_VENV_DIR/bin/ansible-galaxy" collection build --output-path "$work" "$copy" >/dev/null
    tarball="$(ls "$work"/voiceops-pbx-*.tar.gz)"
fi
tarball="$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")"
echo "galaxy: importing $tarball"

status=0
(cd "$work" && PATH="$RELEASE_VENV_DIR/bin:$PATH" GALAXY_IMPORTER_CONFIG="$REPO_ROOT/tests/galaxy-importer.cfg" \
    ANSIBLE_LOCAL_TEMP="$work/ansible-tmp" "$RELEASE_VENV_DIR/bin/python" -m galaxy_importer.main "$tarball") \
    >"$work/import.log" 2>&1 || status=$?
cat "$work/import.log"
[[ $status -eq 0 && -s "$work/importer_result.json" ]] || die "galaxy-importer failed (exit status $status)"

"$RELEASE_VENV_DIR/bin/python" - "$work/import.log" "$work/importer_result.json" "$REPO_ROOT" <<'PYEOF'
import json
import pathlib
import re
import sys

import yaml

log, result_path, root = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
problems = []

# Galaxy shows every warning to whoever looks at the collection: none is allowed.
for line in pathlib.Path(log).read_text(encoding="utf-8").splitlines():
    if re.match(r"^(WARNING|ERROR|CRITICAL)\b", line):
        problems.append("importer: " + line)

result = json.loads(pathlib.Path(result_path).read_text(encoding="utf-8"))
galaxy = yaml.safe_load((root / "galaxy.yml").read_text(encoding="utf-8"))
metadata = result["metadata"]
for key in ("namespace", "name", "version", "license", "description", "repository", "documentation", "homepage",
            "issues", "authors", "tags"):
    if metadata.get(key) != galaxy.get(key):
        problems.append("metadata: %s is %r, galaxy.yml says %r" % (key, metadata.get(key), galaxy.get(key)))
if metadata.get("license_file"):
    problems.append("metadata: license_file is set beside license")
if result.get("custom_license"):
    problems.append("the importer sees a custom licence")

runtime = yaml.safe_load((root / "meta" / "runtime.yml").read_text(encoding="utf-8"))
if result.get("requires_ansible") != runtime["requires_ansible"]:
    problems.append("requires_ansible is %r" % result.get("requires_ansible"))

docs = result["docs_blob"]
if not (docs.get("collection_readme") or {}).get("html"):
    problems.append("docs: the README was not rendered")
expected = {("module", path.stem) for path in (root / "plugins" / "modules").glob("*.py") if path.stem != "__init__"}
expected |= {("inventory", path.stem) for path in (root / "plugins" / "inventory").glob("*.py") if path.stem != "__init__"}
# Event-Driven Ansible sources, which meta/extensions.yml makes Galaxy list and document.
expected |= {("eda/plugins/event_source", path.stem)
             for path in (root / "extensions" / "eda" / "plugins" / "event_source").glob("*.py")}
documented = {(item["content_type"], item["content_name"]) for item in docs["contents"] if item.get("doc_strings")}
for content_type, name in sorted(expected - documented):
    problems.append("docs: no documentation for %s %s" % (content_type, name))
listed = {(item["content_type"], item["name"]) for item in result["contents"]}
for content_type, name in sorted(expected - listed):
    problems.append("contents: %s %s is missing" % (content_type, name))

if problems:
    sys.exit("galaxy: %d problem(s):\n  %s" % (len(problems), "\n  ".join(problems)))
print("galaxy: import clean; %d modules and plugins documented; licence %s" % (len(expected), ", ".join(metadata["license"])))
PYEOF
