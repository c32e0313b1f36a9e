# Copyright (c) voiceops.pbx contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every API version shares: answer shapes, the session endpoints, the rate limit.

A handler takes ``(data, token, client_ip, now)``: the request body as a dict, the caller's
token (already checked, except for login), the caller's IP and the API clock. It returns the
answer dict. Handlers run under the API lock and work on the one state of the ``YeastarApi``
they belong to: extension store, tokens, lockout, rate limit, settings.
"""

from __future__ import annotations

import hmac

from .yeastar_rules import as_text, is_blank
from .yeastar_seed import md5_hex

SUCCESS = "Success"


def failed(errno):
    return {"status": "Failed", "errno": errno}


class Endpoints:
    """The handlers of one API version; subclasses add their endpoints to ``table``."""

    login_fields = ("username", "password")  # required at login: blank or missing is 10004
    selector = "number"  # the request field that names an extension

    def __init__(self, api):
        self.api = api

    def table(self):
        """Endpoint name -> handler."""
        return {"login": self.login, "heartbeat": self.heartbeat, "logout": self.logout}

    # session

    def login(self, data, token, client_ip, now):
        api, settings = self.api, self.api.settings
        if api.guard.blocked(client_ip, now):
            return failed("20002")
        values = {key: as_text(data.get(key)) for key in self.login_fields}
        if any(value is None or is_blank(value) for value in values.values()):
            return failed("10004")
        good_password = hmac.compare_digest(values["password"].encode(), md5_hex(settings.password).encode())
        if values["username"] == settings.username and good_password:
            api.guard.succeeded(client_ip)
            token = api.tokens.issue(now, settings.token_lifetime)
            api.reports.login(token, client_ip, data, self.report_key(data))
            return self.login_answer(token)
        api.guard.failed(client_ip, now, settings.max_failed_logins, settings.lockout_seconds)
        return failed("20003")

    def login_answer(self, token):
        return {"status": SUCCESS, "token": token}

    def report_key(self, data):
        """Which key names the reports of a session this login (or heartbeat) starts: "action" or "event"."""
        return "action"

    def heartbeat(self, data, token, client_ip, now):
        self.api.reports.heartbeat(token, client_ip, self.heartbeat_target(data))
        return {"status": SUCCESS}

    def heartbeat_target(self, data):
        """The report-target fields of a heartbeat body, under the names login uses."""
        return data

    def logout(self, data, token, client_ip, now):
        self.api.tokens.discard(token)
        self.api.reports.forget(token)
        return {"status": SUCCESS}

    def config_changed(self, numbers, operation):
        api = self.api
        api.reports.config_change(api.alive_tokens(), numbers, operation)

    # extension/update: the same steps on every version, with its selector and field rules

    def update(self, data, token, client_ip, now):
        errno, record = self.selected(data, self.selector)
        if errno:
            return failed(errno)
        if self.rate_limited(now):
            return failed("10025")
        fields = {key: value for key, value in data.items() if key != self.selector}
        errno, changes = self.validate_update(record, fields, self.api.store.number_set())
        if errno:
            return failed(errno)
        self.api.store.apply(record["extnumber"], changes)
        self.config_changed([changes.get("extnumber", record["extnumber"])], "update")
        return self.applied(now)

    def validate_update(self, record, fields, numbers):
        """``(None, changes)`` in record field names, or ``(errno, None)``, by this version's rules."""
        raise NotImplementedError

    # helpers of the extension endpoints

    def selected(self, data, key):
        """The record a request names by ``key`` (extid, number): ``(None, record)`` or ``(errno, None)``.

        Not a string or an integer: 10017; missing or blank: 10004; unknown: 10006.
        """
        raw = data.get(key)
        text = as_text(raw)
        if text is None and raw is not None:
            return "10017", None
        if text is None or is_blank(text):
            return "10004", None
        record = self.api.store.get(text.strip())
        return ("10006", None) if record is None else (None, record)

    def rate_limited(self, now):
        """True when one more change would break the update rate (10025)."""
        return not self.api.limiter.allows(now, self.api.settings.update_rate)

    def applied(self, now):
        """Count a change that took effect against the update rate; the success answer."""
        self.api.limiter.record(now)
        return {"status": SUCCESS}
