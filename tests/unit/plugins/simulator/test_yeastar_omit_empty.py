# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""omit_empty: extension/query answers without their blank fields, as the vendor's sample answer."""

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.tests.simulator.cli import build_parser
from ansible_collections.voiceops.pbx.tests.simulator.yeastar_api import YeastarSettings
from ansible_collections.voiceops.pbx.tests.unit.plugins.simulator.test_yeastar_v2_simulator import V1, V2, login, post


def query(pbx, version, body):
    token = login(pbx, version)["token"]
    return post(pbx, "extension/query", body, token, version)["extinfos"]


@pytest.mark.parametrize("version, body", [(V1, {"extid": "1000"}), (V2, {"number": "1000"})])
def test_answers_carry_blank_fields_by_default(pbx, version, body):
    item = query(pbx, version, body)[0]
    assert item["atransferext"] == "" and item["agentid"] == "" and item["email"] == ""


@pytest.mark.parametrize("version, body", [(V1, {"extid": "1000,1002"}), (V1, {}), (V2, {"number": "all"})])
def test_omit_empty_leaves_every_blank_field_out(pbx, version, body):
    pbx.configure(omit_empty=True)
    items = query(pbx, version, body)
    assert items and all("" not in item.values() for item in items)
    sample = next(item for item in items if item.get("extnumber", item.get("number")) == "1000")
    for left_out in ("atransferext", "atransfernum", "agentid", "email", "registername"):
        assert left_out not in sample
    assert sample["hasvoicemail"] == "on" and sample["ntransferto"] == "Voicemail"
    amy = next(item for item in items if item.get("extnumber", item.get("number")) == "1002")
    assert amy["agentid"] == "6932" and amy["email"] == "amy@example.com"


def test_omit_empty_changes_answers_only_not_the_store(pbx):
    pbx.configure(omit_empty=True)
    assert pbx.extension("1000")["atransferext"] == ""
    assert pbx.settings["omit_empty"] is True


def test_omit_empty_is_a_boolean_setting_off_by_default():
    assert YeastarSettings().omit_empty is False
    with pytest.raises(ValueError):
        YeastarSettings(omit_empty="yes")


def test_the_command_line_turns_it_on():
    assert build_parser().parse_args(["--omit-empty"]).omit_empty is True
    assert build_parser().parse_args([]).omit_empty is False
