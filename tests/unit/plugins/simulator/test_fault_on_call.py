# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults that strike on the Nth call of an endpoint (on_call), and action faults that run code just before a call.

Standard library only (urllib), as the unit tests' environment has no requests.
"""

from __future__ import annotations

import hashlib
import json
import ssl
import urllib.request

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator
from ansible_collections.voiceops.pbx.tests.simulator.faults import FaultQueue, parse_fault

UPDATE = "extension/update"


def taken(queue, endpoints):
    """What each call in turn gets: (delay, failure kind or None)."""
    answers = []
    for endpoint in endpoints:
        delay, failure = queue.take(endpoint)
        answers.append((delay, failure.kind if failure else None))
    return answers


def test_a_fault_on_the_third_call_lets_two_pass_and_ignores_other_endpoints():
    queue = FaultQueue()
    queue.add({"kind": "drop", "endpoint": UPDATE, "on_call": 3, "count": 2})
    assert queue.pending()[0]["on_call"] == 3
    got = taken(queue, [UPDATE, "login", UPDATE, "extension/query", UPDATE, UPDATE, UPDATE])
    assert [kind for _delay, kind in got] == [None, None, None, None, "drop", "drop", None]
    assert queue.pending() == []


def test_the_calls_another_fault_answers_count_too():
    queue = FaultQueue()
    queue.add({"kind": "errno", "errno": "30001", "endpoint": UPDATE})
    queue.add({"kind": "http", "status": 502, "endpoint": UPDATE, "on_call": 2})
    assert [kind for _delay, kind in taken(queue, [UPDATE, UPDATE, UPDATE])] == ["errno", "http", None]


def test_latency_waits_for_its_call_too():
    queue = FaultQueue()
    queue.add({"kind": "latency", "seconds": 2, "endpoint": UPDATE, "on_call": 2})
    assert taken(queue, [UPDATE, UPDATE, UPDATE]) == [(0.0, None), (2.0, None), (0.0, None)]


def test_an_action_runs_once_on_its_call_and_leaves_the_answer_to_the_call():
    ran = []
    queue = FaultQueue()
    queue.add({"kind": "action", "endpoint": UPDATE, "on_call": 2, "action": lambda: ran.append(len(ran))})
    assert taken(queue, [UPDATE]) == [(0.0, None)] and ran == []
    assert taken(queue, [UPDATE, UPDATE]) == [(0.0, None), (0.0, None)] and ran == [0]


def test_an_action_may_queue_a_fault_for_the_next_call():
    queue = FaultQueue()
    queue.add({"kind": "action", "endpoint": UPDATE, "action": lambda: queue.add({"kind": "garbage", "endpoint": UPDATE})})
    assert [kind for _delay, kind in taken(queue, [UPDATE, UPDATE, UPDATE])] == [None, "garbage", None]


@pytest.mark.parametrize("spec, problem", [
    ({"kind": "drop", "on_call": 0}, "on_call must be a positive integer"),
    ({"kind": "drop", "on_call": True}, "on_call must be a positive integer"),
    ({"kind": "drop", "on_call": "2"}, "on_call must be a positive integer"),
    ({"kind": "action"}, "an action fault needs a callable action"),
    ({"kind": "action", "action": "expire-tokens"}, "an action fault needs a callable action"),
    ({"kind": "drop", "action": print}, "only an action fault takes action"),
])
def test_bad_specifications_are_refused(spec, problem):
    with pytest.raises(ValueError, match=problem):
        parse_fault(spec)


def post(sim, path, body):
    request = urllib.request.Request(sim.base_url + path, data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=sim.ca_path), timeout=10) as answer:
        return json.loads(answer.read())


def test_the_admin_call_queues_an_on_call_fault_and_the_simulator_applies_it():
    with YeastarSimulator() as sim:
        added = post(sim, "/__sim__/faults", {"kind": "errno", "errno": "30001", "endpoint": UPDATE, "on_call": 2})
        assert added["added"][0]["on_call"] == 2
        digest = hashlib.md5(sim.api_password.encode("utf-8")).hexdigest()
        token = post(sim, "/api/v2.0.0/login", {"username": "api", "password": digest})["token"]
        answers = [post(sim, "/api/v2.0.0/%s?token=%s" % (UPDATE, token), {"number": "1002", "username": "N%d" % index})
                   for index in range(3)]
        assert [answer["status"] for answer in answers] == ["Success", "Failed", "Success"]
        assert answers[1]["errno"] == "30001" and sim.extension("1002")["username"] == "N2"


def test_an_action_fault_acts_before_the_simulator_handles_the_call():
    with YeastarSimulator() as sim:
        sim.inject("action", endpoint=UPDATE, on_call=2, action=sim.expire_tokens)
        digest = hashlib.md5(sim.api_password.encode("utf-8")).hexdigest()
        token = post(sim, "/api/v2.0.0/login", {"username": "api", "password": digest})["token"]
        answers = [post(sim, "/api/v2.0.0/%s?token=%s" % (UPDATE, token), {"number": "1002", "username": "N%d" % index})
                   for index in range(2)]
        assert answers == [{"status": "Success"}, {"status": "Failed", "errno": "20006"}]
        assert [call["result"] for call in sim.calls if call["endpoint"] == UPDATE][1] == "20006"
