# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""The field table of a Yeastar S-Series extension.

One row per setting of extension/update: option name, vendor name, value kind and rule.
The argument spec, validation, comparison, the update body and masking all read it.
"""

from __future__ import annotations

import hashlib
import re

from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

MASK = "********"
FORBIDDEN_IN_PASSWORDS = set(";&\"'\\<>|` ")
# API v2.0.0: passwords take letters, digits and these only; display names and e-mail addresses
# must not hold these.
V2_PASSWORD_SYMBOLS = "~^*-_?"
V2_NOT_IN_DISPLAY_NAMES = "!%.@:;&\"'\\<>`$"
V2_NOT_IN_EMAILS = " #;,[]=&\"'\\<>`$"
# Patterns end in \Z, not $: "$" also matches before a final newline, which the PBX refuses.
# An e-mail address: a local part of letters, digits and !#$%&'*+/=?^_`{|}~.- then @ and a
# domain of at least two labels of letters, digits and hyphens.
EMAIL = re.compile(r"\A[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")
EMAIL_MAX_LENGTH = 254
LETTERS_AND_DIGITS = re.compile(r"\A[A-Za-z0-9]*\Z")
DISPLAY_NAME = re.compile(r"\A[A-Za-z0-9 ]*\Z")
V2_DISPLAY_NAME = re.compile(r"\A[^%s]*\Z" % re.escape(V2_NOT_IN_DISPLAY_NAMES))
MD5_DIGEST = re.compile(r"\A[0-9a-f]{32}\Z")
FORWARD_DESTINATIONS = ("Voicemail", "Extension", "Mobile Number", "Custom Number")


class Kind:
    """How one kind of value is typed for Ansible, checked, compared and sent."""

    ansible_type = "str"
    choices = None
    holds_blank = False  # whether the PBX may hold a value of this kind blank

    def check(self, value):
        """Return None when the value is valid, otherwise what is wrong with it."""
        return None

    def from_answer(self, text):
        """The module-typed value of a query answer's string."""
        return text

    def to_request(self, value):
        """The string the update request carries."""
        return str(value)

    def same(self, desired, current):
        """Whether the desired value is already in place."""
        return desired == current


class OnOff(Kind):
    ansible_type = "bool"
    rule = "on or off (a boolean)"

    def from_answer(self, text):
        return text == "on"

    def to_request(self, value):
        return "on" if value else "off"


class Text(Kind):
    holds_blank = True

    def __init__(self, max_length, pattern=None, blank=True, rule=""):
        self.max_length = max_length
        self.pattern = pattern
        self.blank = blank
        self.rule = rule

    def check(self, value):
        if not value.strip() and not self.blank:
            return "it is blank"
        if len(value) > self.max_length:
            return "it has %d characters" % len(value)
        if self.pattern is not None and not self.pattern.match(value):
            return "it holds characters the rule does not allow"
        return None


class Digits(Text):
    def __init__(self, max_length, blank=True):
        super().__init__(max_length, re.compile(r"\A[0-9]*\Z"), blank,
                         "digits only, at most %d%s" % (max_length, "" if blank else ", not blank"))


class Password(Kind):
    """v1: any character but a few. With allowed_symbols (v2): ASCII letters, digits and those symbols only."""

    def __init__(self, min_length, max_length, allowed_symbols=None):
        self.min_length = min_length
        self.max_length = max_length
        self.allowed_symbols = allowed_symbols
        if allowed_symbols is None:
            self.rule = "%d to %d characters, none of ; & \" ' \\ < > | ` or space" % (min_length, max_length)
        else:
            self.rule = "%d to %d characters: letters, digits and %s only" % (
                min_length, max_length, " ".join(allowed_symbols))

    def check(self, value):
        if not self.min_length <= len(value) <= self.max_length:
            return "it has %d characters" % len(value)
        if not value.strip():
            return "it is blank (only white space)"
        if self.allowed_symbols is None:
            bad = sorted(set(value) & FORBIDDEN_IN_PASSWORDS)
        else:
            bad = sorted(char for char in set(value)
                         if not (char.isascii() and char.isalnum()) and char not in self.allowed_symbols)
        if bad:
            return "it contains %s" % " ".join("space" if char == " " else repr(char)[1:-1] for char in bad)
        return None


