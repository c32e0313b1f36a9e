# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Extension numbers and extension-list entries of the Yeastar S-Series API."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import YeastarApiError

EXTENSION_MISSING = "10006"


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


def query_extensions(client, numbers, batch_size):
    """extension/query answers by extension number, batch_size numbers per call.

    Numbers the PBX does not have are absent from the result.
    """
    found = {}
    known = set()
    for start in range(0, len(numbers), batch_size):
        for info in _query_batch(client, numbers[start:start + batch_size], known):
            found[info["extnumber"]] = info
    return found


def _query_batch(client, batch, known):
    """One extension/query call; a PBX that answers 10006 for a batch naming an unknown number
    is asked once for its list (kept in known), then for the numbers it has."""
    try:
        return extension_infos(client.call("extension/query", {"extid": ",".join(batch)}))
    except YeastarApiError as err:
        if err.errno != EXTENSION_MISSING:
            raise
    if len(batch) == 1:
        return []
    if not known:
        known.update(extension_summary(raw)["number"] for raw in client.call("extensionlist/query").get("extlist") or [])
    existing = [number for number in batch if number in known]
    if not existing or existing == batch:
        return []
    return extension_infos(client.call("extension/query", {"extid": ",".join(existing)}))


def extension_infos(answer):
    """The extinfos entries of an extension/query answer, each with a string extnumber."""
    infos = answer.get("extinfos")
    if not isinstance(infos, list):
        raise ValueError("the PBX's extension/query answer holds no 'extinfos' list")
    result = []
    for info in infos:
        number = extension_summary(info)["number"]
        result.append(dict(info, extnumber=number))
    return result
