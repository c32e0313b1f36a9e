# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every field of yeastar_extension, with values drawn by hypothesis, through the module itself
(run in this process) against the simulated PBX.

- A value the PBX would refuse is refused before any write reaches it, by a message naming
  the field. Before any call at all when the PBX could not hold it either: a value that is not of
  the field's type or choices, a blank of a field the PBX never holds blank (passwords, language).
  A text value the rules refuse is refused after the read, since a value the PBX holds already
  (set in its web interface) is no change; the target here holds none of the drawn values.
- A value the PBX accepts is accepted (unless docs/api-contract.md says the collection is
  stricter) and stored on the PBX exactly as the vendor writes it: "on" / "off", digits, the
  text itself, the login password as its MD5 digest.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansible.module_utils.common.validation import check_type_bool, check_type_int

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS, FIELDS_BY_OPTION, MASK
from ansible_collections.voiceops.pbx.plugins.modules import yeastar_extension
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator
from ansible_collections.voiceops.pbx.tests.simulator.yeastar_rules import is_blank, validate_update
from ansible_collections.voiceops.pbx.tests.unit.plugins.module_utils.test_yeastar_field_rules import documented_stricter

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    from unittest import mock

    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    def patch_module_args(args):
        return mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))

TARGET = "1003"  # SIP; busy calls go to extension 1002; no mobility, no Custom Number forward
EXISTING = ["1000", "1001", "1002", "1004", "1005", "1006"]
PARTNERS = {"Extension": ("_extension", "1002"), "Custom Number": ("_number", "5550100"),
            "Mobile Number": (None, "0612345678")}
ALPHABET = list("aZ09 \t\n;&\"'\\<>|`@.-_+é\u0663")
TEXT = st.one_of(st.text(st.sampled_from(ALPHABET), max_size=12), st.text(st.sampled_from("0123456789"), max_size=40),
                 st.builds("{}@{}.{}".format, st.text(st.sampled_from(list("aZ09.+;é")), max_size=5),
                           st.text(st.sampled_from(list("aZ09-_")), max_size=5), st.sampled_from(["com", "c", "é"])),
                 st.integers(min_value=25, max_value=70).map(lambda size: "x" * size))
BOOLEANS = st.one_of(st.booleans(), st.integers(min_value=-1, max_value=2),
                     st.sampled_from(["on", "off", "yes", "no", "true", "False", "1", "0", "y", "maybe", "", "onn"]))
INTEGERS = st.one_of(st.integers(min_value=-5, max_value=400), st.booleans(),
                     st.sampled_from(["3", " 5", "30", "60.0", "x", "", "4.5"]), st.floats(min_value=0, max_value=301))
DURATIONS = st.one_of(st.integers(min_value=-10, max_value=7000), st.sampled_from(
    [60, 300, 600, 900, 1800, 3600, 6000, 600.0, "600", " 600 ", "Follow System", "Unlimited", "unlimited", "", "6000x",
     True, 60.5]))
