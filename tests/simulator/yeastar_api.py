# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Yeastar S-Series API, v1.x and v2.0.0: routing, settings, the shared state.

Every answer is HTTP 200 with a JSON object whose values are strings. A call goes
through these checks, in this order, and the first that fails decides the errno:

1. ``/api/VERSION/ENDPOINT`` with a version the settings accept and an endpoint of that
   version's set (``yeastar_api_v1``, ``yeastar_api_v2``), else 10003 (so
   ``extensionlist/query`` on v2 and ``extension/add`` on v1 answer 10003);
2. the caller's IP is allowed (only when an allow list is set), else 20015;
3. the method is POST, else 20001;
4. the body is empty or a JSON object, else 20000;
5. (all but login) ``?token=`` is present (20005), known (20004) and alive (20006);
   a good token is refreshed by the call;
6. the endpoint's own rules.

A version string starting with ``v2.`` serves the v2 set, any other the v1 set. Both
versions share one token table, lockout, rate limit, fault queue, counters and store.
"""

from __future__ import annotations

import json
import threading
import time

from .yeastar_api_v1 import V1Endpoints
from .yeastar_api_v2 import V2Endpoints
from .yeastar_endpoints import SUCCESS, failed
from .yeastar_report_sender import ReportSender
from .yeastar_reports import ReportHub
from .yeastar_sessions import LoginGuard, RateLimiter, TokenStore

MOBILE_KEYS = ("mobile", "moblie")
DEFAULT_SN = "369451090405"


def parse_rate(value):
    """``"3/1"``, ``[3, 1]``, ``{"count": 3, "seconds": 1}`` -> (3, 1.0); None, "", "off" or 0 -> None."""
    if value in (None, "", "off", 0):
        return None
    if isinstance(value, str):
        count, _sep, seconds = value.partition("/")
        value = (count, seconds or "1")
    elif isinstance(value, dict):
        value = (value.get("count"), value.get("seconds", 1))
    count, seconds = int(value[0]), float(value[1])
    if count < 1 or seconds <= 0:
        raise ValueError("update rate needs count >= 1 and seconds > 0")
    return count, seconds


class YeastarSettings:
    """Knobs that may change while the simulator runs."""

    def __init__(self, username="api", password="Yeastar@123", api_versions=("v1.0.0", "v1.1.0", "v2.0.0"),
                 token_lifetime=1800.0, lockout_seconds=600.0, max_failed_logins=5, update_rate=None, allowed_ips=None,
                 strong_passwords=True, v2_mobile_key="mobile", max_extensions=500, omit_empty=False,
                 sn=DEFAULT_SN, report_retry_interval=1.0):
        if isinstance(api_versions, str):
            api_versions = [item.strip() for item in api_versions.split(",") if item.strip()]
        if isinstance(allowed_ips, str):
            allowed_ips = [item.strip() for item in allowed_ips.split(",") if item.strip()]
        if not isinstance(strong_passwords, bool):
            raise ValueError("strong_passwords must be true or false")
        if not isinstance(omit_empty, bool):
            raise ValueError("omit_empty must be true or false")
        if v2_mobile_key not in MOBILE_KEYS:
            raise ValueError("v2_mobile_key must be one of %s" % ", ".join(MOBILE_KEYS))
        if isinstance(max_extensions, bool) or (max_extensions is not None and int(max_extensions) < 0):
            raise ValueError("max_extensions must be a number >= 0 (0 or null: no limit)")
        if not isinstance(sn, str) or not sn.strip():
            raise ValueError("sn must be a non-blank string")
        if isinstance(report_retry_interval, bool) or float(report_retry_interval) <= 0:
            raise ValueError("report_retry_interval must be a number of seconds > 0")
        self.username = username
        self.password = password
        self.api_versions = tuple(api_versions)
        self.token_lifetime = float(token_lifetime)
        self.lockout_seconds = float(lockout_seconds)
        self.max_failed_logins = int(max_failed_logins)
        self.update_rate = parse_rate(update_rate)
        self.allowed_ips = tuple(allowed_ips) if allowed_ips else None
        self.strong_passwords = strong_passwords
        self.v2_mobile_key = v2_mobile_key
        self.max_extensions = None if max_extensions is None else int(max_extensions)
        self.omit_empty = omit_empty
        self.sn = sn
        self.report_retry_interval = float(report_retry_interval)

    def update(self, values):
        """Change settings from a dict; unknown names raise ``ValueError``. All or nothing."""
        current = self.as_dict()
        current["password"] = self.password
        unknown = set(values) - set(current)
        if unknown:
            raise ValueError("unknown settings: %s" % ", ".join(sorted(unknown)))
        current.update(values)
        fresh = YeastarSettings(**current)
        if fresh.token_lifetime <= 0 or fresh.lockout_seconds < 0 or fresh.max_failed_logins < 0:
            raise ValueError("token_lifetime must be > 0, lockout_seconds and max_failed_logins >= 0")
        if not all(isinstance(item, str) for item in (fresh.username, fresh.password) + fresh.api_versions):
            raise ValueError("username, password and api_versions must be strings")
        self.__dict__.update(fresh.__dict__)

    def as_dict(self):
        """Every setting but the password."""
        rate = self.update_rate
        return {"username": self.username, "api_versions": list(self.api_versions), "token_lifetime": self.token_lifetime,
                "lockout_seconds": self.lockout_seconds, "max_failed_logins": self.max_failed_logins,
                "update_rate": {"count": rate[0], "seconds": rate[1]} if rate else None,
                "allowed_ips": list(self.allowed_ips) if self.allowed_ips else None,
                "strong_passwords": self.strong_passwords, "v2_mobile_key": self.v2_mobile_key,
                "max_extensions": self.max_extensions, "omit_empty": self.omit_empty,
                "sn": self.sn, "report_retry_interval": self.report_retry_interval}


def split_path(path):
    """``/api/v1.0.0/extension/query`` -> ("v1.0.0", "extension/query"); other paths -> (None, path)."""
    parts = path.split("/", 3)
    if len(parts) == 4 and parts[0] == "" and parts[1] == "api":
        return parts[2], parts[3]
    return None, path.lstrip("/")


def family(version):
    """Which endpoint set a version string serves: "v2" for v2.x, "v1" for any other."""
    return "v2" if version.split(".")[0] == "v2" else "v1"


class YeastarApi:
    """Answers API calls of every version from one state; thread-safe (one lock).

    The state (extension store, settings, tokens, lockout, rate limit, delete requests) is
    shared: a token from a v1 login works on v2 and back. ``V1Endpoints`` and ``V2Endpoints``
    hold each version's handlers.
    """

    def __init__(self, store, settings, clock=time.monotonic):
        self.store = store
        self.settings = settings
        self.clock = clock
        self.lock = threading.RLock()
        self.tokens = TokenStore()
        self.guard = LoginGuard()
        self.limiter = RateLimiter()
        self.delete_requests = []  # the raw ``number`` of every extension/delete call
        self.on_error = None
        self.on_log = None
        sender = ReportSender(self.token_alive, self.token_used, lambda: self.settings.report_retry_interval,
                              self._log_line)
        self.reports = ReportHub(sender, lambda: self.settings.sn)
        self._tables = {"v1": V1Endpoints(self).table(), "v2": V2Endpoints(self).table()}

    def alive_tokens(self):
        return self.tokens.alive(self.clock(), self.settings.token_lifetime)

    def token_alive(self, token):
        with self.lock:
            return token in self.alive_tokens()

    def token_used(self, token):
        """A delivered report counts as use of its token (if it still lives)."""
        with self.lock:
            if token in self.alive_tokens():
                self.tokens.check(token, self.clock(), self.settings.token_lifetime)

    def _log_line(self, text):
        if self.on_log is not None:
            self.on_log(text)

    def endpoints(self, version):
        """Endpoint name -> handler for a version the settings accept; {} for any other."""
        if version not in self.settings.api_versions:
            return {}
        return self._tables[family(version)]

    def handle(self, method, path, query, body, client_ip):
        """Return (answer dict, "Success" or the errno)."""
        with self.lock:
            try:
                answer = self._handle(method, path, query, body, client_ip)
            except Exception as error:  # a simulator bug must still answer like the PBX would
                if self.on_error is not None:
                    self.on_error(error)
                answer = failed("30001")
        return answer, answer.get("errno", SUCCESS)

    def _handle(self, method, path, query, body, client_ip):
        version, endpoint = split_path(path)
        handler = self.endpoints(version).get(endpoint)
        if handler is None:
            return failed("10003")
        if self.settings.allowed_ips and client_ip not in self.settings.allowed_ips:
            return failed("20015")
        if method != "POST":
            return failed("20001")
        data = {}
        if body.strip():
            try:
                data = json.loads(body.decode("utf-8"))
            except ValueError:
                return failed("20000")
            if not isinstance(data, dict):
                return failed("20000")
        now = self.clock()
        token = (query.get("token") or [""])[0]
        if endpoint != "login":
            errno = self.tokens.check(token, now, self.settings.token_lifetime)
            if errno:
                return failed(errno)
        return handler(data, token, client_ip, now)
