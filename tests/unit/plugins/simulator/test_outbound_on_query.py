# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Registration changes that happen on the Nth status query naming an extension (on_query), whatever the timing."""

from __future__ import annotations

import json

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import OutboundSimulator
from ansible_collections.voiceops.pbx.tests.simulator.outbound_state import Registrations


def registered(store, number):
    return store.get(number)["registered"]


def test_the_change_shows_in_the_answer_to_the_nth_query_naming_the_extension():
    store = Registrations([{"extnumber": "1006", "registered": False}, {"extnumber": "1007", "registered": False}])
    store.schedule_on_query("1006", 3, registered=True)
    store.queried("1007")  # another extension's queries do not count
    answers = []
    for _round in range(4):
        store.queried("1006")
        answers.append(registered(store, "1006"))
    assert answers == [False, False, True, True]
    assert not registered(store, "1007") and store.scheduled(0) == []


def test_pending_query_changes_are_listed_and_dropped_by_replace():
    store = Registrations([{"extnumber": "1006", "registered": False}])
    store.schedule_on_query("1006", 2, registered=True)
    store.queried("1006")
    assert store.scheduled(0) == [{"registered": True, "extnumber": "1006", "on_query": 1}]
    store.replace([{"extnumber": "1006", "registered": False}])
    store.queried("1006")
    assert store.scheduled(0) == [] and not registered(store, "1006")


@pytest.mark.parametrize("queries", [0, -1, True, "2"])
def test_a_query_count_below_one_or_not_a_whole_number_is_refused(queries):
    store = Registrations([{"extnumber": "1006", "registered": False}])
    with pytest.raises(ValueError):
        store.schedule_on_query("1006", queries, registered=True)


def test_the_admin_schedule_takes_on_query_and_the_status_service_counts_each_number_once_per_call():
    with OutboundSimulator(extensions=[{"extnumber": "1006", "registered": False}, "1007"]) as sim:
        status, answer = sim.handle_admin("POST", "registrations", json.dumps(
            {"schedule": [{"extnumber": "1006", "on_query": 2, "registered": True}]}).encode())
        assert status == 200 and answer["scheduled"] == [{"registered": True, "extnumber": "1006", "on_query": 2}]
        token = sim.issue_token()
        codes = []
        for _round in range(2):
            reply, _logged = sim.api.handle("POST", {"service": "App.Sip_Status.GetSipRegisterStatus", "token": token,
                                                     "extnumber": "1006,1007"}, "127.0.0.1")
            codes.append([item["code"] for item in reply["data"]["result"]])
        assert codes == [[1014, 1017], [1017, 1017]]
