# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A refused login is written down for the other processes of this machine (see _yeastar_login_refusals)."""

from __future__ import annotations

import calendar
import fcntl
import os
import re
import threading

import pytest

from ansible_collections.voiceops.pbx.plugins.module_utils import _yeastar_login_refusals as refusals
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_client import md5_hex
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import LOCKOUT_ADVICE, YeastarLoginRefused
from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_login_refusals import (
    EarlierLoginRefused,
    LoginRefusals,
)

LIST = "extensionlist/query"
SECRET = "Wr0ng#Secret77Qz"
# 2026-03-02 13:42:05 UTC
REFUSED_AT = calendar.timegm((2026, 3, 2, 13, 42, 5, 0, 0, 0))


class Clock:
    """Wall-clock time that moves only when a test says so."""

    def __init__(self, now=REFUSED_AT):
        self.now = now

    def __call__(self):
        return self.now


class Pbx:
    """Stands in for a login request: answers with a refusal errno, or a token; counts what was sent."""

    def __init__(self, refusal=None):
        self.refusal = refusal
        self.logins = 0

    def login(self):
        self.logins += 1
        if self.refusal:
            raise YeastarLoginRefused(self.refusal, where="PBX pbx.example")
        return {"status": "Success", "token": "t"}


def guard(directory, clock, password="Yeastar@123", username="api"):
    return LoginRefusals("pbx.example", 8088, username, md5_hex(password), directory=str(directory), clock=clock)


def refuse(refusals_of_this, pbx):
    with pytest.raises(YeastarLoginRefused) as caught:
        refusals_of_this.guard(pbx.login, where="PBX pbx.example")
    return caught.value


def test_a_refusal_stops_every_later_login_with_the_same_credentials_for_ten_minutes(login_state_dir):
    clock = Clock()
    wrong = Pbx("20003")
    first = refuse(guard(login_state_dir, clock, SECRET), wrong)
    assert not isinstance(first, EarlierLoginRefused)
    clock.now += 599
    later = refuse(guard(login_state_dir, clock, SECRET), wrong)
    assert isinstance(later, EarlierLoginRefused) and later.errno == "20003"
    assert wrong.logins == 1
    clock.now += 1  # ten minutes after the first refusal: the PBX counts afresh, so one login may go
    refuse(guard(login_state_dir, clock, SECRET), wrong)
    assert wrong.logins == 2


def test_a_record_lasts_from_the_first_refusal(login_state_dir):
    clock = Clock()
    refusals_of_this = guard(login_state_dir, clock, SECRET)
    refusals_of_this._record(str(login_state_dir), "20003")  # pylint: disable=protected-access
    clock.now += 300
    refusals_of_this._record(str(login_state_dir), "20003")  # pylint: disable=protected-access
    clock.now += 300
    assert refusals_of_this.holding(str(login_state_dir), clock()) is None


def test_a_successful_login_leaves_no_record(login_state_dir):
    right = Pbx()
    for _ignored in range(2):
        assert guard(login_state_dir, Clock()).guard(right.login) == {"status": "Success", "token": "t"}
    assert right.logins == 2
    assert [name for name in os.listdir(login_state_dir) if name.endswith(".json")] == []


