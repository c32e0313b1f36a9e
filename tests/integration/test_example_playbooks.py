# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The playbooks users copy from playbooks/ work as their comments say."""

from __future__ import annotations

import json
import os
import pathlib
import re
import sys

import pytest
import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

EXAMPLES = pathlib.Path(os.path.abspath(__file__)).parents[2] / "playbooks"


def recap(run):
    return recap_of(run, "localhost")


def recap_of(run, host):
    """How many tasks changed something on host; the play must have passed."""
    assert run.returncode == 0, run.stdout + run.stderr
    found = re.search(r"%s\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0" % re.escape(host), run.stdout)
    assert found, run.stdout
    return int(found.group(2))


def test_the_demo_shows_both_apis_and_an_idempotent_change(outbound_ansible, pbx):
    run = outbound_ansible.playbook(EXAMPLES / "demo.yml")
    assert recap(run) == 1
    assert "1002     Amy                      SIP   Registered   192.168.5.102" in run.stdout
    assert "7 extension(s), 3 S-Series API call(s), 3 call-center API call(s)" in run.stdout
    assert "second run: changed=False" in run.stdout and pbx.counters["extension/update"] == 1


def test_the_audit_only_reads(ansible, pbx):
    audit = ansible.playbook(EXAMPLES / "audit_extensions.yml")
    assert recap(audit) == 0 and "SIP phones offline: 1006" in audit.stdout
    assert "extension/update" not in pbx.counters


@pytest.mark.parametrize("playbook", ["enforce_voicemail_policy.yml", "bulk_apply.yml", "renumber.yml"])
def test_a_change_playbook_converges_and_then_changes_nothing(ansible, pbx, playbook):
    assert recap(ansible.playbook(EXAMPLES / playbook, check=True, diff=True)) == 1
    assert "extension/update" not in pbx.counters
    assert recap(ansible.playbook(EXAMPLES / playbook)) == 1
    pbx.reset_counters()
    assert recap(ansible.playbook(EXAMPLES / playbook)) == 0
    assert "extension/update" not in pbx.counters


def test_bulk_apply_sets_what_the_vars_file_says(ansible, pbx):
    recap(ansible.playbook(EXAMPLES / "bulk_apply.yml"))
    assert pbx.extension("1000")["username"] == "Reception"
    assert pbx.extension("1003")["btransferext"] == "1002"
    assert pbx.extension("1005")["maxduration"] == "Unlimited"


def test_waiting_for_new_phones(outbound_ansible, outbound):
    outbound.set_registration("1005", registered=False)
    outbound.schedule("1005", 2, registered=True, clientip="192.168.5.155")
    run = outbound_ansible.playbook(EXAMPLES / "wait_for_phones.yml")
    assert recap(run) == 0 and "1005 at 192.168.5.155" in run.stdout

    outbound.set_registration("1004", registered=False)
    run = outbound_ansible.playbook(EXAMPLES / "wait_for_phones.yml", extra_vars={"wait_timeout": 1})
    assert run.returncode != 0 and "still not there: 1004 (unregistered)" in run.stdout


def test_example_inventories_and_the_offline_playbook(outbound_ansible):
    simple = EXAMPLES / "inventory" / "pbx.yeastar.yml"
    run = outbound_ansible.run([str(pathlib.Path(sys.executable).with_name("ansible-playbook")), "-i", str(simple),
                                str(EXAMPLES / "offline_extensions.yml")])
    assert recap_of(run, "ext1006") == 0
    assert "1006 (Lisa) is offline; unanswered calls go to Voicemail" in run.stdout

    office = EXAMPLES / "inventory" / "office.yeastar.yml"
    cache_home = outbound_ansible.tmp_path / "home"
    run = outbound_ansible.run([str(pathlib.Path(sys.executable).with_name("ansible-inventory")), "-i", str(office), "--graph"],
                               env={"HOME": str(cache_home)})
    assert run.returncode == 0, run.stderr
    assert "@offline:\n  |  |--ext1006" in run.stdout and "ext1000" not in run.stdout


# onboard.yml and offboard.yml: extensions created and deleted on API v2.0.0, passwords from Ansible Vault

VAULT_PASSWORD_FILE = EXAMPLES / "vars" / "vault-password.txt"


def people():
    return yaml.safe_load((EXAMPLES / "vars" / "people.yml").read_text(encoding="utf-8"))["people"]


JOINERS = [person for person in people() if not person.get("leaver")]
JOINER_NUMBERS = [str(person["number"]) for person in JOINERS]
LEAVER_NUMBERS = [str(person["number"]) for person in people() if person.get("leaver")]


def vaulted_register_passwords():
    """The register passwords of vars/register_passwords.vault.yml, decrypted with the example vault password."""
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))
    text = (EXAMPLES / "vars" / "register_passwords.vault.yml").read_text(encoding="utf-8")
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD_FILE.read_bytes().strip()))])
    return {number: vault.decrypt(value).decode("utf-8")
            for number, value in yaml.load(text, Loader=Loader)["register_passwords"].items()}


