# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The edges of the Predictive Outbound connection checks: the smallest and largest values they
accept (mutation testing, docs/mutation.md, found that only values well inside or outside were tried)."""

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import (
    outbound_connection_problems,
    url_problems,
)


@pytest.mark.parametrize("port", [1, 2, 65534, 65535])
def test_a_url_port_from_1_to_65535_is_valid(port):
    assert url_problems("http://callcenter.example.com:%d" % port) == []


@pytest.mark.parametrize("port", [0, 65536])
def test_a_url_port_just_outside_1_to_65535_is_refused(port):
    url = "http://callcenter.example.com:%d" % port
    assert url_problems(url) == ["url: %r is invalid; its port must be from 1 to 65535" % url]


@pytest.mark.parametrize("request_timeout", [1, 2])
def test_a_request_timeout_of_one_second_or_more_is_valid(request_timeout):
    assert outbound_connection_problems(dict(url="http://cc.example.com", request_timeout=request_timeout)) == []
