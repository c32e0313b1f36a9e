#!/usr/bin/env bash
# Trying the collection by hand after `make demo` (which makes .venv and installs the
# collection into .build/collections):
#
#   make simulator   (tools/simulator.sh) the bundled PBX simulators in the foreground until
#                    Ctrl-C: the S-Series API over HTTPS on port 8088, the Predictive Outbound
#                    API over HTTP on 8089; prints the environment to use in another terminal
#   make env         (tools/simulator.sh env) prints that environment for the running
#                    simulators, for `eval "$(make -s env)"`: .venv activated, the collection of
#                    .build/collections, the YEASTAR_* and OUTBOUND_API_* variables
#
# SIM_PORT and SIM_OUTBOUND_PORT change the ports (0: free ones). SIMULATOR_DIR (default
# .build/simulator) holds the test CA (ca.pem, a new CA at each start under the same path),
# the ready file and the call log.
set -euo pipefail

# shellcheck source=tools/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sim_dir="${SIMULATOR_DIR:-$BUILD_DIR/simulator}"
collections="$BUILD_DIR/collections"
SIM_PID=""

# The environment of the simulators whose ready file is in $sim_dir, as shell commands.
print_env() {
    local ready="$sim_dir/ready.json"
    [[ -s "$ready" ]] || die "no simulator is running (no $ready): start one with make simulator"
    cat <<EOF
source '$VENV_DIR/bin/activate'
export ANSIBLE_COLLECTIONS_PATH='$collections' ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export YEASTAR_HOST=127.0.0.1 YEASTAR_PORT=$(ready_field "$ready" port) YEASTAR_USERNAME=api YEASTAR_PASSWORD='Yeastar@123'
export YEASTAR_CA_PATH='$(ready_field "$ready" ca_path)'
export OUTBOUND_API_URL=$(ready_field "$ready" outbound_url) OUTBOUND_API_APPID=voiceops OUTBOUND_API_ACCESSKEY='Outbound@123'
EOF
}

stop() {
    if [[ -n "$SIM_PID" ]]; then
        stop_simulator "$SIM_PID"
        SIM_PID=""
    fi
}

run_in_foreground() {
    [[ -x "$VENV_DIR/bin/python" ]] || die "$VENV_DIR is missing: run make demo first"
    if [[ ! -d "$collections/ansible_collections/voiceops/pbx" ]]; then
        echo "warning: the collection is not installed in $collections: run make demo first" >&2
    fi
    mkdir -p "$sim_dir"
    trap stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_simulator "$sim_dir" "${SIM_PORT:-8088}" "${SIM_OUTBOUND_PORT:-8089}"
    echo "simulators running (pid $SIM_PID; call log $sim_dir/simulator.log); Ctrl-C stops them."
    echo "In another terminal, from this checkout: eval \"\$(make -s env)\", which runs:"
    echo
    print_env
    echo
    echo "then, for example: ansible localhost -m voiceops.pbx.yeastar_extension_info"
    wait "$SIM_PID"
}

case "${1:-}" in
    env) print_env ;;
    "") run_in_foreground ;;
    *) die "usage: tools/simulator.sh [env]" ;;
esac
