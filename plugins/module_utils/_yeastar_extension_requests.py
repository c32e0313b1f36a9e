# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""The parameters of a yeastar_extension task as checked requests, before any call to the PBX."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_extensions import parse_extension_number
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_settings import (
    desired_settings,
    problems,
)


class Request:
    """One extension as a task asks for it: present with these settings, or absent."""

    def __init__(self, label, number, new_number, desired, state="present", octal_spelling=None):
        self.label = label
        self.number = number
        self.new_number = new_number if new_number != number else None
        self.desired = desired
        self.state = state
        self.octal_spelling = octal_spelling


def octal_spelling(value):
    """How an integer extension number would have been written if YAML read it as an octal number
    (an unquoted 0100 arrives as 64); None for a number given as text."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return "0%o" % value
    return None


class Purge:
    """purge: every extension the task does not name is deleted, but those in purge_exclude."""

    def __init__(self, ranges):
        self.ranges = ranges

    def spares(self, number):
        value = int(number)
        return any(low <= value <= high for low, high in self.ranges)


def read_requests(params, api):
    """The checked requests of a task, and every problem found in its parameters."""
    state = params.get("state") or "present"
    v2 = api.major == 2
    found = []
    if params.get("extensions") is not None:
        items = [("extensions[%d]: " % index, item) for index, item in enumerate(params["extensions"])]
        shared = desired_settings(params)
    elif params.get("all_of_type") is not None:
        # The numbers come from the PBX's list, in the task; here only the settings are checked.
        items, shared = [], desired_settings(params)
        found.extend(problems(shared, "", v2=v2))
        if state == "absent":
            found.append("all_of_type: configures every extension of a type; it cannot be used with state=absent")
    elif isinstance(params.get("extension"), list):
        items = [("extension[%d]: " % index, {"extension": number}) for index, number in enumerate(params["extension"])]
        shared = desired_settings(params)
        if params.get("new_extension") is not None:
            found.append("new_extension: renumbers one extension; it cannot be used with a list of extensions")
    else:
        items, shared = [("", params)], {}
    requests, seen = [], {}
    shared_checked = False
    for label, item in items:
        item_state = item.get("state") or state
        own = desired_settings(item) if item_state == "present" else {}
        if item_state != "present":
            desired = {}
        elif own:
            desired = dict(shared, **own)
            found.extend(problems(desired, label, v2=v2))
        else:
            # An item that names only its number takes the task's settings as they are: checked once, not per item.
            desired = shared
            if not shared_checked:
                found.extend(problems(shared, "", v2=v2))
                shared_checked = True
        try:
            number = parse_extension_number(item["extension"], label + "extension")
            new_number = None
            if item.get("new_extension") is not None:
                new_number = parse_extension_number(item["new_extension"], label + "new_extension")
        except ValueError as err:
            found.append(str(err))
            continue
        if api.max_number_length and len(number) > api.max_number_length:
            found.append("%sextension: %s is invalid on API %s: an extension number has at most %d digits"
                         % (label, number, api.name, api.max_number_length))
        if item_state == "absent":
            if not api.can_create:
                found.append("%sstate=absent: deleting extension %s %s" % (label, number, api.unavailable()))
            if new_number is not None:
                found.append("%snew_extension: cannot be used with state=absent" % label)
        request = Request(label, number, new_number, desired, item_state, octal_spelling(item["extension"]))
        for claimed in (request.number, request.new_number):
            if claimed is not None and claimed in seen:
                found.append("%sextension %s is already named by %s" % (label, claimed, seen[claimed] or "another item"))
            seen.setdefault(claimed, label.rstrip(": "))
        requests.append(request)
    return requests, found


def requests_of_type(params, api, summaries):
    """The requests of all_of_type: one per listed extension of those types, in the PBX's order, with the
    task's settings (checked already by read_requests)."""
    types = set(params["all_of_type"])
    numbers = [summary["number"] for summary in summaries if summary["type"] in types]
    requests, _found = read_requests(dict(params, all_of_type=None, extension=numbers), api)
    return requests


def read_purge(params, api):
    """The purge of a task (None without purge: true), and every problem found in its parameters."""
    try:
        ranges = parse_number_ranges(params.get("purge_exclude") or [], "purge_exclude")
    except ValueError as err:
        return None, [str(err)]
    if not params.get("purge"):
        return None, []
    found = []
    if params.get("extensions") is None:
        found.append("purge: needs extensions, the list of every extension to keep; it is refused with extension")
    elif not params["extensions"]:
        found.append("purge: refused with an empty extensions list, which would delete every extension of the PBX")
    if not api.can_create:
        found.append("purge: deleting extensions %s" % api.unavailable())
    return Purge(ranges), found


def parse_number_ranges(values, field):
    """(low, high) pairs from extension numbers and ranges such as 1000, "1000" or "1000-1099"."""
    ranges = []
    for value in values:
        parts = value.split(",") if isinstance(value, str) else [value]
        for part in parts:
            if isinstance(part, str) and not part.strip():
                continue
            if isinstance(part, str) and "-" in part:
                low, _dash, high = part.partition("-")
                first = parse_extension_number(low, field)
                last = parse_extension_number(high, field)
                if int(first) > int(last):
                    raise ValueError("%s: %r is not a range; the first number must not be greater than the last" % (field, part))
            else:
                first = last = parse_extension_number(part, field)
            ranges.append((int(first), int(last)))
    return ranges
