# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Yeastar S-Series API v1.x itself: routing, session, extension endpoints.

Every answer is HTTP 200 with a JSON object whose values are strings. A call goes
through these checks, in this order, and the first that fails decides the errno:

1. ``/api/VERSION/ENDPOINT`` with a known version and endpoint, else 10003;
2. the caller's IP is allowed (only when an allow list is set), else 20015;
3. the method is POST, else 20001;
4. the body is empty or a JSON object, else 20000;
5. (all but login) ``?token=`` is present (20005), known (20004) and alive (20006);
   a good token is refreshed by the call;
6. the endpoint's own rules.
"""

from __future__ import annotations

import hmac
import json
import threading
import time

from .yeastar_rules import as_text, is_blank, validate_update
from .yeastar_seed import md5_hex
from .yeastar_sessions import LoginGuard, RateLimiter, TokenStore

ENDPOINTS = ("login", "heartbeat", "logout", "apply", "extensionlist/query", "extension/query", "extension/update")
SUCCESS = "Success"


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

    def __init__(self, username="api", password="Yeastar@123", api_versions=("v1.0.0", "v1.1.0"), token_lifetime=1800.0,
                 lockout_seconds=600.0, max_failed_logins=5, update_rate=None, allowed_ips=None):
        if isinstance(api_versions, str):
            api_versions = [item.strip() for item in api_versions.split(",") if item.strip()]
        if isinstance(allowed_ips, str):
            allowed_ips = [item.strip() for item in allowed_ips.split(",") if item.strip()]
        self.username = username
        self.password = password
        self.api_versions = tuple(api_versions)
        self.token_lifetime = float(token_lifetime)
        self.lockout_seconds = float(lockout_seconds)
        self.max_failed_logins = int(max_failed_logins)
        self.update_rate = parse_rate(update_rate)
        self.allowed_ips = tuple(allowed_ips) if allowed_ips else None

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
                "allowed_ips": list(self.allowed_ips) if self.allowed_ips else None}


def failed(errno):
    return {"status": "Failed", "errno": errno}


def split_path(path):
    """``/api/v1.0.0/extension/query`` -> ("v1.0.0", "extension/query"); other paths -> (None, path)."""
    parts = path.split("/", 3)
    if len(parts) == 4 and parts[0] == "" and parts[1] == "api":
        return parts[2], parts[3]
    return None, path.lstrip("/")


class YeastarApi:
    """Answers API calls from the extension store; thread-safe (one lock)."""

    def __init__(self, store, settings, clock=time.monotonic):
        self.store = store
        self.settings = settings
        self.clock = clock
        self.lock = threading.RLock()
        self.tokens = TokenStore()
        self.guard = LoginGuard()
        self.limiter = RateLimiter()
        self.on_error = None
        self._handlers = {
            "login": self._login, "heartbeat": self._heartbeat, "logout": self._logout, "apply": self._apply,
            "extensionlist/query": self._list, "extension/query": self._query, "extension/update": self._update,
        }

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
        if version not in self.settings.api_versions or endpoint not in self._handlers:
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
        return self._handlers[endpoint](data, token, client_ip, now)

    def _login(self, data, token, client_ip, now):
        settings = self.settings
        if self.guard.blocked(client_ip, now):
            return failed("20002")
        values = [as_text(data.get(key)) for key in ("username", "password", "port")]
        if any(value is None or is_blank(value) for value in values):
            return failed("10004")
        username, password = values[0], values[1]
        if username == settings.username and hmac.compare_digest(password.encode(), md5_hex(settings.password).encode()):
            self.guard.succeeded(client_ip)
            return {"status": SUCCESS, "token": self.tokens.issue(now, settings.token_lifetime)}
        self.guard.failed(client_ip, now, settings.max_failed_logins, settings.lockout_seconds)
        return failed("20003")

    def _heartbeat(self, data, token, client_ip, now):
        return {"status": SUCCESS}

    def _logout(self, data, token, client_ip, now):
        self.tokens.discard(token)
        return {"status": SUCCESS}

    def _apply(self, data, token, client_ip, now):
        if not self.limiter.allows(now, self.settings.update_rate):
            return failed("10025")
        self.limiter.record(now)
        return {"status": SUCCESS}

    def _list(self, data, token, client_ip, now):
        return {"status": SUCCESS, "extlist": self.store.list_items()}

    def _query(self, data, token, client_ip, now):
        extid = data.get("extid")
        if extid is None:
            return {"status": SUCCESS, "extinfos": self.store.info_items(self.store.numbers())}
        text = as_text(extid)
        if text is None:
            return failed("10002")
        wanted = [part.strip() for part in text.split(",") if part.strip()]
        items = self.store.info_items(wanted or self.store.numbers())
        if wanted and not items:
            return failed("10006")
        return {"status": SUCCESS, "extinfos": items}

    def _update(self, data, token, client_ip, now):
        fields = {key: value for key, value in data.items() if key != "extid"}
        extid = as_text(data.get("extid"))
        if extid is None and data.get("extid") is not None:
            return failed("10017")
        if extid is None or is_blank(extid):
            return failed("10004")
        record = self.store.get(extid.strip())
        if record is None:
            return failed("10006")
        if not self.limiter.allows(now, self.settings.update_rate):
            return failed("10025")
        errno, changes = validate_update(record, fields, self.store.number_set())
        if errno:
            return failed(errno)
        self.store.apply(record["extnumber"], changes)
        self.limiter.record(now)
        return {"status": SUCCESS}
