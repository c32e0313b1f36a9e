# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Extension settings: from query answers, checked, compared, turned into update bodies, masked."""

from __future__ import annotations

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS, FIELDS_BY_OPTION, MASK

MASK_CHANGED = MASK + " (changed)"
PASSWORD_OPTIONS = ("register_password", "login_password")
# Least length of each password under the PBX's strong password policy (API v2.0.0)
STRONG_MIN_LENGTH = {"register_password": 16, "login_password": 10}

# (destination option, destination value, option that must then be given, why)
REQUIRED_WITH = [
    (prefix + "_to", "Custom Number", prefix + "_number", "a forward to Custom Number needs its number")
    for prefix in ("always_forward", "no_answer_forward", "busy_forward")
] + [
    (prefix + "_to", "Extension", prefix + "_extension", "a forward to Extension needs its extension")
    for prefix in ("always_forward", "no_answer_forward", "busy_forward")
] + [
    (prefix + "_to", "Mobile Number", "mobile", "a forward to Mobile Number needs the mobile number")
    for prefix in ("always_forward", "no_answer_forward", "busy_forward")
] + [
    ("mobility_extension", True, "mobile", "a mobility extension needs the mobile number"),
]


# Per field, prepared once: option name, the two names an answer may use, the converter of a string
# value and the field itself. Reading thousands of extensions went through Field.from_answer, two
# look-ups and several calls per field and extension; a string now goes straight to its converter.
_MISSING = object()
_READERS = tuple((field.option, field.answer_name, field.vendor, field.kind.from_answer, field) for field in FIELDS)
_SECRETS = tuple(field.option for field in FIELDS if field.secret)
_ABSENT = tuple((field.option, field.absent) for field in FIELDS if field.absent is not None)


def settings_from_answer(answer, only=None):
    """An extension/query entry as module options and types; with only (a collection of options), just those.

    A field the answer leaves out (or gives as null) reads as the field table's absent value:
    blank for a field the PBX may hold blank, else the vendor's documented default; a field
    without either is left out (unknown). The module, the info module and the inventory all
    read answers here, so that they agree.
    """
    settings = {}
    get = answer.get
    for option, answer_name, vendor, convert, field in _READERS:
        if only is not None and option not in only:
            continue
        value = get(answer_name, _MISSING)
        if value is _MISSING:
            value = get(vendor)
        if value is None:
            continue
        # anything but a string (numbers, booleans, malformed values) takes the field's own path
        settings[option] = convert(value) if value.__class__ is str else field.from_answer(answer)
    for option, absent in _ABSENT:
        if option not in settings and (only is None or option in only):
            settings[option] = absent
    return settings


def desired_settings(params):
    """The settings a task asks for: every field option that is not None."""
    return {field.option: params[field.option] for field in FIELDS if params.get(field.option) is not None}


def problems(desired, where="", v2=False):
    """What is wrong with the desired settings whatever the PBX holds, each naming the field and the
    rule of the API version (v2: API v2.0.0): values of the on/off, number and choice fields, blanks
    of fields the PBX never holds blank (passwords, language), and partner fields missing in the task.

    A text value the field rules refuse waits for rule_problems, after the read: the PBX may hold it
    already (a long display name set in the web interface, an FXS extension's blank register name),
    and repeating what the PBX holds changes nothing.
    """
    found = []
    for option, value in desired.items():
        field = FIELDS_BY_OPTION[option]
        if _is_text(field) and (value.strip() or field.holds_blank):
            continue
        problem = field.problem(value, v2)
        if problem:
            found.append(where + problem)
    for trigger, trigger_value, needed, why in REQUIRED_WITH:
        if desired.get(trigger) == trigger_value and not desired.get(needed):
            field = FIELDS_BY_OPTION[needed]
            found.append("%s%s (%s) is required when %s is %r: %s" % (
                where, field.option, field.vendor, trigger, trigger_value, why))
    return found


def _is_text(field):
    """A free-text field: the rules check its characters and length, Ansible only its type."""
    return field.kind.ansible_type == "str" and field.kind.choices is None