def test_the_records_hold_no_secret(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20003"))
    refuse(guard(login_state_dir, Clock(), "Yeastar@123"), Pbx("20002"))
    names = os.listdir(login_state_dir)
    assert len([name for name in names if name.endswith(".json")]) == 2
    texts = names + [(login_state_dir / name).read_text() for name in names]
    for secret in (SECRET, md5_hex(SECRET), "Yeastar@123", md5_hex("Yeastar@123")):
        assert not any(secret in text for text in texts)
    assert all(re.match(r"^(refused|lockout)-[0-9a-f]{64}\.(json|lock)$", name) for name in names), names


def test_the_directory_is_private(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20003"))
    assert os.stat(login_state_dir).st_mode & 0o777 == 0o700


def test_the_default_directory_is_one_of_this_user_in_the_temp_directory(monkeypatch, tmp_path):
    monkeypatch.delenv(refusals.STATE_DIR_ENV)
    monkeypatch.setattr(refusals.tempfile, "gettempdir", lambda: str(tmp_path))
    assert refusals.state_directory() == str(tmp_path / ("voiceops-pbx-%d" % os.getuid()))


def open_to_others(path):
    path.mkdir(mode=0o700)
    path.chmod(0o755)


def symlink_to_private(path):
    target = path.parent / "elsewhere"
    target.mkdir(mode=0o700)
    path.symlink_to(target)


def owned_by_another_user(path):
    if os.geteuid() != 0:
        pytest.skip("changing a directory's owner needs root")
    path.mkdir(mode=0o700)
    os.chown(path, os.getuid() + 4242, -1)


@pytest.mark.parametrize("make_unsafe", [open_to_others, symlink_to_private, owned_by_another_user])
def test_an_unsafe_directory_is_not_used(tmp_path, make_unsafe):
    directory = tmp_path / "state"
    make_unsafe(directory)
    wrong = Pbx("20003")
    for _ignored in range(2):
        refuse(guard(directory, Clock(), SECRET), wrong)
    assert wrong.logins == 2  # without the guard, as before
    assert os.listdir(directory) == []


def test_a_different_password_is_tried_after_a_wrong_one(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20003"))
    right = Pbx()
    guard(login_state_dir, Clock()).guard(right.login)
    assert right.logins == 1


def test_another_api_user_is_tried_after_a_wrong_password(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20003"))
    other = Pbx()
    guard(login_state_dir, Clock(), SECRET, username="api2").guard(other.login)
    assert other.logins == 1


def test_a_lockout_stops_every_user_and_password(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20002"))
    right = Pbx()
    for password, username in (("Yeastar@123", "api"), (SECRET, "api"), ("Yeastar@123", "api2")):
        stopped = refuse(guard(login_state_dir, Clock(), password, username), right)
        assert isinstance(stopped, EarlierLoginRefused) and stopped.errno == "20002"
    assert right.logins == 0


def test_a_lockout_of_another_pbx_stops_nothing(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20002"))
    elsewhere = LoginRefusals("pbx2.example", 8088, "api", md5_hex("Yeastar@123"), directory=str(login_state_dir),
                              clock=Clock())
    right = Pbx()
    elsewhere.guard(right.login)
    assert right.logins == 1


def test_the_message_says_why_until_when_and_how_to_clear_it(login_state_dir):
    clock = Clock()
    refuse(guard(login_state_dir, clock, SECRET), Pbx("20003"))
    clock.now += 150
    stopped = refuse(guard(login_state_dir, clock, SECRET), Pbx())
    record = stopped.refusal.path
    assert os.path.dirname(record) == str(login_state_dir) and os.path.isfile(record)
    assert str(stopped) == (
        "PBX pbx.example, call login: an earlier login from this machine with this API user and password was refused "
        "with error 20003 (login failed: wrong username or password) at 13:42:05 UTC, 2 minutes ago. No login was "
        "sent, so as not to lock this machine out (5 failed logins in a row block its address for 10 minutes); this "
        "holds until 13:52:05 UTC. Correct api_username or api_password (a different password is tried at once), "
        "or delete %s to try this one again." % record)
    assert SECRET not in str(stopped)


def test_the_lockout_message_says_how_to_lift_it(login_state_dir):
    clock = Clock()
    refuse(guard(login_state_dir, clock, SECRET), Pbx("20002"))
    clock.now += 45
    stopped = refuse(guard(login_state_dir, clock), Pbx())
    message = str(stopped)
    assert message.startswith(
        "PBX pbx.example, call login: an earlier login from this machine to this PBX was refused with error 20002 "
        "(login failed: locked out (IP blocked for 10 minutes)) at 13:42:05 UTC, 45 seconds ago. The PBX refuses "
        "every login from this machine's address while the block lasts, whatever the user and password, so no "
        "login was sent; this holds until 13:52:05 UTC.")
    assert LOCKOUT_ADVICE in message
    assert message.endswith("Once the block is lifted, delete %s to log in before then." % stopped.refusal.path)


def test_deleting_the_record_clears_it(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20003"))
    stopped = refuse(guard(login_state_dir, Clock(), SECRET), Pbx())
    os.unlink(stopped.refusal.path)
    wrong = Pbx("20003")
    refuse(guard(login_state_dir, Clock(), SECRET), wrong)
    assert wrong.logins == 1


def test_a_damaged_record_is_no_record(login_state_dir):
    refuse(guard(login_state_dir, Clock(), SECRET), Pbx("20003"))
    stopped = refuse(guard(login_state_dir, Clock(), SECRET), Pbx())
    with open(stopped.refusal.path, "w", encoding="utf-8") as handle:
        handle.write('{"errno": "20003", "refused')
    wrong = Pbx("20003")
    refuse(guard(login_state_dir, Clock(), SECRET), wrong)
    assert wrong.logins == 1


def test_a_login_waits_for_the_lock_but_not_forever(login_state_dir):
    refusals_of_this = LoginRefusals("pbx.example", 8088, "api", md5_hex(SECRET), directory=str(login_state_dir),
                                     lock_timeout=0.2)
    refuse(refusals_of_this, Pbx("20003"))
    lock_path = [login_state_dir / name for name in os.listdir(login_state_dir) if name.endswith(".lock")][0]
    holder = os.open(lock_path, os.O_RDWR)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        stopped = refuse(refusals_of_this, Pbx())  # the lock is not had in time: the record is still read
        assert isinstance(stopped, EarlierLoginRefused)
        os.unlink(stopped.refusal.path)
        right = Pbx()
        refusals_of_this.guard(right.login)  # and without a record, the login goes on without the lock
        assert right.logins == 1
    finally:
        os.close(holder)


def test_without_fcntl_the_record_still_counts(login_state_dir, monkeypatch):
    monkeypatch.setattr(refusals, "fcntl", None)
    wrong = Pbx("20003")
    for _ignored in range(3):
        refuse(guard(login_state_dir, Clock(), SECRET), wrong)
    assert wrong.logins == 1


# -- through the client, against the simulator ------------------------------------------------------

def test_a_second_client_with_the_same_wrong_password_sends_no_login(pbx, make_client):
    with pytest.raises(YeastarLoginRefused):
        make_client(api_password=SECRET).call(LIST)
    client = make_client(api_password=SECRET)
    with pytest.raises(YeastarLoginRefused) as caught:
        client.call(LIST)
    with pytest.raises(YeastarLoginRefused):
        client.call(LIST)
    assert caught.value.errno == "20003" and "an earlier login from this machine" in str(caught.value)
    assert pbx.counters == {"login": 1} and client.requests_sent == 0
    with make_client() as right:
        right.call(LIST)
    assert pbx.counters["login"] == 2


def test_a_lockout_answered_by_the_pbx_stops_the_right_password(pbx, make_client):
    pbx.configure(max_failed_logins=1)
    with pytest.raises(YeastarLoginRefused):
        make_client(api_password=SECRET).login()
    with pytest.raises(YeastarLoginRefused) as answered:
        make_client().login()
    assert answered.value.errno == "20002" and not isinstance(answered.value, EarlierLoginRefused)
    with pytest.raises(EarlierLoginRefused) as stopped:
        make_client().login()
    assert stopped.value.errno == "20002"
    assert pbx.counters == {"login": 2}


def test_clients_that_log_in_at_the_same_instant_send_one_login(pbx, make_client):
    clients = [make_client(api_password=SECRET) for _ignored in range(10)]
    start = threading.Barrier(len(clients))
    errors = []

    def log_in(client):
        start.wait()
        try:
            client.login()
        except YeastarLoginRefused as err:
            errors.append(err)

    threads = [threading.Thread(target=log_in, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert pbx.counters == {"login": 1}
    assert len(errors) == 10 and {err.errno for err in errors} == {"20003"}
    assert len([err for err in errors if isinstance(err, EarlierLoginRefused)]) == 9
