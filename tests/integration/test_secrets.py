# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No secret ever shows: every example playbook at -vvv, with --diff and with --check, and the
inventory with --list, against simulators that log every call.

The PBX is seeded with secrets that appear nowhere else (a voicemail PIN of "1000" would be
found in every extension number), and every token the simulators issue is recorded, so that a
secret is looked for in full in everything ansible printed and in the simulators' logs.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib

import pytest

from ansible_collections.voiceops.pbx.tests.integration.conftest import ansible_bin
from ansible_collections.voiceops.pbx.tests.simulator import OutboundSimulator, YeastarSimulator

EXAMPLES = pathlib.Path(os.path.abspath(__file__)).parents[2] / "playbooks"
API_PASSWORD = "Pbx#Night2026Qz"
ACCESSKEY = "Outbound@123"
WRONG_PASSWORD = "Wrong#Guess77Qz"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def seed_secrets(number):
    """Registration password, login password (clear) and voicemail PIN of one seeded extension."""
    return "Reg%sQzx" % number, "Web%sQzx!" % number, "9170%s3" % number


NEW_SECRETS = {"register_password": "NewRegQzx91", "login_password": "NewWebQzx91!", "voicemail_pin": "5550918273"}


class IssuedTokens(list):
    """Wraps a simulator's token store so that every token it issues is remembered."""

    def __init__(self, store):
        super().__init__()
        issue = store.issue

        def recording_issue(*args):
            token = issue(*args)
            self.append(token)
            return token
        store.issue = recording_issue


@pytest.fixture
def logged(tmp_path):
    logs = {"yeastar": tmp_path / "yeastar.log", "outbound": tmp_path / "outbound.log"}
    with YeastarSimulator(password=API_PASSWORD, log=str(logs["yeastar"])) as pbx, \
            OutboundSimulator(accesskey=ACCESSKEY, log=str(logs["outbound"])) as outbound:
        for record in pbx.extensions:
            register, login, pin = seed_secrets(record["extnumber"])
            pbx.patch_extension(record["extnumber"], registerpassword=register, loginpassword=md5(login), vmsecret=pin)
        yeastar_tokens, outbound_tokens = IssuedTokens(pbx.api.tokens), IssuedTokens(outbound.api.tokens)
        yield pbx, outbound, logs, yeastar_tokens, outbound_tokens


def secrets_of(pbx, extra=()):
    found = [API_PASSWORD, md5(API_PASSWORD), ACCESSKEY, WRONG_PASSWORD, md5(WRONG_PASSWORD)] + list(extra)
    for number in ("1000", "1001", "1002", "1003", "1004", "1005", "1006"):
        register, login, pin = seed_secrets(number)
        found += [register, login, md5(login), pin]
    found += list(NEW_SECRETS.values()) + [md5(NEW_SECRETS["login_password"])]
    return found


def leaks(text, secrets):
    return sorted({secret for secret in secrets if secret and secret in text})


def secrets_playbook(path, given_token):
    """Sets secrets through the modules, reads them back masked, and fails a login on purpose."""
    path.write_text(json.dumps([{"name": "Secrets in and out", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Set new secrets on one extension", "voiceops.pbx.yeastar_extension": dict(NEW_SECRETS, extension=1003),
         "register": "one"},
        {"name": "And in a bulk task", "voiceops.pbx.yeastar_extension": {
            "extensions": [dict(NEW_SECRETS, extension=1004)], "voicemail_pin": NEW_SECRETS["voicemail_pin"]}},
        {"name": "Read every setting back", "voiceops.pbx.yeastar_extension_info": {"details": True}, "register": "info"},
        {"ansible.builtin.debug": {"var": "info"}},
        {"ansible.builtin.debug": {"var": "one"}},
        {"name": "Registration with a given token", "voiceops.pbx.sip_register_status": {
            "extnumber": [1002], "token": given_token}},
        {"name": "A wrong password fails without showing it", "ignore_errors": True,
         "voiceops.pbx.yeastar_extension_info": {"api_password": WRONG_PASSWORD}},
    ]}]))
    return str(path)


def test_no_secret_in_any_output_or_log(ansible, logged, tmp_path):
    pbx, outbound, logs, yeastar_tokens, outbound_tokens = logged
    ansible.env.update(YEASTAR_PORT=str(pbx.port), YEASTAR_CA_PATH=pbx.ca_path, YEASTAR_PASSWORD=API_PASSWORD,
                       OUTBOUND_API_URL=outbound.url, OUTBOUND_API_APPID=outbound.appid, OUTBOUND_API_ACCESSKEY=ACCESSKEY,
                       HOME=str(tmp_path))
    given_token = outbound.issue_token()
    own = secrets_playbook(tmp_path / "secrets.yml", given_token)
    playbooks = [own] + [str(EXAMPLES / name) for name in (
        "audit_extensions.yml", "demo.yml", "enforce_voicemail_policy.yml", "bulk_apply.yml", "wait_for_phones.yml",
        "offline_extensions.yml", "renumber.yml")]
    inventory = str(EXAMPLES / "inventory" / "pbx.yeastar.yml")
    outputs = []
    for mode in (["--check", "--diff"], ["--diff"]):
        run = ansible.run([ansible_bin("ansible-playbook"), "-vvv", "-i", inventory] + mode + playbooks)
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
        assert "ESTABLISH LOCAL CONNECTION" in run.stdout and '"voicemail_pin": "******** (changed)"' in run.stdout
        outputs.append(run.stdout + run.stderr)
    assert pbx.extension("1003")["vmsecret"] == NEW_SECRETS["voicemail_pin"]
    assert pbx.extension("2006") is not None  # renumber.yml ran for real

    # office.yeastar.yml: settings, registration state from the call center, and a cache on disk.
    run = ansible.run([ansible_bin("ansible-inventory"), "-vvv", "-i", str(EXAMPLES / "inventory" / "office.yeastar.yml"),
                       "--list"])
    assert run.returncode == 0 and '"ext1002"' in run.stdout, run.stderr[-3000:]
    outputs.append(run.stdout + run.stderr)
    cached = [path.read_text() for path in (tmp_path / ".cache" / "voiceops-pbx").iterdir()]
    assert cached

    tokens = yeastar_tokens + outbound_tokens + [given_token]
    assert len(yeastar_tokens) > 20 and len(outbound_tokens) >= 4
    secrets = secrets_of(pbx, tokens)
    for text in outputs + cached + [logs["yeastar"].read_text(), logs["outbound"].read_text()]:
        assert leaks(text, secrets) == []
    assert "token=" in logs["yeastar"].read_text()  # the log does name tokens, by their first 4 characters only
