# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The task's settings shared by many extensions are checked once; an item's own settings are checked per item."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import api_for
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extension_requests import read_requests
from ansible_collections.voiceops.pbx.tests.unit.plugins.module_utils.test_yeastar_api_v2 import bulk

V1 = api_for("v1.0.0")


def test_an_invalid_task_setting_for_a_list_of_numbers_is_one_problem():
    params = bulk(ring_timeout=-5)
    params.update(extensions=None, extension=[str(number) for number in range(1000, 1500)])
    requests, problems = read_requests(params, V1)
    assert len(requests) == 500
    assert len(problems) == 1 and problems[0].startswith("ring_timeout (ringtimeout): -5 is invalid"), problems


def test_items_that_name_only_a_number_share_one_check_and_items_with_settings_get_their_own():
    params = bulk({"extension": "1000"}, {"extension": "1001", "ring_timeout": 7}, {"extension": "1002"},
                  ring_timeout=-5)
    requests, problems = read_requests(params, V1)
    assert [request.number for request in requests] == ["1000", "1001", "1002"]
    assert [problem.split(" is invalid")[0] for problem in problems] == [
        "ring_timeout (ringtimeout): -5", "extensions[1]: ring_timeout (ringtimeout): 7"]
    assert requests[0].desired == requests[2].desired == {"ring_timeout": -5}
    assert requests[1].desired == {"ring_timeout": 7}


def test_valid_shared_settings_reach_every_item_unchanged():
    params = bulk({"extension": "1000"}, {"extension": "1001", "ring_timeout": 15}, ring_timeout=30, voicemail=True)
    requests, problems = read_requests(params, V1)
    assert problems == []
    assert [request.desired for request in requests] == [{"ring_timeout": 30, "voicemail": True},
                                                         {"ring_timeout": 15, "voicemail": True}]
