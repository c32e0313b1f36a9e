# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ten forks at once against a PBX of 2000 extensions, one task per inventory host.

The hosts come from the voiceops.pbx.yeastar inventory plugin; each task configures its own
extension, delegated to localhost. Every API call is recorded with its token, so the test can
show that each task kept to its own session: one login, its own extension, one logout.

A task costs about half a second of CPU, so by default the playbook targets every 40th of the
2000 hosts (50 tasks, 5 rounds of 10 forks); VOICEOPS_FORK_HOSTS=N targets N of them, and
VOICEOPS_FORK_HOSTS=all every one (at that rate, about a quarter of an hour on 2 cores).
"""

from __future__ import annotations

import collections
import json
import os
import re
import threading

from ansible_collections.voiceops.pbx.tests.integration.conftest import ansible_bin
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator

EXTENSIONS = 2000


class Wiretap:
    """Records every API call the simulator answers: endpoint, token, extid and result."""

    def __init__(self, sim):
        self.calls = []
        self._lock = threading.Lock()
        self._handle = sim.api.handle
        sim.api.handle = self.handle

    def handle(self, method, path, query, body, client_ip):
        answer, result = self._handle(method, path, query, body, client_ip)
        try:
            extid = json.loads(body.decode("utf-8") or "{}").get("extid")
        except ValueError:
            extid = None
        token = answer.get("token") if path.endswith("/login") else (query.get("token") or [None])[0]
        with self._lock:
            self.calls.append({"endpoint": path.split("/", 3)[-1], "token": token, "extid": extid, "result": result})
        return answer, result


def test_ten_forks_one_task_per_inventory_host(ansible, tmp_path):
    wanted = os.environ.get("VOICEOPS_FORK_HOSTS", "50")
    step = 1 if wanted == "all" else EXTENSIONS // int(wanted)
    with YeastarSimulator(extensions=EXTENSIONS) as sim:
        ansible.env.update(YEASTAR_PORT=str(sim.port), YEASTAR_CA_PATH=sim.ca_path)
        tap = Wiretap(sim)
        inventory = tmp_path / "pbx.yeastar.yml"
        inventory.write_text(json.dumps({"plugin": "voiceops.pbx.yeastar",
                                         "groups": {"chosen": "yeastar_number | int %% %d == 0" % step}}))
        playbook = tmp_path / "forks.yml"
        playbook.write_text(json.dumps([{"hosts": "chosen", "gather_facts": False, "tasks": [
            {"name": "Configure this host's extension", "delegate_to": "localhost",
             "voiceops.pbx.yeastar_extension": {"extension": "{{ yeastar_number }}",
                                                "display_name": "Fork {{ yeastar_number }}"}}]}]))
        run = ansible.run([ansible_bin("ansible-playbook"), "-f", "10", "-i", str(inventory), str(playbook)])

        chosen = [record["extnumber"] for record in sim.extensions if int(record["extnumber"]) % step == 0]
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        recap = re.findall(r"^ext(\d+)\s+: ok=1\s+changed=1\s+unreachable=0\s+failed=0\s", run.stdout, re.M)
        assert sorted(recap) == chosen
        for record in sim.extensions:
            wanted_name = "Fork %s" % record["extnumber"] if record["extnumber"] in chosen else None
            assert wanted_name is None or record["username"] == wanted_name
            assert wanted_name is not None or not record["username"].startswith("Fork")

        # No token confusion: every session is one login, its own extension, one logout.
        assert all(call["result"] == "Success" for call in tap.calls), collections.Counter(c["result"] for c in tap.calls)
        sessions = collections.defaultdict(list)
        for call in tap.calls:
            sessions[call["token"]].append(call)
        assert len(sessions) == len(chosen) + 1 == sim.counters["login"]  # + the inventory's own session
        touched = []
        for token, session in sessions.items():
            endpoints = [call["endpoint"] for call in session]
            if endpoints == ["login", "extensionlist/query", "logout"]:
                continue  # the inventory
            assert endpoints == ["login", "extension/query", "extension/update", "logout"], endpoints
            assert session[1]["extid"] == session[2]["extid"]
            touched.append(session[1]["extid"])
        assert sorted(touched) == chosen
        assert sim.tokens == []
