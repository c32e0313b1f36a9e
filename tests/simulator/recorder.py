# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Call counters, the in-memory call log and the one-line-per-call access log."""

from __future__ import annotations

import datetime
import re
import threading
import time

_TOKEN_IN_TEXT = re.compile(r"(token=)([^&\s'\"]{0,4})[^&\s'\"]*")


def short_token(token):
    """At most the first 4 characters of a token, for logs."""
    if not token:
        return "-"
    return token[:4] + "..."


def redact(text):
    """Cut any ``token=...`` in free text down to its first 4 characters."""
    return _TOKEN_IN_TEXT.sub(r"\1\2...", text)


class CallRecorder:
    """Calls per endpoint and a log of (endpoint, result, client ip, connection number); thread-safe."""

    def __init__(self):
        self._lock = threading.Condition()
        self._counters = {}
        self._calls = []
        self._seconds = 0.0

    def count(self, endpoint):
        with self._lock:
            self._counters[endpoint] = self._counters.get(endpoint, 0) + 1

    def record(self, entry, seconds=0.0):
        """Log a call whose answer took the server ``seconds``, from reading the request to sending the answer."""
        with self._lock:
            self._calls.append(dict(entry))
            self._seconds += seconds
            self._lock.notify_all()

    @property
    def seconds(self):
        """The time the server spent on the calls logged since the last reset: the PBX's share of a task."""
        with self._lock:
            return self._seconds

    @property
    def counters(self):
        with self._lock:
            return dict(self._counters)

    @property
    def calls(self):
        with self._lock:
            return [dict(entry) for entry in self._calls]

    def settled_calls(self, timeout=5.0):
        """The call log once every counted call is in it: a call is logged only after its answer
        was sent, so the client may be done before the server has logged its last call."""
        end = time.monotonic() + timeout
        with self._lock:
            while len(self._calls) < sum(self._counters.values()):
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return [dict(entry) for entry in self._calls]

    def connections(self, timeout=5.0):
        """The connections the calls came over (numbered by the server), each once, in the order
        of their first call; see settled_calls."""
        return list(dict.fromkeys(entry.get("connection") for entry in self.settled_calls(timeout)))

    def reset(self):
        with self._lock:
            self._counters = {}
            self._calls = []
            self._seconds = 0.0


class AccessLog:
    """Writes one line per call to a text stream or file; never request bodies or secrets."""

    def __init__(self, target=None, name="sim"):
        self._lock = threading.Lock()
        self._name = name
        self._own = False
        self._stream = None
        if isinstance(target, str):
            self._stream = open(target, "a", encoding="utf-8")  # pylint: disable=consider-using-with
            self._own = True
        elif target is not None:
            self._stream = target

    def line(self, text):
        if self._stream is None:
            return
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        with self._lock:
            try:
                self._stream.write("%s %s %s\n" % (stamp, self._name, redact(text)))
                self._stream.flush()
            except (OSError, ValueError):
                pass

    def call(self, client_ip, method, endpoint, token, result, seconds):
        token_text = " token=" + short_token(token) if token else ""
        self.line("%s %s %s%s -> %s %.1fms" % (client_ip, method, endpoint or "/", token_text, result, seconds * 1000))

    def close(self):
        if self._own and self._stream is not None:
            with self._lock:
                self._stream.close()
                self._stream = None
