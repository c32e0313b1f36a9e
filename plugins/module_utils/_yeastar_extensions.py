# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Extension numbers and extension-list entries of the Yeastar S-Series API."""

from __future__ import annotations


def parse_extension_number(value, field):
    """One extension number as the PBX spells it: a string of digits."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("%s: %r is not an extension number; use digits such as 1000" % (field, value))
    text = str(value).strip()
    if not text.isdigit() or not text.isascii():
        raise ValueError("%s: %r is not an extension number; an extension number is digits only, such as 1000"
                         % (field, value))
    return text


def parse_extension_numbers(values, field):
    """Extension numbers from a list of numbers, digit strings or comma-separated strings, without repeats."""
    if isinstance(values, (str, int)) and not isinstance(values, bool):
        values = [values]
    numbers = []
    for value in values:
        parts = value.split(",") if isinstance(value, str) else [value]
        for part in parts:
            if isinstance(part, str) and not part.strip():
                continue
            number = parse_extension_number(part, field)
            if number not in numbers:
                numbers.append(number)
    return numbers


def extension_summary(raw):
    """An entry of extensionlist/query under readable names."""
    if not isinstance(raw, dict) or not raw.get("extnumber"):
        raise ValueError("the PBX's extension list holds an entry without an extension number: %r" % (raw,))
    return {
        "number": str(raw["extnumber"]),
        "name": str(raw.get("username") or ""),
        "status": str(raw.get("status") or ""),
        "type": str(raw.get("type") or ""),
        "port": str(raw.get("port") or ""),
    }
