# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The TLS context of each verify value, and the system trust store loaded only where it is used."""

from __future__ import annotations

import ssl

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils._http_transport import check_tls_options, tls_context
from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator


@pytest.fixture(name="system_store_loads")
def fixture_system_store_loads(monkeypatch):
    loads = []
    original = ssl.SSLContext.load_default_certs

    def counting(context, *args, **kwargs):
        loads.append(1)
        return original(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_default_certs", counting)
    return loads


def test_with_ca_path_only_that_ca_is_trusted_and_the_system_store_is_never_loaded(system_store_loads):
    with YeastarSimulator() as pbx:
        verify = check_tls_options(True, pbx.ca_path, "the PBX")
        context = tls_context(verify)
    assert system_store_loads == []
    assert len(context.get_ca_certs()) == 1
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_without_ca_path_the_system_store_is_trusted(system_store_loads):
    context = tls_context(check_tls_options(True, None, "the PBX"))
    assert system_store_loads == [1]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_validate_certs_false_checks_nothing_and_loads_nothing(system_store_loads):
    context = tls_context(check_tls_options(False, None, "the PBX"))
    assert system_store_loads == []
    assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname
