# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wait of sip_register_status, round by round, on a clock that moves only when the test says."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_client import OutboundClient, registration_entry
from ansible_collections.voiceops.pbx.plugins.modules.sip_register_status import Poll
from ansible_collections.voiceops.pbx.tests.simulator import OutboundSimulator

START = 1000.0
CALL_SECONDS = 0.5
REGISTERED, UNREGISTERED, NOT_OWNED, NOT_FOUND = 1017, 1014, 1011, 1012


class FakeTime:
    """A monotonic clock and a sleep that only moves it."""

    def __init__(self):
        self.now = START
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    @property
    def elapsed(self):
        return self.now - START


class Phones:
    """register_status() from a timetable: per extension, a code, or (code before, seconds, code after).
    Each status call takes CALL_SECONDS of the fake clock."""

    def __init__(self, time, timetable):
        self.time = time
        self.timetable = timetable
        self.asked = []
        self.round_starts = []

    def register_status(self, numbers, batch_size):
        self.round_starts.append(self.time.now - START)
        self.asked.append(list(numbers))
        entries = [registration_entry({"extnumber": number, "code": self._code(number)}) for number in numbers]
        self.time.now += CALL_SECONDS
        return entries

    def _code(self, number):
        plan = self.timetable[number]
        if isinstance(plan, int):
            return plan
        before, seconds, after = plan
        return after if self.time.now - START >= seconds else before


def poll(timetable, wait_for, timeout, interval):
    time = FakeTime()
    phones = Phones(time, timetable)
    waiting = Poll(phones, list(timetable), 100, wait_for, timeout, interval, clock=time.clock, sleep=time.sleep)
    return waiting, waiting.run(), phones, time


def states(waiting):
    return {entry["extnumber"]: entry["state"] for entry in waiting.result()["extensions"]}


def test_a_wait_that_times_out_stops_before_the_deadline_after_the_last_round_that_fits():
    waiting, failure, phones, time = poll({"1002": REGISTERED, "1006": UNREGISTERED}, "registered", timeout=10, interval=3)
    # rounds start at 0, 3.5 and 7; a fourth would start at 10.5, past the 10 seconds
    assert failure == "timed out waiting for registered; still not there: 1006 (unregistered)"
    assert waiting.rounds == 3 and phones.round_starts == [0, 3.5, 7]
    assert time.sleeps == [3, 3]
    assert time.elapsed == 7.5 and time.elapsed <= 10
    assert phones.asked == [["1002", "1006"], ["1006"], ["1006"]]
    assert states(waiting) == {"1002": "registered", "1006": "unregistered"}
    assert waiting.result()["unregistered"] == ["1006"]


def test_no_round_starts_after_the_deadline_but_one_may_start_at_it():
    waiting, failure, phones, time = poll({"1006": UNREGISTERED}, "registered", timeout=6, interval=2.5)
    assert failure.startswith("timed out waiting for registered")
    assert phones.round_starts == [0, 3, 6] and waiting.rounds == 3
    assert time.sleeps == [2.5, 2.5] and time.elapsed == 6 + CALL_SECONDS


def test_a_timeout_of_zero_is_one_round_and_no_sleep():
    waiting, failure, _phones, time = poll({"1006": UNREGISTERED}, "registered", timeout=0, interval=2)
    assert failure == "timed out waiting for registered; still not there: 1006 (unregistered)"
    assert waiting.rounds == 1 and time.sleeps == [] and time.elapsed == CALL_SECONDS


def test_a_wait_ends_in_the_round_the_phone_is_registered():
    waiting, failure, phones, time = poll({"1002": REGISTERED, "1006": (UNREGISTERED, 5, REGISTERED)}, "registered",
                                          timeout=60, interval=2)
    # rounds at 0, 2.5 (not yet) and 5 (registered)
    assert failure is None
    assert waiting.rounds == 3 and phones.round_starts == [0, 2.5, 5]
    assert time.sleeps == [2, 2] and time.elapsed == 5.5
    assert phones.asked == [["1002", "1006"], ["1006"], ["1006"]]
    assert states(waiting) == {"1002": "registered", "1006": "registered"}
    assert waiting.result()["registered"] == ["1002", "1006"]


def test_a_wait_for_unregistered_ends_when_the_last_phone_is_gone():
    waiting, failure, _phones, time = poll({"1002": (REGISTERED, 1, UNREGISTERED), "1004": NOT_OWNED}, "unregistered",
                                           timeout=30, interval=1)
    assert failure is None and waiting.rounds == 2 and time.sleeps == [1]
    assert states(waiting) == {"1002": "unregistered", "1004": "not_owned"}


def test_not_owned_can_never_register_so_the_wait_fails_after_the_first_round():
    waiting, failure, _phones, time = poll({"1004": NOT_OWNED, "1006": UNREGISTERED}, "registered", timeout=300, interval=2)
    assert failure == "these extensions can never register: 1004 (not_owned)"
    assert waiting.rounds == 1 and time.sleeps == []
    assert states(waiting) == {"1004": "not_owned", "1006": "unregistered"}


def test_not_found_can_never_register_either():
    waiting, failure, _phones, time = poll({"1099": NOT_FOUND}, "registered", timeout=300, interval=2)
    assert failure == "these extensions can never register: 1099 (not_found)"
    assert waiting.rounds == 1 and time.sleeps == []


def test_a_disabled_extension_is_waited_for():
    waiting, failure, _phones, _time = poll({"1003": (1013, 3, REGISTERED)}, "registered", timeout=30, interval=2)
    assert failure is None and waiting.rounds == 3


def test_without_wait_for_the_state_is_read_once():
    waiting, failure, _phones, time = poll({"1006": UNREGISTERED}, None, timeout=300, interval=2)
    assert failure is None and waiting.rounds == 1 and time.sleeps == []


def test_every_round_of_a_wait_goes_over_the_one_connection_of_the_task():
    time = FakeTime()
    with OutboundSimulator() as outbound:
        client = OutboundClient(outbound.url, appid=outbound.appid, accesskey=outbound.accesskey, timeout=5)
        waiting = Poll(client, ["1000"], 100, "registered", 6, 2, clock=time.clock, sleep=time.sleep)
        with client:
            failure = waiting.run()
        calls = outbound.recorder.settled_calls()
    assert failure.startswith("timed out waiting for registered") and waiting.rounds == 4
    assert [call["endpoint"] for call in calls] == (
        ["App.Sip_Auth.Login"] + ["App.Sip_Status.GetSipRegisterStatus"] * 4 + ["App.Sip_Auth.Logout"])
    assert len({call["connection"] for call in calls}) == 1
