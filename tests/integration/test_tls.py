# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Certificates that cannot be trusted: each is a one-line error that says what to do, before any API call."""

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import OutboundSimulator, YeastarSimulator

REFUSED = "TLS certificate verification failed"


def test_an_unknown_ca_fails_before_any_call_and_ca_path_fixes_it(ansible, pbx):
    status, result, run = ansible.module("yeastar_extension_info", {}, env={"YEASTAR_CA_PATH": ""})
    assert status == "FAILED" and result["msg"].startswith("PBX 127.0.0.1, call login: " + REFUSED)
    assert "set ca_path to that CA's PEM file" in result["msg"] and "exposes the credentials" in result["msg"]
    assert pbx.counters == {} and result["api_calls"] == {"login": 1}
    assert "Traceback" not in run.stdout + run.stderr

    status, result, _run = ansible.module("yeastar_extension_info", {"ca_path": pbx.ca_path}, env={"YEASTAR_CA_PATH": ""})
    assert status == "SUCCESS" and pbx.counters == {"login": 1, "extensionlist/query": 1, "logout": 1}


@pytest.mark.parametrize("certificate, words", [
    ({"cert_hostnames": ["pbx.example.com"]},
     ["mismatch, certificate is not valid for '127.0.0.1'", "Connect with the name or address the certificate was issued for"]),
    ({"expired_cert": True}, ["certificate has expired", "renew it on the server"]),
], ids=["hostname-mismatch", "expired"])
def test_a_certificate_ca_path_cannot_fix_is_named_with_its_remedy(ansible, certificate, words):
    with YeastarSimulator(**certificate) as sim:
        ansible.env.update(YEASTAR_PORT=str(sim.port), YEASTAR_CA_PATH=sim.ca_path)
        status, result, _run = ansible.module("yeastar_extension", {"extension": 1002, "ring_timeout": 15})
        assert status == "FAILED" and REFUSED in result["msg"]
        assert all(word in result["msg"] for word in words), result["msg"]
        assert "set ca_path" not in result["msg"] and result["retries"] == {}
        run = ansible.inventory({}, "--list")
        assert REFUSED in run.stderr and words[0] in run.stderr and "Traceback" not in run.stderr
        assert sim.counters == {}


def test_validate_certs_false_works_and_warns_what_it_risks(ansible, pbx):
    status, result, run = ansible.module("yeastar_extension_info", {"validate_certs": False}, env={"YEASTAR_CA_PATH": ""})
    assert status == "SUCCESS"
    warning = " ".join((run.stdout + run.stderr).split())
    assert "validate_certs is false" in warning
    assert "anyone on the network path can pose as the PBX" in warning
    assert "the API password digest, the session token and every extension's secrets" in warning
    assert "Set ca_path to the PBX's CA certificate instead" in warning


def test_validate_certs_false_on_the_call_center_api_warns_too(ansible):
    with OutboundSimulator(tls=True) as secure:
        ansible.env.update(OUTBOUND_API_URL=secure.url, OUTBOUND_API_APPID=secure.appid,
                           OUTBOUND_API_ACCESSKEY=secure.accesskey)
        status, result, run = ansible.module("sip_register_status", {"extnumber": "1002", "validate_certs": False})
        assert status == "SUCCESS" and result["registered"] == ["1002"]
        warning = " ".join((run.stdout + run.stderr).split())
        assert "can pose as the call center and read the accesskey and token" in warning
        assert secure.accesskey not in run.stdout + run.stderr
