# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The checks of the connection options that run before any request."""

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import outbound_connection_problems
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import connection_problems

VALID = dict(host="pbx.example.com", port=8088, timeout=30)


@pytest.mark.parametrize("host", ["pbx.example.com", "192.0.2.10", "fe80::1", "[2001:db8::5]", "PBX-1"])
def test_a_bare_name_or_address_is_a_host(host):
    assert connection_problems(dict(VALID, host=host)) == []


@pytest.mark.parametrize("host, bare", [
    ("https://pbx.example.com", "pbx.example.com"),
    ("http://pbx.example.com:8088/api/v1.0.0", "pbx.example.com"),
    ("pbx.example.com/api", "pbx.example.com"),
    ("pbx.example.com:8088", "pbx.example.com"),
])
def test_a_host_with_scheme_port_or_path_says_to_give_the_bare_name(host, bare):
    [problem] = connection_problems(dict(VALID, host=host))
    assert problem.startswith("host: %r is invalid; give the bare name or IP address of the PBX (%s)" % (host, bare))


@pytest.mark.parametrize("host", ["", "  ", "pbx example.com"])
def test_a_blank_host_or_one_with_spaces_is_refused(host):
    [problem] = connection_problems(dict(VALID, host=host))
    assert problem.startswith("host: ")


@pytest.mark.parametrize("port, valid", [(1, True), (65535, True), (0, False), (-1, False), (65536, False), (70000, False)])
def test_a_port_is_from_1_to_65535(port, valid):
    problems = connection_problems(dict(VALID, port=port))
    assert problems == ([] if valid else ["port: %s is invalid; it must be from 1 to 65535" % port])


@pytest.mark.parametrize("timeout, valid", [(1, True), (3600, True), (0, False), (-1, False)])
def test_a_timeout_is_at_least_one_second(timeout, valid):
    problems = connection_problems(dict(VALID, timeout=timeout))
    assert problems == ([] if valid else [
        "timeout: %s is invalid; it must be 1 second or more (a deadline for the whole request)" % timeout])


def test_options_not_given_are_left_to_ansible():
    assert connection_problems(dict(host=None, port=None, timeout=None)) == []


@pytest.mark.parametrize("url", ["http://callcenter.example.com:8080", "https://192.0.2.7", "http://[::1]:8080/api"])
def test_an_http_or_https_url_with_a_server_is_valid(url):
    assert outbound_connection_problems(dict(url=url, request_timeout=30)) == []


@pytest.mark.parametrize("url, words", [
    ("callcenter.example.com:8080", "it must start with http:// or https://"),
    ("ftp://callcenter.example.com", "it must start with http:// or https://"),
    ("http://", "it must start with http:// or https:// and name the server"),
    ("http://callcenter.example.com:70000", "its port must be from 1 to 65535"),
])
def test_an_outbound_url_that_cannot_work_is_refused(url, words):
    [problem] = outbound_connection_problems(dict(url=url, request_timeout=30))
    assert problem.startswith("url: %r is invalid; " % url) and words in problem


def test_a_request_timeout_is_at_least_one_second():
    assert outbound_connection_problems(dict(url="http://cc.example.com", request_timeout=0)) == [
        "request_timeout: 0 is invalid; it must be 1 second or more (a deadline for the whole request)"]
