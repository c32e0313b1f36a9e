# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The PBX simulator of tests/simulator as a child process of the benchmark."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile
import time

import requests

from .harness import HarnessError
from .parameters import REPO_ROOT


class Simulator:
    """The PBX simulator CLI (Yeastar HTTPS API + Predictive Outbound API) as a child process."""

    def __init__(self, work, extensions):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="sim-", dir=work))
        self.extensions = extensions
        self.process = None
        self.ready = None
        self.http = requests.Session()

    def where_to_listen(self):
        return ["--port", "0", "--outbound-port", "0"]

    def __enter__(self):
        ready_file = self.dir / "ready.json"
        command = [sys.executable, "-m", "simulator", *self.where_to_listen(), "--quiet",
                   "--extensions", str(self.extensions), "--ready-file", str(ready_file),
                   "--ca-out", str(self.dir / "ca.pem")]
        self.process = subprocess.Popen(command, cwd=str(REPO_ROOT / "tests"), stdin=subprocess.DEVNULL,
                                        stdout=open(self.dir / "simulator.log", "wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ready = json.loads(ready_file.read_text())
                break
            except (OSError, ValueError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise HarnessError("the simulator did not start; log: %s" % (self.dir / "simulator.log"))
            time.sleep(0.1)
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    @property
    def ca_path(self):
        return self.ready["ca_path"]

    def _admin(self, base, method, path, body=None):
        # verify on each request: REQUESTS_CA_BUNDLE must not replace the simulator's own CA
        answer = self.http.request(method, base + "/__sim__/" + path, json=body, verify=self.ca_path, timeout=120)
        if answer.status_code != 200:
            raise HarnessError("simulator admin %s %s: HTTP %s %s" % (method, path, answer.status_code, answer.text[:200]))
        return answer.json()

    def pbx(self, method, path, body=None):
        return self._admin(self.ready["base_url"], method, path, body)

    def outbound(self, method, path, body=None):
        return self._admin(self.ready["outbound_url"], method, path, body)

    def reset_counters(self):
        self.pbx("POST", "reset-counters", {})
        self.outbound("POST", "reset-counters", {})

    def counters(self):
        calls = {key: value for key, value in self.pbx("GET", "counters").items() if value}
        calls.update((key, value) for key, value in self.outbound("GET", "counters").items() if value)
        return calls

    def pbx_seconds(self):
        """The time both simulated APIs spent answering since the counters were reset."""
        return self.pbx("GET", "timing")["seconds"] + self.outbound("GET", "timing")["seconds"]

    def env(self):
        return {"YEASTAR_HOST": "127.0.0.1", "YEASTAR_PORT": str(self.ready["port"]), "YEASTAR_USERNAME": "api",
                "YEASTAR_PASSWORD": "Yeastar@123", "YEASTAR_CA_PATH": self.ca_path,
                "OUTBOUND_API_URL": self.ready["outbound_url"], "OUTBOUND_API_APPID": "voiceops",
                "OUTBOUND_API_ACCESSKEY": "Outbound@123"}


class FleetSimulator(Simulator):
    """The simulator serving a fleet of PBXes (--pbxes), one port each, each with its own state and counters."""

    def __init__(self, work, pbxes, extensions):
        super().__init__(work, extensions)
        self.size = pbxes

    def where_to_listen(self):
        return ["--pbxes", str(self.size)]

    @property
    def pbxes(self):
        """[{"name", "host", "port", "base_url", "api_username", "api_password", "ca_path"}] in name order."""
        return self.ready["pbxes"]

    def each(self, method, path, body=None):
        """The admin call on every PBX of the fleet; their answers in name order."""
        return [self._admin(pbx["base_url"], method, path, body) for pbx in self.pbxes]

    def patch(self, patches):
        """Set raw fields on the extensions of each PBX: one {number: fields} patch per PBX, in name order."""
        for pbx, patch in zip(self.pbxes, patches):
            self._admin(pbx["base_url"], "POST", "extensions", {"patch": patch})

    def reset_counters(self):
        self.each("POST", "reset-counters", {})

    def counters_by_pbx(self):
        return [{key: value for key, value in calls.items() if value} for calls in self.each("GET", "counters")]

    def pbx_seconds(self):
        return sum(answer["seconds"] for answer in self.each("GET", "timing"))

    def counters(self):
        total = {}
        for calls in self.counters_by_pbx():
            for key, value in calls.items():
                total[key] = total.get(key, 0) + value
        return total