def example_run(ansible, playbook, extra_vars=None, check=False):
    """ansible-playbook on an example, with the example vault password file, as its header says."""
    command = [str(pathlib.Path(sys.executable).with_name("ansible-playbook")), str(EXAMPLES / playbook),
               "--vault-password-file", str(VAULT_PASSWORD_FILE)]
    if extra_vars:
        command += ["-e", json.dumps(extra_vars)]
    return ansible.run(command + ["--check"] * check)


def phones_register_soon(outbound, numbers, after=2):
    """The call center learns of the new extensions; their phones register a little later."""
    for number in numbers:
        outbound.add_extension(number, registered=False)
        outbound.schedule(number, after, registered=True, clientip="10.0.7.%s" % number[-2:])


def assert_onboarded(pbx):
    passwords = vaulted_register_passwords()
    for person in JOINERS:
        number = str(person["number"])
        record = pbx.extension(number)
        assert record is not None, number
        assert record["username"] == person["name"] and record["registername"] == number
        assert record["registerpassword"] == passwords[number]
        assert record["email"] == person["email"] and record["moblie"] == person.get("mobile", "")
        assert record["hasvoicemail"] == "on" and record["enablevmtoemail"] == "on"


def test_onboarding_creates_every_person_once_and_waits_for_the_phones(outbound_ansible, outbound, pbx):
    phones_register_soon(outbound, JOINER_NUMBERS)
    check = example_run(outbound_ansible, "onboard.yml", check=True)
    assert recap(check) == 1
    assert "Would create: %s" % ", ".join(JOINER_NUMBERS) in check.stdout and "Created:" not in check.stdout
    assert "Phones: not waited for in check mode" in check.stdout
    assert "extension/add" not in pbx.counters and pbx.extension(JOINER_NUMBERS[0]) is None

    pbx.reset_counters()
    run = example_run(outbound_ansible, "onboard.yml")
    assert recap(run) == 1 and "Created: %s" % ", ".join(JOINER_NUMBERS) in run.stdout
    assert pbx.counters["extension/add"] == len(JOINERS) and "extension/update" not in pbx.counters
    assert pbx.counters["login"] == 1 and pbx.counters["logout"] == 1
    assert_onboarded(pbx)
    assert "Phones registered: %s at 10.0.7.%s" % (JOINER_NUMBERS[0], JOINER_NUMBERS[0][-2:]) in run.stdout

    pbx.reset_counters()
    again = example_run(outbound_ansible, "onboard.yml")
    assert recap(again) == 0 and "Created: none" in again.stdout and "Updated: none" in again.stdout
    assert "Already as the file says: %s" % ", ".join(JOINER_NUMBERS) in again.stdout
    assert set(pbx.counters) == {"login", "extension/query", "logout"}


def test_onboarding_fails_when_a_phone_never_registers_and_passes_once_it_does(outbound_ansible, outbound, pbx):
    late = JOINER_NUMBERS[-1]
    for number in JOINER_NUMBERS:
        outbound.add_extension(number, registered=number != late)
    run = example_run(outbound_ansible, "onboard.yml", extra_vars={"wait_timeout": 1})
    assert run.returncode != 0 and "still not there: %s (unregistered)" % late in run.stdout
    assert pbx.counters["extension/add"] == len(JOINERS)  # created before the wait

    outbound.schedule(late, 1, registered=True)
    pbx.reset_counters()
    run = example_run(outbound_ansible, "onboard.yml")
    assert recap(run) == 0 and "%s at " % late in run.stdout
    assert "extension/add" not in pbx.counters


def test_onboarding_from_the_csv_file_gives_the_same_extensions(ansible, pbx):
    csv_people = {"people_csv": "vars/people.csv", "wait_for_phones": False}
    check = example_run(ansible, "onboard.yml", extra_vars=csv_people, check=True)
    assert recap(check) == 1 and "Would create: %s" % ", ".join(JOINER_NUMBERS) in check.stdout
    assert "extension/add" not in pbx.counters

    run = example_run(ansible, "onboard.yml", extra_vars=csv_people)
    assert recap(run) == 1 and "Phones: not waited for" in run.stdout
    assert pbx.counters["extension/add"] == len(JOINERS)
    assert_onboarded(pbx)

    # the vars file describes the same people: nothing to change
    pbx.reset_counters()
    assert recap(example_run(ansible, "onboard.yml", extra_vars={"wait_for_phones": False})) == 0
    assert "extension/add" not in pbx.counters and "extension/update" not in pbx.counters