def rule_problems(desired, options, where="", v2=False):
    """Problems of the values that would be written (the options that would change), by the field
    rules of the API version."""
    found = []
    for option in options:
        problem = FIELDS_BY_OPTION[option].problem(desired[option], v2)
        if problem:
            found.append(where + problem)
    return found


def after_problems(after, options, where=""):
    """Cross-field rules broken by the settings an update would leave on the PBX.

    The PBX checks a forward or mobility group on the record as it would be after the update
    whenever the update touches that group, so a task that only clears a partner field (say
    busy_forward_extension while the PBX forwards to Extension) is refused here, before any update.
    """
    found = []
    for trigger, trigger_value, needed, why in REQUIRED_WITH:
        if trigger not in options and needed not in options:
            continue
        if after.get(trigger) == trigger_value and not after.get(needed):
            field = FIELDS_BY_OPTION[needed]
            found.append("%s%s (%s) is required when %s is %r on the PBX: %s" % (
                where, field.option, field.vendor, trigger, trigger_value, why))
    return found


def weak_password_problems(desired, number, display_name, where=""):
    """The PBX's strong password policy (API v2.0.0, on unless switched off on the PBX) for the
    passwords in desired, on an extension with this number and display name. The messages never
    show a password or part of it."""
    found = []
    for option, min_length in STRONG_MIN_LENGTH.items():
        value = desired.get(option)
        if not value or value == MASK:
            continue
        why = _weakness(value, min_length, number, display_name)
        if why:
            field = FIELDS_BY_OPTION[option]
            found.append("%s%s (%s): the value is too weak for the PBX's strong password policy because %s; it needs "
                         "at least %d characters with upper- and lowercase letters and digits, no run of three "
                         "consecutive digits such as 123 or 987, and neither the extension number nor the display "
                         "name (strong_passwords: false when the policy is off on the PBX)"
                         % (where, field.option, field.vendor, why, min_length))
    return found


def _weakness(value, min_length, number, display_name):
    if len(value) < min_length:
        return "it has %d characters" % len(value)
    for test, what in ((str.isdigit, "digit"), (str.isupper, "uppercase letter"), (str.islower, "lowercase letter")):
        if not any(char.isascii() and test(char) for char in value):
            return "it has no %s" % what
    if _has_digit_run(value):
        return "it holds a run of consecutive digits"
    if number and number in value:
        return "it contains the extension number"
    if display_name and display_name.strip() and display_name.strip().lower() in value.lower():
        return "it contains the display name"
    return None


def _has_digit_run(value):
    """Three digits in a row that count up or down by one (123, 987)."""
    for first, second, third in zip(value, value[1:], value[2:]):
        if (first + second + third).isdigit():
            step = int(second) - int(first)
            if step in (1, -1) and int(third) - int(second) == step:
                return True
    return False


def changed_options(desired, current):
    """Options whose desired value is not in place yet, in field-table order."""
    changed = []
    for field in FIELDS:
        if field.option not in desired:
            continue
        value = desired[field.option]
        if field.secret and value == MASK:
            continue
        if field.option not in current or not field.kind.same(value, current[field.option]):
            changed.append(field.option)
    return changed


def request_body(start, desired, options):
    """An extension/update or extension/add body: the start (the extension's selector, maybe a new
    number), then the given options under vendor names, as strings."""
    body = dict(start)
    for option in options:
        field = FIELDS_BY_OPTION[option]
        body[field.vendor] = field.kind.to_request(desired[option])
    return body


def applied(current, desired, options):
    """The settings after the changed options were applied, as the PBX would report them."""
    result = dict(current)
    for option in options:
        value = desired[option]
        if option == "login_password":
            value = FIELDS_BY_OPTION[option].kind.digest(value)
        elif option == "max_call_duration":
            value = FIELDS_BY_OPTION[option].kind.normalise(value)
        result[option] = value
    return result


def masked(settings, show_secrets=False, changed=()):
    """A copy safe to return: secrets replaced unless show_secrets."""
    if show_secrets:
        return dict(settings)
    copy = dict(settings)
    for option in _SECRETS:
        if copy.get(option):
            copy[option] = MASK_CHANGED if option in changed else MASK
    return copy
