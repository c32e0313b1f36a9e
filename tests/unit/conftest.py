# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import YeastarClient
from ansible_collections.voiceops.pbx.tests.isolation import clear_proxy_variables
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator


@pytest.fixture
def pbx():
    with YeastarSimulator() as simulator:
        yield simulator


class Sleeps(list):
    """Records the back-off delays instead of sleeping."""

    def __call__(self, seconds):
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_client(pbx, sleeps):
    def make(**options):
        settings = dict(host=pbx.host, port=pbx.port, api_username="api", api_password=pbx.api_password,
                        ca_path=pbx.ca_path, timeout=5, sleep=sleeps)
        settings.update(options)
        return YeastarClient(**settings)
    return make


@pytest.fixture(autouse=True)
def login_state_dir(tmp_path, monkeypatch):
    """A record of refused logins of each test's own (simulators reuse ports, tests run in parallel)."""
    directory = tmp_path / "login-state"
    monkeypatch.setenv("YEASTAR_LOGIN_STATE_DIR", str(directory))
    return directory


@pytest.fixture(autouse=True)
def no_proxy_from_the_caller(monkeypatch):
    clear_proxy_variables(monkeypatch)
