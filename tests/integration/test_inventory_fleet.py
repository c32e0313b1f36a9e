# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One voiceops.pbx.yeastar inventory source for many PBXes (the pbxes option)."""

from __future__ import annotations

import json
import time

import pytest

from ansible_collections.voiceops.pbx.tests.simulator import YeastarSimulator
from ansible_collections.voiceops.pbx.tests.simulator.tls import TestPKI

NAMES = ("berlin", "paris", "rome", "oslo", "lisbon")
NUMBERS = ("1000", "1001", "1002", "1003", "1004", "1005", "1006")  # every simulator has the same seven extensions
FAIL_UNPARSED = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "True"}
LATENCY = 0.5


def password_of(name):
    return "%sSecret@9x" % name.capitalize()


def password_variable(name):
    return "PBX_%s_PASSWORD" % name.upper()


@pytest.fixture
def pki():
    with TestPKI() as authority:
        yield authority


@pytest.fixture
def fleet(pki):
    """Five simulators, one per name, with one CA and passwords of their own."""
    simulators = {name: YeastarSimulator(pki=pki, password=password_of(name)) for name in NAMES}
    for simulator in simulators.values():
        simulator.start()
    yield simulators
    for simulator in simulators.values():
        simulator.stop()


@pytest.fixture
def fleet_ansible(ansible, fleet):
    """Ansible with no PBX of its own in the environment: only user name, CA and one password per PBX."""
    for name in ("YEASTAR_HOST", "YEASTAR_PORT", "YEASTAR_PASSWORD"):
        ansible.env.pop(name)
    ansible.env["YEASTAR_CA_PATH"] = next(iter(fleet.values())).ca_path
    ansible.env.update((password_variable(name), password_of(name)) for name in fleet)
    return ansible


def pbx_items(fleet, **changes):
    """The pbxes option: each PBX by name, its password a lookup of its own environment variable."""
    items = []
    for name, simulator in fleet.items():
        item = {"name": name, "host": simulator.host, "port": simulator.port,
                "api_password": "{{ lookup('ansible.builtin.env', '%s') }}" % password_variable(name)}
        item.update(changes.get(name, {}))
        items.append(item)
    return items


def listed(run):
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout, object_hook=lambda value: value.get("__ansible_unsafe", value))


def failure(run):
    assert run.returncode != 0, run.stdout
    assert "Traceback" not in run.stderr
    return " ".join(run.stderr.split())


def test_every_pbx_is_listed_with_unique_names_pbx_variables_and_groups(fleet_ansible, fleet):
    run = fleet_ansible.inventory({"pbxes": pbx_items(fleet)}, "--list")
    inventory = listed(run)
    hostvars = inventory["_meta"]["hostvars"]
    assert sorted(hostvars) == sorted("%s-ext%s" % (name, number) for name in NAMES for number in NUMBERS)
    for name, simulator in fleet.items():
        assert sorted(inventory["yeastar_pbx_" + name]["hosts"]) == ["%s-ext%s" % (name, n) for n in NUMBERS]
        host = hostvars[name + "-ext1002"]
        assert host["yeastar_pbx"] == name and host["yeastar_number"] == "1002"
        assert host["yeastar_pbx_host"] == simulator.host and host["yeastar_pbx_port"] == simulator.port
        assert host["yeastar_pbx_api_version"] == "v1.0.0"
        assert simulator.counters == {"login": 1, "extensionlist/query": 1, "logout": 1}
    assert len(inventory["yeastar_type_sip"]["hosts"]) == 4 * len(NAMES)
    for name in NAMES:
        assert password_of(name) not in run.stdout and password_of(name) not in run.stderr


def test_an_item_option_wins_over_the_top_level_one(fleet_ansible, fleet):
    fleet["rome"].configure(api_versions=("v2.0.0",))
    inventory = listed(fleet_ansible.inventory({
        "api_version": "v1.1.0", "pbxes": pbx_items(fleet, rome={"api_version": "v2.0.0"})}, "--list"))
    hostvars = inventory["_meta"]["hostvars"]
    assert hostvars["rome-ext1000"]["yeastar_pbx_api_version"] == "v2.0.0"
    assert hostvars["paris-ext1000"]["yeastar_pbx_api_version"] == "v1.1.0"


def test_a_format_without_pbx_that_collides_names_the_pbxes(fleet_ansible, fleet):
    errors = failure(fleet_ansible.inventory({"pbxes": pbx_items(fleet), "hostname_format": "ext{number}"}, "--list",
                                             env=FAIL_UNPARSED))
    assert "host name 'ext1000'" in errors and "1000 (PBX berlin)" in errors and "1000 (PBX paris)" in errors
    assert "{pbx}" in errors


