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
    numbers, seen = [], set()
    for value in values:
        parts = value.split(",") if isinstance(value, str) else [value]
        for part in parts:
            if isinstance(part, str) and not part.strip():
                continue
            number = parse_extension_number(part, field)
            if number not in seen:  # a set: 2000 numbers were 2 million list comparisons
                seen.add(number)
                numbers.append(number)
    return numbers


def answer_text(value, what):
    """A value of a PBX answer as text. The PBX sends strings; numbers are taken as their digits,
    JSON booleans as "on" / "off", null as blank. A list or an object is an error naming what it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise ValueError("the PBX's answer gives %s as a JSON %s, not as text" % (what, type(value).__name__))


def extension_summary(raw):
    """An entry of an extension list or query answer under readable names. API v1.x names the
    extension number extnumber, v2.0.0 number; either is taken."""
    if not isinstance(raw, dict) or not (raw.get("extnumber") or raw.get("number")):
        raise ValueError("the PBX's extension list holds an entry without an extension number: %r" % (raw,))
    number = answer_text(raw.get("extnumber") or raw["number"], "an extension number")
    summary = {"number": number}
    for name, key in (("name", "username"), ("status", "status"), ("type", "type"), ("port", "port")):
        summary[name] = answer_text(raw.get(key), "the %s of extension %s" % (key, number))
    return summary


def list_extensions(client):
    """The summaries of every extension, from the list call of the client's API version
    (extensionlist/query on v1.x, extension/list on v2.0.0); an empty list is a PBX without extensions."""
    call = client.api.list_call
    entries = client.call(call).get("extlist")
    if not isinstance(entries, list):
        raise ValueError("the PBX's %s answer holds no 'extlist' list" % call)
    summaries = [extension_summary(raw) for raw in entries]
    _refuse_repeats([summary["number"] for summary in summaries], call)
    return summaries


def query_all_extensions(client):
    """The extinfos entries of every extension, in one extension/query call."""
    return extension_infos(client.call("extension/query", client.api.query_body()))


def _refuse_repeats(numbers, call):
    seen = set()
    for number in numbers:
        if number in seen:
            raise ValueError("the PBX's %s answer names extension %s more than once; its data is inconsistent, "
                             "so nothing is read from it" % (call, number))
        seen.add(number)


def query_extensions(client, numbers, batch_size, known=None, listed=None):
    """extension/query answers by extension number, batch_size numbers per call.

    Numbers the PBX does not have are absent from the result. With known (every number on the
    PBX, from its list), only the numbers it holds are asked for. listed (ListedNumbers) shares
    the list the reads may need with the caller.
    """
    found = {}
    if known is not None:
        numbers = [number for number in numbers if number in known]
    if listed is None:
        listed = ListedNumbers(client, known)
    for start in range(0, len(numbers), batch_size):
        infos = _query_batch(client, numbers[start:start + batch_size], listed)
        _refuse_repeats(list(found) + [info["extnumber"] for info in infos], "extension/query")
        for info in infos:
            found[info["extnumber"]] = info
    return found


class ListedNumbers:
    """The PBX's extension numbers, from its list, read at most once (a PBX may have none)."""

    def __init__(self, client, numbers=None):
        self._client = client
        self._numbers = numbers

    def __contains__(self, number):
        if self._numbers is None:
            self._numbers = {summary["number"] for summary in list_extensions(self._client)}
        return number in self._numbers

    @property
    def read(self):
        """Whether the list is at hand, so that asking it costs no call."""
        return self._numbers is not None


def _query_batch(client, batch, listed):
    """One extension/query call; a PBX that answers 10006 for a batch naming an unknown number
    is asked once per task for its list, then for the numbers it has."""
    try:
        return extension_infos(client.call("extension/query", client.api.query_body(batch)))
    except YeastarApiError as err:
        if err.errno != EXTENSION_MISSING:
            raise
    if len(batch) == 1:
        return []
    existing = [number for number in batch if number in listed]
    if not existing or existing == batch:
        return []
    return extension_infos(client.call("extension/query", client.api.query_body(existing)))


def extension_infos(answer):
    """The extinfos entries of an extension/query answer, each with a string extnumber (v2.0.0 answers
    name it number)."""
    infos = answer.get("extinfos")
    if not isinstance(infos, list):
        raise ValueError("the PBX's extension/query answer holds no 'extinfos' list")
    result = []
    for info in infos:
        number = extension_summary(info)["number"]
        result.append(dict(info, extnumber=number))
    _refuse_repeats([info["extnumber"] for info in result], "extension/query")
    return result
