# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Long lists in messages: the first five items and a count of the rest."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._message_lists import brief
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_outcome import _failure_message
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_plan import Change, PlanError


def test_a_short_list_is_given_whole():
    assert brief(["a", "b"], "problems") == "a; b"
    assert brief(["1000", "1001", "1002", "1003", "1004"], "updated", ", ") == "1000, 1001, 1002, 1003, 1004"
    assert brief([], "updated", ", ") == ""


def test_a_long_list_names_five_items_then_counts_the_rest_and_says_where_they_all_are():
    problems = ["problem %d" % index for index in range(5000)]
    assert brief(problems, "problems") == (
        "problem 0; problem 1; problem 2; problem 3; problem 4; ... and 4,995 more; every one is in `problems`")
    assert brief(range(6), "not_attempted", ", ") == "0, 1, 2, 3, 4, ... and 1 more; every one is in `not_attempted`"


def test_a_plan_error_carries_every_problem_but_says_few():
    error = PlanError(["extension %d does not exist" % number for number in range(5000)])
    assert len(error.problems) == 5000
    assert str(error).startswith("nothing was changed: extension 0 does not exist; extension 1 does not exist;")
    assert len(str(error)) < 300 and "4,995 more" in str(error)


def test_the_failure_message_of_a_large_bulk_run_stays_short():
    plan = [Change(str(number), "update", {}, {}, ["display_name"]) for number in range(10000, 15000)]
    for change in plan[:3000]:
        change.outcome = "updated"
    plan[3000].outcome, plan[3000].error = "failed", "the PBX answered error 10017"
    for change in plan[3001:]:
        change.outcome = "not_attempted"
    message = _failure_message(plan, [plan[3000]])
    assert message == (
        "Extension 13000: the PBX answered error 10017. Updated before the failure: 10000, 10001, 10002, 10003, 10004, "
        "... and 2,995 more; every one is in `updated`. Not attempted: 13001, 13002, 13003, 13004, 13005, "
        "... and 1,994 more; every one is in `not_attempted`.")
