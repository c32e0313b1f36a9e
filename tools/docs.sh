#!/usr/bin/env bash
# The documentation of voiceops.pbx: lint, then a browsable site in docs/site
# (tools/test.sh step "docs"; `make docs`). Needs .venv-release (antsibull-docs, Sphinx).
#
#   1. antsibull-docs lint-collection-docs --plugin-docs on the collection copy: the plugin
#      documentation, its markup and references, docs/docsite/links.yml;
#   2. antsibull-docs renders a page per plugin (modules, inventory plugin, environment
#      variables) from the installed copy, --fail-on-error;
#   3. Sphinx builds the site from those pages, the guides docs/*.md and docs/sphinx/ with
#      warnings as errors, offline, into docs/site (git-ignored: open docs/site/index.html).
#
#   tools/docs.sh [COLLECTION_COPY]   (default: a fresh copy made by tools/build-tree.sh)
#   DOCS_SITE=dir tools/docs.sh       build the site somewhere else
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -x "$RELEASE_VENV_DIR/bin/antsibull-docs" ]] || die "$RELEASE_VENV_DIR has no antsibull-docs: run tools/test.sh (step tools)"
export PATH="$RELEASE_VENV_DIR/bin:$PATH"

copy="${1:-}"
if [[ -z "$copy" ]]; then
    # A copy of its own, so that a `make test` running meanwhile keeps its copy.
    copy="$(TEST_TREE_ROOT="$(tree_root)-docs" bash "$REPO_ROOT/tools/build-tree.sh")"
fi
# .../ansible_collections/voiceops/pbx -> the directory that holds ansible_collections
collections_root="$(cd "$copy/../../.." && pwd)"
site="${DOCS_SITE:-$REPO_ROOT/docs/site}"
work="$(mktemp -d "${TMPDIR:-/tmp}/voiceops-pbx-docs.XXXXXX")"
trap 'rm -rf "$work"' EXIT

export ANSIBLE_COLLECTIONS_PATH="$collections_root"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false

echo "docs: 0. the error table of docs/errors.md has every code the clients know"
PYTHONPATH="$collections_root" python - "$REPO_ROOT/docs/errors.md" <<'EOF'
import re
import sys

from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_client import CODE_MEANINGS, RET_MEANINGS
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import ERRNO_MEANINGS

with open(sys.argv[1], encoding="utf-8") as handle:
    rows = set(re.findall(r"^\| (\d+) \|", handle.read(), re.M))
known = set(ERRNO_MEANINGS) | {str(ret) for ret in RET_MEANINGS} | set(CODE_MEANINGS)
if known - rows:
    sys.exit("docs/errors.md has no row for: %s" % ", ".join(sorted(known - rows)))
print("docs: %d error codes, each with a row" % len(known))
EOF

echo "docs: 1. antsibull-docs lint-collection-docs"
# The linter makes and loads a copy of its own: no other copy of the collection on the path.
(cd "$copy" && env -u ANSIBLE_COLLECTIONS_PATH antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all \
    --disallow-unknown-collection-refs --check-extra-docs-refs .)

echo "docs: 2. plugin pages"
mkdir -p "$work/src"
chmod og-w "$work/src"  # antsibull-docs wants its output directory writable by its owner only
antsibull-docs collection --use-current --squash-hierarchy --fail-on-error --cleanup everything \
    --dest-dir "$work/src" voiceops.pbx
# antsibull-docs' index of the collection becomes one page of the site.
mv "$work/src/index.rst" "$work/src/collection.rst"

echo "docs: 3. Sphinx site"
cp "$REPO_ROOT"/docs/*.md "$work/src/"
# The charts of performance.md (tools/benchmark/charts.py), at the same relative path.
if compgen -G "$REPO_ROOT/docs/performance/*.png" >/dev/null; then
    mkdir -p "$work/src/performance"
    cp "$REPO_ROOT"/docs/performance/*.png "$work/src/performance/"
fi
rm -f "$work/src/README.md"
# Links from a guide to files of the repository outside docs/ (../playbooks/...) work on the
# repository's web pages; the site sends them there too.
repository="$(sed -n -E 's/^repository:[[:space:]]*//p' "$REPO_ROOT/galaxy.yml")"
sed -i -E "s#\]\(\.\./#](${repository%/}/blob/main/#g" "$work"/src/*.md
cp "$REPO_ROOT/docs/sphinx/index.rst" "$work/src/index.rst"
# Pages of docs/ that index.rst does not list yet go into a toctree of their own.
more=()
for page in "$work"/src/*.md; do
    name="$(basename "$page" .md)"
    if ! grep -Eq "^   $name\$" "$work/src/index.rst"; then
        more+=("$name")
    fi
done
if [[ ${#more[@]} -gt 0 ]]; then
    printf '\n.. toctree::\n   :maxdepth: 1\n   :caption: More\n\n' >> "$work/src/index.rst"
    printf '   %s\n' "${more[@]}" >> "$work/src/index.rst"
fi
# Files the guides link to, so that the site serves them too.
cp -r "$REPO_ROOT/docs/credential-types" "$REPO_ROOT/docs/awx-project" "$REPO_ROOT/docs/execution-environment" "$work/src/"
rm -rf "$site"
sphinx-build -b html -c "$REPO_ROOT/docs/sphinx" -W --keep-going -q -n "$work/src" "$site"

pages="$(find "$site" -name '*.html' | wc -l)"
for page in index collection yeastar_extension_module yeastar_extension_info_module sip_register_status_module \
    getting-started connection-and-tls awx errors troubleshooting; do
    [[ -s "$site/$page.html" ]] || die "the site has no $page.html"
done
if [[ -f "$REPO_ROOT/plugins/inventory/yeastar.py" && ! -s "$site/yeastar_inventory.html" ]]; then
    die "the site has no page for the inventory plugin"
fi
echo "docs: $pages pages in $site (open $site/index.html)"
