# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every secret option is no_log, at every level of every module's argument spec.

ansible-core 2.21 no longer shows a module's arguments in its output, so an option that lost its
no_log would pass the output checks of test_secrets.py there; this test reads the specs themselves."""

from __future__ import annotations

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._outbound_options import outbound_argument_spec
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_fields import FIELDS
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_options import (
    extension_argument_spec,
    extension_info_argument_spec,
    yeastar_argument_spec,
)

SECRET_FIELDS = {field.option for field in FIELDS if field.secret}
# Options that hold a secret, or a URL that may hold one (a proxy's credentials).
SECRETS = {"api_password", "accesskey", "token", "proxy_url"} | SECRET_FIELDS


def options(spec, path=""):
    for name, option in spec.items():
        yield path + name, name, option
        yield from options(option.get("options") or {}, path + name + ".")


SPECS = {"connection": yeastar_argument_spec(), "outbound": outbound_argument_spec(),
         "yeastar_extension": extension_argument_spec()}


def test_the_secret_fields_are_the_ones_the_vendor_documents_as_passwords():
    assert SECRET_FIELDS == {"register_password", "login_password", "voicemail_pin"}


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_every_secret_option_is_no_log(spec):
    secrets = [(path, option) for path, name, option in options(SPECS[spec]) if name in SECRETS]
    assert secrets, "no secret option found in the %s spec" % spec
    assert [path for path, option in secrets if option.get("no_log") is not True] == []


def test_the_info_module_takes_no_secret_option_of_its_own():
    assert [path for path, name, _option in options(extension_info_argument_spec()) if name in SECRETS] == []


def test_the_secret_fields_are_no_log_both_at_the_top_and_in_each_extensions_item():
    found = {path for path, name, option in options(extension_argument_spec())
             if name in SECRET_FIELDS and option.get("no_log") is True}
    assert found == SECRET_FIELDS | {"extensions." + name for name in SECRET_FIELDS}