def test_a_pbx_that_is_down_fails_the_source_naming_it(fleet_ansible, fleet):
    items, port = pbx_items(fleet), fleet["rome"].port
    fleet["rome"].stop()
    errors = failure(fleet_ansible.inventory({"pbxes": items}, "--list", env=FAIL_UNPARSED))
    assert "PBX rome (127.0.0.1:%d) cannot be read" % port in errors
    assert "PBX paris" not in errors


def test_with_fail_on_errors_false_a_pbx_that_is_down_is_left_out_with_a_warning(fleet_ansible, fleet):
    items, port = pbx_items(fleet), fleet["rome"].port
    fleet["rome"].stop()
    run = fleet_ansible.inventory({"pbxes": items, "fail_on_errors": False}, "--list", env=FAIL_UNPARSED)
    inventory = listed(run)
    assert "PBX rome (127.0.0.1:%d) cannot be read" % port in " ".join(run.stderr.split())
    assert sorted({host.split("-")[0] for host in inventory["_meta"]["hostvars"]}) == sorted(set(NAMES) - {"rome"})
    assert "yeastar_pbx_rome" not in inventory


def test_a_refused_password_names_the_pbx(fleet_ansible, fleet):
    fleet_ansible.env[password_variable("oslo")] = "WrongSecret@9x"
    errors = failure(fleet_ansible.inventory({"pbxes": pbx_items(fleet)}, "--list", env=FAIL_UNPARSED))
    assert "PBX oslo" in errors and "WrongSecret" not in errors


def test_pbxes_are_read_in_parallel(fleet_ansible, fleet):
    for simulator in fleet.values():
        simulator.faults.add({"kind": "latency", "seconds": LATENCY, "count": None})
    elapsed = {}
    for workers in (1, 5):
        started = time.monotonic()
        listed(fleet_ansible.inventory({"pbxes": pbx_items(fleet), "max_workers": workers}, "--list"))
        elapsed[workers] = time.monotonic() - started
    # Login, list and logout on each PBX: 5 x 3 answers of LATENCY one after the other, or 3 with every PBX at
    # once. Both runs pay ansible-inventory's own start-up, which depends on the machine; the difference does not.
    saved = (len(fleet) - 1) * 3 * LATENCY
    assert elapsed[5] < elapsed[1] - saved / 2, "5 workers %.1f s, 1 worker %.1f s: not %.1f s faster" % (
        elapsed[5], elapsed[1], saved / 2)


def test_the_cache_is_used_and_refreshed_when_one_pbx_changes(fleet_ansible, fleet, tmp_path):
    cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
             "pbxes": pbx_items(fleet)}
    first = listed(fleet_ansible.inventory(cache, "--list"))
    assert listed(fleet_ansible.inventory(cache, "--list")) == first
    assert all(simulator.counters["login"] == 1 for simulator in fleet.values())
    changed = dict(cache, pbxes=pbx_items(fleet, oslo={"timeout": 10}))
    assert listed(fleet_ansible.inventory(changed, "--list")) == first
    assert fleet["oslo"].counters["login"] == 2
    cached = " ".join(path.read_text() for path in (tmp_path / "cache").iterdir())
    assert not [name for name in NAMES if password_of(name) in cached]


def test_registration_with_more_than_one_pbx_is_refused_before_any_request(fleet_ansible, fleet):
    errors = failure(fleet_ansible.inventory({"pbxes": pbx_items(fleet), "registration": True,
                                              "outbound_url": "http://127.0.0.1:9"}, "--list", env=FAIL_UNPARSED))
    assert "registration" in errors and "one PBX" in errors
    assert all(not simulator.counters for simulator in fleet.values())


@pytest.mark.parametrize("items, message", [
    ([{"name": "a-b", "host": "127.0.0.1"}], "name 'a-b' is invalid"),
    ([{"name": "a", "host": "127.0.0.1"}, {"name": "a", "host": "127.0.0.2"}], "more than one PBX"),
    ([{"name": "a", "host": "127.0.0.1", "password": "x"}], "unknown option password"),
    ([{"name": "a", "host": "127.0.0.1", "port": 0}], "PBX a: port: 0 is invalid"),
])
def test_invalid_items_fail_before_any_request(fleet_ansible, items, message):
    errors = failure(fleet_ansible.inventory({"pbxes": items, "api_password": "x"}, "--list", env=FAIL_UNPARSED))
    assert message in errors and "nothing was sent" in errors
