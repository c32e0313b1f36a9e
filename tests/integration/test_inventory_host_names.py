# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Host names of the voiceops.pbx.yeastar inventory: one host per extension, or a clear failure."""

from __future__ import annotations

import json

import pytest

VALID_FIELDS = "{number}, {name}, {status}, {type}, {port}"
# As in an AWX inventory sync, a source that cannot be read fails the run instead of leaving it empty.
FAIL_UNPARSED = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "True"}


def failure(run):
    """The error text of a failed ansible-inventory run."""
    assert run.returncode != 0, run.stdout
    assert "Traceback" not in run.stderr
    assert "voiceops.pbx.yeastar: " in run.stderr
    return " ".join(run.stderr.split())  # ansible-core may wrap long messages


def test_two_extensions_with_one_display_name_fail_naming_both_numbers(ansible, pbx):
    pbx.patch_extension("1003", username="Amy")
    errors = failure(ansible.inventory({"hostname_format": "{name}"}, "--list", env=FAIL_UNPARSED))
    assert "host name 'Amy'" in errors and "extensions 1002 and 1003" in errors
    assert "host names must be unique" in errors and "{number}" in errors


def test_names_that_differ_only_in_unsafe_characters_collide(ansible, pbx):
    pbx.patch_extension("1002", username="Ann Lee")
    pbx.patch_extension("1003", username="Ann/Lee")
    errors = failure(ansible.inventory({"hostname_format": "{name}"}, "--list", env=FAIL_UNPARSED))
    assert "host name 'Ann_Lee'" in errors and "extensions 1002 and 1003" in errors


def test_many_colliding_extensions_are_named_first_few_and_counted(ansible, pbx):
    pbx.add_extensions([{"extnumber": str(number), "username": "Front desk"} for number in range(2000, 2009)])
    errors = failure(ansible.inventory({"hostname_format": "{name}"}, "--list", env=FAIL_UNPARSED))
    assert "host name 'Front_desk'" in errors
    assert "9 extensions: 2000, 2001, 2002, 2003, 2004 and 4 more" in errors


def test_an_extension_left_out_by_exclude_does_not_collide(ansible, pbx):
    pbx.patch_extension("1003", username="Amy")
    run = ansible.inventory({"hostname_format": "{name}", "exclude": ["yeastar_number == '1003'"]}, "--list",
                            env=FAIL_UNPARSED)
    assert run.returncode == 0, run.stderr
    hostvars = json.loads(run.stdout, object_hook=lambda value: value.get("__ansible_unsafe", value))["_meta"]["hostvars"]
    assert hostvars["Amy"]["yeastar_number"] == "1002"
    assert "1003" not in [host["yeastar_number"] for host in hostvars.values()]


def test_an_empty_host_name_fails_naming_the_extension(ansible, pbx):
    pbx.patch_extension("1003", username="")
    errors = failure(ansible.inventory({"hostname_format": "{name}"}, "--list", env=FAIL_UNPARSED))
    assert "empty host name" in errors and "extension 1003" in errors and "{number}" in errors


def test_an_unknown_field_fails_before_any_login(ansible, pbx):
    errors = failure(ansible.inventory({"hostname_format": "{extension}"}, "--list", env=FAIL_UNPARSED))
    assert "field {extension}" in errors and VALID_FIELDS in errors
    assert pbx.counters == {}


@pytest.mark.parametrize("hostname_format, reason", [
    ("ext{}", "a field without a name"),
    ("ext{0}", "a field without a name"),
    ("{number!x}", "Unknown conversion specifier x"),
    ("ext{number", "expected '}' before end of string"),
    ("ext}{number}", "Single '}' encountered"),
    ("{number:d}", "Unknown format code 'd'"),
    ("{number:{width}}", "field {width}"),
], ids=["positional", "numbered", "conversion", "unclosed", "unopened", "spec", "nested-unknown"])
def test_a_malformed_format_fails_before_any_login(ansible, pbx, hostname_format, reason):
    errors = failure(ansible.inventory({"hostname_format": hostname_format}, "--list", env=FAIL_UNPARSED))
    assert repr(hostname_format) in errors and reason in errors and VALID_FIELDS in errors
    assert pbx.counters == {}


def test_a_format_with_every_field_is_accepted(ansible):
    run = ansible.inventory({"hostname_format": "{type}-{status}-{name}-{number}{port}"}, "--list")
    assert run.returncode == 0, run.stderr
    assert "SIP-Registered-Amy-1002" in json.loads(run.stdout)["_meta"]["hostvars"]
