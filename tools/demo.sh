#!/usr/bin/env bash
# `make demo`: installs the collection from this checkout, starts the bundled PBX
# simulator and runs playbooks/demo.yml against it.
#
#   1. .venv (tools/venv.sh);
#   2. ansible-galaxy collection build of a clean copy of the checkout, and
#      ansible-galaxy collection install --force into .build/collections;
#   3. the simulator from tests/simulator on a free port with its own test CA;
#   4. ansible-playbook playbooks/demo.yml with the YEASTAR_* and OUTBOUND_API_*
#      connection variables pointing at the simulators (the S-Series API over HTTPS,
#      the Predictive Outbound API over HTTP). They are stopped however the script ends;
#   5. how to go on by hand: make simulator, then eval "$(make -s env)".
#
# The collection tarball, the simulator's files and the modules' login records go into one work
# directory, removed at the end.
#
# DEMO_PLAYBOOK=path overrides the playbook; extra arguments go to ansible-playbook.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

playbook="${DEMO_PLAYBOOK:-$REPO_ROOT/playbooks/demo.yml}"
collections="$BUILD_DIR/collections"
work="$(mktemp -d "${TMPDIR:-/tmp}/voiceops-pbx-demo.XXXXXX")"
SIM_PID=""

cleanup() {
    local status=$?
    if [[ -n "$SIM_PID" ]]; then
        stop_simulator "$SIM_PID"
    fi
    if [[ $status -ne 0 && -s "$work/simulator.log" ]]; then
        echo "---- simulator log ($work/simulator.log) ----" >&2
        tail -n 40 "$work/simulator.log" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

header "virtualenv"
bash "$REPO_ROOT/tools/venv.sh"
activate_venv

header "build and install voiceops.pbx into $collections"
tree="$(bash "$REPO_ROOT/tools/build-tree.sh")"
export ANSIBLE_COLLECTIONS_PATH="$collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
ansible-galaxy collection build --force --output-path "$work/dist" "$tree"
ansible-galaxy collection install --force --collections-path "$collections" "$work"/dist/*.tar.gz

header "PBX simulator"
start_simulator "$work"
port="$(ready_field "$work/ready.json" port)"
ca_path="$(ready_field "$work/ready.json" ca_path)"
echo "simulator: pid $SIM_PID, $(ready_field "$work/ready.json" base_url), CA $ca_path"

header "ansible-playbook ${playbook#"$REPO_ROOT"/}"
export YEASTAR_HOST=127.0.0.1
export YEASTAR_PORT="$port"
export YEASTAR_USERNAME=api
export YEASTAR_PASSWORD='Yeastar@123'
export YEASTAR_CA_PATH="$ca_path"
OUTBOUND_API_URL="$(ready_field "$work/ready.json" outbound_url)"
export OUTBOUND_API_URL
export OUTBOUND_API_APPID=voiceops
export OUTBOUND_API_ACCESSKEY='Outbound@123'
export ANSIBLE_LOCALHOST_WARNING=false
export ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export YEASTAR_LOGIN_STATE_DIR="$work/login-state"
ansible-playbook "$playbook" "$@"

cat <<'EOF'

Next, try it by hand (README.md, "Try it by hand"):
  make simulator          # in a terminal of its own: the simulators on ports 8088 and 8089, until Ctrl-C
  eval "$(make -s env)"   # in another terminal, in this checkout: .venv, the collection, the connection
  ansible localhost -m voiceops.pbx.yeastar_extension_info
EOF
