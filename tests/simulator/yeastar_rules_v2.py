# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Field rules of extension/add and extension/update in API v2.0.0.

From section A of yeastar-api-v2-and-events.md; a field not named below keeps its v1 rule
(``yeastar_rules.RULES``), and so do blank values, error order and cross-field rules.

Choices where the pages are silent:

- "Letters" and "digits" mean ASCII. ``username`` (the display name) may hold any other
  character, Unicode included, except ``! % . @ : ; & " ' \\ < > ` $``; at most 63, not blank.
  ``registername``: letters and digits, at most 31, not blank.
- Passwords: letters, digits and ``~ ^ * - _ ?`` only, at most 63, not blank. With the
  strong-password policy (setting ``strong_passwords``, on by default) the register password
  needs at least 16 characters and the login password at least 10; both need a digit, an
  uppercase and a lowercase letter, no run of three digits going up or down by one (123,
  987), and must contain neither the extension number nor the display name the extension
  will have after the request (case-insensitive; a blank name is ignored). Policy off: the
  login password needs at least 6 characters. Only passwords the request carries are checked.
- ``email``: blank, or an address (the v1 pattern, whole value) with no space and none of
  ``# ; , [ ] = & " ' \\ < > ` $``. ``enablevmtoemail``: on, off or custom.
- ``extnumber`` is an unknown field in v2 (10017): v2 cannot renumber.
- extension/add: ``number``, ``username``, ``registername`` and ``registerpassword`` are
  required (missing or blank: 10004, checked in that order before anything else); the
  number is digits, at most 7, and not in use (else 10017). Fields not given take the
  defaults of ``yeastar_seed.defaults_for`` (type SIP, caller ID and voicemail PIN = the
  number); the login password, when not given, is a random strong one, stored as its MD5.
"""

from __future__ import annotations

import secrets
import string

from .yeastar_rules import (BLANK, EMAIL_PATTERN, INVALID, RULES, as_text, ascii_alnum, check_fields, finish_changes,
                            is_blank, one_of)
from .yeastar_seed import defaults_for

ADD_REQUIRED = ("number", "username", "registername", "registerpassword")
MAX_NUMBER_LENGTH = 7
PASSWORD_CHARS = frozenset(string.ascii_letters + string.digits + "~^*-_?")
NAME_FORBIDDEN = frozenset("!%.@:;&\"'\\<>`$")
EMAIL_FORBIDDEN = frozenset(" #;,[]=&\"'\\<>`$")
VM_TO_EMAIL = ("on", "off", "custom")
# password field -> (least length with the strong policy, without it)
MIN_LENGTH = {"registerpassword": (16, 1), "loginpassword": (10, 6)}


def _display_name(value):
    return len(value) <= 63 and not NAME_FORBIDDEN.intersection(value)


def _password_chars(value):
    return len(value) <= 63 and PASSWORD_CHARS.issuperset(value)


def _email(value):
    return len(value) <= 254 and not EMAIL_FORBIDDEN.intersection(value) and EMAIL_PATTERN.fullmatch(value) is not None


# request field -> (record field, blank allowed, check), as yeastar_rules.RULES
V2_RULES = {name: rule for name, rule in RULES.items() if name != "extnumber"}
V2_RULES.update({
    "username": ("username", False, _display_name),
    "registername": ("registername", False, lambda value: len(value) <= 31 and ascii_alnum(value)),
    "registerpassword": ("registerpassword", False, _password_chars),
    "loginpassword": ("loginpassword", False, _password_chars),
    "email": ("email", True, _email),
    "enablevmtoemail": ("enablevmtoemail", False, one_of(VM_TO_EMAIL)),
})


def has_digit_run(value):
    """True when three digits in a row go up or down by one (123, 987)."""
    for first, second, third in zip(value, value[1:], value[2:]):
        if all(char in string.digits for char in (first, second, third)):
            step = int(second) - int(first)
            if step in (1, -1) and int(third) - int(second) == step:
                return True
    return False


def is_weak(password, min_length, number, name):
    """True when ``password`` breaks the strong-password policy for extension ``number`` named ``name``."""
    lowered = password.lower()
    return (len(password) < min_length
            or not any(char.isdigit() for char in password)
            or not any(char.isupper() for char in password)
            or not any(char.islower() for char in password)
            or has_digit_run(password)
            or number.lower() in lowered
            or (not is_blank(name) and name.strip().lower() in lowered))


def random_password(number, name, length=16):
    """A random password the strong policy accepts."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _index in range(length))
        if not is_weak(candidate, length, number, name):
            return candidate


def _password_check(record, request, strong):
    """The length and policy rules of the passwords, for ``check_fields``."""
    number = record["extnumber"]
    name = as_text(request["username"]) if "username" in request else record.get("username", "")

    def check(field, value):
        if field not in MIN_LENGTH:
            return True
        strong_min, relaxed_min = MIN_LENGTH[field]
        if strong:
            return not is_weak(value, strong_min, number, name or "")
        return len(value) >= relaxed_min
    return check


def validate_update_v2(record, request, numbers, strong=True):
    """Check a v2 update of ``record``; ``request`` holds the fields besides ``number``.

    Same contract as ``yeastar_rules.validate_update``: ``(None, changes)`` in record field
    names (login password as its MD5 digest), or ``(errno, None)``.
    """
    errno, changes = check_fields(request, V2_RULES, _password_check(record, request, strong))
    if errno:
        return errno, None
    return finish_changes(request, record, changes, numbers)


def check_new_number(request, numbers):
    """What extension/add checks first: the required fields (10004; a value that is not a string
    or an integer is left to the field rules), then the number (10017)."""
    for name in ADD_REQUIRED:
        value = request.get(name)
        text = as_text(value)
        if value is None or (text is not None and is_blank(text)):
            return BLANK
    number = as_text(request["number"])
    if number is None or not (number.isascii() and number.isdigit()) or len(number) > MAX_NUMBER_LENGTH:
        return INVALID
    return INVALID if number in numbers else None


def validate_add(request, numbers, strong=True):
    """Build the record extension/add would store; ``request`` passed ``check_new_number``.

    Return ``(None, record)`` or ``(errno, None)``.
    """
    number = as_text(request["number"])
    fields = {name: value for name, value in request.items() if name != "number"}
    record = defaults_for(number)
    errno, values = check_fields(fields, V2_RULES, _password_check(record, fields, strong))
    if errno:
        return errno, None
    if "loginpassword" not in values:
        values["loginpassword"] = random_password(number, values.get("username", ""))
    errno, values = finish_changes(fields, record, values, set(numbers) | {number})
    if errno:
        return errno, None
    return None, dict(record, **values)
