# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults of the S-Series API, injected in the simulator, against the modules and the inventory.

Each test asserts the documented outcome (docs/reliability.md): recovered, with the repeats
counted in `retries`, or a failure that names the cause; a bulk run says exactly which
extensions were updated.
"""

from __future__ import annotations

import pytest
import requests

from ansible_collections.voiceops.pbx.plugins.module_utils._message_lists import brief
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator

UPDATE = "extension/update"
QUERY = "extension/query"
LIST = "extensionlist/query"


def point_at(ansible, sim):
    ansible.env.update(YEASTAR_HOST=sim.host, YEASTAR_PORT=str(sim.port), YEASTAR_CA_PATH=sim.ca_path)


def bulk(numbers, **settings):
    return {"extensions": [dict(settings, extension=number) for number in numbers]}


def results_of_calls(sim, endpoint):
    return [call["result"] for call in sim.calls if call["endpoint"] == endpoint]


# -- sessions and tokens --------------------------------------------------------------------------


def test_a_token_that_expires_mid_bulk_run_costs_one_login_and_one_repeat(ansible):
    with YeastarSimulator(extensions=20) as sim:
        point_at(ansible, sim)
        numbers = [str(number) for number in range(1000, 1020)]
        sim.inject("action", endpoint=UPDATE, on_call=8, action=sim.expire_tokens)
        status, result, _run = ansible.module("yeastar_extension", bulk(numbers, display_name="Night Run"))
        assert status == "CHANGED" and result["updated"] == numbers
        assert results_of_calls(sim, UPDATE).index("20006") == 7 and results_of_calls(sim, UPDATE).count("20006") == 1
        assert result["api_calls"] == {"login": 2, QUERY: 1, UPDATE: 21, "logout": 1} == sim.counters
        assert result["retries"] == {UPDATE: 1}
        assert all(record["username"] == "Night Run" for record in sim.extensions)


def test_a_token_revoked_between_read_and_write_costs_one_login_and_one_repeat(ansible, pbx):
    pbx.inject("errno", endpoint=UPDATE, count=1, errno="20004")
    status, result, _run = ansible.module("yeastar_extension", {"extension": 1003, "display_name": "After Revoke"})
    assert status == "CHANGED" and result["changed_fields"] == ["display_name"]
    assert pbx.counters == {"login": 2, QUERY: 1, UPDATE: 2, "logout": 1} == result["api_calls"]
    assert result["retries"] == {UPDATE: 1}
    assert pbx.extension("1003")["username"] == "After Revoke"


def revoke_and_change_password(sim):
    sim.configure(password="Rotated@456")
    sim.revoke_tokens()


def test_a_login_refused_mid_bulk_run_stops_it_and_names_what_was_updated(ansible):
    with YeastarSimulator(extensions=12) as sim:
        point_at(ansible, sim)
        numbers = [str(number) for number in range(1000, 1012)]
        sim.inject("action", endpoint=UPDATE, on_call=5, action=lambda: revoke_and_change_password(sim))
        status, result, _run = ansible.module("yeastar_extension", bulk(numbers, ring_timeout=120))
        assert status == "FAILED" and result["errno"] == "20003"
        assert sim.counters["login"] == 2  # the first login, then one refused: never a third
        updated, failed = result["updated"], result["failed_extensions"]
        assert (updated, failed, result["not_attempted"]) == (numbers[:4], [numbers[4]], numbers[5:])
        assert [record["extnumber"] for record in sim.extensions if record["ringtimeout"] == "120"] == updated
        assert result["msg"].startswith("Extension %s: PBX " % failed[0])
        assert "wrong username or password" in result["msg"]
        assert "Updated before the failure: %s." % brief(updated, "updated", ", ") in result["msg"]


def lock_out_this_machine(sim):
    sim.configure(max_failed_logins=1)
    body = {"username": "api", "password": "0" * 32, "port": "8260"}
    answer = requests.post(sim.url("login"), json=body, verify=sim.ca_path, timeout=10).json()
    assert answer == {"status": "Failed", "errno": "20003"}
    sim.reset_counters()


@pytest.mark.parametrize("refusal, module, args", [
    ("20003", "yeastar_extension_info", {}),
    ("20002", "yeastar_extension", {"extensions": [{"extension": 1002}, {"extension": 1003}], "ring_timeout": 60}),
])
def test_a_refused_login_is_never_repeated(ansible, pbx, refusal, module, args):
    env = {}
    if refusal == "20003":
        env["YEASTAR_PASSWORD"] = "Wrong@123"
    else:
        lock_out_this_machine(pbx)
    status, result, _run = ansible.module(module, args, env=env)
    assert status == "FAILED" and result["errno"] == refusal
    assert pbx.counters == {"login": 1} == result["api_calls"] and result["retries"] == {}
    assert "no further login is attempted" in result["msg"]
    assert ("locked out" if refusal == "20002" else "wrong username or password") in result["msg"]


@pytest.mark.parametrize("refusal", ["20003", "20002"])
def test_the_inventory_never_repeats_a_refused_login(ansible, pbx, refusal):
    env = {}
    if refusal == "20003":
        env["YEASTAR_PASSWORD"] = "Wrong@123"
    else:
        lock_out_this_machine(pbx)
    run = ansible.inventory({}, "--list", env=env)
    assert "error %s" % refusal in run.stderr and "Traceback" not in run.stderr
    assert pbx.counters == {"login": 1}


# -- transient failures ---------------------------------------------------------------------------

@pytest.mark.parametrize("fault, cause", [
    ({"kind": "errno", "errno": "30001"}, "the PBX answered error 30001 (internal error (JSON allocation))"),
    ({"kind": "http", "status": 500}, "HTTP status 500; the change may or may not have been applied"),
    ({"kind": "http", "status": 502}, "HTTP status 502; the change may or may not have been applied"),
    ({"kind": "http", "status": 503}, "HTTP status 503; the change may or may not have been applied"),
    ({"kind": "drop"}, "connection failed: "),
    ({"kind": "latency", "seconds": 3}, "no answer within 1 seconds (timeout); the change may or may not have been applied"),
], ids=["30001", "http-500", "http-502", "http-503", "dropped", "past-timeout"])
def test_a_transient_failure_repeats_a_read_and_stops_a_bulk_run_at_a_write(ansible, pbx, fault, cause):
    """The read is repeated transparently; the write is not (it may have been applied), and the
    bulk run stops there, saying which extensions were updated, which failed, which were not tried."""
    pbx.inject(endpoint=QUERY, count=1, **fault)
    pbx.inject(endpoint=UPDATE, count=1, on_call=2, **fault)
    status, result, _run = ansible.module("yeastar_extension", dict(bulk(["1002", "1003", "1004"], ring_timeout=300),
                                                                    timeout=1))
    assert status == "FAILED" and cause in result["msg"]
    assert result["retries"] == {QUERY: 1}
    assert result["api_calls"] == {"login": 1, QUERY: 2, UPDATE: 2, "logout": 1}
    assert (result["updated"], result["failed_extensions"], result["not_attempted"]) == (["1002"], ["1003"], ["1004"])
    assert result["msg"].startswith("Extension 1003: PBX 127.0.0.1, call extension/update: ")
    assert result["msg"].endswith("Updated before the failure: 1002. Not attempted: 1004.")
    assert pbx.extension("1002")["ringtimeout"] == "300" and pbx.extension("1004")["ringtimeout"] != "300"


def test_a_transient_failure_of_every_read_is_repeated_transparently(ansible, pbx):
    pbx.inject("http", endpoint=LIST, count=1, status=503)
    status, result, _run = ansible.module("yeastar_extension_info", {})
    assert status == "SUCCESS" and len(result["extensions"]) == 7
    assert result["retries"] == {LIST: 1} and pbx.counters == {"login": 1, LIST: 2, "logout": 1}


@pytest.mark.parametrize("fault", [
    {"kind": "errno", "errno": "30001"}, {"kind": "http", "status": 500}, {"kind": "http", "status": 502},
    {"kind": "http", "status": 503}, {"kind": "drop"}, {"kind": "latency", "seconds": 3},
], ids=["30001", "http-500", "http-502", "http-503", "dropped", "past-timeout"])
def test_the_inventory_repeats_a_transient_failure(ansible, pbx, fault):
    pbx.inject(endpoint=LIST, count=1, **fault)
    run = ansible.inventory({"timeout": 1}, "--list")
    assert run.returncode == 0 and '"ext1006"' in run.stdout, run.stderr
    assert pbx.counters == {"login": 1, LIST: 2, "logout": 1}


def test_applied_too_often_during_200_updates_is_waited_out(ansible):
    # 50 updates per 3 s: a client slower than 17 updates a second would never be refused (the loaded
    # machine of the tests is far faster), and a refusal clears within the 1 + 2 s of the first two waits.
    with YeastarSimulator(extensions=200, update_rate="50/3") as sim:
        point_at(ansible, sim)
        numbers = [record["extnumber"] for record in sim.extensions]
        status, result, _run = ansible.module("yeastar_extension", bulk(numbers, display_name="Rate Limited"))
        assert status == "CHANGED" and result["updated"] == numbers
        refused = results_of_calls(sim, UPDATE).count("10025")
        assert refused >= 3 and result["retries"] == {UPDATE: refused}
        assert result["api_calls"][UPDATE] == 200 + refused == sim.counters[UPDATE]
        assert all(record["username"] == "Rate Limited" for record in sim.extensions)