# 25 values per field keep the unit tests quick; VOICEOPS_HYPOTHESIS_EXAMPLES=300 searches harder. With CI set
# (tools/test.sh hands it to ansible-test units through tests/unit/plugins/conftest.py) the examples are
# derandomized: every CI run draws the same ones, so a failure reproduces; without CI each run draws new ones.
PROPERTY = settings(max_examples=int(os.environ.get("VOICEOPS_HYPOTHESIS_EXAMPLES", "25")), deadline=None, database=None,
                    derandomize="CI" in os.environ,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def boolean_like(field):
    """A boolean option, or voicemail_to_email: a boolean that API v2.0.0 also lets be custom."""
    return field.kind.ansible_type == "bool" or field.option == "voicemail_to_email"


def strategy(field):
    if boolean_like(field):
        return BOOLEANS
    if field.kind.ansible_type == "int":
        return INTEGERS
    if field.kind.ansible_type == "raw":
        return DURATIONS
    if field.kind.choices is not None:
        return st.one_of(st.sampled_from(field.kind.choices), st.sampled_from(["voicemail", "Barge-In", "", "Custom"]))
    if field.option.endswith("_forward_extension"):
        return st.one_of(st.sampled_from(EXISTING + [""]), TEXT.filter(lambda text: not text.isdigit()))
    return TEXT


@pytest.fixture(scope="module")
def pbx():
    with YeastarSimulator() as simulator:
        yield simulator


@pytest.fixture(scope="module")
def baseline(pbx):
    return pbx.extensions


def run_module(args):
    """yeastar_extension.main() in this process; returns its result."""
    output = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(output):
        with pytest.raises(SystemExit):
            yeastar_extension.main()
    return json.loads(output.getvalue())


def wire_value(field, value):
    """What the module must send for a value, as the vendor writes it; None when the value is not of
    the field's type (Ansible refuses it)."""
    kind = field.kind.ansible_type
    try:
        if boolean_like(field):
            return "on" if check_type_bool(value) else "off"
        if kind == "int":
            number = check_type_int(value)
            return None if isinstance(number, bool) else str(number)
    except (TypeError, ValueError):
        return None
    if kind == "raw":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return None
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else str(value)
        return value.strip() if isinstance(value, str) and value.strip().isdigit() else str(value)
    return value


def texts(returned):
    """Every string in a module's return value, as the module wrote it (not JSON-escaped)."""
    if isinstance(returned, str):
        yield returned
    elif isinstance(returned, dict):
        for key, value in returned.items():
            yield from texts(key)
            yield from texts(value)
    elif isinstance(returned, (list, tuple)):
        for value in returned:
            yield from texts(value)


def before_any_request(field, wire):
    """Whether a refused value is refused before the login: it cannot be on the PBX either."""
    if wire is None or field.kind.ansible_type != "str" or field.kind.choices is not None:
        return True
    return is_blank(wire) and not field.holds_blank


def pbx_accepts(record, args, numbers):
    """Whether the simulated PBX takes the update these arguments mean, every rule included."""
    request = {}
    for option, value in args.items():
        field = FIELDS_BY_OPTION[option]
        request[field.vendor] = wire_value(field, value)
        if request[field.vendor] is None:
            return False
    errno, _changes = validate_update(record, request, numbers)
    return errno is None


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.option)
@PROPERTY
@given(data=st.data())
def test_every_value_is_refused_before_the_pbx_or_stored_as_the_vendor_writes_it(pbx, baseline, field, data):
    value = data.draw(strategy(field), label=field.option)
    assume(not (field.secret and value == MASK))  # the mask means "leave the secret as it is"
    args = {field.option: value}
    wire = wire_value(field, value)
    if field.option == "mobility_extension" and wire == "on":
        args["mobile"] = "0612345678"
    if field.option.endswith("_to") and wire in PARTNERS:
        suffix, partner = PARTNERS[wire]
        args[field.option[:-len("_to")] + suffix if suffix else "mobile"] = partner
    pbx.set_extensions(baseline)
    pbx.reset_counters()
    accepted = wire is not None and pbx_accepts(pbx.extension(TARGET), args, EXISTING + [TARGET])
    result = run_module(dict(args, extension=TARGET, host=pbx.host, port=pbx.port, api_username="api",
                             api_password=pbx.api_password, ca_path=pbx.ca_path))

    if result.get("failed"):
        assert "extension/update" not in pbx.counters, result["msg"]
        # Ansible masks a secret's value wherever it appears, so a secret of a character or two
        # can blot out the field's name itself; longer ones never do.
        if not (field.secret and isinstance(value, str) and len(value) <= 3):
            assert field.option in result["msg"] or "(%s)" % field.vendor in result["msg"], result["msg"]
        if before_any_request(field, wire):
            assert pbx.counters == {}, result["msg"]
        else:
            assert set(pbx.counters) == {"login", "extension/query", "logout"}, result["msg"]
        assert not accepted or documented_stricter(field, wire), "%r refused: %s" % (value, result["msg"])
        if field.secret:
            assert not (isinstance(value, str) and len(value) > 3 and any(value in text for text in texts(result))), result
        return
    assert accepted, "%r (%r) was accepted, but the PBX refuses it" % (value, wire)
    stored = pbx.extension(TARGET)[field.answer_name]
    if field.option == "login_password":
        assert stored == hashlib.md5(wire.encode()).hexdigest()
    else:
        assert stored == wire, "%r sent as %r" % (value, stored)


def test_a_refused_secret_of_backslashes_is_not_echoed(pbx, baseline):
    # Found by the property above: JSON doubles backslashes, so the message's single "\" looked like the secret.
    secret = "\\" * 4
    pbx.set_extensions(baseline)
    result = run_module(dict(extension=TARGET, register_password=secret, host=pbx.host, port=pbx.port,
                             api_username="api", api_password=pbx.api_password, ca_path=pbx.ca_path))
    assert result["failed"] and "register_password" in result["msg"]
    assert not any(secret in text for text in texts(result)), result
    assert "extension/update" not in pbx.counters
