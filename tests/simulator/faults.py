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

endpoint  only calls to this endpoint (as counted, e.g. "login"); null or absent: any
count     how many calls it hits (default 1); null: every call until cleared
process   true: the simulator handles the call first (its changes happen), then the
          answer is replaced by the fault; default false: nothing is applied
body      optional text answered by ``http`` and ``garbage``

Faults are used in the order they were added. On each call every matching latency
fault adds its delay and at most one other fault decides the answer.
"""

from __future__ import annotations

import threading

KINDS = ("errno", "http", "drop", "truncate", "garbage", "latency")
DEFAULT_HTTP_BODY = "<html><head><title>{code}</title></head><body><h1>{code} {reason}</h1></body></html>"
DEFAULT_GARBAGE_BODY = "<html><body>Service temporarily unavailable, please try again later.</body></html>"


class Fault:
    """One parsed fault specification."""

    def __init__(self, kind, endpoint=None, count=1, errno=None, status=503, seconds=0.0, process=False, body=None):
        self.kind = kind
        self.endpoint = endpoint
        self.count = count
        self.errno = errno
        self.status = status
        self.seconds = seconds
        self.process = process
        self.body = body

    def matches(self, endpoint):
        return self.endpoint is None or self.endpoint == endpoint

    def as_dict(self):
        data = {"kind": self.kind, "endpoint": self.endpoint, "count": self.count}
        if self.kind == "errno":
            data["errno"] = self.errno
        elif self.kind == "http":
            data["status"] = self.status
        elif self.kind == "latency":
            data["seconds"] = self.seconds
        if self.kind != "latency":
            data["process"] = self.process
        if self.body is not None:
            data["body"] = self.body
        return data


def parse_fault(spec):
    """Build a ``Fault`` from a dict; raise ``ValueError`` on a bad specification."""
    if not isinstance(spec, dict):
        raise ValueError("a fault must be a JSON object")
    unknown = set(spec) - {"kind", "endpoint", "count", "errno", "status", "seconds", "process", "body"}
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
    fault = Fault(kind, endpoint=endpoint, count=count, process=bool(spec.get("process", False)), body=spec.get("body"))
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
        """Consume what applies to one call: return (extra seconds of latency, failure fault or None)."""
        delay = 0.0
        failure = None
        with self._lock:
            for fault in self._faults:
                if not fault.matches(endpoint):
                    continue
                if fault.kind == "latency":
                    delay += fault.seconds
                elif failure is None:
                    failure = fault
                else:
                    continue
                if fault.count is not None:
                    fault.count -= 1
            self._faults = [fault for fault in self._faults if fault.count is None or fault.count > 0]
        return delay, failure
