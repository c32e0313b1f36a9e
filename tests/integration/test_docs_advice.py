# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The advice of docs/getting-started.md, docs/troubleshooting.md and README.md, checked against real runs."""

from __future__ import annotations

import json
import re
import shlex

from ansible_collections.voiceops.pbx.tests.integration.conftest import ADHOC_RESULT, ROOT, ansible_bin

LIST_ONLY = {"login": 1, "extensionlist/query": 1, "logout": 1}
OCTAL_PLAYBOOK = """\
---
- name: Extension numbers with a leading zero
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Unquoted
      voiceops.pbx.yeastar_extension_info:
        extensions: [0100]
      register: unquoted
    - name: Quoted
      voiceops.pbx.yeastar_extension_info:
        extensions: ["0100"]
      register: quoted
    - name: Show what the module received
      ansible.builtin.debug:
        msg: "missing={{ unquoted.missing | join(',') }} quoted={{ quoted.missing | join(',') }}"
    - name: Configure it unquoted
      voiceops.pbx.yeastar_extension:
        extension: 0100
        ring_timeout: 30
"""


def adhoc_commands(doc):
    """The `ansible localhost` command lines of the fenced bash blocks of a document, backslash lines joined."""
    blocks = re.findall(r"^```bash\n(.*?)^```", (ROOT / doc).read_text(), re.M | re.S)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.startswith("ansible localhost ")]


def adhoc_result(run):
    match = ADHOC_RESULT.search(run.stdout)
    assert match, run.stdout + run.stderr
    return match.group("status"), json.loads(match.group("json"))


def test_an_unquoted_leading_zero_reaches_the_modules_as_an_octal_number(ansible, pbx):
    playbook = ansible.tmp_path / "octal.yml"
    playbook.write_text(OCTAL_PLAYBOOK)
    run = ansible.playbook(playbook)
    assert "missing=64 quoted=0100" in run.stdout, run.stdout + run.stderr
    assert "extension 64 does not exist" in run.stdout
    assert pbx.extension("64") is None and pbx.extension("0100") is None


def test_the_ad_hoc_examples_work_with_the_connection_in_the_environment(ansible):
    commands = adhoc_commands("docs/getting-started.md") + adhoc_commands("README.md")
    plain = [command for command in commands if not any("api_password" in word for word in command)]
    assert len(plain) >= 2, commands
    results = [adhoc_result(ansible.run([ansible_bin("ansible")] + command[1:])) for command in plain]
    assert [status for status, _result in results] == ["SUCCESS"] * len(plain), results
    assert results[0][1]["api_calls"] == LIST_ONLY  # the first command of getting started, as the page says


def test_a_failed_ad_hoc_task_shows_a_password_given_in_the_arguments(ansible, pbx):
    command = [ansible_bin("ansible"), "localhost", "-m", "voiceops.pbx.yeastar_extension_info"]
    in_arguments = ansible.run(command + ["-a", "api_password=%s extensions=1000 colour=blue" % pbx.api_password])
    assert "Unsupported parameters" in in_arguments.stdout and pbx.api_password in in_arguments.stdout
    from_environment = ansible.run(command + ["-a", "extensions=1000 colour=blue"])
    assert "Unsupported parameters" in from_environment.stdout
    assert pbx.api_password not in from_environment.stdout + from_environment.stderr


def test_the_vaulted_ad_hoc_example_works_and_a_failure_shows_only_the_variable_name(ansible, pbx):
    """The vaulted example of getting started, with a password file instead of --ask-vault-pass."""
    vault_password = ansible.tmp_path / "vault-password"
    vault_password.write_text("correct horse battery staple\n")
    encrypted = ansible.run([ansible_bin("ansible-vault"), "encrypt_string", "--vault-password-file", str(vault_password),
                             "--name", "vault_yeastar_api_password", pbx.api_password])
    assert encrypted.returncode == 0, encrypted.stderr
    (ansible.tmp_path / "vault.yml").write_text(encrypted.stdout)
    [example] = [command for command in adhoc_commands("docs/getting-started.md")
                 if any("api_password" in word for word in command)]
    example = [ansible_bin("ansible")] + [{"@vault.yml": "@%s" % (ansible.tmp_path / "vault.yml"),
                                           "--ask-vault-pass": "--vault-password-file=%s" % vault_password}.get(word, word)
                                          for word in example[1:]]
    no_password = {"YEASTAR_PASSWORD": ""}
    status, result = adhoc_result(ansible.run(example, no_password))
    assert status == "SUCCESS" and result["extensions"][0]["number"] == "1000"
    arguments = example.index("-a") + 1
    example[arguments] += " colour=blue"
    failed = ansible.run(example, no_password)
    assert "Unsupported parameters" in failed.stdout and "{{ vault_yeastar_api_password }}" in failed.stdout
    assert pbx.api_password not in failed.stdout + failed.stderr


OCTAL_WRITES = """\
---
- name: Extensions with a leading zero written without quotes
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Configure them
      voiceops.pbx.yeastar_extension:
        api_version: v2.0.0
        purge: "{{ purge }}"
        extensions:
          - extension: 0100
            display_name: Lobby
            register_name: lobby
            register_password: Lobby4Phone7Pass9
            ring_timeout: 30
          - extension: 0101
            state: absent
"""


def test_an_unquoted_number_the_pbx_holds_with_a_leading_zero_is_refused_before_any_write(ansible, pbx):
    pbx.add_extensions([{"extnumber": "0100", "username": "Lobby"}, {"extnumber": "0101", "username": "Porch"}])
    playbook = ansible.tmp_path / "octal-writes.yml"
    playbook.write_text(OCTAL_WRITES)
    for purge in (False, True):
        pbx.reset_counters()
        run = ansible.playbook(playbook, extra_vars={"purge": purge})
        assert run.returncode == 2, run.stdout
        assert "extension 64 does not exist, but 0100 does: YAML reads an unquoted 0100 as the octal number 64" in run.stdout
        assert "extension 65 does not exist, but 0101 does" in run.stdout
        assert not {"extension/update", "extension/add", "extension/delete"} & set(pbx.counters)
    assert pbx.extension("64") is None and pbx.extension("0101")["username"] == "Porch"