def test_offboarding_deletes_the_leavers_in_one_call_and_then_changes_nothing(ansible, pbx):
    assert LEAVER_NUMBERS and all(pbx.extension(number) for number in LEAVER_NUMBERS)
    check = example_run(ansible, "offboard.yml", check=True)
    assert recap(check) == 1 and "Would delete: %s" % ", ".join(LEAVER_NUMBERS) in check.stdout
    assert "Deleted:" not in check.stdout
    assert "extension/delete" not in pbx.counters and pbx.delete_requests == []
    assert all(pbx.extension(number) for number in LEAVER_NUMBERS)

    run = example_run(ansible, "offboard.yml")
    assert recap(run) == 1 and "Deleted: %s" % ", ".join(LEAVER_NUMBERS) in run.stdout
    assert "Already gone: none" in run.stdout
    assert pbx.counters["extension/delete"] == 1 and pbx.delete_requests == [",".join(LEAVER_NUMBERS)]
    assert not any(pbx.extension(number) for number in LEAVER_NUMBERS)
    assert pbx.extension("1005") is not None

    pbx.reset_counters()
    again = example_run(ansible, "offboard.yml", extra_vars={"people_csv": "vars/people.csv"})
    assert recap(again) == 0 and "Deleted: none" in again.stdout
    assert "Already gone: %s" % ", ".join(LEAVER_NUMBERS) in again.stdout
    assert "extension/delete" not in pbx.counters and pbx.delete_requests == []


def test_offboarding_the_people_just_onboarded(ansible, pbx):
    recap(example_run(ansible, "onboard.yml", extra_vars={"wait_for_phones": False}))
    before = len(pbx.extensions)
    pbx.reset_counters()
    run = example_run(ansible, "offboard.yml", extra_vars={"leavers": ",".join(JOINER_NUMBERS[1:])})
    assert recap(run) == 1 and "Deleted: %s" % ", ".join(JOINER_NUMBERS[1:]) in run.stdout
    assert pbx.delete_requests == [",".join(JOINER_NUMBERS[1:])] and "all" not in pbx.delete_requests
    assert len(pbx.extensions) == before - len(JOINER_NUMBERS[1:]) and pbx.extension(JOINER_NUMBERS[0])

    # a rerun of onboard.yml recreates them: the people file does not mark them as leavers
    pbx.reset_counters()
    assert recap(example_run(ansible, "onboard.yml", extra_vars={"wait_for_phones": False})) == 1
    assert pbx.counters["extension/add"] == len(JOINER_NUMBERS[1:])


# Check mode: every example says what it would do, never that it did it

AWX_PROJECT = EXAMPLES.parent / "docs" / "awx-project"
EXAMPLE_INVENTORY = EXAMPLES / "inventory" / "pbx.yeastar.yml"
PAST_TENSE_CLAIM = re.compile(r"\b(Updated|Created|Deleted|Renumbered)\b|\bis now\b|\bfields sent\b")
WOULD = re.compile(r"\bwould\b", re.I)
# Each example playbook -> whether a check run against the simulators' seed data finds something to change.
CHECKED_EXAMPLES = {
    EXAMPLES / "audit_extensions.yml": False,
    EXAMPLES / "bulk_apply.yml": True,
    EXAMPLES / "demo.yml": True,
    EXAMPLES / "enforce_voicemail_policy.yml": True,
    EXAMPLES / "extension_offline.yml": False,
    EXAMPLES / "fleet_policy.yml": True,
    EXAMPLES / "offboard.yml": True,
    EXAMPLES / "offline_extensions.yml": False,
    EXAMPLES / "onboard.yml": True,
    EXAMPLES / "renumber.yml": True,
    EXAMPLES / "wait_for_phones.yml": False,
    AWX_PROJECT / "registration_report.yml": False,
    AWX_PROJECT / "voicemail_policy.yml": True,
}


def test_every_example_playbook_is_checked_in_check_mode():
    assert set(CHECKED_EXAMPLES) == set(EXAMPLES.glob("*.yml")) | set(AWX_PROJECT.glob("*.yml"))


@pytest.mark.parametrize("playbook", sorted(CHECKED_EXAMPLES), ids=lambda path: "%s/%s" % (path.parent.name, path.name))
def test_check_mode_says_what_would_change_and_changes_nothing(outbound_ansible, pbx, playbook):
    command = [str(pathlib.Path(sys.executable).with_name("ansible-playbook")), str(playbook), "--check",
               "--vault-password-file", str(VAULT_PASSWORD_FILE)]
    if "hosts: localhost" not in playbook.read_text(encoding="utf-8"):
        command += ["-i", str(EXAMPLE_INVENTORY)]
    run = outbound_ansible.run(command)
    assert run.returncode == 0, run.stdout + run.stderr
    reports = "\n".join(line for line in run.stdout.splitlines() if not line.startswith(("TASK [", "PLAY ")))
    claims = [match.group(0) for match in PAST_TENSE_CLAIM.finditer(reports)]
    assert not claims, "check mode claims a change was made: %s\n%s" % (claims, run.stdout)
    assert bool(WOULD.search(reports)) == CHECKED_EXAMPLES[playbook], run.stdout
    assert not {"extension/update", "extension/add", "extension/delete"} & set(pbx.counters)
