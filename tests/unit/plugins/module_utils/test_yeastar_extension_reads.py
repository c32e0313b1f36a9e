# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading extensions: batching, the list asked once when the PBX answers 10006, repeated numbers, and
answers that are not what the API documents (the mutation run found these untested by unit tests)."""

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_api_versions import api_for
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import YeastarApiError
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import (
    ListedNumbers,
    answer_text,
    list_extensions,
    query_all_extensions,
    query_extensions,
)


class ScriptedPbx:
    """A client whose PBX holds the given numbers and answers extension/query as the S-Series does:
    10006 for a query that names a number it does not have (v1.x), the others otherwise."""

    def __init__(self, numbers, version="v1.0.0", answers=None):
        self.api = api_for(version)
        self.numbers = list(numbers)
        self.answers = dict(answers or {})
        self.calls = []

    def call(self, endpoint, body=None):
        self.calls.append((endpoint, dict(body or {})))
        if endpoint in self.answers:
            return self.answers[endpoint]
        if endpoint == self.api.list_call:
            return {"extlist": [{self.api.selector if self.api.can_create else "extnumber": number, "type": "SIP"}
                                for number in self.numbers]}
        asked = (body or {}).get(self.api.selector, "")
        wanted = self.numbers if asked in ("", "all") else asked.split(",")
        if any(number not in self.numbers for number in wanted):
            raise YeastarApiError("10006", where="the PBX", call=endpoint)
        return {"extinfos": [{"extnumber": number, "username": "User %s" % number} for number in wanted]}

    def endpoints(self):
        return [endpoint for endpoint, _body in self.calls]


def test_numbers_are_asked_for_in_batches_in_their_order():
    pbx = ScriptedPbx([str(number) for number in range(1000, 1007)])
    found = query_extensions(pbx, ["1006", "1000", "1001", "1002", "1003"], 2)
    assert list(found) == ["1006", "1000", "1001", "1002", "1003"]
    assert pbx.calls == [("extension/query", {"extid": "1006,1000"}), ("extension/query", {"extid": "1001,1002"}),
                         ("extension/query", {"extid": "1003"})]
    assert found["1000"]["username"] == "User 1000"


def test_with_the_list_at_hand_only_numbers_the_pbx_holds_are_asked_for():
    pbx = ScriptedPbx(["1000", "1001"])
    found = query_extensions(pbx, ["1000", "1005", "1001"], 100, known={"1000", "1001"})
    assert list(found) == ["1000", "1001"]
    assert pbx.calls == [("extension/query", {"extid": "1000,1001"})]


def test_a_batch_with_a_missing_number_asks_for_the_list_once_then_for_the_numbers_the_pbx_has():
    pbx = ScriptedPbx(["1000", "1001", "1002", "1003"])
    found = query_extensions(pbx, ["1000", "1009", "1001", "1008", "1002", "1003"], 2)
    assert list(found) == ["1000", "1001", "1002", "1003"]
    assert pbx.endpoints() == ["extension/query", "extensionlist/query", "extension/query",
                               "extension/query", "extension/query", "extension/query"]
    assert pbx.calls[2] == ("extension/query", {"extid": "1000"})
    assert pbx.calls[4] == ("extension/query", {"extid": "1001"})


def test_a_missing_single_number_costs_no_list_call():
    pbx = ScriptedPbx(["1000"])
    assert query_extensions(pbx, ["1009"], 100) == {}
    assert pbx.endpoints() == ["extension/query"]


def test_a_batch_of_missing_numbers_only_is_answered_empty_after_the_list():
    pbx = ScriptedPbx(["1000"])
    assert query_extensions(pbx, ["1008", "1009"], 100) == {}
    assert pbx.endpoints() == ["extension/query", "extensionlist/query"]


def test_other_errors_of_a_query_are_not_taken_for_missing_numbers():
    class Busy(ScriptedPbx):
        def call(self, endpoint, body=None):
            self.calls.append((endpoint, body))
            raise YeastarApiError("10003", where="the PBX", call=endpoint)

    with pytest.raises(YeastarApiError) as caught:
        query_extensions(Busy(["1000"]), ["1000", "1001"], 100)
    assert caught.value.errno == "10003"


def test_the_same_number_in_two_batches_of_an_answer_makes_the_read_fail():
    class Echoing(ScriptedPbx):
        def call(self, endpoint, body=None):
            self.calls.append((endpoint, body))
            return {"extinfos": [{"extnumber": "1000"}]}

    with pytest.raises(ValueError, match="names extension 1000 more than once"):
        query_extensions(Echoing(["1000"]), ["1000", "1001"], 1)


@pytest.mark.parametrize("answer, words", [
    ({}, "holds no 'extinfos' list"),
    ({"extinfos": {"1000": {}}}, "holds no 'extinfos' list"),
    ({"extinfos": [{"username": "Amy"}]}, "without an extension number"),
    ({"extinfos": [{"extnumber": "1000"}, {"extnumber": 1000}]}, "names extension 1000 more than once"),
    ({"extinfos": [{"extnumber": "1000", "username": ["Amy"]}]}, "gives the username of extension 1000 as a JSON list"),
])
def test_a_query_answer_unlike_the_documented_one_is_refused_saying_what_is_wrong(answer, words):
    pbx = ScriptedPbx(["1000"], answers={"extension/query": answer})
    with pytest.raises(ValueError, match=words):
        query_extensions(pbx, ["1000"], 100)


@pytest.mark.parametrize("version, call, body", [("v1.0.0", "extensionlist/query", {}),
                                                 ("v2.0.0", "extension/list", {})])
def test_the_list_uses_the_call_of_the_api_version(version, call, body):
    pbx = ScriptedPbx(["1000", "1001"], version=version)
    assert [summary["number"] for summary in list_extensions(pbx)] == ["1000", "1001"]
    assert pbx.calls == [(call, body)]


@pytest.mark.parametrize("answer, words", [
    ({"extlist": None}, "holds no 'extlist' list"),
    ({"extlist": [{"extnumber": "1000"}, {"extnumber": "1000"}]}, "names extension 1000 more than once"),
])
def test_a_list_answer_unlike_the_documented_one_is_refused(answer, words):
    pbx = ScriptedPbx([], answers={"extensionlist/query": answer})
    with pytest.raises(ValueError, match=words):
        list_extensions(pbx)


def test_an_empty_list_is_a_pbx_without_extensions():
    assert list_extensions(ScriptedPbx([])) == []


@pytest.mark.parametrize("version, body", [("v1.0.0", {}), ("v2.0.0", {"number": "all"})])
def test_every_extension_in_one_query(version, body):
    pbx = ScriptedPbx(["1000", "1001"], version=version)
    assert [info["extnumber"] for info in query_all_extensions(pbx)] == ["1000", "1001"]
    assert pbx.calls == [("extension/query", body)]


def test_a_v2_answer_naming_the_number_number_gets_an_extnumber():
    pbx = ScriptedPbx(["1000"], version="v2.0.0", answers={"extension/query": {"extinfos": [{"number": 1000}]}})
    assert query_extensions(pbx, ["1000"], 100)["1000"]["extnumber"] == "1000"


@pytest.mark.parametrize("value, text", [(None, ""), (True, "on"), (False, "off"), (1000, "1000"), (30.5, "30.5"),
                                         ("Amy", "Amy")])
def test_answer_values_read_as_text(value, text):
    assert answer_text(value, "a field") == text


@pytest.mark.parametrize("value, kind", [({"a": 1}, "dict"), ([1], "list")])
def test_an_answer_value_that_is_an_object_or_a_list_is_an_error_naming_it(value, kind):
    with pytest.raises(ValueError, match="gives the email of 1000 as a JSON %s, not as text" % kind):
        answer_text(value, "the email of 1000")


def test_a_batch_the_pbx_refuses_although_its_list_holds_every_number_is_read_as_empty_once():
    class Inconsistent(ScriptedPbx):
        def call(self, endpoint, body=None):
            if endpoint == "extension/query":
                self.calls.append((endpoint, dict(body or {})))
                raise YeastarApiError("10006", where="the PBX", call=endpoint)
            return super().call(endpoint, body)

    pbx = Inconsistent(["1000", "1001"])
    assert query_extensions(pbx, ["1000", "1001"], 100) == {}
    assert pbx.endpoints() == ["extension/query", "extensionlist/query"]


@pytest.mark.parametrize("errno", ["10003", "20006"])
def test_only_10006_means_missing_numbers(errno):
    class Failing(ScriptedPbx):
        def call(self, endpoint, body=None):
            if endpoint == "extension/query":
                self.calls.append((endpoint, dict(body or {})))
                raise YeastarApiError(errno, where="the PBX", call=endpoint)
            return super().call(endpoint, body)

    pbx = Failing(["1000"])
    with pytest.raises(YeastarApiError):
        query_extensions(pbx, ["1000", "1001"], 100)
    assert pbx.endpoints() == ["extension/query"]


def test_a_missing_number_before_one_the_pbx_has_still_reads_that_one():
    pbx = ScriptedPbx(["1001"])
    assert list(query_extensions(pbx, ["1000", "1001"], 100)) == ["1001"]
    assert pbx.calls[-1] == ("extension/query", {"extid": "1001"})


def test_the_list_is_at_hand_only_once_it_was_read():
    pbx = ScriptedPbx(["1000"])
    listed = ListedNumbers(pbx)
    assert listed.read is False and pbx.calls == []
    assert "1000" in listed and "1001" not in listed
    assert listed.read is True and pbx.endpoints() == ["extensionlist/query"]
    assert ListedNumbers(pbx, {"1000"}).read is True


def test_a_list_answer_without_extlist_names_the_call():
    pbx = ScriptedPbx([], version="v2.0.0", answers={"extension/list": {}})
    with pytest.raises(ValueError, match=r"^the PBX's extension/list answer holds no 'extlist' list$"):
        list_extensions(pbx)
