# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fault injection shared by the simulators.

A fault is a JSON object::

    {"kind": "errno", "errno": "30001", "endpoint": "extension/update", "count": 2}

kind      what the matching calls get
--------  -------------------------------------------------------------------
errno     the API's own error answer: HTTP 200 with {"status":"Failed","errno":ERRNO}
http      HTTP ``status`` (default 503) with a non-JSON (HTML) body
drop      the connection is closed without any answer
truncate  HTTP 200 with the first half of the JSON answer (Content-Length matches)
garbage   HTTP 200 with a non-JSON body
latency   the call is answered normally after ``seconds`` more
action    in-process only (``sim.inject("action", action=callable)``): ``action()`` runs, then the
          call is handled and answered normally, e.g. tokens expire just before the call

endpoint  only calls to this endpoint (as counted, e.g. "login"); null or absent: any
on_call   the first call it hits is the Nth matching call from when it was queued (default 1):
          the earlier ones pass untouched; ``{"kind": "drop", "endpoint": "extension/update",
          "on_call": 8}`` cuts the 8th update, whatever the timing
count     how many calls it hits (default 1); null: every call until cleared
process   true: the simulator handles the call first (its changes happen), then the
          answer is replaced by the fault; default false: nothing is applied
body      optional text answered by ``http`` and ``garbage``

Faults are used in the order they were added. On each call every due matching latency
fault adds its delay, every due action runs (before the call is handled) and at most one
other fault decides the answer. A fault waiting for its call counts every matching call,
also those another fault answers.
"""

from __future__ import annotations

import threading

KINDS = ("errno", "http", "drop", "truncate", "garbage", "latency", "action")
EFFECTS = ("latency", "action")  # kinds that leave the answer to the call itself
KEYS = {"kind", "endpoint", "count", "on_call", "errno", "status", "seconds", "process", "body", "action"}
DEFAULT_HTTP_BODY = "<html><head><title>{code}</title></head><body><h1>{code} {reason}</h1></body></html>"
DEFAULT_GARBAGE_BODY = "<html><body>Service temporarily unavailable, please try again later.</body></html>"


class Fault:
    """One parsed fault specification."""

    def __init__(self, kind, endpoint=None, count=1, errno=None, status=503, seconds=0.0, process=False, body=None,
                 on_call=1, action=None):
        self.kind = kind
        self.endpoint = endpoint
        self.count = count
        self.calls_to_pass = on_call - 1
        self.action = action
        self.errno = errno
        self.status = status
        self.seconds = seconds
        self.process = process
        self.body = body

    def matches(self, endpoint):
        return self.endpoint is None or self.endpoint == endpoint

    def due(self):
        """Whether it hits this matching call; if not, the call is one fewer to let pass."""
        if self.calls_to_pass == 0:
            return True
        self.calls_to_pass -= 1
        return False

    def as_dict(self):
        data = {"kind": self.kind, "endpoint": self.endpoint, "count": self.count, "on_call": self.calls_to_pass + 1}
        if self.kind == "errno":
            data["errno"] = self.errno
        elif self.kind == "http":
            data["status"] = self.status
        elif self.kind == "latency":
            data["seconds"] = self.seconds
        elif self.kind == "action":
            data["action"] = getattr(self.action, "__name__", repr(self.action))
        if self.kind not in EFFECTS:
            data["process"] = self.process
        if self.body is not None:
            data["body"] = self.body
        return data


def parse_fault(spec):
    """Build a ``Fault`` from a dict; raise ``ValueError`` on a bad specification."""
    if not isinstance(spec, dict):
        raise ValueError("a fault must be a JSON object")
    unknown = set(spec) - KEYS
    if unknown:
        raise ValueError("unknown fault keys: %s" % ", ".join(sorted(unknown)))
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError("fault kind must be one of %s" % ", ".join(KINDS))
    endpoint = spec.get("endpoint")
    if endpoint is not None and (not isinstance(endpoint, str) or not endpoint):
        raise ValueError("endpoint must be a non-empty string or null")
    count = spec.get("count", 1)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError("count must be a positive integer or null")
    on_call = spec.get("on_call", 1)
    if isinstance(on_call, bool) or not isinstance(on_call, int) or on_call < 1:
        raise ValueError("on_call must be a positive integer")
    fault = Fault(kind, endpoint=endpoint, count=count, process=bool(spec.get("process", False)), body=spec.get("body"),
                  on_call=on_call)
    if fault.body is not None and not isinstance(fault.body, str):
        raise ValueError("body must be a string")
    if kind == "errno":
        errno = spec.get("errno")
        if isinstance(errno, int) and not isinstance(errno, bool):
            errno = str(errno)
        if not isinstance(errno, str) or not errno:
            raise ValueError("an errno fault needs errno, e.g. \"30001\"")
        fault.errno = errno
    elif kind == "http":
        status = spec.get("status", 503)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError("status must be an HTTP status code")
        fault.status = status
    elif kind == "latency":
        seconds = spec.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("a latency fault needs seconds >= 0")
        fault.seconds = float(seconds)
    elif kind == "action":
        if not callable(spec.get("action")):
            raise ValueError("an action fault needs a callable action (in-process only)")
        fault.action = spec["action"]
    if kind != "action" and "action" in spec:
        raise ValueError("only an action fault takes action")
    return fault


class FaultQueue:
    """Pending faults, consumed call by call; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, spec):
        """Add a fault (a dict or a ``Fault``); return it."""
        fault = spec if isinstance(spec, Fault) else parse_fault(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults = []

    def pending(self):
        with self._lock:
            return [fault.as_dict() for fault in self._faults]

    def take(self, endpoint):
        """Consume what applies to one call, run its due actions: return (extra seconds of latency, failure fault or None)."""
        delay = 0.0
        failure = None
        actions = []
        with self._lock:
            for fault in self._faults:
                if not fault.matches(endpoint) or not fault.due():
                    continue
                if fault.kind == "latency":
                    delay += fault.seconds
                elif fault.kind == "action":
                    actions.append(fault.action)
                elif failure is None:
                    failure = fault
                else:
                    continue
                if fault.count is not None:
                    fault.count -= 1
            self._faults = [fault for fault in self._faults if fault.count is None or fault.count > 0]
        for action in actions:  # outside the lock: an action may queue or clear faults
            action()
        return delay, failure