class LoginPassword(Password):
    """Sent in clear, read back as its MD5 digest."""

    def same(self, desired, current):
        return current in (desired, md5_hex(desired))

    def digest(self, value):
        """What the PBX reports once this value is set: its digest, unless it is the digest already."""
        return value if MD5_DIGEST.match(value) else md5_hex(value)


class Email(Kind):
    holds_blank = True

    def __init__(self, forbidden=""):
        self.forbidden = forbidden
        self.rule = "an e-mail address such as ina@example.com (at most %d characters)%s, or blank" % (
            EMAIL_MAX_LENGTH, ", without space or any of %s" % " ".join(forbidden.strip()) if forbidden else "")

    def check(self, value):
        if not value:
            return None
        if len(value) > EMAIL_MAX_LENGTH:
            return "it has %d characters" % len(value)
        bad = sorted(set(value) & set(self.forbidden))
        if bad:
            return "it contains %s" % " ".join("space" if char == " " else char for char in bad)
        return None if EMAIL.match(value) else "it is not an e-mail address"


class VoicemailToEmail(Kind):
    """on / off as a boolean (any of Ansible's boolean spellings); API v2.0.0 adds custom
    (send to a custom address)."""

    ansible_type = "raw"

    def __init__(self, custom):
        self.custom = custom
        self.rule = "a boolean%s" % (", or custom" if custom else " (custom needs api_version v2.0.0)")

    @staticmethod
    def normalise(value):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return value
        key = value.strip().lower() if isinstance(value, str) else value
        if key in BOOLEANS_TRUE:
            return True
        if key in BOOLEANS_FALSE:
            return False
        return key

    def check(self, value):
        value = self.normalise(value)
        if isinstance(value, bool) or (self.custom and value == "custom"):
            return None
        return "it is neither a boolean nor custom" if self.custom else "it is not a boolean"

    def from_answer(self, text):
        return self.normalise(text)

    def to_request(self, value):
        value = self.normalise(value)
        return value if value == "custom" else "on" if value else "off"

    def same(self, desired, current):
        return self.normalise(desired) == self.normalise(current)


class Choice(Kind):
    def __init__(self, choices):
        self.choices = list(choices)
        self.rule = "one of %s" % ", ".join(self.choices)

    def check(self, value):
        return None if value in self.choices else "it is not one of the choices"


class IntChoice(Kind):
    ansible_type = "int"

    def __init__(self, choices):
        self.choices = list(choices)
        self.rule = "one of %s (seconds)" % ", ".join(str(choice) for choice in self.choices)

    def check(self, value):
        if isinstance(value, bool):
            return "it is a boolean, not a number"
        return None if value in self.choices else "it is not one of the choices"

    def from_answer(self, text):
        return int(text) if text.isdigit() else text


class IntRange(Kind):
    ansible_type = "int"

    def __init__(self, low, high):
        self.low = low
        self.high = high
        self.rule = "a whole number from %d to %d" % (low, high)

    def check(self, value):
        if isinstance(value, bool):
            return "it is a boolean, not a number"
        return None if self.low <= value <= self.high else "it is out of range"

    def from_answer(self, text):
        return int(text) if text.isdigit() else text


