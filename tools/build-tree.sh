#!/usr/bin/env bash
# Makes a fresh copy of the collection at <root>/ansible_collections/<namespace>/<name>
# (<root> is .build/test of the checkout unless TEST_TREE_ROOT says otherwise), where
# ansible-test expects a collection to be, and prints that path on its last line.
#
# Copied: in a git checkout, the files git tracks plus the untracked files that
# .gitignore does not exclude (so new files count before they are committed, and
# .venv, .build, tests/output never do); elsewhere, every file but those.
# tests/output of the previous copy is kept (ansible-test's own output and caches).
# The copy is an empty git repository of its own: ansible-test looks for a .git upwards
# from the collection, and would otherwise take the checkout's, which ignores .build and
# so every file of the copy. It lists the copy's files that its .gitignore does not exclude.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

root="$(tree_root)"
dest="$root/ansible_collections/$(collection_name)"

list_files() {
    if git -C "$REPO_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$REPO_ROOT" ls-files -z --cached --others --exclude-standard
    else
        (cd "$REPO_ROOT" && find . \
            \( -name .git -o -name '.venv*' -o -name .build -o -name __pycache__ \
               -o -name .pytest_cache -o -path ./tests/output \) -prune \
            -o \( -type f -o -type l \) -printf '%P\0')
    fi
}

# Start from scratch, but keep tests/output: ansible-test keeps the virtualenv of
# `ansible-test units --venv` there, and making it again costs time.
kept="$root/kept-output"
rm -rf "$kept"
if [[ -d "$dest/tests/output" ]]; then
    mv "$dest/tests/output" "$kept"
fi
rm -rf "$root/ansible_collections"
mkdir -p "$dest"

# Only files that exist: a tracked file deleted in the work tree is left out.
while IFS= read -r -d '' file; do
    if [[ -e "$REPO_ROOT/$file" || -L "$REPO_ROOT/$file" ]]; then
        printf '%s\0' "$file"
    fi
done < <(list_files) > "$root/files.lst"

copied="$(tr -cd '\0' < "$root/files.lst" | wc -c)"
tar -C "$REPO_ROOT" --null --files-from "$root/files.lst" -cf - | tar -C "$dest" -xf -
rm -f "$root/files.lst"
if command -v git >/dev/null 2>&1; then
    git init -q "$dest"
fi
if [[ -d "$kept" ]]; then
    mkdir -p "$dest/tests"
    rm -rf "$dest/tests/output"
    mv "$kept" "$dest/tests/output"
fi

echo "tree: copied $copied files to $dest" >&2
printf '%s\n' "$dest"
