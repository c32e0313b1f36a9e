# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options that cannot work fail before any request, naming the option and its rule."""

from __future__ import annotations

import pytest

INVALID = [
    ({"port": 70000}, "port: 70000 is invalid; it must be from 1 to 65535"),
    ({"timeout": 0}, "timeout: 0 is invalid; it must be 1 second or more"),
    ({"timeout": -1}, "timeout: -1 is invalid; it must be 1 second or more"),
    ({"host": "https://pbx.example.com"},
     "host: 'https://pbx.example.com' is invalid; give the bare name or IP address of the PBX (pbx.example.com)"),
    ({"host": "127.0.0.1/api"}, "host: '127.0.0.1/api' is invalid; give the bare name or IP address of the PBX (127.0.0.1)"),
    ({"host": " "}, "host: it is blank; give the name or IP address of the PBX"),
]


def one_line(text):
    return " ".join(text.split())


@pytest.mark.parametrize("args, words", INVALID, ids=["port", "timeout-0", "timeout-negative", "scheme", "path", "blank"])
def test_an_invalid_connection_option_fails_before_any_request(ansible, pbx, args, words):
    status, result, _run = ansible.module("yeastar_extension_info", args)
    assert status == "FAILED"
    assert result["msg"] == "Invalid input, nothing was sent to the PBX: " + result["problems"][0]
    assert result["problems"][0].startswith(words)
    assert result["api_calls"] == {} and pbx.counters == {}


def test_every_invalid_option_is_named_at_once(ansible, pbx):
    status, result, _run = ansible.module("yeastar_extension", {"extension": 1002, "display_name": "X", "port": 0},
                                          env={"YEASTAR_TIMEOUT": "0"})
    assert status == "FAILED"
    assert [problem.split(":")[0] for problem in result["problems"]] == ["port", "timeout"]
    assert result["api_calls"] == {} and pbx.counters == {}


def test_the_inventory_names_an_invalid_port_before_any_request(ansible, pbx):
    run = ansible.inventory({"port": 70000}, "--list")
    errors = one_line(run.stderr + run.stdout)
    assert "nothing was sent to the PBX: port: 70000 is invalid; it must be from 1 to 65535" in errors
    assert "Traceback" not in errors and '"ext1000"' not in run.stdout
    assert pbx.counters == {}


def test_the_inventory_names_an_invalid_timeout_from_the_environment(ansible, pbx):
    run = ansible.inventory({}, "--list", env={"YEASTAR_TIMEOUT": "0"})
    assert "timeout: 0 is invalid; it must be 1 second or more" in one_line(run.stderr + run.stdout)
    assert pbx.counters == {}


@pytest.mark.parametrize("args, words", [
    ({"request_timeout": 0}, "request_timeout: 0 is invalid; it must be 1 second or more"),
    ({"url": "callcenter.example.com:8080"}, "url: 'callcenter.example.com:8080' is invalid; it must start with http://"),
], ids=["request_timeout", "url"])
def test_sip_register_status_checks_its_connection_options_before_any_request(outbound_ansible, outbound, args, words):
    status, result, _run = outbound_ansible.module("sip_register_status", dict({"extnumber": [1002]}, **args))
    assert status == "FAILED"
    assert result["msg"].startswith("Invalid input, nothing was sent to the Predictive Outbound API: " + words)
    assert result["api_calls"] == {} and outbound.counters == {}


def test_the_inventory_without_a_host_says_to_set_it(ansible, pbx):
    run = ansible.inventory({}, "--list", env={"YEASTAR_HOST": ""})
    assert "voiceops.pbx.yeastar: set host (or YEASTAR_HOST) in the inventory file" in one_line(run.stderr + run.stdout)
    assert pbx.counters == {}