class Duration(Kind):
    """maxduration: seconds from a fixed list, or one of two words."""

    ansible_type = "raw"
    words = ("Follow System", "Unlimited")
    seconds = (60, 300, 600, 900, 1800, 3600, 6000)
    rule = "Follow System, Unlimited, or one of 60, 300, 600, 900, 1800, 3600, 6000 (seconds)"

    def normalise(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
            return int(value)
        return value

    def check(self, value):
        value = self.normalise(value)
        return None if value in self.words or value in self.seconds else "it is not one of the choices"

    def from_answer(self, text):
        return self.normalise(text)

    def to_request(self, value):
        return str(self.normalise(value))

    def same(self, desired, current):
        return self.normalise(desired) == self.normalise(current)


class Language(Text):
    holds_blank = False  # the PBX always holds a language, "System Default" at least

    def __init__(self):
        super().__init__(63, None, False, '"System Default" or the name of an installed prompt language')


class Field:
    """One setting of an extension.

    holds_blank: whether the PBX may hold the field blank, though the rule for a new value may
    refuse a blank (an FXS extension's register name, a v1 display name read through v2). A blank
    of a field that cannot hold one is refused before any request.
    absent: what an answer that leaves the field out (or gives it as null) means. The vendor's
    sample answer leaves out blank fields, so a field that may be blank reads as blank; a field
    that cannot be blank reads as the vendor's documented default, or, without one, stays unknown
    (left out of the settings: a task that sets it sends it).
    """

    def __init__(self, option, vendor, kind, description, secret=False, answer_name=None, v2_kind=None,
                 holds_blank=None, default=None):
        self.option = option
        self.vendor = vendor
        self.kind = kind
        self.v2_kind = v2_kind or kind
        self.description = description
        self.secret = secret
        self.answer_name = answer_name or vendor
        self.holds_blank = kind.holds_blank if holds_blank is None else holds_blank
        self.absent = "" if self.holds_blank else default

    def kind_for(self, v2):
        """The rule of API v2.0.0 (v2 true) or of v1.x."""
        return self.v2_kind if v2 else self.kind

    def argument_spec(self):
        aliases = sorted({self.vendor, self.answer_name} - {self.option})
        spec = dict(type=self.kind.ansible_type, aliases=aliases)
        if self.kind.choices is not None:
            spec["choices"] = self.kind.choices
        if self.secret:
            spec["no_log"] = True
        return spec

    def problem(self, value, v2=False):
        """A message naming the field, the problem and the rule, or None for a valid value."""
        if self.secret and value == MASK:
            return None
        kind = self.kind_for(v2)
        what = kind.check(value)
        if what is None:
            return None
        shown = "the value" if self.secret else "%r" % (value,)
        return "%s (%s): %s is invalid because %s; allowed%s: %s" % (
            self.option, self.vendor, shown, what, " on API v2.0.0" if v2 and kind is not self.kind else "", kind.rule)

    def from_answer(self, answer):
        value = answer.get(self.answer_name, answer.get(self.vendor))
        if value is None:
            return None
        if isinstance(value, bool):
            value = "on" if value else "off"
        elif not isinstance(value, (str, int, float)):
            raise ValueError("the PBX's answer gives %s of extension %s as a JSON %s, not as text" % (
                self.answer_name, answer.get("extnumber", "?"), type(value).__name__))
        return self.kind.from_answer(str(value))

    def shown(self, value, show_secrets=False):
        return MASK if self.secret and value and not show_secrets else value


def md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # nosec B324 - the vendor stores this digest


def _forward(option, toggle, letter, label, default=None):
    """The five fields of one call-forwarding rule; the vendor names them by a letter (a, n, b)."""
    return [
        Field(option, toggle, OnOff(), "Forward calls %s." % label, default=default),
        Field(option + "_to", letter + "transferto", Choice(FORWARD_DESTINATIONS), "Where calls are forwarded %s." % label),
        Field(option + "_extension", letter + "transferext", Digits(31),
              "Extension that receives the calls forwarded %s when the destination is Extension." % label),
        Field(option + "_prefix", letter + "transferprefix", Digits(7),
              "Outbound prefix for the calls forwarded %s to a number." % label),
        Field(option + "_number", letter + "transfernum", Digits(15),
              "Number that receives the calls forwarded %s when the destination is Custom Number." % label),
    ]


FIELDS = [
    Field("display_name", "username", Text(31, DISPLAY_NAME, True, "letters, digits and spaces, at most 31, may be blank"),
          "The user's display name.",
          v2_kind=Text(63, V2_DISPLAY_NAME, False, "at most 63 characters, none of %s, not blank" % " ".join(V2_NOT_IN_DISPLAY_NAMES))),
    Field("caller_id", "callerid", Text(31, LETTERS_AND_DIGITS, True, "letters and digits, at most 31, may be blank"),
          "Caller ID presented on internal calls."),
    Field("register_name", "registername", Text(31, None, False, "at most 31 characters, not blank"),
          "SIP/IAX registration (authentication) name.",
          v2_kind=Text(31, LETTERS_AND_DIGITS, False, "letters and digits, at most 31, not blank")),
    Field("register_password", "registerpassword", Password(1, 31), "SIP/IAX registration password.", secret=True,
          v2_kind=Password(1, 63, V2_PASSWORD_SYMBOLS)),
    Field("max_registrations", "maxregistrations", IntRange(1, 5), "Devices that may register at the same time.",
          default=1),
    Field("login_password", "loginpassword", LoginPassword(6, 63),
          "Password of the user's web portal; the PBX keeps only its MD5 digest.", secret=True,
          v2_kind=LoginPassword(6, 63, V2_PASSWORD_SYMBOLS)),
    Field("email", "email", Email(), "The user's e-mail address.", v2_kind=Email(V2_NOT_IN_EMAILS)),
    Field("mobile", "mobile", Digits(31), "The user's mobile number.", answer_name="moblie"),
    Field("language", "language", Language(), "Language of the system prompts."),
    Field("voicemail", "hasvoicemail", OnOff(), "Enable the voicemail box.", default=True),
    Field("voicemail_to_email", "enablevmtoemail", VoicemailToEmail(custom=False),
          "Send new voicemail to the e-mail address; V(custom) (API v2.0.0) sends it to a custom address.",
          v2_kind=VoicemailToEmail(custom=True), default=False),
    Field("voicemail_pin", "vmsecret", Digits(63), "Voicemail access PIN.", secret=True),
] + _forward("always_forward", "alwaysforward", "a", "always", default=False) + \
    _forward("no_answer_forward", "noanswerforward", "n", "when not answered") + \
    _forward("busy_forward", "busyforward", "b", "when busy") + [
    Field("mobility_extension", "enablemobile", OnOff(), "Ring the mobile number as a mobility extension."),
    Field("ring_simultaneously", "ringsimultaneous", OnOff(), "Ring the mobility extension together with the extension."),
    Field("mobile_prefix", "mobileprefix", Digits(7), "Outbound prefix used to reach the mobile number."),
    Field("allow_being_monitored", "allowbeingmonitored", OnOff(), "Allow the extension's calls to be monitored."),
    Field("monitor_mode", "monitormode", Choice(("Disabled", "Extensive", "Listen", "Whisper", "Barge-in")),
          "How this extension may monitor others' calls."),
    Field("ring_timeout", "ringtimeout", IntChoice((15, 30, 60, 120, 300)), "Seconds to ring before no-answer handling."),
    Field("max_call_duration", "maxduration", Duration(), "Longest call allowed."),
    Field("do_not_disturb", "dnd", OnOff(), "Do not disturb."),
    Field("call_restriction", "callrestriction", OnOff(), "Restrict outbound dialing."),
    Field("agent_id", "agentid", Digits(31), "Agent ID announced in the greeting instead of the extension number."),
]

FIELDS_BY_OPTION = {field.option: field for field in FIELDS}
SECRET_OPTIONS = frozenset(field.option for field in FIELDS if field.secret)
