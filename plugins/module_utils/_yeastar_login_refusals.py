# Copyright (c) voiceops.pbx contributors
# BSD 2-Clause License (see LICENSES/BSD-2-Clause.txt or https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
#
# Private to the voiceops.pbx collection: no compatibility promise outside it.

"""Refused PBX logins, shared by every process of this user on this machine.

One task never repeats a refused login, but one task per inventory host means one process per
host: each would send its own login with the same wrong password, and 5 refusals in a row block
this machine's address at the PBX for 10 minutes. So a refusal is written down, in a private
directory, for the time the PBX's block lasts, and every later login of any process for the
same PBX, API user and password fails at once instead of being sent. A lockout (20002) holds
for every user and password, since the PBX blocks this machine's address whoever logs in.

Logins with the same key take turns (an exclusive lock around the login request only), so that
processes that start together still send one login between them. The record holds no secret:
its name is a hash of the PBX, the user and a hash of the password digest. Without a private
directory or a lock in reasonable time, logins go on without this guard.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time

try:
    import fcntl
except ImportError:  # not POSIX: no lock, no guard
    fcntl = None

from ansible_collections.voiceops.pbx.plugins.module_utils._yeastar_errors import (
    LOCKOUT_ADVICE,
    YeastarLoginRefused,
    errno_meaning,
)

STATE_DIR_ENV = "YEASTAR_LOGIN_STATE_DIR"
REFUSAL_HOLDS = 600  # seconds: as long as the PBX's lockout
LOCKED_OUT = "20002"
LOCK_POLL = 0.02


def state_directory():
    """Where the records live: $YEASTAR_LOGIN_STATE_DIR, else a directory of this user in the temp directory."""
    configured = os.environ.get(STATE_DIR_ENV)
    if configured:
        return configured
    if not hasattr(os, "getuid"):
        return None
    return os.path.join(tempfile.gettempdir(), "voiceops-pbx-%d" % os.getuid())


def private_directory(path):
    """path, made if missing (mode 0700), when it is a directory of this user that no one else may
    enter; None for anything else (a symlink, another owner, group or world access)."""
    if not path or not hasattr(os, "getuid"):
        return None
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    return path


def _hashed(*parts):
    return hashlib.sha256("\0".join(str(part) for part in parts).encode("utf-8")).hexdigest()


class Refusal:
    """One recorded refusal: its errno, when it came, until when it holds and the file that holds it."""

    def __init__(self, errno, refused_at, until, path):
        self.errno = errno
        self.refused_at = refused_at
        self.until = until
        self.path = path

    def as_record(self):
        return {"errno": self.errno, "refused_at": self.refused_at, "until": self.until}


def read_refusal(path, now):
    """The refusal recorded in path if it still holds at now, else None."""
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
        refusal = Refusal(str(record["errno"]), float(record["refused_at"]), float(record["until"]), path)
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return refusal if refusal.refused_at <= now < refusal.until else None


def write_refusal(refusal):
    """Write a record atomically (a temporary file renamed over it); a failure leaves no record."""
    directory, name = os.path.split(refusal.path)
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".%s." % name, suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(refusal.as_record(), stream)
        os.replace(temporary, refusal.path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


@contextlib.contextmanager
def exclusive_lock(path, timeout, clock=time.monotonic, sleep=time.sleep):
    """Hold an exclusive lock on the file path for the block, waiting at most timeout seconds.
    Yields whether the lock is held: the block runs either way, so that nothing hangs."""
    if fcntl is None:
        yield False
        return
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        yield False
        return
    try:
        yield _acquire(handle, clock() + timeout, clock, sleep)
    finally:
        os.close(handle)  # releases the lock


def _acquire(handle, deadline, clock, sleep):
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if clock() >= deadline:
                return False
            sleep(LOCK_POLL)
        except OSError:
            return False


class EarlierLoginRefused(YeastarLoginRefused):
    """No login was sent: an earlier one from this machine was refused, and its record still holds."""

    def __init__(self, refusal, now, where=None):
        super().__init__(refusal.errno, where=where)
        self.refusal = refusal
        self.message = earlier_refusal_message(refusal, now)  # not the PBX's answer: none was asked for
        self.args = (self.message,)


def earlier_refusal_message(refusal, now):
    """Why no login was sent, until when, and how to clear it."""
    refused = "error %s (%s) at %s, %s" % (refusal.errno, errno_meaning(refusal.errno), _clock_time(refusal.refused_at),
                                           _ago(now - refusal.refused_at))
    if refusal.errno == LOCKED_OUT:
        return ("an earlier login from this machine to this PBX was refused with %s. The PBX refuses every login "
                "from this machine's address while the block lasts, whatever the user and password, so no login "
                "was sent; this holds until %s. %s Once the block is lifted, delete %s to log in before then."
                % (refused, _clock_time(refusal.until), LOCKOUT_ADVICE, refusal.path))
    return ("an earlier login from this machine with this API user and password was refused with %s. No login was "
            "sent, so as not to lock this machine out (5 failed logins in a row block its address for 10 minutes); "
            "this holds until %s. Correct api_username or api_password (a different password is tried at once), "
            "or delete %s to try this one again." % (refused, _clock_time(refusal.until), refusal.path))


def _clock_time(moment):
    return time.strftime("%H:%M:%S UTC", time.gmtime(moment))


def _ago(seconds):
    if seconds < 120:
        count, unit = int(seconds), "second"
    else:
        count, unit = int(seconds // 60), "minute"
    return "%d %s%s ago" % (count, unit, "" if count == 1 else "s")


class LoginRefusals:
    """The shared refusals of one PBX (host and port) for one API user and password."""

    def __init__(self, host, port, username, password_md5, lock_timeout=30, directory=None, clock=time.time):
        pbx = (str(host).strip().lower(), str(port))
        self._pbx_name = "lockout-%s" % _hashed("pbx", *pbx)
        self._credentials_name = "refused-%s" % _hashed("credentials", pbx[0], pbx[1], username, _hashed(password_md5))
        self._lock_timeout = lock_timeout or 30
        self._directory = directory
        self._clock = clock

    def guard(self, send_login, where=None):
        """send_login(), unless an earlier refusal still holds (EarlierLoginRefused, nothing sent);
        the YeastarLoginRefused it raises is recorded for the other processes."""
        directory = private_directory(self._directory or state_directory())
        if directory is None:
            return send_login()
        with exclusive_lock(os.path.join(directory, self._credentials_name + ".lock"), self._lock_timeout):
            now = self._clock()
            earlier = self.holding(directory, now)
            if earlier is not None:
                raise EarlierLoginRefused(earlier, now, where=where)
            try:
                return send_login()
            except YeastarLoginRefused as err:
                self._record(directory, err.errno)
                raise

    def holding(self, directory, now):
        """The refusal that stops a login at now: a lockout of this machine first, then one of these credentials."""
        for name in (self._pbx_name, self._credentials_name):
            refusal = read_refusal(os.path.join(directory, name + ".json"), now)
            if refusal is not None:
                return refusal
        return None

    def _record(self, directory, errno):
        name = self._pbx_name if errno == LOCKED_OUT else self._credentials_name
        now = self._clock()
        path = os.path.join(directory, name + ".json")
        if read_refusal(path, now) is None:  # a record lasts from the first refusal
            write_refusal(Refusal(errno, now, now + REFUSAL_HOLDS, path))
