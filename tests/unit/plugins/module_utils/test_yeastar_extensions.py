# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import (
    extension_summary,
    parse_extension_numbers,
)


@pytest.mark.parametrize("given, expected", [
    ([1000, "1001"], ["1000", "1001"]),
    (["1000,1001"], ["1000", "1001"]),
    ("1000, 1001,", ["1000", "1001"]),
    (1000, ["1000"]),
    ([1000, "1000", "1001,1000"], ["1000", "1001"]),
    (["1000,,1001", " ", "1002"], ["1000", "1001", "1002"]),
    ([], []),
])
def test_extension_numbers_accept_lists_numbers_and_comma_strings(given, expected):
    assert parse_extension_numbers(given, "extensions") == expected


@pytest.mark.parametrize("bad", ["10a0", "-1", "１０００"])
def test_a_bad_extension_number_is_refused_naming_the_field(bad):
    with pytest.raises(ValueError, match=r"^extensions: .* is not an extension number; an extension number is digits only"):
        parse_extension_numbers([bad], "extensions")


@pytest.mark.parametrize("bad", [True, 10.5, {"extid": 1}, None])
def test_a_value_that_is_neither_text_nor_a_whole_number_is_refused_by_its_type(bad):
    with pytest.raises(ValueError, match=r"^extensions: .* is not an extension number; use digits such as 1000$"):
        parse_extension_numbers([bad], "extensions")


def test_a_list_entry_gets_readable_names_and_an_empty_port_for_sip():
    raw = {"extnumber": "1002", "status": "Registered", "type": "SIP", "username": "Amy"}
    assert extension_summary(raw) == {"number": "1002", "name": "Amy", "status": "Registered", "type": "SIP", "port": ""}


def test_a_list_entry_without_number_is_a_clear_error():
    with pytest.raises(ValueError, match="without an extension number"):
        extension_summary({"status": "Idle"})
