# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Field rules of extension/update (API v1.x), from the vendor page and api-facts.md.

The v2 rules (``yeastar_rules_v2``) reuse ``check_fields`` and the cross-field rules here.

Choices where the pages are silent:

- "Letters" and "digits" mean ASCII; ``username`` also allows spaces (the vendor's own
  sample name is "Ina Tang"), ``callerid`` does not.
- A value is blank when it is empty or only spaces. A blank value for a field that cannot
  be blank answers 10004; any other bad value (or unknown field, or a value that is not a
  string or an integer) answers 10017.
- Errors are reported for the first bad field in request order, then for the rules that
  tie fields together. Those cross-field rules are checked, on the record as it would be
  after the update, only for the groups the request touches: a forward group (e.g.
  ``alwaysforward``, ``atransferto``, ``atransferext``, ``atransferprefix``,
  ``atransfernum``) or the mobility group (``enablemobile``, ``mobile``).
"""

from __future__ import annotations

import re

from .yeastar_seed import md5_hex

BLANK = "10004"
INVALID = "10017"

PASSWORD_FORBIDDEN = frozenset(";&\"'\\<>|` ")
ON_OFF = ("on", "off")
TRANSFER_TARGETS = ("Voicemail", "Extension", "Mobile Number", "Custom Number")
MONITOR_MODES = ("Disabled", "Extensive", "Listen", "Whisper", "Barge-in")
RING_TIMEOUTS = ("15", "30", "60", "120", "300")
MAX_DURATIONS = ("Follow System", "Unlimited", "60", "300", "600", "900", "1800", "3600", "6000")
FORWARDS = {"a": "alwaysforward", "n": "noanswerforward", "b": "busyforward"}
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def ascii_alnum(value, extra=""):
    return all(char.isascii() and (char.isalnum() or char in extra) for char in value)


def _digits(max_len=None):
    return lambda value: value.isascii() and value.isdigit() and (max_len is None or len(value) <= max_len)


def _password(min_len, max_len):
    return lambda value: min_len <= len(value) <= max_len and not PASSWORD_FORBIDDEN.intersection(value)


def one_of(options):
    return lambda value: value in options


# request field -> (record field, blank allowed, check)
RULES = {
    "extnumber": ("extnumber", False, _digits()),
    "username": ("username", True, lambda value: len(value) <= 31 and ascii_alnum(value, " ")),
    "callerid": ("callerid", True, lambda value: len(value) <= 31 and ascii_alnum(value)),
    "registername": ("registername", False, lambda value: len(value) <= 31),
    "registerpassword": ("registerpassword", False, _password(1, 31)),
    "maxregistrations": ("maxregistrations", False, one_of(("1", "2", "3", "4", "5"))),
    "loginpassword": ("loginpassword", False, _password(6, 63)),
    "email": ("email", True, lambda value: len(value) <= 254 and EMAIL_PATTERN.match(value) is not None),
    "mobile": ("moblie", True, _digits(31)),
    "language": ("language", False, lambda value: True),
    "vmsecret": ("vmsecret", True, _digits(63)),
    "mobileprefix": ("mobileprefix", True, _digits(7)),
    "monitormode": ("monitormode", False, one_of(MONITOR_MODES)),
    "ringtimeout": ("ringtimeout", False, one_of(RING_TIMEOUTS)),
    "maxduration": ("maxduration", False, one_of(MAX_DURATIONS)),
    "agentid": ("agentid", True, _digits()),
}
for _name in ("hasvoicemail", "enablevmtoemail", "enablemobile", "ringsimultaneous", "allowbeingmonitored", "dnd",
              "callrestriction") + tuple(FORWARDS.values()):
    RULES[_name] = (_name, False, one_of(ON_OFF))
for _prefix in FORWARDS:
    RULES[_prefix + "transferto"] = (_prefix + "transferto", False, one_of(TRANSFER_TARGETS))
    RULES[_prefix + "transferext"] = (_prefix + "transferext", True, _digits())
    RULES[_prefix + "transferprefix"] = (_prefix + "transferprefix", True, _digits(7))
    RULES[_prefix + "transfernum"] = (_prefix + "transfernum", True, _digits(15))


def is_blank(value):
    return value is None or str(value).strip() == ""


def as_text(value):
    """A request value as a string, or None when it is neither a string nor an integer."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def check_fields(request, rules, extra_check=None):
    """The per-field rules of ``rules`` for every field of ``request``; all or nothing.

    Unknown field names come first (10017), then each field in request order: not a string
    or an integer (10017), blank where the rule forbids it (10004), a bad value (10017).
    ``extra_check(name, value)``, when given, may refuse a non-blank value (10017).
    Return ``(None, values)`` with ``values`` in record field names, or ``(errno, None)``.
    """
    if any(name not in rules for name in request):
        return INVALID, None
    values = {}
    for name, raw in request.items():
        field, blank_ok, check = rules[name]
        value = as_text(raw)
        if value is None:
            return INVALID, None
        if is_blank(value):
            if not blank_ok:
                return BLANK, None
        elif not check(value) or (extra_check is not None and not extra_check(name, value)):
            return INVALID, None
        values[field] = value
    return None, values


def finish_changes(request, record, changes, numbers):
    """The cross-field rules on ``record`` as it would be after ``changes`` (``numbers``: every
    extension number then); return ``(None, changes)`` with the login password as its MD5
    digest, or ``(errno, None)``."""
    errno = _cross_check(request, dict(record, **changes), numbers)
    if errno:
        return errno, None
    if "loginpassword" in changes:
        changes["loginpassword"] = md5_hex(changes["loginpassword"])
    return None, changes


def validate_update(record, request, numbers):
    """Check a v1 update of ``record`` against every rule; all or nothing.

    ``request`` holds the fields besides ``extid``; ``numbers`` every existing extension
    number. Return ``(None, changes)`` with ``changes`` in record field names (login
    password as its MD5 digest), or ``(errno, None)``.
    """
    errno, changes = check_fields(request, RULES)
    if errno:
        return errno, None
    new_number = changes.get("extnumber", record["extnumber"])
    if new_number != record["extnumber"] and new_number in numbers:
        return INVALID, None
    numbers_after = (set(numbers) - {record["extnumber"]}) | {new_number}
    return finish_changes(request, record, changes, numbers_after)


def _cross_check(request, after, numbers):
    for prefix, switch in FORWARDS.items():
        ext = after.get(prefix + "transferext", "")
        if prefix + "transferext" in request and not is_blank(ext) and ext not in numbers:
            return INVALID
        group = (switch, prefix + "transferto", prefix + "transferext", prefix + "transferprefix", prefix + "transfernum")
        if not any(name in request for name in group):
            continue
        target = after.get(prefix + "transferto")
        if target == "Extension":
            if is_blank(ext):
                return BLANK
            if ext not in numbers:
                return INVALID
        if target == "Custom Number" and is_blank(after.get(prefix + "transfernum", "")):
            return BLANK
    if ("enablemobile" in request or "mobile" in request) and after.get("enablemobile") == "on" \
            and is_blank(after.get("moblie", "")):
        return BLANK
    return None
